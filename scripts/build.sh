#!/usr/bin/env bash
# Configures and builds symbiomc in build/ (Release) or in the directory given by BUILD_DIR,
# installing missing Debian packages first. Extra CMake arguments are passed through;
# TARGET="<name> ..." builds those targets only (default: everything).
set -euo pipefail
cd "$(dirname "$0")/.."
# A build with tests or benchmarks needs the test packages, an MPI build (-DSYMBIOMC_MPI=ON) Open
# MPI; a build of the program alone (-DSYMBIOMC_BUILD_TESTS=OFF -DSYMBIOMC_BUILD_BENCH=OFF, as the
# main job makes) needs neither.
setup=(--test)
program_only=false
[[ " $* " == *" -DSYMBIOMC_BUILD_TESTS=OFF "* && " $* " == *" -DSYMBIOMC_BUILD_BENCH=OFF "* ]] && program_only=true
$program_only && setup=()
[[ " $* " == *" -DSYMBIOMC_MPI=ON "* ]] && setup+=(libopenmpi-dev openmpi-bin)
# The Python module (-DSYMBIOMC_PYTHON=ON) is built for Debian's python3, with its pybind11 and
# numpy; its tests use pytest, scipy and matplotlib from Debian too.
[[ " $* " == *" -DSYMBIOMC_PYTHON=ON "* ]] &&
  setup+=(pybind11-dev python3-dev python3-numpy python3-pytest python3-scipy python3-matplotlib)
bash scripts/setup-debian.sh "${setup[@]}"
build_dir=${BUILD_DIR:-build}
echo "build: configuring and compiling in $build_dir" >&2
# A new build directory is built cold, once: the main job's, a first `scripts/test.sh`'s, CI's on
# its clean clone. It compiles each library as a few unity sources (-DSYMBIOMC_UNITY_BUILD=ON).
# For the test build that took the library's compile jobs from 701 s to 239 s in ninja's log,
# and the whole build from 12.0 to 7.9 min on 2 cores (2026-12-07, one after the other). A
# directory that already holds a build keeps its mode, so as to rebuild nothing. A developer who
# wants quick incremental rebuilds (one object a source) asks once with UNITY=OFF; UNITY=ON or
# UNITY=OFF always decides instead.
unity=OFF
cache=$build_dir/CMakeCache.txt
if [[ ! -f $cache ]] || grep -q '^SYMBIOMC_UNITY_BUILD:BOOL=ON$' "$cache"; then
  unity=ON
fi
case ${UNITY:-} in
  "") ;;
  ON | OFF) unity=$UNITY ;;
  *) echo "build: UNITY must be ON or OFF, not '$UNITY'" >&2; exit 2 ;;
esac
# The main job's one-off unity build compiles everything at -O1: its four batches took 178 s of
# compiler CPU time against 207 s with the model-run stages at -O2 and the report stage and the
# program at -O1 (each batch compiled alone, two rounds, 2026-12-07), while the study took 2.5 s
# longer (31 s against 28.7 s, two pairs) and wrote byte-identical results
# (scripts/result-digest.sh, 111 files). -O0 is no better for the code that runs once a command:
# for the program's batch it saved 7 s of CPU time (3.5 s on 2 cores) and made the study 3-5 s
# slower; for the report stage's as well, 20 s of CPU time and the study 4.5 s slower.
# CMake's default for Release, -O3, everywhere else. RelWithDebInfo (the TSan and fuzz builds)
# is -O2 with line tables only (-g1): what a sanitizer's stack trace needs, and quicker to
# compile and link than CMake's -g.
optimise=()
case ${BUILD_TYPE:-Release} in
  Release)
    level=-O3
    $program_only && [[ $unity == ON ]] && level=-O1
    optimise=("-DCMAKE_CXX_FLAGS_RELEASE=$level -DNDEBUG")
    ;;
  RelWithDebInfo) optimise=("-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG") ;;
esac
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" -DSYMBIOMC_UNITY_BUILD="$unity" "${optimise[@]}" "$@" >/dev/null
# shellcheck disable=SC2086  # TARGET is a space-separated list of target names
cmake --build "$build_dir" -j "$(nproc)" ${TARGET:+--target $TARGET}
