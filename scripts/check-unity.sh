#!/usr/bin/env bash
# The main job compiles the library and the program as unity batches (-DSYMBIOMC_UNITY_BUILD=ON,
# scripts/build.sh), where the file-local names (anonymous namespace, static) of the sources in
# one batch meet. This compiles each of symbiomc_core (without its report stage), the report stage
# (symbiomc_report_stage) and symbiomc_cli (with the MPI scheduler) as a single batch,
# unoptimised, so that a clash between any two of its sources fails here, whatever batches a
# later list of sources falls into.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build-unity-check}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 -DSYMBIOMC_WERROR=ON \
  -DSYMBIOMC_MPI=ON -DSYMBIOMC_BUILD_TESTS=OFF -DSYMBIOMC_BUILD_BENCH=OFF -DSYMBIOMC_UNITY_BUILD=ON \
  -DSYMBIOMC_UNITY_BATCH_SIZE=0 "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target symbiomc_core symbiomc_cli
echo "check-unity: every source of symbiomc_core, of its report stage and of symbiomc_cli compiles in one batch"
