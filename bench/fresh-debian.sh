#!/usr/bin/env bash
# Times the README's first command (scripts/run-biomass.sh) as a new user meets it: on a fresh
# Debian 12 (a `debootstrap --variant=minbase` of bookworm), as root in a chroot, from a clone of
# this repository, no ccache. The figures in the README's opening paragraph come from here.
#
#   bash bench/fresh-debian.sh [--prefetch] COMMIT...
#
# Each COMMIT gets a fresh copy of the Debian root and a fresh clone, one after the other (give
# two commits twice, A B B A, for pairs). --prefetch downloads the packages the main job installs
# into the copy's apt cache before the clock starts, so the time is everything but the download
# (the issue's target is "90 s plus the package download"); without it the download is timed too.
# Prints one line per run: the total and its phases (apt: update, download if not prefetched,
# unpacking and configuring; compile: CMake and the build; study: the main job's steps and the
# report), and keeps each run's time-stamped output in $WORK/log-COMMIT-N.txt.
# Needs root, debootstrap (installed if missing) and Debian's mirror; $WORK (default
# /srv/symbiomc-fresh-debian) holds the Debian root, made once, and the logs.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
prefetch=false
if [[ ${1:-} == --prefetch ]]; then
  prefetch=true
  shift
fi
(($#)) || { echo "usage: bench/fresh-debian.sh [--prefetch] COMMIT..." >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "fresh-debian: needs root (debootstrap, chroot)" >&2; exit 2; }
for c in "$@"; do git -C "$repo" rev-parse -q --verify "$c^{commit}" >/dev/null ||
  { echo "fresh-debian: $c is not a commit of $repo" >&2; exit 2; }; done
work=${WORK:-/srv/symbiomc-fresh-debian}
mkdir -p "$work"
base=$work/bookworm-minbase
if [[ ! -x $base/bin/bash ]]; then
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  rm -rf "$base.partial"
  debootstrap --variant=minbase bookworm "$base.partial" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1
  mv "$base.partial" "$base"
fi
in_root() { chroot "$1" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb bash -c "$2"; }
mounted=()
cleanup() { for m in "${mounted[@]}"; do umount "$m" 2>/dev/null || umount -l "$m"; done; mounted=(); }
trap cleanup EXIT
seconds_since() { echo "$(date +%s.%N) - $1" | bc; }
run=0
for commit in "$@"; do
  run=$((run + 1))
  root=$work/root
  cleanup
  rm -rf "$root"
  cp -a "$base" "$root"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  for d in proc sys dev dev/pts; do mount --bind "/$d" "$root/$d" && mounted=("$root/$d" "${mounted[@]}"); done
  git clone -q "$repo" "$root/root/symbiomc"
  git -C "$root/root/symbiomc" checkout -q "$commit"
  if $prefetch; then
    # The commit's own setup script, with apt told to download only: the same packages.
    echo 'APT::Get::Download-Only "true";' >"$root/root/download-only.conf"
    in_root "$root" 'cd /root/symbiomc && APT_CONFIG=/root/download-only.conf bash scripts/setup-debian.sh' >/dev/null 2>&1
    rm "$root/root/download-only.conf"
  fi
  log=$work/log-$commit-$run.txt
  start=$(date +%s.%N)
  if ! in_root "$root" 'cd /root/symbiomc && bash scripts/run-biomass.sh' 2>&1 |
    while IFS= read -r line; do printf '%7.1f %s\n' "$(seconds_since "$start")" "$line"; done >"$log"; then
    echo "fresh-debian: the main job failed at $commit; see $log" >&2
    exit 1
  fi
  total=$(seconds_since "$start")
  at() { awk -v p="$1" 'index($0, p) { print $1; exit }' "$log"; }
  built=$(at "build: configuring")
  studied=$(at "== balance")
  printf '%s run %d%s: total %.1f s (apt %.1f s, compile %.1f s, study %.1f s); load %s\n' "$commit" "$run" \
    "$($prefetch && echo ', download prefetched')" "$total" "${built:-0}" "$(echo "$studied - ${built:-0}" | bc)" \
    "$(echo "$total - $studied" | bc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
done
cleanup
rm -rf "$work/root"
