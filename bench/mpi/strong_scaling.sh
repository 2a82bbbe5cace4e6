#!/usr/bin/env bash
# Strong scaling on this machine (issue 8): the same study as 1 rank x 1 thread, 1 rank x 2
# threads and 2 MPI ranks x 1 thread, alternating, REPS repetitions; prints the median wall time
# of each, the speed-up against 1 x 1, and the size of one segment's message / the checkpoint.
# Usage: bench/mpi/strong_scaling.sh [SYMBIOMC_BINARY (default build/symbiomc, an MPI build)]
set -euo pipefail
cd "$(dirname "$0")/../.."
symbiomc=${1:-build/symbiomc}
reps=${REPS:-5}
ldd "$symbiomc" | grep -q libmpi || { echo "strong_scaling.sh: $symbiomc is not an MPI build (cmake -DSYMBIOMC_MPI=ON)" >&2; exit 2; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
biomass=(--case cases/biomass --distributions distributions/biomass.csv --quiet)
declare -A studies=(
  [uncertainty_2M]="uncertainty --runs 2000000 --seed 1"
  [sobol_N16384]="sensitivity --base-runs 16384 --seed 1"
)
configs=("1x1" "1x2" "2x1")
run() {  # study config -> seconds
  local study=$1 config=$2 ranks=${2%x*} threads=${2#*x}
  local start end
  start=$(date +%s.%N)
  if [ "$ranks" = 1 ]; then
    "$symbiomc" ${studies[$study]} "${biomass[@]}" --threads "$threads" --out "$work/$study.$config" >/dev/null
  else
    mpirun --oversubscribe -n "$ranks" "$symbiomc" ${studies[$study]} "${biomass[@]}" --threads "$threads" \
      --out "$work/$study.$config" >/dev/null
  fi
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f\n", b - a}'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); reps $reps; $(date -u +%F)"
printf "%-16s %-8s %10s %9s\n" study "ranks x threads" "median s" speed-up
for study in "${!studies[@]}"; do
  declare -A times=()
  for ((r = 0; r < reps; r++)); do
    for c in "${configs[@]}"; do times[$c]+="$(run "$study" "$c") "; done
  done
  base=$(echo "${times[1x1]}" | tr ' ' '\n' | grep . | median)
  for c in "${configs[@]}"; do
    m=$(echo "${times[$c]}" | tr ' ' '\n' | grep . | median)
    printf "%-16s %-15s %10.2f %9.2f\n" "$study" "$c" "$m" "$(awk -v a="$base" -v b="$m" 'BEGIN {print a / b}')"
  done
  for c in "${configs[@]}"; do
    for f in "$work/$study.1x1"/*; do
      n=$(basename "$f"); [ "$n" = run.log ] && continue
      cmp -s "$f" "$work/$study.$c/$n" || { echo "RESULTS DIFFER: $study $c $n"; exit 1; }
    done
  done
  unset times
done
# What crosses the network per segment, and what a checkpoint holds (the same encoding).
"$symbiomc" uncertainty "${biomass[@]}" --runs 300000 --seed 1 --out "$work/ck" --checkpoint "$work/u.ckpt" >/dev/null
"$symbiomc" sensitivity "${biomass[@]}" --base-runs 4096 --seed 1 --out "$work/cks" --checkpoint "$work/s.ckpt" >/dev/null
echo "checkpoint (= one segment's message, plus a header): uncertainty $(stat -c %s "$work/u.ckpt") bytes, sobol $(stat -c %s "$work/s.ckpt") bytes"
