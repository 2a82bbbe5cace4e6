#!/usr/bin/env bash
# What the given-data statistics cost on top of an uncertainty run of the biomass case
# (issue 13: "--decision and the importance measures add <= 30 %"). Runs, interleaved so that
# machine noise hits every configuration alike, REPEATS times each:
#   plain       --importance-runs 0                      (moments, quantiles, histograms, comparisons)
#   importance  the default: importance on the first 16,384 runs
#   decision    + --decision savings_10k_yuan_per_yr (the issue's "done when" command)
#   decisions   + --decision savings_10k_yuan_per_yr --decision efficiency_change_pct_points (the README's main job)
# and prints the median wall and CPU seconds of each and their ratios to `plain`, then the median
# of the per-repetition CPU ratios: the three runs of a repetition are adjacent in time, so their
# ratio cancels the machine's slow drifts (the same binary's plain run varies by 20 % over minutes).
# Usage: bench/cost/decision_cost.sh [BINARY] [RUNS] [THREADS] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-build/symbiomc} runs=${2:-1000000} threads=${3:-2} repeats=${4:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common=(uncertainty --case cases/biomass --distributions distributions/biomass.csv --runs "$runs" --method lhs
        --seed 2024 --threads "$threads" --quiet --threshold savings_10k_yuan_per_yr=800)
declare -A extra=([plain]="--importance-runs 0" [importance]="" [decision]="--decision savings_10k_yuan_per_yr"
                  [decisions]="--decision savings_10k_yuan_per_yr --decision efficiency_change_pct_points")
configs=(plain importance decision decisions)
for ((i = 0; i < repeats; i++)); do
  for c in "${configs[@]}"; do
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %U %S %M" -o "$work/$c.$i" "$bin" "${common[@]}" ${extra[$c]} --out "$work/out.$c"
  done
done
/usr/bin/python3 - "$work" "$repeats" "${configs[@]}" <<'PY'
import statistics, sys
work, repeats, configs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
med = {}
for c in configs:
    rows = [list(map(float, open(f"{work}/{c}.{i}").read().split())) for i in range(repeats)]
    med[c] = (statistics.median(r[0] for r in rows), statistics.median(r[1] + r[2] for r in rows),
              statistics.median(r[3] for r in rows) / 1024)
print(f"{'configuration':<12} {'wall s':>8} {'cpu s':>8} {'peak MiB':>9} {'wall ratio':>11} {'cpu ratio':>10}")
for c in configs:
    w, u, m = med[c]
    print(f"{c:<12} {w:8.2f} {u:8.2f} {m:9.1f} {w / med[configs[0]][0]:11.2f} {u / med[configs[0]][1]:10.2f}")
def cpu(c, i):
    r = list(map(float, open(f"{work}/{c}.{i}").read().split()))
    return r[1] + r[2]
for c in configs[1:]:
    ratios = sorted(cpu(c, i) / cpu(configs[0], i) for i in range(repeats))
    print(f"{c}: median of the per-repetition CPU ratios {statistics.median(ratios):.2f} "
          f"(range {ratios[0]:.2f}-{ratios[-1]:.2f})")
PY
