"""Wall time and peak memory of Sobol' indices through a numpy callable: symbiomc.sobol against
SALib's sobol.sample + evaluate + sobol.analyze (first and total order, 95 % intervals, no
second order), Ishigami (d = 3) and Sobol' G (d = 20), N = 2^20 base samples by default.

Each measurement runs in a fresh interpreter (peak memory = that process's ru_maxrss), the two
tools alternate run by run (the machine's load hits both alike), and the medians are printed:

    PYTHONPATH=build/python:/path/to/SALib/src /usr/bin/python3 python/bench/compare_salib.py \
        [--base-runs N] [--repeats R] [--models ishigami,g20] [--tools symbiomc,SALib]
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

G_A = [0.0, 0.5, 1.0, 2.0, 4.5, 9.0] + [99.0] * 14  # d = 20: six active factors, fourteen near-inert


def ishigami(x):
    return np.sin(x[:, 0]) + 7.0 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def sobol_g(x):
    y = np.ones(x.shape[0])
    for i, a in enumerate(G_A):
        y *= (np.abs(4.0 * x[:, i] - 2.0) + a) / (1.0 + a)
    return y


MODELS = {
    "ishigami": (ishigami, {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}),
    "g20": (sobol_g, {"num_vars": 20, "names": [f"x{i + 1}" for i in range(20)], "bounds": [[0.0, 1.0]] * 20}),
}


def measure(tool, model, base_runs):
    """One run in this process: prints a JSON line with seconds, peak MiB and the ST estimates."""
    func, problem = MODELS[model]
    start = time.perf_counter()
    if tool == "symbiomc":
        import symbiomc
        st = symbiomc.sobol(func, problem, base_runs=base_runs, seed=1)["ST"]
    else:
        from SALib.analyze import sobol as analyze
        from SALib.sample import sobol as sample
        x = sample.sample(problem, base_runs, calc_second_order=False, seed=1)
        st = analyze.analyze(problem, func(x), calc_second_order=False, seed=1)["ST"]
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak_mib, "ST": [float(v) for v in st]}))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        measure(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-runs", type=int, default=1 << 20, help="N (default 2^20)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each tool per model (default 3)")
    parser.add_argument("--models", default="ishigami,g20", help="comma-separated: ishigami, g20")
    parser.add_argument("--tools", default="symbiomc,SALib", help="comma-separated: symbiomc, SALib")
    args = parser.parse_args()
    base_runs = args.base_runs
    print(f"N = {base_runs} base samples, {args.repeats} runs each, medians (the tools alternate run by run)")
    print("| model | tool | N | model runs | wall time [s] | peak memory [MiB] | ST of x1, x2, x3 |")
    print("|---|---|---|---|---|---|---|")
    for model in args.models.split(","):
        problem = MODELS[model][1]
        samples = {tool: [] for tool in args.tools.split(",")}
        for _ in range(args.repeats):
            for tool in samples:
                done = subprocess.run([sys.executable, __file__, "--one", tool, model, str(base_runs)],
                                      capture_output=True, text=True, check=True)
                samples[tool].append(json.loads(done.stdout.strip().splitlines()[-1]))
        for tool, runs in samples.items():
            seconds = statistics.median(r["seconds"] for r in runs)
            peak = statistics.median(r["peak_mib"] for r in runs)
            st = ", ".join(f"{v:.4f}" for v in runs[0]["ST"][:3])
            print(f"| {model} (d = {problem['num_vars']}) | {tool} | 2^{base_runs.bit_length() - 1} | "
                  f"{base_runs * (problem['num_vars'] + 2)} | {seconds:.2f} | {peak:.0f} | {st} |", flush=True)


if __name__ == "__main__":
    main()
