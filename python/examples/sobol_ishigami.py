"""Sobol' indices of the Ishigami function with symbiomc, SALib's way, and a plot of them.

    PYTHONPATH=build/python MPLBACKEND=Agg /usr/bin/python3 python/examples/sobol_ishigami.py ishigami.png

A SALib script would call saltelli/sobol.sample, evaluate, then sobol.analyze; here one call
does all three, streaming (memory does not grow with N), with intervals and convergence.
"""

import sys

import matplotlib.pyplot as plt
import numpy as np

import symbiomc

problem = {
    "num_vars": 3,
    "names": ["x1", "x2", "x3"],
    "bounds": [[-np.pi, np.pi]] * 3,
}


def ishigami(x, a=7.0, b=0.1):
    """One block of runs at once: x is (n, 3), the result (n,)."""
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


Si = symbiomc.sobol(ishigami, problem, base_runs=2**16, seed=1)

for name, s1, s1_conf, st, st_conf in zip(Si["names"], Si["S1"], Si["S1_conf"], Si["ST"], Si["ST_conf"]):
    print(f"{name}: S1 = {s1:.3f} +- {s1_conf:.3f}   ST = {st:.3f} +- {st_conf:.3f}")

figure, (bars, convergence) = plt.subplots(1, 2, figsize=(10, 4))
position = np.arange(len(Si["names"]))
bars.bar(position - 0.2, Si["S1"], 0.4, yerr=Si["S1_conf"], capsize=4, label="S1 (first order)")
bars.bar(position + 0.2, Si["ST"], 0.4, yerr=Si["ST_conf"], capsize=4, label="ST (total)")
bars.set_xticks(position, Si["names"])
bars.set_ylabel("Sobol' index")
bars.set_title("Ishigami, N = 2^16 base samples, 95 % intervals")
bars.legend()

steps = Si["convergence"]
for f, name in enumerate(Si["names"]):
    convergence.plot(steps["base_runs"], steps["ST"][:, f], marker="o", label=f"ST {name}")
    convergence.fill_between(steps["base_runs"], steps["ST_low"][:, f], steps["ST_high"][:, f], alpha=0.2)
convergence.set_xscale("log", base=2)
convergence.set_xlabel("base samples N")
convergence.set_title("Convergence of ST with its interval")
convergence.legend()

figure.tight_layout()
figure.savefig(sys.argv[1] if len(sys.argv) > 1 else "ishigami.png", dpi=100)
