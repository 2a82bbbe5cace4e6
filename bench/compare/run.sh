#!/usr/bin/env bash
# One command for the side-by-side comparison of symbiomc and OpenTURNS (BENCHMARKS.md):
#   bash bench/compare/run.sh                 # the comparison (~12 min on this 2-core machine)
#   bash bench/compare/run.sh --quick         # small sizes only (~1 min): does everything work?
#   bash bench/compare/run.sh --targets       # symbiomc-only checks of issue 5 (large N, 10^7 runs; ~3-5 min)
# Other options go to compare.py (--reps, --problems, --out, --symbiomc PATH, ...; see --help).
# Installs what is missing (python3-openturns, GNU time) through scripts/setup-debian.sh and
# builds a Release symbiomc in $SYMBIOMC_BUILD_DIR (default /tmp/symbiomc-compare-build) unless
# --symbiomc PATH is given.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bash scripts/setup-debian.sh python3-openturns time
/usr/bin/python3 -c "import openturns" 2>/dev/null || { echo "run.sh: /usr/bin/python3 cannot import openturns" >&2; exit 1; }

args=("$@")
have_binary=no
for a in "${args[@]}"; do
  [[ "$a" == -h || "$a" == --help ]] && exec /usr/bin/python3 "$root/bench/compare/compare.py" --help
  [[ "$a" == --symbiomc || "$a" == --symbiomc=* ]] && have_binary=yes
done
if [[ $have_binary == no ]]; then
  build="${SYMBIOMC_BUILD_DIR:-/tmp/symbiomc-compare-build}"
  if [[ ! -f "$build/build.ninja" ]]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSYMBIOMC_BUILD_BENCH=OFF >&2
  fi
  ninja -C "$build" symbiomc >&2
  args+=(--symbiomc "$build/symbiomc")
fi
exec /usr/bin/python3 "$root/bench/compare/compare.py" "${args[@]}"
