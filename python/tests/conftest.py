"""Shared helpers of the Python tests: the symbiomc CLI they compare with, the analytic models as
numpy callables written in the C++ models' operation order (src/model/analytic_models.cpp), so
that the same seed gives the same bits."""

import json
import math
import os
import pathlib
import subprocess

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
G_COEFFICIENTS = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0]
G_SPEC = "sobol-g:a=" + ",".join(repr(a) for a in G_COEFFICIENTS)


# The C library's sin, as std::sin in the C++ model: numpy's own SIMD sin (AVX-512 here) may
# differ from it in the last bit for some arguments.
libm_sin = np.vectorize(math.sin, otypes=[float])


def ishigami(x, a=7.0, b=0.1, sin=libm_sin):
    s1, s2 = sin(x[:, 0]), sin(x[:, 1])
    x3_2 = x[:, 2] * x[:, 2]
    return s1 + a * s2 * s2 + b * x3_2 * x3_2 * s1


def ishigami_numpy(x):
    """Ishigami with numpy's sin: fast, equal to the C++ model up to the last bit."""
    return ishigami(x, sin=np.sin)


def sobol_g(x, coefficients=G_COEFFICIENTS):
    product = np.ones(x.shape[0])
    for i, a in enumerate(coefficients):
        product *= (np.abs(4.0 * x[:, i] - 2.0) + a) / (1.0 + a)
    return product


ISHIGAMI_PROBLEM = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
G_PROBLEM = {"names": [f"x{i + 1}" for i in range(len(G_COEFFICIENTS))], "bounds": [[0.0, 1.0]] * len(G_COEFFICIENTS)}


def run_cli(*args):
    """Runs the symbiomc program; returns (exit code, stdout, stderr)."""
    exe = os.environ.get("SYMBIOMC_EXE", str(REPO / "build" / "symbiomc"))
    done = subprocess.run([exe, *map(str, args)], capture_output=True, text=True, cwd=REPO, check=False)
    return done.returncode, done.stdout, done.stderr


def cli_json(tmp_path, command, file_name, *args):
    """Runs `symbiomc COMMAND ARGS --out DIR --quiet` and reads DIR/file_name."""
    out = tmp_path / f"cli-{command}"
    code, _, err = run_cli(command, *args, "--out", out, "--quiet")
    assert code == 0, err
    return json.loads((out / file_name).read_text())


@pytest.fixture(autouse=True)
def _run_from_repo(monkeypatch):
    # Case paths in the tests are relative to the repository, as in the README.
    monkeypatch.chdir(REPO)
