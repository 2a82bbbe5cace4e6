"""No memory growth: a Sobol' study of 2^24 model runs through a numpy callable keeps its peak
resident memory within a few tens of MiB of a 2^16-run study (SALib would hold the 2^24 x 3
sample, 384 MiB, before the first evaluation), and repeating it does not grow the process."""

import numpy as np

import symbiomc
from conftest import ISHIGAMI_PROBLEM, ishigami_numpy

MIB = 1 << 20


def status_kib(field):
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/self/status")


def reset_peak():
    # Writing 5 to clear_refs resets VmHWM (Linux >= 4.0), so VmHWM is the peak of what follows.
    with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
        f.write("5")


def peak_of_study(base_runs):
    reset_peak()
    result = symbiomc.sobol(ishigami_numpy, ISHIGAMI_PROBLEM, base_runs=base_runs, seed=1, threads=2)
    assert np.all(np.isfinite(result["ST"]))
    return status_kib("VmHWM") * 1024, status_kib("VmRSS") * 1024


def test_a_2_to_24_run_study_needs_no_more_memory_than_a_small_one():
    small_peak, _ = peak_of_study(1 << 14)  # 2^14 (3 + 2) runs; also loads everything once
    big_runs = 1 << 22  # N (d + 2) = 5 * 2^22 > 2^24 model runs
    big_peak, rss_after_first = peak_of_study(big_runs)
    _, rss_after_second = peak_of_study(big_runs)
    assert big_peak - small_peak < 48 * MIB, (small_peak / MIB, big_peak / MIB)
    assert rss_after_second - rss_after_first < 8 * MIB, (rss_after_first / MIB, rss_after_second / MIB)
