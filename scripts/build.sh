#!/usr/bin/env bash
# Configures and builds symbiomc in build/ (Release) or in the directory given by BUILD_DIR,
# installing missing Debian packages first. Extra CMake arguments are passed through;
# TARGET=<name> builds one target only (default: everything).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" ${TARGET:+--target "$TARGET"}
