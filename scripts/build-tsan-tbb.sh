#!/usr/bin/env bash
# Builds oneTBB's libtbb under ThreadSanitizer into build-tsan/onetbb/ (prints the folder that
# holds libtbb.so.12), for scripts/test.sh --tsan. Debian's libtbb is not instrumented: TSan
# then sees neither the task handover nor the small-object pool of the scheduler, and reports
# hundreds of races inside TBB's own headers (blocked_range splits, start_for::finalize, freed
# task objects) in every parallel_for; suppressing them would hide real races too, since every
# task body runs below those frames. The source is Debian's own package of the installed
# version (same headers, same ABI), fetched with a private apt source list so that the
# machine's apt configuration stays as it is. Built once; later runs reuse it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD/build-tsan/onetbb
lib_dir=$root/build/gnu_tsan_relwithdebinfo  # TBB_OUTPUT_DIR_BASE + the build type
if [[ -e $lib_dir/libtbb.so.12 ]]; then
  echo "$lib_dir"
  exit 0
fi
bash scripts/setup-debian.sh dpkg-dev >&2
version=$(dpkg-query -W -f='${source:Version}' libtbb-dev)
mkdir -p "$root/apt/lists/partial" "$root/src"
cat >"$root/apt/sources.list" <<SOURCES
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main
SOURCES
apt_options=(-o "Dir::Etc::SourceList=$root/apt/sources.list" -o "Dir::Etc::SourceParts=$root/apt/none"
             -o "Dir::State::Lists=$root/apt/lists")
apt-get "${apt_options[@]}" update -qq >&2
(cd "$root/src" && apt-get "${apt_options[@]}" source -qq "onetbb=$version" >&2)
source_dir=$(find "$root/src" -mindepth 1 -maxdepth 1 -type d -name 'onetbb-*' | head -n 1)
# Only libtbb: tbbmalloc is not used (symbiomc allocates with the C++ runtime), tests are not needed.
cmake -S "$source_dir" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTBB_SANITIZE=thread \
  -DTBB_TEST=OFF -DTBB_STRICT=OFF -DTBBMALLOC_BUILD=OFF -DTBB_OUTPUT_DIR_BASE=gnu_tsan >/dev/null
cmake --build "$root/build" -j "$(nproc)" --target tbb >&2
echo "$lib_dir"
