#!/usr/bin/env bash
# profile-build at scale (issue 19): about 100 M events of 5 M users, from CSV and from Parquet, RFM and all families.
#
# usage: bench/profile_build/scale.sh [DIR] [USERS]      (from the repository root; defaults /tmp/scale, 6150000)
#
# Generates DIR/events.csv (kseg generate --users USERS --seed 1 --events-per-user 20: about 81 % of the generated
# users order, so 6.15 M users give about 5.0 M users with events and 100 M events, 5.0 GB) and its Parquet copy
# DIR/events.parquet (bench/profile_build/events_parquet.py, streamed), each only when missing; then runs
# kseg profile-build four times (CSV/Parquet × RFM/all families) under /usr/bin/time, checks that the CSV and the
# Parquet users.csv are identical, and prints one table. Environment: KSEG (default build-cpu/cli/kseg), PYTHON
# (default .venv/bin/python, with pyarrow), THREADS (default 2). The data stay in DIR.
set -euo pipefail
dir=${1:-/tmp/scale}
users=${2:-6150000}
kseg=${KSEG:-build-cpu/cli/kseg}
python=${PYTHON:-.venv/bin/python}
threads=${THREADS:-2}
format="%e s wall, %U user, %S sys, %M KB"
mkdir -p "$dir"
timed() {  # timed NAME COMMAND...: runs COMMAND, its /usr/bin/time line in $dir/NAME.time
  /usr/bin/time -o "$dir/$1.time" -f "$format" "${@:2}"
  echo "$1: $(cat "$dir/$1.time")"
}

if [ ! -s "$dir/events.csv" ]; then
  timed generate "$kseg" generate --users "$users" --seed 1 --out "$dir/users_generated.csv" \
    --events "$dir/events.csv" --events-per-user 20
fi
if [ ! -s "$dir/events.parquet" ]; then
  timed parquet "$python" bench/profile_build/events_parquet.py "$dir/events.csv" "$dir/events.parquet"
fi

common=(--user-column user_id --time-column order_time --amount-column amount --threads "$threads" --quiet)
all=(--families rfm,windows,categories,time --category-column category --last device --mode device --rfm-scores)
for input in csv parquet; do
  timed "rfm_$input" "$kseg" profile-build "$dir/events.$input" --out "$dir/rfm_$input/users.csv" "${common[@]}" \
    --families rfm
  timed "all_$input" "$kseg" profile-build "$dir/events.$input" --out "$dir/all_$input/users.csv" "${common[@]}" \
    "${all[@]}"
done
for families in rfm all; do
  cmp "$dir/${families}_csv/users.csv" "$dir/${families}_parquet/users.csv"
  echo "$families: CSV and Parquet users.csv identical"
done

events=$(grep -o '"events_read": *[0-9]*' "$dir/rfm_csv/profile_build.json" | grep -o '[0-9]*$')
rows=$(($(wc -l <"$dir/rfm_csv/users.csv") - 1))
echo
echo "$events events of $rows users; $(du -BM "$dir/events.csv" | cut -f1) CSV, $(du -BM "$dir/events.parquet" | cut -f1) Parquet; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| run | wall (s) | user (s) | sys (s) | CPU (s) | peak RSS (GiB) | M events/CPU s |"
echo "|---|---|---|---|---|---|---|"
for run in generate parquet rfm_csv all_csv rfm_parquet all_parquet; do
  [ -s "$dir/$run.time" ] || continue
  read -r wall _ _ user _ sys _ kb _ <"$dir/$run.time"
  awk -v r="$run" -v w="$wall" -v u="$user" -v s="$sys" -v k="$kb" -v e="$events" 'BEGIN {
    c = u + s; printf "| %s | %.1f | %.1f | %.1f | %.1f | %.2f | %s |\n", r, w, u, s, c, k / 1048576,
      (r ~ /^(rfm|all)_/) ? sprintf("%.2f", e / c / 1e6) : "—" }'
done
