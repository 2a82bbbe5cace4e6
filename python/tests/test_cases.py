"""symbiomc.balance / uncertainty / sensitivity on cases: the same dicts as the CLI's JSON, and
the CLI's errors as exceptions with the same file:line messages."""

import json
import threading
import time

import pytest

import symbiomc
from conftest import REPO, cli_json, run_cli

CASE, DISTRIBUTIONS = "cases/biomass", "distributions/biomass.csv"


def test_balance_is_the_cli_json_with_set_and_option():
    code, out, err = run_cli("balance", "--case", CASE, "--format", "json", "--set", "chp_straw_t_h=5.0")
    assert code == 0, err
    assert symbiomc.balance(CASE, set={"chp_straw_t_h": 5.0}) == json.loads(out)
    assert symbiomc.balance(CASE) != json.loads(out)


def test_uncertainty_is_summary_json_with_decision_and_importance(tmp_path):
    args = ["--case", CASE, "--distributions", DISTRIBUTIONS, "--runs", 3000, "--seed", 11, "--method", "lhs",
            "--threads", 2, "--decision", "savings_10k_yuan_per_yr", "--threshold", "savings_10k_yuan_per_yr=0", "--importance-runs", 2000]
    expected = cli_json(tmp_path, "uncertainty", "summary.json", *args)
    expected["decision"] = json.loads((tmp_path / "cli-uncertainty" / "decision.json").read_text())["decisions"]
    expected["importance"] = json.loads((tmp_path / "cli-uncertainty" / "importance.json").read_text())
    got = symbiomc.uncertainty(CASE, DISTRIBUTIONS, runs=3000, seed=11, method="lhs", threads=1,
                               decision="savings_10k_yuan_per_yr", thresholds={"savings_10k_yuan_per_yr": 0.0}, importance_runs=2000)
    assert got == expected


def test_sensitivity_on_a_case_and_a_model_is_the_cli_json(tmp_path):
    expected = cli_json(tmp_path, "sensitivity", "sobol.json", "--case", CASE, "--distributions", DISTRIBUTIONS,
                        "--base-runs", 256, "--seed", 5, "--groups", "--no-correlations")
    got = symbiomc.sensitivity(CASE, DISTRIBUTIONS, base_runs=256, seed=5, groups=True, no_correlations=True)
    assert got == expected
    expected = cli_json(tmp_path, "sensitivity", "morris.json", "--model", "ishigami", "--method", "morris",
                        "--trajectories", 50)
    assert symbiomc.sensitivity(None, None, model="ishigami", method="morris", trajectories=50) == expected


def test_input_errors_are_exceptions_with_the_cli_message(tmp_path):
    bad = tmp_path / "bad.csv"
    lines = (REPO / DISTRIBUTIONS).read_text().splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("chp_straw_t_h,"))
    lines[row] = lines[row].replace(",triang,", ",triangle,", 1)  # an unknown distribution
    bad.write_text("\n".join(lines) + "\n")
    code, _, err = run_cli("uncertainty", "--case", CASE, "--distributions", bad, "--runs", 100,
                           "--out", tmp_path / "u", "--quiet")
    assert code == 2
    with pytest.raises(symbiomc.InputError) as caught:
        symbiomc.uncertainty(CASE, bad, runs=100)
    assert "error: " + str(caught.value) == err.strip()
    assert f"{bad}:{row + 1}" in str(caught.value)

    with pytest.raises(ValueError, match="no-such-case"):  # InputError is a ValueError
        symbiomc.balance("no-such-case")
    with pytest.raises(symbiomc.InputError, match="--runs"):
        symbiomc.uncertainty(CASE, DISTRIBUTIONS, runs=1)
    with pytest.raises(symbiomc.InputError, match="--set"):
        symbiomc.balance(CASE, set=["chp_straw_t_h"])


def test_the_gil_is_released_while_a_study_runs():
    # The main thread keeps running Python while another thread is inside the C++ study: its
    # longest pause stays far below the study's duration (with the GIL held it would be all of it).
    window = {}

    def study():
        window["start"] = time.monotonic()
        symbiomc.uncertainty(None, None, runs=1 << 23, model="ishigami", threads=1, importance_runs=0)
        window["end"] = time.monotonic()

    worker = threading.Thread(target=study)
    ticks = []
    worker.start()
    while worker.is_alive():
        ticks.append(time.monotonic())
        time.sleep(0.001)
    worker.join()
    inside = [t for t in ticks if window["start"] <= t <= window["end"]]
    duration = window["end"] - window["start"]
    assert duration > 0.1 and len(inside) > 10
    assert max(b - a for a, b in zip(inside, inside[1:])) < duration / 4


def test_an_impossible_request_is_a_model_error_with_the_cli_message(tmp_path):
    # Sobol' indices of correlated inputs (the biomass distributions have a .corr.csv): exit 3.
    code, _, err = run_cli("sensitivity", "--case", CASE, "--distributions", DISTRIBUTIONS, "--base-runs", 64,
                           "--out", tmp_path / "s", "--quiet")
    assert code == 3
    with pytest.raises(symbiomc.ModelError) as caught:
        symbiomc.sensitivity(CASE, DISTRIBUTIONS, base_runs=64)
    assert "error: " + str(caught.value) == err.strip()
    assert isinstance(caught.value, RuntimeError)
