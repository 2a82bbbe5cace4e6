#!/usr/bin/env bash
# Every figure of BENCHMARKS.md in one session, one step after the other, each step's output
# kept in OUT (issue 14 item 4):
#   bash bench/session.sh BUILD_DIR OUT [SALIB_SRC]
# BUILD_DIR: a Release build with the benchmarks and the Python module
#   (cmake -S . -B BUILD_DIR -G Ninja -DCMAKE_BUILD_TYPE=Release -DSYMBIOMC_BUILD_BENCH=ON -DSYMBIOMC_PYTHON=ON).
# SALIB_SRC: SALib's `src` folder (git clone https://github.com/SALib/SALib; commit 1c37548 was
#   measured); without it the SALib comparison is skipped and says so.
# Takes about 25 minutes on the 2-core machine of BENCHMARKS.md. Run it on an idle machine: the
# `uptime` lines it prints between steps are the record of that.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "$1")
out=$(realpath -m "$2")
salib=${3:-}
bin=$build/symbiomc
mkdir -p "$out"
case_args=(--case cases/biomass --distributions distributions/biomass.csv)
step() {
  echo
  echo "=== $(date -u '+%F %T UTC') $*; $(uptime | sed 's/.*load/load/')"
}
{
  step "machine"
  git log -1 --format='commit %h %s'
  nproc
  grep -m1 'model name' /proc/cpuinfo

  step "1. symbiomc bench: model alone, sampling alone, whole uncertainty analysis (biomass, 10^6 runs)"
  "$bin" bench "${case_args[@]}" --runs 1000000 --threads 1 --threads 2 --format json | tee "$out/bench.json"
  echo
  "$bin" bench "${case_args[@]}" --runs 1000000 --threads 1 --threads 2

  step "2. micro-benchmarks: analysis against the model alone, one core (bench_uncertainty, bench_sobol)"
  "$build/bench/bench_uncertainty" --benchmark_filter='RunUncertainty/tbb_threads:1/runs:524288|UncertaintyModelOnly/tbb_threads:1|UncertaintyDraw' \
    --benchmark_repetitions=3 --benchmark_report_aggregates_only=true 2>&1 | grep -E 'median|Benchmark'
  "$build/bench/bench_sobol" --benchmark_filter='RunSobolIshigami/base_runs:262144/tbb_threads:1|RunSobolG/dims:20/base_runs:65536/tbb_threads:1|RunSobolBiomass/base_runs:1024/tbb_threads:1|SobolModelOnly' \
    --benchmark_repetitions=3 --benchmark_report_aggregates_only=true 2>&1 | grep -E 'median|Benchmark'

  step "3. symbiomc against OpenTURNS, side by side (bench/compare/run.sh)"
  bash bench/compare/run.sh --symbiomc "$bin" --out "$out/compare"

  step "4. targets: large N, 10^7 runs, threads (bench/compare/run.sh --targets)"
  bash bench/compare/run.sh --symbiomc "$bin" --targets --out "$out/targets"

  step "5. symbiomc.sobol against SALib from Python (python/bench/compare_salib.py)"
  if [[ -n "$salib" && -d "$salib/SALib" ]]; then
    PYTHONPATH="$build/python:$salib" /usr/bin/python3 python/bench/compare_salib.py --base-runs 65536 --repeats 3
  else
    echo "skipped: no SALib source given (third argument)"
  fi

  step "6. what importance and --decision cost (bench/cost/decision_cost.sh, 15 repetitions)"
  bash bench/cost/decision_cost.sh "$bin" 1000000 2 15

  step "7. the README's plot: runs/s against threads, peak memory against runs"
  /usr/bin/python3 bench/plots/throughput_and_memory.py "$bin" "$out/throughput-and-memory.png"

  step "8. micro-benchmarks of the balance and of the distributions (bench_balance, bench_distributions)"
  "$build/bench/bench_balance" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true 2>&1 | grep -E 'median|Benchmark'
  "$build/bench/bench_distributions" --benchmark_filter='Quantile|ToPhysical|FillBlock' --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true 2>&1 | grep -E 'median|Benchmark'

  step "9. 10^7 runs on 2 threads without the importance measures (the targets above run the default)"
  /usr/bin/time -f "wall %e s, CPU %U + %S s, peak %M KiB" "$bin" uncertainty "${case_args[@]}" --runs 10000000 \
    --threads 2 --no-correlations --importance-runs 0 --quiet --out "$out/plain-1e7"

  step "10. SALib at N = 2^20, Ishigami (one run each; SALib holds the whole sample: about 7 GB)"
  if [[ -n "$salib" && -d "$salib/SALib" ]]; then
    PYTHONPATH="$build/python:$salib" /usr/bin/python3 python/bench/compare_salib.py --base-runs 1048576 --repeats 1 \
      --models ishigami
  else
    echo "skipped: no SALib source given (third argument)"
  fi

  step "done"
} 2>&1 | tee "$out/session.log"
