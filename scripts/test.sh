#!/usr/bin/env bash
# Builds and runs the whole test suite. The optimised build (build/) includes MPI, so the
# MPI tests (1, 2, 3 ranks, byte-identical results) run too; with --sanitize: a separate Debug
# build (assertions on, at -O1) without MPI under AddressSanitizer + UndefinedBehaviorSanitizer
# (build-asan/), which also covers the build that needs no MPI; with --tsan: the parallel tests
# (uncertainty, Sobol', Morris, Shapley, decision, checkpoints, segment runner, their CLI runs) under
# ThreadSanitizer (build-tsan/, without MPI). Warnings are errors in all three. The optimised
# build also builds the Python module (python/) and runs its pytest tests (ctest Python.*); the
# sanitizer builds leave it out: Debian's python3 is not instrumented, so the module would need
# libasan/libtsan preloaded into the interpreter, whose own deliberate leaks at exit
# LeakSanitizer (detect_leaks=1) would then report, and the C++ the module runs is the library
# and CLI code that those builds' C++ tests already cover. A new build directory compiles the
# library and the program as a few unity sources, which a cold build (CI's, a first run) wants;
# `UNITY=OFF bash scripts/test.sh` once makes it one object a source, for quick rebuilds while
# developing (scripts/build.sh says why).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--tsan" ]]; then
  export BUILD_DIR=build-tsan BUILD_TYPE=RelWithDebInfo
  export TARGET="symbiomc test_uncertainty test_sobol test_morris test_sensitivity test_shapley test_shapley_cli
                test_decision test_decision_cli test_checkpoint test_segment_runner"
  # RelWithDebInfo: -O2 with line tables only (-g1, scripts/build.sh), enough for TSan's stack traces.
  bash scripts/build.sh -DSYMBIOMC_TSAN=ON -DSYMBIOMC_WERROR=ON -DSYMBIOMC_BUILD_TESTS=ON -DSYMBIOMC_BUILD_BENCH=OFF
  # The tests (and the symbiomc processes the CLI tests start) load an instrumented libtbb
  # instead of Debian's; scripts/build-tsan-tbb.sh says why.
  LD_LIBRARY_PATH=$(bash scripts/build-tsan-tbb.sh)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  export LD_LIBRARY_PATH
  # A report fails the test (exit 66), also in a symbiomc process a CLI test starts.
  export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp"
  # Not under TSan: the single-threaded accuracy and coverage tests of the accumulators (no
  # thread in them; minutes each under TSan) and the SIGTERM twin of the SIGINT resume test
  # (the same code path). The optimised and ASan builds run every one of them.
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" \
    -R '^(Uncertainty|Sobol|CombineReplicates|Morris|Shapley|Decision|GivenData|ImportanceFiles|Checkpoint|Resume|Segments|SegmentRunner)' \
    -E '^(DecisionAccumulator\.|SobolAccumulator\.NinetyFive|SobolCoverage\.|ShapleyCoverage\.|ShapleyEffects\.|ResumeCli\.Sigterm)'
  exit
elif [[ "${1:-}" == "--sanitize" ]]; then
  export BUILD_DIR=build-asan BUILD_TYPE=Debug
  # Debug's assertions, at -O1 rather than -O0 (as the ASan documentation advises, for usable
  # speed: the statistical coverage tests and the CLI runs dominate this suite's time), with
  # line tables only (-g1: what a sanitizer's stack trace needs, about a fifth less compile time
  # than -g and half the object size, so quicker links). Like every new build directory
  # (scripts/build.sh), the library and the program are compiled as the main job's four unity
  # batches: instrumented, their sources took 716 s to compile one object a source and 228 s as
  # batches on a 2-core machine, and CI makes this build cold. UNITY=OFF (once) keeps one object
  # a source, for quick rebuilds while chasing a report.
  bash scripts/build.sh -DSYMBIOMC_SANITIZE=ON -DSYMBIOMC_WERROR=ON -DSYMBIOMC_BUILD_TESTS=ON -DSYMBIOMC_BUILD_BENCH=OFF \
    "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else
  export BUILD_DIR=build
  bash scripts/build.sh -DSYMBIOMC_WERROR=ON -DSYMBIOMC_MPI=ON -DSYMBIOMC_BUILD_TESTS=ON -DSYMBIOMC_BUILD_BENCH=ON \
    -DSYMBIOMC_PYTHON=ON
fi
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)"
