#!/usr/bin/env bash
# Builds and runs the whole test suite. The optimised build (build/) includes MPI, so the
# MPI tests (1, 2, 3 ranks, byte-identical results) run too; with --sanitize: a separate Debug
# build without MPI under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/), which
# also covers the build that needs no MPI. Warnings are errors in both.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--sanitize" ]]; then
  export BUILD_DIR=build-asan BUILD_TYPE=Debug
  bash scripts/build.sh -DSYMBIOMC_SANITIZE=ON -DSYMBIOMC_WERROR=ON -DSYMBIOMC_BUILD_TESTS=ON -DSYMBIOMC_BUILD_BENCH=OFF
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else
  export BUILD_DIR=build
  bash scripts/build.sh -DSYMBIOMC_WERROR=ON -DSYMBIOMC_MPI=ON -DSYMBIOMC_BUILD_TESTS=ON -DSYMBIOMC_BUILD_BENCH=ON
fi
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)"
