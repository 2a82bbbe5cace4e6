#!/usr/bin/env bash
# Shows that check_includes.sh catches what it is for: on the fixture tree fixture_upward/,
# whose only defect is src/base/a.cpp including a header of the later stage `report`, it must
# exit 1 and name exactly that include, and nothing else. (A plain "expect failure" would also
# pass if the script failed for any other reason, such as a bash error.)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
output=$(bash "$here/check_includes.sh" "$here/fixture_upward" 2>&1)
code=$?
expected='src/base/a.cpp:6: stage base includes later stage report (symbiomc/report/x.hpp)'
if [[ $code -ne 1 ]]; then
  echo "check_includes.sh exited $code on the fixture, expected 1; it printed:"
  echo "$output"
  exit 1
fi
if ! grep -qxF "$expected" <<<"$output"; then
  echo "check_includes.sh did not report the fixture's upward include; expected the line"
  echo "  $expected"
  echo "it printed:"
  echo "$output"
  exit 1
fi
if [[ $(grep -c 'includes later stage' <<<"$output") -ne 1 ]]; then
  echo "check_includes.sh reported more than the fixture's one upward include:"
  echo "$output"
  exit 1
fi
echo "check_includes.sh catches the fixture's upward include"
