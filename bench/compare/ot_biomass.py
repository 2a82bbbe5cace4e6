"""Plain Monte Carlo of the biomass case with OpenTURNS: the balance as one SymbolicFunction
(biomass_exprtk.py: an ExprTk program with one variable per flow/variable and one output per
mode x output, 50 in all), the 49 uncertain parameters as a ComposedDistribution of OpenTURNS
marginals, then what `symbiomc uncertainty` reports: per output mean, sd, CI of the mean,
P5/P50/P95, P(> 0); and per output and pair of synergy modes the paired difference (mean,
P5/P50/P95, P(a > b)). Whole-sample, the usual OpenTURNS way (X and Y held in memory).

Run by compare.py under /usr/bin/time -v:
    /usr/bin/python3 ot_biomass.py --case cases/biomass --distributions distributions/biomass.csv \
        --runs 1000000 --seed 1 --out r.json
"""

import argparse
import json
import math
import os
import sys
import time

T0 = time.perf_counter()
import openturns as ot  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import biomass_exprtk  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", required=True)
    ap.add_argument("--distributions", required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    phases = {"import": time.perf_counter() - T0}
    t = time.perf_counter()
    program = biomass_exprtk.BiomassProgram(args.case, args.distributions)
    f = ot.SymbolicFunction(program.inputs, program.outputs, program.formula)
    rows = {r["parameter"]: r for r in program.distributions}
    dist = ot.ComposedDistribution([biomass_exprtk.ot_distribution(rows[name]) for name in program.inputs])
    phases["build"] = time.perf_counter() - t

    ot.RandomGenerator.SetSeed(args.seed)
    t = time.perf_counter()
    x = dist.getSample(args.runs)
    phases["sample"] = time.perf_counter() - t
    t = time.perf_counter()
    y = f(x)
    phases["evaluate"] = time.perf_counter() - t

    t = time.perf_counter()
    mean, sd = list(y.computeMean()), list(y.computeStandardDeviation())
    q = y.computeQuantilePerComponent([0.05, 0.5, 0.95])
    p_positive = [1.0 - y.getMarginal(k).computeEmpiricalCDF([0.0]) for k in range(y.getDimension())]
    z = ot.Normal().computeQuantile(0.975)[0]
    n = y.getSize()
    outputs = {}
    for k, name in enumerate(program.outputs):
        se = sd[k] / math.sqrt(n)
        outputs[name] = {"mean": mean[k], "sd": sd[k], "standard_error": se, "ci": [mean[k] - z * se, mean[k] + z * se],
                         "p5": q[0, k], "p50": q[1, k], "p95": q[2, k], "prob_positive": p_positive[k]}
    phases["statistics"] = time.perf_counter() - t

    # Paired mode comparisons, as symbiomc's comparisons.csv: synergy modes a < b, same output.
    t = time.perf_counter()
    modes = []
    for name in program.outputs:
        mode = name.split("__")[0]
        if mode not in modes:
            modes.append(mode)
    per_mode = len(program.outputs) // len(modes)
    comparisons = {}
    for o in range(per_mode):
        for a in range(1, len(modes)):
            for b in range(a + 1, len(modes)):
                diff = y.getMarginal(a * per_mode + o) - y.getMarginal(b * per_mode + o)
                dq = diff.computeQuantilePerComponent([0.05, 0.5, 0.95])
                comparisons[f"{program.outputs[o].split('__')[1]}:{modes[a]}-{modes[b]}"] = {
                    "mean": diff.computeMean()[0], "p5": dq[0, 0], "p50": dq[1, 0], "p95": dq[2, 0],
                    "prob_a_greater": 1.0 - diff.computeEmpiricalCDF([0.0])}
    phases["comparisons"] = time.perf_counter() - t
    phases["total_in_process"] = time.perf_counter() - T0
    with open(args.out, "w") as out:
        json.dump({"tool": "openturns", "version": ot.__version__, "runs": n, "threads": ot.TBB.GetThreadsNumber(),
                   "program_lines": len(program.lines), "outputs": outputs, "comparisons": comparisons,
                   "phases": phases}, out, indent=1)


if __name__ == "__main__":
    main()
