"""One OpenTURNS Sobol' analysis, the way its documentation does it: SymbolicFunction model,
SobolIndicesExperiment (N(D+2) rows, Monte Carlo), then SaltelliSensitivityAlgorithm and
JansenSensitivityAlgorithm, each with S1, ST and their default bootstrap confidence intervals
(ResourceMap SobolIndicesAlgorithm-DefaultBootstrapSize, 100 resamples, 95 %).

Run by compare.py under /usr/bin/time -v; writes the indices and per-phase times as JSON.
    /usr/bin/python3 ot_sobol.py --model ishigami --base-runs 65536 --seed 1 --out r.json
"""

import argparse
import json
import math
import time

T0 = time.perf_counter()
import openturns as ot  # noqa: E402

G_A = [0.0, 1.0, 4.5, 9.0]  # then 99 (compare.py and bench_sobol.cpp use the same coefficients)


def g_coefficients(dims):
    return (G_A + [99.0] * dims)[:dims]


def model(name, dims):
    if name == "ishigami":  # a = 7, b = 0.1 on U[-pi, pi]^3
        f = ot.SymbolicFunction(["x1", "x2", "x3"], ["sin(x1) + 7 * sin(x2)^2 + 0.1 * x3^4 * sin(x1)"])
        return f, ot.ComposedDistribution([ot.Uniform(-math.pi, math.pi)] * 3)
    a = g_coefficients(dims)
    terms = [f"((abs(4 * x{i + 1} - 2) + {a[i]!r}) / (1 + {a[i]!r}))" for i in range(dims)]
    f = ot.SymbolicFunction([f"x{i + 1}" for i in range(dims)], [" * ".join(terms)])
    return f, ot.ComposedDistribution([ot.Uniform(0.0, 1.0)] * dims)


def interval(iv):
    return [list(iv.getLowerBound()), list(iv.getUpperBound())]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["ishigami", "sobol-g"], required=True)
    ap.add_argument("--dims", type=int, default=20)
    ap.add_argument("--base-runs", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    phases = {"import": time.perf_counter() - T0}
    ot.RandomGenerator.SetSeed(args.seed)
    f, dist = model(args.model, args.dims)
    t = time.perf_counter()
    x = ot.SobolIndicesExperiment(dist, args.base_runs).generate()
    phases["experiment"] = time.perf_counter() - t
    t = time.perf_counter()
    y = f(x)
    phases["evaluate"] = time.perf_counter() - t
    result = {"tool": "openturns", "version": ot.__version__, "rows": x.getSize(),
              "bootstrap_size": ot.ResourceMap.GetAsUnsignedInteger("SobolIndicesAlgorithm-DefaultBootstrapSize"),
              "threads": ot.TBB.GetThreadsNumber()}
    for name, cls in (("saltelli", ot.SaltelliSensitivityAlgorithm), ("jansen", ot.JansenSensitivityAlgorithm)):
        t = time.perf_counter()
        algo = cls(x, y, args.base_runs)
        s1, st = list(algo.getFirstOrderIndices()), list(algo.getTotalOrderIndices())
        phases[f"{name}_indices"] = time.perf_counter() - t
        t = time.perf_counter()
        i1, it = interval(algo.getFirstOrderIndicesInterval()), interval(algo.getTotalOrderIndicesInterval())
        phases[f"{name}_bootstrap"] = time.perf_counter() - t
        result[name] = {"S1": s1, "ST": st, "S1_interval": i1, "ST_interval": it}
    phases["total_in_process"] = time.perf_counter() - T0
    result["phases"] = phases
    with open(args.out, "w") as out:
        json.dump(result, out, indent=1)


if __name__ == "__main__":
    main()
