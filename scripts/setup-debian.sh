#!/usr/bin/env bash
# Installs the Debian 12 packages symbiomc needs, and only those that are missing, so the
# README's commands work on a fresh machine as root. Extra package names may be passed as
# arguments (e.g. python3-openturns for the peer comparison).
set -euo pipefail
packages=(cmake ninja-build g++ make pkg-config libtbb-dev libeigen3-dev libboost-dev libboost-math-dev
          libcli11-dev libfccp-dev nlohmann-json3-dev libbenchmark-dev libgtest-dev chromium "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
