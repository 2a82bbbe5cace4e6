"""Sobol', Morris and Shapley studies of your own Python function, SALib's way.

`problem` is SALib's dict (names, bounds, optional dists and groups); `func` maps an (n, d)
float64 array of inputs to (n,) or (n, k) outputs. symbiomc owns the design, so sample and
analysis cannot be mismatched: one call replaces SALib's sample + evaluate + analyze. func is
called once per block of runs (a few hundred to a few thousand rows), plus once on a single row
(the inputs' medians) before the study to learn k; the GIL is held only during those calls.
A run whose outputs are not all finite counts as failed and is left out (and counted), never
averaged in.

The result carries SALib's keys (a dict in place of SALib's ResultDict) with the intervals
symbiomc computes, and under "symbiomc" the whole sobol.json / morris.json / shapley.json that
`symbiomc sensitivity` writes. With k outputs every array gains a leading axis of length k.
"""

import json
import os
import tempfile

import numpy as np

from . import _core

# The CLI's defaults, so that the same seed gives the same bits as `symbiomc sensitivity`.
_SOBOL_BASE_BLOCK = 256
_Z95 = 1.959963984540054  # standard normal quantile at 0.975: SALib's 95 % half-widths


def _study_files(run, name):
    with tempfile.TemporaryDirectory(prefix="symbiomc-") as tmp:
        run(tmp)
        with open(os.path.join(tmp, name), encoding="utf-8") as f:
            return json.load(f)


def _number(value):
    return np.nan if value is None else float(value)


def _stack(per_output):
    """One array per output -> the array itself for one output, else stacked on a leading axis."""
    return per_output[0] if len(per_output) == 1 else np.stack(per_output)


def _factors(problem):
    """SALib's factor names (the groups when the problem has them) and, per factor, the name and
    kind symbiomc files it under: a group of one parameter is that parameter."""
    names = list(problem["names"])
    groups = problem.get("groups")
    if groups is None:
        return names, [(n, "parameter") for n in names]
    factors, keys = [], []
    for group in dict.fromkeys(groups):
        members = [n for n, g in zip(names, groups) if g == group]
        factors.append(group)
        keys.append((members[0], "parameter") if len(members) == 1 else (group, "group"))
    return factors, keys


def _outputs(data):
    return [o["output"] for o in data["outputs"]]


def sobol(func, problem, base_runs, seed=1, sampling="mc", threads=0, groups=None, second_order=False,
          conf_level=0.95, replicates=8, block_size=_SOBOL_BASE_BLOCK):
    """Sobol' indices of func: S1 (Saltelli et al. 2010), ST (Jansen 1999), S2 with second_order.

    base_runs: N, the base samples (runs = N (d + 2), or N (2d + 2) with second_order).
    sampling: "mc" or "qmc" (randomised Sobol' sequence, intervals from `replicates` shifts).
    groups: one group name per input (as SALib's problem["groups"], which it overrides); the
    indices are then per group, as in SALib. threads: 0 = all cores.
    Returns S1, S1_conf, ST, ST_conf, names (SALib's keys, conf = half-width of the
    conf_level interval), S1_interval and ST_interval (low, high), S2 and S2_conf (d x d, NaN
    below the diagonal) with second_order, convergence (the indices at N/8, N/4, N/2, N) and
    symbiomc (sobol.json).
    """
    if groups is not None:
        problem = dict(problem, groups=list(groups))
    data = _study_files(
        lambda tmp: _core.sobol(func, problem, int(base_runs), int(seed), sampling, int(threads), bool(second_order),
                                float(conf_level), int(replicates), int(block_size), tmp),
        "sobol.json")
    names, keys = _factors(problem)
    index_of = {key: i for i, key in enumerate(keys)}
    outputs = _outputs(data)
    d = len(names)
    arrays = {key: [np.full(d, np.nan) for _ in outputs] for key in ("S1", "S1_low", "S1_high", "ST", "ST_low",
                                                                      "ST_high")}
    for row in data["indices"]:
        f = index_of.get((row["parameter"], row["kind"]))
        if f is None:
            continue
        o = outputs.index(row["output"])
        for key in arrays:
            arrays[key][o][f] = _number(row[key])
    result = {"names": names}
    for index in ("S1", "ST"):
        low, high = np.array(arrays[index + "_low"]), np.array(arrays[index + "_high"])
        result[index] = _stack(arrays[index])
        result[index + "_conf"] = _stack(list((high - low) / 2))
        result[index + "_interval"] = _stack(list(np.stack([low, high], axis=-1)))
    if second_order:
        factor_of_name = {key[0]: i for i, key in enumerate(keys)}
        s2 = [np.full((d, d), np.nan) for _ in outputs]
        s2_conf = [np.full((d, d), np.nan) for _ in outputs]
        for row in data["second_order_indices"]:
            a, b = factor_of_name.get(row["parameter_a"]), factor_of_name.get(row["parameter_b"])
            if a is None or b is None:
                continue
            o = outputs.index(row["output"])
            s2[o][a, b] = _number(row["S2"])
            s2_conf[o][a, b] = (_number(row["S2_high"]) - _number(row["S2_low"])) / 2
        result["S2"], result["S2_conf"] = _stack(s2), _stack(s2_conf)
    result["convergence"] = _convergence(data, outputs, index_of, d)
    result["symbiomc"] = data
    return result


def _convergence(data, outputs, index_of, d):
    """sobol.json's convergence rows as arrays: base_runs (s,), S1, ST, ST_low, ST_high (s, d)."""
    snapshots = sorted({row["base_runs"] for row in data["convergence"]})
    step = {n: i for i, n in enumerate(snapshots)}
    keys = ("S1", "ST", "ST_low", "ST_high")
    arrays = {key: [np.full((len(snapshots), d), np.nan) for _ in outputs] for key in keys}
    for row in data["convergence"]:
        # Convergence rows name the factor only: a group's name, else a parameter's.
        group = (row["parameter"], "group")
        f = index_of[group] if group in index_of else index_of.get((row["parameter"], "parameter"))
        if f is None:
            continue
        o = outputs.index(row["output"])
        for key in keys:
            arrays[key][o][step[row["base_runs"]], f] = _number(row[key])
    result = {"base_runs": np.array(snapshots, dtype=np.int64)}
    result.update({key: _stack(value) for key, value in arrays.items()})
    return result


def morris(func, problem, trajectories=100, levels=4, seed=1, threads=0):
    """Morris elementary effects of func (Morris 1991; mu* Campolongo et al. 2007).

    Returns names, mu, mu_star, sigma, mu_star_conf (SALib's keys; here 1.96 standard errors of
    mu* over the trajectories, where SALib bootstraps), mu_star_standard_error and symbiomc
    (morris.json). Effects are per unit of each input's quantile coordinate.
    """
    if problem.get("groups") is not None:
        raise _core.InputError("morris: problem['groups'] is not supported; give one factor per input")
    data = _study_files(
        lambda tmp: _core.morris(func, problem, int(trajectories), int(levels), int(seed), int(threads), tmp),
        "morris.json")
    names = list(problem["names"])
    outputs = list(dict.fromkeys(row["output"] for row in data["effects"]))
    keys = ("mu", "mu_star", "sigma", "mu_star_standard_error")
    arrays = {key: [np.full(len(names), np.nan) for _ in outputs] for key in keys}
    for row in data["effects"]:
        o, f = outputs.index(row["output"]), names.index(row["parameter"])
        for key in keys:
            arrays[key][o][f] = _number(row[key])
    result = {"names": names}
    result.update({key: _stack(value) for key, value in arrays.items()})
    result["mu_star_conf"] = _Z95 * result["mu_star_standard_error"]
    result["symbiomc"] = data
    return result


def shapley(func, problem, permutations=1000, outer=1, inner=3, variance_runs=10000, seed=1, conf_level=0.95,
            threads=0):
    """Shapley effects of func (Song, Nelson & Staum 2016, random permutations).

    runs = variance_runs + permutations (d - 1) outer inner. Returns names, Sh, Sh_conf
    (half-width of the conf_level interval), Sh_interval (low, high) and symbiomc (shapley.json).
    """
    data = _study_files(
        lambda tmp: _core.shapley(func, problem, int(permutations), int(outer), int(inner), int(variance_runs),
                                  int(seed), float(conf_level), int(threads), tmp),
        "shapley.json")
    names = list(problem["names"])
    outputs = _outputs(data)
    keys = ("shapley", "shapley_low", "shapley_high")
    arrays = {key: [np.full(len(names), np.nan) for _ in outputs] for key in keys}
    for row in data["indices"]:
        o, f = outputs.index(row["output"]), names.index(row["parameter"])
        for key in keys:
            arrays[key][o][f] = _number(row[key])
    low, high = np.array(arrays["shapley_low"]), np.array(arrays["shapley_high"])
    return {
        "names": names,
        "Sh": _stack(arrays["shapley"]),
        "Sh_conf": _stack(list((high - low) / 2)),
        "Sh_interval": _stack(list(np.stack([low, high], axis=-1))),
        "symbiomc": data,
    }
