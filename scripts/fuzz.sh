#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan + UBSan, in build-fuzz/) and runs each for
# SECONDS (default 60) on a copy of its seed corpus (fuzz/corpus/<target>/), so runs never
# grow the tree. Exits 1 when any target crashed, leaked, hung (-timeout) or had a sanitizer
# report, printing the path of each input that did it; rerun one with
#   build-fuzz/fuzz/fuzz_<target> <input>
# Extra arguments after SECONDS are CMake arguments, e.g. -DSYMBIOMC_FUZZ_DIFFERENTIAL=OFF.
#
# With FUZZ_SEED set (CI sets it), each target instead runs a fixed number of inputs, about
# SECONDS of CI's machine (RATE below, measured in its log), from that libFuzzer seed, without
# corpus reloads (-reload=0, which are timed) and without address randomisation (setarch -R,
# when the system allows it; coverage feedback can depend on addresses): then two runs of the
# same binary try the same inputs (checked: the same new-unit counts for every target), so a run
# that passed here should pass in CI, and a failure in CI is reproduced by the same command. A
# time budget alone cut the mutation sequence at a point that depends on the machine's speed,
# and CI met inputs no local run had tried. Without FUZZ_SEED the run explores: a random seed,
# SECONDS each.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
# Debian 12's clang is clang 14; libclang-rt-14-dev holds libFuzzer and the sanitizer runtimes.
bash scripts/setup-debian.sh clang libclang-rt-14-dev
# The library as unity batches, as CI's build-fuzz/ is, also in a directory made otherwise before:
# the mutation sequence follows the binary (below).
export CC=clang CXX=clang++ BUILD_DIR=build-fuzz BUILD_TYPE=RelWithDebInfo TARGET=fuzz UNITY=${UNITY:-ON}
# RelWithDebInfo is -O2 with line tables only (-g1, scripts/build.sh) for the crash reports'
# stack traces: quicker to compile and link than -g. The binary differs from a -g one or from
# one compiled one object a source, and so does the mutation sequence a seed gives (new-unit
# counts of 204, 421, 353, 2123, 1192 in CI's run of 2026-12-06 against 203, 424, 365, 2030,
# 1175 with -g), so a local reproduction uses this script, as CI does.
bash scripts/build.sh -DSYMBIOMC_FUZZ=ON -DSYMBIOMC_BUILD_BENCH=OFF "$@"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/symbiomc-fuzz.XXXXXX")
echo "fuzz: scratch directory $scratch (kept when a target fails)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Inputs per second of each target in CI's log of 2026-12-06 (60 s each); the two CSV readers'
# re-measured on 2026-12-07 (110 and 135 a second on a 2-core machine) once the project's own CSV
# tokenizer replaced fast-cpp-csv-parser, whose 48 MB line buffer per file had held them to 10
# and 50.
declare -A RATE=([case_reader]=100 [checkpoint_reader]=2000 [distributions_reader]=120 [expression]=5000
                 [result_reader]=400)
fixed_addresses=()
if [[ -n ${FUZZ_SEED:-} ]] && setarch "$(uname -m)" -R true 2>/dev/null; then
  fixed_addresses=(setarch "$(uname -m)" -R)
fi
failed=()
for binary in build-fuzz/fuzz/fuzz_*; do
  target=${binary#build-fuzz/fuzz/fuzz_}
  work=$scratch/$target
  mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
  [[ -d fuzz/corpus/$target ]] && cp -r "fuzz/corpus/$target/." "$work/corpus/"
  # Case folders, result folders and checkpoints are tens of KB; the other inputs are small.
  max_len=4096
  [[ $target == case_reader || $target == result_reader || $target == checkpoint_reader ]] && max_len=131072
  if [[ -n ${FUZZ_SEED:-} ]]; then
    runs=$((seconds * ${RATE[$target]:-100}))
    budget=(-seed="$FUZZ_SEED" -runs="$runs" -max_total_time=$((3 * seconds)) -reload=0)
    echo "fuzz: $target, $runs inputs from seed $FUZZ_SEED"
  else
    budget=(-max_total_time="$seconds")
    echo "fuzz: $target for $seconds s"
  fi
  if ! TMPDIR=$work/tmp "${fixed_addresses[@]}" "$binary" "${budget[@]}" -timeout=30 -rss_limit_mb=2048 \
       -max_len="$max_len" -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/corpus" \
       >"$work/log" 2>&1; then
    failed+=("$target")
    tail -n 60 "$work/log"
    for input in "$work"/artifacts/*; do
      [[ -e $input ]] && echo "fuzz: $target failed on $input"
    done
    echo "fuzz: $target's whole log: $work/log"
  fi
  grep -E '^(stat::number_of_executed_units|stat::new_units_added)' "$work/log" | sed "s/^/fuzz: $target /" || true
done
if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
rm -rf "$scratch"
echo "fuzz: every target ran ${FUZZ_SEED:+its fixed inputs (seed $FUZZ_SEED), about }$seconds s without a crash, leak or sanitizer report"
