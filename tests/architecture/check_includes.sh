#!/usr/bin/env bash
# The stage rule of docs/ARCHITECTURE.md: a file of stage S may include headers of S and of
# the stages before it, never of a later one. Stages in data-flow order:
#   base case balance problem model sampling stats studies report cli
# Checks every source and header under ROOT/src/<stage>/ and ROOT/include/symbiomc/<stage>/,
# and that no source file lives outside a stage folder. Prints each violation as
# "file:line: stage X includes later stage Y (header)" and exits 1 if there is any.
# Usage: check_includes.sh [ROOT]   (default: the repository holding this script)
set -euo pipefail
root=${1:-"$(cd "$(dirname "$0")/../.." && pwd)"}
stages=(base case balance problem model sampling stats studies report cli)
declare -A rank
for i in "${!stages[@]}"; do rank[${stages[$i]}]=$i; done

violations=0
checked=0
while IFS= read -r -d '' file; do
  rel=${file#"$root"/}
  case "$rel" in
    src/*) stage=${rel#src/} ;;
    include/symbiomc/*) stage=${rel#include/symbiomc/} ;;
  esac
  if [[ "$stage" != */* ]]; then
    echo "$rel: not inside a stage folder (${stages[*]})"
    violations=$((violations + 1))
    continue
  fi
  stage=${stage%%/*}
  if [[ -z "${rank[$stage]+x}" ]]; then
    echo "$rel: '$stage' is not a stage (${stages[*]})"
    violations=$((violations + 1))
    continue
  fi
  checked=$((checked + 1))
  # #include "symbiomc/<stage>/..." (public headers) or "<stage>/..." (a stage's private headers
  # under src/); a plain "x.hpp" is a header of the same folder.
  while IFS=: read -r line target; do
    target_stage=${target#symbiomc/}
    [[ "$target_stage" == */* ]] || continue
    target_stage=${target_stage%%/*}
    [[ -n "${rank[$target_stage]+x}" ]] || continue
    if (( rank[$target_stage] > rank[$stage] )); then
      echo "$rel:$line: stage $stage includes later stage $target_stage ($target)"
      violations=$((violations + 1))
    fi
  done < <(grep -n -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" |
           sed -E 's/^([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1:\2/')
done < <(find "$root/src" "$root/include/symbiomc" -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) -print0)

if (( checked == 0 )); then
  echo "no source file found under $root/src or $root/include/symbiomc"
  exit 1
fi
if (( violations > 0 )); then
  echo "$violations include(s) break the stage order (${stages[*]})"
  exit 1
fi
echo "stage order holds in $checked files"
