#!/usr/bin/env bash
# Configures and builds symbiomc in build/ (Release) or in the directory given by BUILD_DIR,
# installing missing Debian packages first. Extra CMake arguments are passed through;
# TARGET="<name> ..." builds those targets only (default: everything).
set -euo pipefail
cd "$(dirname "$0")/.."
# An MPI build (-DSYMBIOMC_MPI=ON) also needs Open MPI; the default build does not.
extra_packages=()
[[ " $* " == *" -DSYMBIOMC_MPI=ON "* ]] && extra_packages=(libopenmpi-dev openmpi-bin)
bash scripts/setup-debian.sh "${extra_packages[@]}"
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} "$@" >/dev/null
# shellcheck disable=SC2086  # TARGET is a space-separated list of target names
cmake --build "$build_dir" -j "$(nproc)" ${TARGET:+--target $TARGET}
