#!/usr/bin/env bash
# The main job on the bundled biomass case: build, then the balance of the four synergy modes,
# a Monte Carlo uncertainty study, a Sobol' sensitivity study and a self-contained HTML report,
# results in results/biomass/.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=symbiomc bash scripts/build.sh
out=${OUT:-results/biomass}
mkdir -p "$out"
echo "== balance (cases/biomass)"
build/symbiomc balance --case cases/biomass --out "$out/balance"
echo
echo "== uncertainty: 1,000,000 runs, Latin hypercube"
build/symbiomc uncertainty --case cases/biomass --distributions distributions/biomass.csv --runs 1000000 --method lhs \
  --seed 2024 --out "$out/uncertainty" --threshold savings_10k_yuan_per_yr=800 --threshold efficiency_change_pct_points=5
echo
echo "== sensitivity: Sobol' indices, N = 4096 base samples, with groups"
build/symbiomc sensitivity --case cases/biomass --distributions distributions/biomass.csv --base-runs 4096 --groups \
  --seed 2024 --out "$out/sensitivity"
echo
echo "== report"
build/symbiomc report --in "$out" --out "$out/report.html"
echo
echo "Results are in $out/ (balance/, uncertainty/, sensitivity/); open $out/report.html in a browser"
