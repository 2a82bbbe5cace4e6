"""The example of docs/python.md runs as printed and draws its plot from the returned dict."""

import os
import subprocess
import sys

from conftest import REPO


def test_the_documented_example_runs_and_writes_its_plot(tmp_path):
    png = tmp_path / "ishigami.png"
    env = dict(os.environ, MPLBACKEND="Agg", MPLCONFIGDIR=str(tmp_path))
    done = subprocess.run([sys.executable, str(REPO / "python/examples/sobol_ishigami.py"), str(png)], env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("S1 = ") == 3
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10000
    # The document shows this very file.
    assert (REPO / "python/examples/sobol_ishigami.py").read_text() in (REPO / "docs/python.md").read_text()
