"""Wall time and peak memory of Sobol' indices through a numpy callable: symbiomc.sobol against
SALib's sobol.sample + evaluate + sobol.analyze (first and total order, 95 % intervals, no
second order), Ishigami (d = 3) and Sobol' G (d = 20), N = 2^20 base samples by default.

Each measurement runs in a fresh interpreter (peak memory = that process's ru_maxrss), the two
tools alternate run by run (the machine's load hits both alike), and the medians are printed:

    PYTHONPATH=build/python:/path/to/SALib/src /usr/bin/python3 python/bench/compare_salib.py [N] [REPEATS]
"""

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
    base_runs = int(sys.argv[1]) if len(sys.argv) > 1 else 1 << 20
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(f"N = {base_runs} base samples, {repeats} runs each, medians (the tools alternate run by run)")
    print("| model | tool | wall time [s] | peak memory [MiB] | runs | ST of the first three factors |")
    print("|---|---|---|---|---|---|")
    for model, (_, problem) in MODELS.items():
        samples = {"symbiomc": [], "SALib": []}
        for _ in range(repeats):
            for tool in samples:
                done = subprocess.run([sys.executable, __file__, "--one", tool, model, str(base_runs)],
                                      capture_output=True, text=True, check=True)
                samples[tool].append(json.loads(done.stdout.strip().splitlines()[-1]))
        for tool, runs in samples.items():
            seconds = statistics.median(r["seconds"] for r in runs)
            peak = statistics.median(r["peak_mib"] for r in runs)
            st = ", ".join(f"{v:.4f}" for v in runs[0]["ST"][:3])
            print(f"| {model} (d = {problem['num_vars']}) | {tool} | {seconds:.2f} | {peak:.0f} | "
                  f"{base_runs * (problem['num_vars'] + 2)} | {st} |", flush=True)


if __name__ == "__main__":
    main()
