#!/usr/bin/env bash
# The main job on the bundled biomass case: build, then the balance of the four synergy modes,
# a Monte Carlo uncertainty study with the decision between the modes (the inputs rank-correlated
# as distributions/biomass.corr.csv says), Shapley effects (which allow for the correlations),
# Sobol' indices of the same case with the correlations dropped, for comparison, and a
# self-contained HTML report; results in results/biomass/.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=symbiomc bash scripts/build.sh -DSYMBIOMC_BUILD_TESTS=OFF -DSYMBIOMC_BUILD_BENCH=OFF
out=${OUT:-results/biomass}
mkdir -p "$out"
echo "== balance (cases/biomass)"
build/symbiomc balance --case cases/biomass --out "$out/balance"
echo
echo "== uncertainty and decision: 1,000,000 runs, Latin hypercube, correlated inputs"
build/symbiomc uncertainty --case cases/biomass --distributions distributions/biomass.csv --runs 1000000 --method lhs \
  --seed 2024 --out "$out/uncertainty" --threshold savings_10k_yuan_per_yr=800 --threshold efficiency_change_pct_points=5 \
  --decision savings_10k_yuan_per_yr --decision efficiency_change_pct_points
echo
echo "== sensitivity: Shapley effects (correlated inputs)"
build/symbiomc sensitivity --method shapley --case cases/biomass --distributions distributions/biomass.csv \
  --seed 2024 --out "$out/shapley"
echo
echo "== sensitivity: Sobol' indices, N = 4096 base samples, with groups, correlations dropped"
build/symbiomc sensitivity --case cases/biomass --distributions distributions/biomass.csv --ignore-correlation \
  --base-runs 4096 --groups --seed 2024 --out "$out/sensitivity"
echo
echo "== report"
build/symbiomc report --in "$out" --out "$out/report.html"
echo
echo "Results are in $out/ (balance/, uncertainty/, shapley/, sensitivity/); open $out/report.html in a browser"
