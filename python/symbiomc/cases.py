"""balance, uncertainty and sensitivity of a case: the command line run in this process.

Each function builds the argument list of the matching `symbiomc` command, runs it through the
C++ CLI (no subprocess; the GIL is released while it works), and reads the JSON result files it
wrote into a temporary folder back as a dict. So the keys, the checks and the error messages are
the command's own: `summary.json`, `sobol.json`, ... are documented in the README.
"""

import json
import os
import tempfile
import warnings

from . import _core

# The CLI's exit codes (README, "Exit codes").
_EXIT_INPUT_ERROR = 2
_EXIT_MODEL_ERROR = 3
_EXIT_INTERRUPTED = 130


def _value_text(value):
    # repr of a float is its shortest round-trip form: the CLI reads back the same double.
    return repr(value) if isinstance(value, float) else str(value)


def _assignments(flag, values):
    """--set / --option / --threshold from a dict {name: value} or a list of 'NAME=VALUE'."""
    if values is None:
        return []
    if isinstance(values, dict):
        values = [f"{name}={_value_text(value)}" for name, value in values.items()]
    elif isinstance(values, str):
        values = [values]
    args = []
    for item in values:
        args += [flag, str(item)]
    return args


def _option_args(options):
    """Further keyword arguments as CLI options: conf_level=0.9 -> --conf-level 0.9; True -> a flag."""
    args = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            args.append(flag)
        elif isinstance(value, (list, tuple)):
            for item in value:
                args += [flag, _value_text(item)]
        else:
            args += [flag, _value_text(value)]
    return args


def _study_args(case, distributions, model, set, options):
    args = []
    if case is not None:
        args += ["--case", os.fspath(case)]
    if distributions is not None:
        args += ["--distributions", os.fspath(distributions)]
    if model is not None:
        args += ["--model", model]
    return args + _assignments("--set", set) + _assignments("--option", options)


def _run(args, accepted=(0,)):
    """Runs `symbiomc ARGS`; returns its stdout, or raises what its exit code means."""
    outcome = _core.run_cli([str(a) for a in args])
    text = outcome.err.strip()
    if outcome.exit_code in accepted:
        for line in text.splitlines():
            warnings.warn(line, RuntimeWarning, stacklevel=3)
        return outcome.out
    # The CLI prefixes "error: "; the exception's class says that already.
    message = text[len("error: "):] if text.startswith("error: ") else text
    if outcome.exit_code == _EXIT_INPUT_ERROR:
        raise _core.InputError(message)
    if outcome.exit_code == _EXIT_MODEL_ERROR:
        raise _core.ModelError(message)
    if outcome.exit_code == _EXIT_INTERRUPTED:
        raise KeyboardInterrupt(message)
    raise RuntimeError(f"symbiomc {args[0]} failed (exit {outcome.exit_code}): {message}")


def _read_json(directory, name):
    with open(os.path.join(directory, name), encoding="utf-8") as f:
        return json.load(f)


def balance(case, set=None, options=None):
    """The balance of every mode of `case`: the dict of `symbiomc balance --format json`.

    set: {parameter: value} (or ["NAME=VALUE", ...]) overrides; options: {option: choice}.
    A mode whose balance fails is returned with its "status"; it does not raise.
    """
    args = ["balance", "--case", os.fspath(case), "--format", "json"]
    args += _assignments("--set", set) + _assignments("--option", options)
    # Exit 1: some mode's balance failed; the JSON says which, with its status.
    return json.loads(_run(args, accepted=(0, 1)))


def uncertainty(case, distributions, runs, seed=1, method="mc", threads=0, decision=None, thresholds=None,
                set=None, options=None, model=None, **more):
    """Monte Carlo uncertainty of every output of every mode: the dict of summary.json.

    decision: "OUTPUT[:max|:min]" or a list of them; its results are under "decision" (as
    `--format json` prints them). thresholds: {output: value} or ["OUTPUT=VALUE", ...]. The
    importance measures (importance.json) are under "importance" when computed. model= runs a
    built-in analytic model ("ishigami", "sobol-g:a=...") instead of a case (case=None,
    distributions=None). Any other option of `symbiomc uncertainty` is a keyword with '_' for
    '-': conf_level=0.9, bins=512, importance_runs=0, on_failure="abort", ...
    """
    with tempfile.TemporaryDirectory(prefix="symbiomc-") as tmp:
        out = os.path.join(tmp, "result")
        args = ["uncertainty"] + _study_args(case, distributions, model, set, options)
        args += ["--runs", runs, "--seed", seed, "--method", method, "--threads", threads, "--out", out, "--quiet"]
        if decision is not None:
            args += _assignments("--decision", decision)
        args += _assignments("--threshold", thresholds) + _option_args(more)
        _run(args)
        result = _read_json(out, "summary.json")
        if decision is not None:
            result["decision"] = _read_json(out, "decision.json")["decisions"]
        if os.path.exists(os.path.join(out, "importance.json")):
            result["importance"] = _read_json(out, "importance.json")
    return result


def sensitivity(case, distributions, method="sobol", base_runs=1024, seed=1, sampling="mc", threads=0, set=None,
                options=None, model=None, **more):
    """Sobol' indices, Morris screening or Shapley effects of a case: the dict of sobol.json,
    morris.json or shapley.json.

    Any other option of `symbiomc sensitivity` is a keyword with '_' for '-': second_order=True,
    groups=True, trajectories=200, permutations=5000, target_ci_width=0.05, ...
    """
    with tempfile.TemporaryDirectory(prefix="symbiomc-") as tmp:
        out = os.path.join(tmp, "result")
        args = ["sensitivity"] + _study_args(case, distributions, model, set, options)
        args += ["--method", method, "--seed", seed, "--threads", threads, "--out", out, "--quiet"]
        if method == "sobol":
            args += ["--base-runs", base_runs, "--sampling", sampling]
        args += _option_args(more)
        _run(args)
        return _read_json(out, f"{method}.json")
