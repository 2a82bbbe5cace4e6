#!/usr/bin/env bash
# Behaviour-neutrality check for refactors: runs a fixed set of studies (the README's main job
# and a spread of options: every sampling method, both cases, analytic models, second order,
# Morris, --dump-runs, checkpoint and resume, the report) with BINARY, then prints one
# "sha256  file" line per result file. Run it with the binaries before and after a change and
# diff the two listings: any differing line is a changed result file.
#   scripts/result-digest.sh BINARY OUTDIR > digest.txt
# run.log files (wall time) are left out, and so are the result folders' manifest.csv files
# (each lists its folder's files with their checksums, so it only repeats what is compared). The report's dates (generation time, file times) are the only volatile content; both are pinned.
set -euo pipefail
bin=$(realpath "$1")
out=$2
cd "$(dirname "$0")/.."
rm -rf "$out"
mkdir -p "$out"
export SOURCE_DATE_EPOCH=1700000000
run() { "$bin" "$@" --quiet; }
b=cases/biomass d=distributions/biomass.csv
"$bin" balance --case $b --out "$out/balance" > "$out/balance.txt"
"$bin" balance --case $b --flows --format json > "$out/balance_flows.json"
"$bin" balance --case $b --format csv --set chp_straw_t_h=5 --option whb_split=table1 > "$out/balance_set.csv"
"$bin" balance --case cases/mining --format json > "$out/mining_balance.json"
run uncertainty --case $b --distributions $d --runs 1000000 --method lhs --seed 2024 --out "$out/u_lhs" \
  --threshold savings_10k_yuan_per_yr=800 --threshold efficiency_change_pct_points=5
run uncertainty --case $b --distributions $d --runs 50000 --method qmc --seed 7 --out "$out/u_qmc" --bins 256
run uncertainty --case $b --distributions $d --runs 20000 --method mc --seed 3 --out "$out/u_mc" \
  --dump-runs "$out/u_mc_runs.csv" --option load_model=fuel_pwl
run uncertainty --case cases/mining --distributions distributions/mining.csv --runs 30000 --seed 11 --out "$out/u_mining"
run uncertainty --model ishigami --runs 100000 --seed 5 --out "$out/u_ishigami"
run sensitivity --case $b --distributions $d --ignore-correlation --base-runs 4096 --groups --seed 2024 --out "$out/s_biomass"
run sensitivity --case $b --distributions $d --ignore-correlation --base-runs 1024 --sampling qmc --seed 9 --second-order --out "$out/s_qmc2"
run sensitivity --model ishigami --base-runs 8192 --seed 1 --second-order --out "$out/s_ishigami"
run sensitivity --model sobol-g:a=0,1,4.5,9,99,99 --base-runs 2048 --sampling qmc --seed 2 --target-ci-width 0.2 \
  --out "$out/s_g"
run sensitivity --case $b --distributions $d --method morris --trajectories 200 --seed 4 --out "$out/m_biomass"
run sensitivity --case cases/mining --distributions distributions/mining.csv --base-runs 512 --seed 8 --out "$out/s_mining"
# An interrupted-and-resumed-shaped run: checkpoint after every segment, then resume the finished one.
run uncertainty --case $b --distributions $d --runs 300000 --seed 6 --segment-blocks 8 --checkpoint "$out/ck.bin" \
  --checkpoint-every 0 --out "$out/u_ck"
run uncertainty --case $b --distributions $d --runs 300000 --seed 6 --segment-blocks 8 --resume "$out/ck.bin" \
  --out "$out/u_ck_resumed"
# The report shows each result file's modification time and each run.log's wall time and
# speed: pin them too.
find "$out" -name run.log -exec sed -i -E 's/^(wall_seconds|runs_per_second) .*/\1 0/' {} +
find "$out" -type f -exec touch -d "@$SOURCE_DATE_EPOCH" {} +
(cd "$out" && "$bin" report --in u_lhs --in s_biomass --in balance --out report.html > /dev/null)
# run.log records wall time and speed, so it is listed but not compared.
(cd "$out" && find . -type f ! -name '*.tmp' ! -name run.log ! -name manifest.csv | LC_ALL=C sort | xargs sha256sum)
