#!/usr/bin/env bash
# Installs the Debian 12 packages symbiomc needs, and only those that are missing, so the
# README's commands work on a fresh machine as root. The main job needs the build and run
# dependencies only; `--test` adds what the test suite needs (GoogleTest, Google Benchmark,
# Chromium for the report's browser tests, Open MPI for the MPI tests, fast-cpp-csv-parser as
# the CSV tokenizer's oracle). Extra package names may be passed as arguments (e.g.
# python3-openturns for the peer comparison). apt's own output goes to a log file, named in the
# one line this prints, and is shown only when apt fails.
set -euo pipefail
# Boost is used header-only (Boost.Math, Boost.Random, Boost.CRC) and CMake drives Ninja, so
# neither Boost's compiled libraries nor make are needed; pkg-config comes with Eigen's package.
packages=(cmake ninja-build g++ libtbb-dev libeigen3-dev libboost-dev libcli11-dev nlohmann-json3-dev)
if [[ "${1:-}" == "--test" ]]; then
  shift
  packages+=(libgtest-dev libbenchmark-dev chromium libopenmpi-dev openmpi-bin libfccp-dev)
fi
packages+=("$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]})) || exit 0
log=${TMPDIR:-/tmp}/symbiomc-setup-$$.log
echo "setup: installing ${#missing[@]} Debian packages (${missing[*]}); apt's log: $log" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
if ! { "${sudo_cmd[@]}" apt-get update -qq &&
       DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
     } >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  echo "setup: apt failed (whole log: $log)" >&2
  exit 1
fi
