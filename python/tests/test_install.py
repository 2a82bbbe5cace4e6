"""`cmake --install` puts the package where Debian's python3 looks for it (for the default prefix
/usr/local: /usr/local/lib/python3.X/dist-packages), and the installed copy works on its own."""

import os
import pathlib
import subprocess
import sys
import sysconfig

from conftest import REPO


def test_installed_package_is_on_the_interpreters_path_and_imports(tmp_path):
    build = pathlib.Path(os.environ["SYMBIOMC_BUILD_DIR"])
    stage = tmp_path / "stage"
    done = subprocess.run(["cmake", "--install", str(build), "--component", "python", "--prefix", "/usr/local"],
                          env=dict(os.environ, DESTDIR=str(stage)), capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    site = sysconfig.get_path("platlib")  # where this interpreter installs and finds packages
    assert site in sys.path
    installed = pathlib.Path(str(stage) + site) / "symbiomc"
    assert (installed / "__init__.py").exists() and list(installed.glob("_core*.so"))
    # The staged copy alone (no build tree on the path) runs a study.
    code = ("import symbiomc, sys; r = symbiomc.balance('cases/biomass'); "
            "assert symbiomc.__file__.startswith(sys.argv[1]), symbiomc.__file__; print(r['case'])")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(installed.parent)
    done = subprocess.run([sys.executable, "-c", code, str(installed)], cwd=REPO, env=env, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "biomass"
