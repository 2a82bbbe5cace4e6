"""symbiomc.sobol / morris / shapley over Python callables: the analytic models as numpy
functions give the C++ models' results bit for bit with the same seed; SALib's keys; failed runs
counted; errors in the problem, the function or its result raised as exceptions."""

import numpy as np
import pytest
from scipy import stats

import symbiomc
from conftest import G_PROBLEM, G_SPEC, ISHIGAMI_PROBLEM, cli_json, ishigami, sobol_g


def cli_indices(sobol_json):
    """{(output, parameter): (S1, S1_low, S1_high, ST, ST_low, ST_high)} of a sobol.json."""
    keys = ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high")
    return {row["parameter"]: tuple(row[k] for k in keys) for row in sobol_json["indices"]}


@pytest.mark.parametrize("sampling", ["mc", "qmc"])
def test_sobol_of_numpy_ishigami_is_the_cpp_model_bit_for_bit(tmp_path, sampling):
    expected = cli_json(tmp_path, "sensitivity", "sobol.json", "--model", "ishigami", "--base-runs", 2048,
                        "--seed", 7, "--sampling", sampling, "--threads", 2)
    got = symbiomc.sobol(ishigami, ISHIGAMI_PROBLEM, base_runs=2048, seed=7, sampling=sampling, threads=1)
    cpp = cli_indices(expected)
    assert got["names"] == ["x1", "x2", "x3"]
    for i, name in enumerate(got["names"]):
        s1, s1_low, s1_high, st, st_low, st_high = cpp[name]
        assert got["S1"][i] == s1 and got["ST"][i] == st  # exact: same design, same bits
        assert tuple(got["S1_interval"][i]) == (s1_low, s1_high)
        assert tuple(got["ST_interval"][i]) == (st_low, st_high)
        assert got["S1_conf"][i] == (s1_high - s1_low) / 2
    assert got["symbiomc"]["convergence"] == expected["convergence"]
    assert list(got["convergence"]["base_runs"]) == [256, 512, 1024, 2048]
    assert got["convergence"]["ST"][-1].tolist() == got["ST"].tolist()


def test_sobol_of_numpy_g_function_with_second_order_is_the_cpp_model(tmp_path):
    expected = cli_json(tmp_path, "sensitivity", "sobol.json", "--model", G_SPEC, "--base-runs", 1024, "--seed", 3,
                        "--second-order")
    got = symbiomc.sobol(sobol_g, G_PROBLEM, base_runs=1024, seed=3, second_order=True)
    cpp = cli_indices(expected)
    assert got["S1"].tolist() == [cpp[n][0] for n in got["names"]]
    assert got["ST"].tolist() == [cpp[n][3] for n in got["names"]]
    s2 = {(r["parameter_a"], r["parameter_b"]): r["S2"] for r in expected["second_order_indices"]}
    names = got["names"]
    for (a, b), value in s2.items():
        assert got["S2"][names.index(a), names.index(b)] == value
    assert np.isnan(got["S2"][1, 0]) and got["S2"].shape == (8, 8)


def test_groups_give_salib_style_group_indices():
    problem = dict(G_PROBLEM, groups=["important", "important", "mid", "mid", "inert", "inert", "inert", "inert"])
    got = symbiomc.sobol(sobol_g, problem, base_runs=512, seed=2)
    assert got["names"] == ["important", "mid", "inert"]
    assert got["ST"][0] > 0.8 and got["ST"][2] < 0.01
    overridden = symbiomc.sobol(sobol_g, G_PROBLEM, base_runs=512, seed=2, groups=problem["groups"])
    assert overridden["ST"].tolist() == got["ST"].tolist()


def test_several_outputs_stack_on_a_leading_axis_and_match_one_output():
    one = symbiomc.sobol(ishigami, ISHIGAMI_PROBLEM, base_runs=512, seed=4)
    two = symbiomc.sobol(lambda x: np.column_stack([ishigami(x), ishigami(x, a=5.0)]), ISHIGAMI_PROBLEM,
                         base_runs=512, seed=4)
    assert two["S1"].shape == (2, 3) and two["ST_interval"].shape == (2, 3, 2)
    assert two["S1"][0].tolist() == one["S1"].tolist()
    assert two["S1"][1].tolist() != one["S1"].tolist()


def test_morris_and_shapley_of_numpy_ishigami_are_the_cpp_model(tmp_path):
    expected = cli_json(tmp_path, "sensitivity", "morris.json", "--model", "ishigami", "--method", "morris",
                        "--trajectories", 40, "--levels", 6, "--seed", 9)
    got = symbiomc.morris(ishigami, ISHIGAMI_PROBLEM, trajectories=40, levels=6, seed=9)
    assert got["mu_star"].tolist() == [e["mu_star"] for e in expected["effects"]]
    assert got["sigma"].tolist() == [e["sigma"] for e in expected["effects"]]
    assert set(got) >= {"names", "mu", "mu_star", "sigma", "mu_star_conf"}

    expected = cli_json(tmp_path, "sensitivity", "shapley.json", "--model", "ishigami", "--method", "shapley",
                        "--permutations", 200, "--shapley-variance-runs", 4000, "--seed", 9)
    got = symbiomc.shapley(ishigami, ISHIGAMI_PROBLEM, permutations=200, variance_runs=4000, seed=9)
    assert got["Sh"].tolist() == [row["shapley"] for row in expected["indices"]]
    assert got["Sh_interval"][:, 0].tolist() == [row["shapley_low"] for row in expected["indices"]]


def test_salib_distributions_map_onto_symbiomc_quantiles():
    problem = {"names": ["u", "t", "n", "tn", "ln"],
               "bounds": [[1.0, 3.0], [1.0, 3.0, 0.25], [2.0, 0.5], [0.0, 1.0, 0.5, 0.2], [0.0, 0.3]],
               "dists": ["unif", "triang", "norm", "truncnorm", "lognorm"]}
    seen = []

    def record(x):
        seen.append(x.copy())
        return x.sum(axis=1)

    symbiomc.sobol(record, problem, base_runs=64, seed=1, threads=1)
    x = np.concatenate(seen[1:])  # seen[0] is the probe at the medians
    # The probe row holds the medians; scipy's quantiles with SALib's meaning of the bounds.
    medians = [2.0, stats.triang.ppf(0.5, c=0.25, loc=1.0, scale=2.0), 2.0,
               stats.truncnorm.ppf(0.5, -2.5, 2.5, loc=0.5, scale=0.2), 1.0]
    assert np.allclose(seen[0][0], medians, rtol=1e-12)
    assert x[:, 0].min() >= 1.0 and x[:, 0].max() <= 3.0
    assert x[:, 1].min() >= 1.0 and x[:, 1].max() <= 3.0
    assert 0.0 <= x[:, 3].min() and x[:, 3].max() <= 1.0 and x[:, 4].min() > 0.0
    assert abs(np.median(x[:, 2]) - 2.0) < 0.1


def test_failed_runs_are_counted_not_averaged_in():
    def sometimes_nan(x):
        y = ishigami(x)
        y[x[:, 0] > 3.0] = np.nan
        return y

    got = symbiomc.sobol(sometimes_nan, ISHIGAMI_PROBLEM, base_runs=1024, seed=1)
    assert np.all(np.isfinite(got["ST"]))
    dropped = got["symbiomc"]["outputs"][0]["dropped_base_samples"]
    assert 0 < dropped < 1024


def test_errors_are_python_exceptions():
    def boom(x):
        if x.shape[0] > 1:
            raise ZeroDivisionError("boom in block")
        return ishigami(x)

    with pytest.raises(ZeroDivisionError, match="boom in block"):
        symbiomc.sobol(boom, ISHIGAMI_PROBLEM, base_runs=4096, seed=1, threads=2)
    with pytest.raises(symbiomc.InputError, match="returned shape"):
        symbiomc.sobol(lambda x: np.zeros((x.shape[0], 2, 2)), ISHIGAMI_PROBLEM, base_runs=64)
    with pytest.raises(symbiomc.ModelError, match="returned shape"):
        symbiomc.sobol(lambda x: np.zeros(x.shape[0] if x.shape[0] == 1 else 3), ISHIGAMI_PROBLEM, base_runs=64)
    bad = dict(ISHIGAMI_PROBLEM, bounds=[[-1.0, 1.0], [2.0, 1.0], [0.0, 1.0]])
    with pytest.raises(symbiomc.InputError, match=r"problem\['bounds'\]\[1\] \(x2\)"):
        symbiomc.sobol(ishigami, bad, base_runs=64)
    with pytest.raises(symbiomc.InputError, match="unknown distribution 'weibull'"):
        symbiomc.sobol(ishigami, dict(ISHIGAMI_PROBLEM, dists=["unif", "unif", "weibull"]), base_runs=64)
    with pytest.raises(symbiomc.InputError, match="'names'"):
        symbiomc.sobol(ishigami, {"bounds": [[0, 1]]}, base_runs=64)
    with pytest.raises(symbiomc.InputError, match="sampling"):
        symbiomc.sobol(ishigami, ISHIGAMI_PROBLEM, base_runs=64, sampling="lhs")
