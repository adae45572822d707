#!/usr/bin/env bash
# kseg fit of the same generated users from CSV, CSV.gz and Parquet (1M: 3 runs each; 10M: CSV and Parquet once), and
# profile-build RFM from a CSV and a Parquet order log: summary.json phases, wall, CPU and peak RSS.
# usage: bench/fit_formats.sh [WORK_DIR]   (KSEG=path/to/kseg, PYTHON=python with pyarrow; defaults: build-cpu, .venv)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
K=${KSEG:-$root/build-cpu/cli/kseg}
PY=${PYTHON:-$root/.venv/bin/python}
work=${1:-/tmp/kseg-fit-formats}
mkdir -p "$work" && cd "$work"
[ -f users1m.csv ] || "$K" generate --users 1000000 --seed 1 --out users1m.csv --quiet
[ -f users1m.csv.gz ] || gzip -1 -c users1m.csv > users1m.csv.gz
[ -f users10m.csv ] || "$K" generate --users 10000000 --seed 1 --out users10m.csv --quiet
[ -f events.csv ] || "$K" generate --users 1200000 --seed 1 --out u12.csv --events events.csv --quiet
for n in users1m users10m; do
  [ -f $n.parquet ] || "$PY" -c "import pyarrow.csv as c, pyarrow.parquet as pq; pq.write_table(c.read_csv('$n.csv'), '$n.parquet')"
done
[ -f events.parquet ] || "$PY" "$root/bench/profile_build/events_parquet.py" events.csv events.parquet
uptime
fit() {  # INPUT TAG
  /usr/bin/time -f "%e s wall %U user %S sys %M KB" "$K" fit "$1" --k 16 --max-iter 20 --out "o_$2" --quiet 2> "t_$2.txt"
  "$PY" -c "
import json; d = json.load(open('o_$2/summary.json')); s = d['seconds']
print('$2', {k: round(v, 3) for k, v in s.items()}, 'iterations', d['n_iter'], 'phases/K-means', round(sum(s.values()) / s['fit'], 2))"
  tail -1 "t_$2.txt"
}
for r in 1 2 3; do fit users1m.csv csv1m; fit users1m.csv.gz gz1m; fit users1m.parquet pq1m; done
fit users10m.csv csv10m
fit users10m.parquet pq10m
for f in events.csv events.parquet; do
  /usr/bin/time -f "$f %e s wall %U user %S sys %M KB" "$K" profile-build $f --out rfm_$f.csv --user-column user_id \
    --time-column order_time --amount-column amount --families rfm --threads 2 --quiet
done
cmp rfm_events.csv.csv rfm_events.parquet.csv && echo "profile-build: CSV and Parquet users.csv identical"
uptime
