#!/usr/bin/env bash
# Issue 8's proof, run by ctest in an MPI build (-DSYMBIOMC_MPI=ON):
#   1. uncertainty (QMC with replicates, with the decision, importance and target statistics),
#      Sobol' (through a --target-ci-width doubling, with groups), Morris and Shapley effects
#      (correlated inputs) give byte-identical result files as one process and as 1, 2 and 3
#      MPI ranks on localhost (--oversubscribe);
#   2. an MPI run stopped by SIGINT writes a checkpoint, and resuming it with a different number
#      of ranks gives the same bytes as the uninterrupted run;
#   3. a rank with other options or an unreadable input ends the whole job with a message naming
#      the rank, and a non-zero exit, instead of hanging; so does a rank killed mid-run.
# Usage: ranks_identical.sh SYMBIOMC_BINARY MPIEXEC SOURCE_DIR
set -euo pipefail
symbiomc=$1
mpiexec=$2
source_dir=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Open MPI refuses to start as root (CI containers) unless told it is intended.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# No network in the sandbox: keep Open MPI's transports on this host.
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
cd "$source_dir"

fail() { echo "FAIL: $*" >&2; exit 1; }

same_results() {  # dir_a dir_b: every result file (not run.log: timing) byte-identical
  local a=$1 b=$2 n=0
  for f in "$a"/*; do
    local name
    name=$(basename "$f")
    [ "$name" = run.log ] && continue
    cmp -s "$f" "$b/$name" || fail "$name differs between $a and $b"
    n=$((n + 1))
  done
  [ "$n" -ge 2 ] || fail "only $n result files in $a"
  echo "  identical: $b ($n files)"
}

biomass=(--case cases/biomass --distributions distributions/biomass.csv)
# The bundled case's rank correlations (distributions/biomass.corr.csv) apply, except to Sobol'.
uncertainty=(uncertainty "${biomass[@]}" --runs 120000 --method qmc --replicates 4 --block-size 1024 --seed 17 --quiet
             --decision savings_10k_yuan_per_yr --decision efficiency_change_pct_points:max
             --threshold savings_10k_yuan_per_yr=800)
sobol=(sensitivity "${biomass[@]}" --ignore-correlation --base-runs 256 --groups --target-ci-width 0.15 --max-base-runs 2048 --seed 17 --quiet)
morris=(sensitivity --method morris "${biomass[@]}" --trajectories 600 --seed 17 --quiet)
shapley=(sensitivity --method shapley "${biomass[@]}" --permutations 500 --shapley-variance-runs 20000 --seed 17 --quiet)

for study in uncertainty sobol morris shapley; do
  declare -n args=$study
  echo "$study: one process, then 1, 2, 3 MPI ranks"
  "$symbiomc" "${args[@]}" --threads 2 --out "$work/$study.single"
  for k in 1 2 3; do
    timeout 600 "$mpiexec" --oversubscribe -n "$k" "$symbiomc" "${args[@]}" --threads 1 --out "$work/$study.$k" ||
      fail "$study with $k ranks exited with $?"
    same_results "$work/$study.single" "$work/$study.$k"
  done
  unset -n args
done
for f in uncertainty.3/decision.json uncertainty.3/importance.json uncertainty.3/targets.csv shapley.3/shapley.json; do
  [ -f "$work/$f" ] || fail "$f missing: the comparison above did not cover it"
done

echo "checkpoint: interrupt 2 ranks with SIGINT, resume with 3"
long=(uncertainty "${biomass[@]}" --runs 1500000 --block-size 256 --seed 23 --quiet)
"$mpiexec" --oversubscribe -n 2 "$symbiomc" "${long[@]}" --threads 1 --out "$work/long.interrupted" \
  --checkpoint "$work/long.ckpt" --checkpoint-every 0 >"$work/interrupted.log" 2>&1 &
runner=$!
for _ in $(seq 1 3000); do [ -f "$work/long.ckpt" ] && break; sleep 0.1; done
[ -f "$work/long.ckpt" ] || fail "no checkpoint appeared"
kill -INT "$runner"
if wait "$runner"; then fail "the interrupted run exited 0 (finished before the signal?)"; fi
grep -q -- "--resume $work/long.ckpt" "$work/interrupted.log" || { cat "$work/interrupted.log"; fail "no resume hint"; }
[ ! -e "$work/long.interrupted" ] || fail "an interrupted run left result files"
timeout 600 "$mpiexec" --oversubscribe -n 3 "$symbiomc" "${long[@]}" --threads 1 --out "$work/long.resumed" --resume "$work/long.ckpt"
"$symbiomc" "${long[@]}" --threads 2 --out "$work/long.whole"
same_results "$work/long.whole" "$work/long.resumed"

echo "checkpoint: resuming a finished MPI run computes nothing and ends"
timeout 600 "$mpiexec" --oversubscribe -n 2 "$symbiomc" "${uncertainty[@]}" --threads 1 --out "$work/done.first" \
  --checkpoint "$work/done.ckpt"
timeout 120 "$mpiexec" --oversubscribe -n 2 "$symbiomc" "${uncertainty[@]}" --threads 1 --out "$work/done.again" \
  --resume "$work/done.ckpt" || fail "resuming a finished checkpoint on 2 ranks: exit $? (124 = hang)"
same_results "$work/uncertainty.single" "$work/done.again"

echo "failures end the whole job"
set +e
timeout 300 "$mpiexec" --oversubscribe -n 1 "$symbiomc" "${uncertainty[@]}" --threads 1 --out "$work/bad" : \
  -n 1 "$symbiomc" "${uncertainty[@]}" --threads 1 --bins 512 --out "$work/bad" >"$work/mismatch.log" 2>&1
code=$?
set -e
[ "$code" -ne 0 ] && [ "$code" -ne 124 ] || fail "rank with other options: exit $code (124 = hang)"
grep -q "MPI rank 1 does not run the same study as rank 0.*histogram bins=2048.*histogram bins=512" "$work/mismatch.log" ||
  { cat "$work/mismatch.log"; fail "mismatch message"; }
set +e
timeout 300 "$mpiexec" --oversubscribe -n 2 "$symbiomc" "${uncertainty[@]}" --threads 1 --out "$work/bad" : \
  -n 1 "$symbiomc" uncertainty --case cases/biomass --distributions "$work/missing.csv" --runs 1000 --out "$work/bad" \
  >"$work/missing.log" 2>&1
code=$?
set -e
[ "$code" -ne 0 ] && [ "$code" -ne 124 ] || fail "rank with a missing file: exit $code (124 = hang)"
grep -q "error (MPI rank 2 of 3): $work/missing.csv" "$work/missing.log" || { cat "$work/missing.log"; fail "missing-file message"; }
[ ! -e "$work/bad" ] || fail "a failed job left result files"

echo "a rank that dies (SIGKILL) ends the job"
"$mpiexec" --oversubscribe -n 2 "$symbiomc" "${long[@]}" --threads 1 --out "$work/crash" >"$work/crash.log" 2>&1 &
runner=$!
victim=""
for _ in $(seq 1 600); do  # rank 1: the process whose environment says OMPI_COMM_WORLD_RANK=1
  for proc in /proc/[0-9]*; do  # (no pgrep: procps is not on every fresh Debian)
    tr '\0' ' ' <"$proc/cmdline" 2>/dev/null | grep -q -- "--out $work/crash" || continue
    if tr '\0' '\n' <"$proc/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1"; then victim=${proc#/proc/}; fi
  done
  [ -n "$victim" ] && break
  sleep 0.1
done
[ -n "$victim" ] || fail "rank 1 not found"
sleep 1
kill -KILL "$victim"
for _ in $(seq 1 600); do kill -0 "$runner" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$runner" 2>/dev/null; then kill -KILL "$runner"; fail "the job hung after rank 1 died"; fi
if wait "$runner"; then fail "the job exited 0 after rank 1 died"; fi
[ ! -e "$work/crash" ] || fail "a crashed job left result files"
echo "all MPI checks passed"
