"""The README's two plots (issue 14): runs per second against thread count, and peak memory
against the run count, of the biomass case, measured on this machine by the built binary.

Run: /usr/bin/python3 bench/plots/throughput_and_memory.py build/symbiomc docs/throughput-and-memory.png
(Debian's python3-matplotlib). Prints every measured figure as it goes; the plot shows them.
The throughput comes from `symbiomc bench` (model alone on pre-drawn inputs, sampling alone,
the whole uncertainty analysis); the memory is the peak RSS (GNU time's %M) of a plain
`uncertainty` run (--importance-runs 0) and of the default run (importance on its first 16,384
runs), for 10^4 to 10^7 runs on all cores."""
import json
import os
import subprocess
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

binary, out = sys.argv[1], sys.argv[2]
case = ["--case", "cases/biomass", "--distributions", "distributions/biomass.csv"]
cores = os.cpu_count() or 1
threads = sorted({1, cores})

bench = json.loads(subprocess.run(
    [binary, "bench", *case, "--runs", "1000000", "--method", "lhs", "--format", "json",
     *[a for t in threads for a in ("--threads", str(t))]],
    check=True, capture_output=True, text=True).stdout)
for row in bench["results"]:
    print(f"threads {row['threads']}: model {row['model_only_runs_per_s']:.0f}, sampling "
          f"{row['sampling_runs_per_s']:.0f}, uncertainty {row['uncertainty_runs_per_s']:.0f} runs/s, "
          f"peak {row['peak_rss_mib']:.1f} MiB")

run_counts = [10**4, 10**5, 10**6, 10**7]
memory = {"plain (--importance-runs 0)": [], "default (importance on the first 16,384 runs)": []}
with tempfile.TemporaryDirectory() as tmp:
    for label, extra in zip(memory, (["--importance-runs", "0"], [])):
        for n in run_counts:
            timing = os.path.join(tmp, "time")
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", timing, binary, "uncertainty", *case,
                            "--runs", str(n), "--method", "lhs", "--seed", "2024", "--quiet", *extra,
                            "--out", os.path.join(tmp, f"u{n}")], check=True, stdout=subprocess.DEVNULL)
            mib = int(open(timing).read().split()[-1]) / 1024
            memory[label].append(mib)
            print(f"{label}, {n} runs: peak {mib:.1f} MiB")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
xs = [row["threads"] for row in bench["results"]]
for key, label in (("model_only_runs_per_s", "model alone"), ("sampling_runs_per_s", "sampling alone"),
                   ("uncertainty_runs_per_s", "whole uncertainty analysis")):
    left.plot(xs, [row[key] / 1e6 for row in bench["results"]], marker="o", label=label)
left.set_xlabel("threads")
left.set_ylabel("throughput (10^6 runs/s)")
left.set_xticks(xs)
left.set_title("Biomass case, 10^6 LHS runs")
left.legend()
for label, values in memory.items():
    right.plot(run_counts, values, marker="o", label=label)
right.set_xscale("log")
right.set_ylim(bottom=0)
right.set_xlabel("runs")
right.set_ylabel("peak memory (MiB)")
right.set_title(f"Biomass uncertainty run, {cores} threads")
right.legend()
fig.tight_layout()
fig.savefig(out, dpi=100)
print(f"wrote {out}")
