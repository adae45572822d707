#!/usr/bin/env bash
# profile-build's RFM family from every input format of one order log: CSV, Parquet, Arrow IPC (uncompressed and
# LZ4) and a directory of .npy columns — wall, CPU, peak RSS and M events/s per run, users.csv compared with the CSV
# run's; then, where SCALE_DIR holds the 100 M-event log of bench/profile_build/scale.sh (events.csv, events.parquet,
# events.arrow), one run per format there.
# usage: bench/profile_build/formats.sh [WORK_DIR] [RUNS]   (KSEG=path/to/kseg, PYTHON=python with pyarrow and numpy,
#        SCALE_DIR=dir of the 100 M-event log; defaults: build-cpu, .venv, 3 runs, no scale runs)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
K=${KSEG:-$root/build-cpu/cli/kseg}
PY=${PYTHON:-$root/.venv/bin/python}
work=${1:-/tmp/kseg-profile-formats}
runs=${2:-3}
convert="$root/bench/profile_build/events_parquet.py"
mkdir -p "$work" && cd "$work"
[ -f events.csv ] || "$K" generate --users 1200000 --seed 1 --out u12.csv --events events.csv --quiet
[ -f events.parquet ] || "$PY" "$convert" events.csv events.parquet
[ -f events.arrow ] || "$PY" "$convert" events.csv events.arrow --format ipc
[ -f events_lz4.arrow ] || "$PY" "$convert" events.csv events_lz4.arrow --format ipc --compression lz4
if [ ! -d npy ]; then
  mkdir -p npy
  "$PY" -c "
import numpy as np, pyarrow as pa, pyarrow.feather as f
t = f.read_table('events.arrow', columns=['user_id', 'order_time', 'amount'])
np.save('npy/user_id.npy', np.array(t['user_id'].to_numpy(zero_copy_only=False), dtype='S'))
np.save('npy/order_time.npy', t['order_time'].cast(pa.timestamp('s')).to_numpy())
np.save('npy/amount.npy', t['amount'].to_numpy(zero_copy_only=False))"
fi
options=(--user-column user_id --time-column order_time --amount-column amount --families rfm --threads 2 --quiet)
run() {  # INPUT TAG: one timed run, its line of the table
  local events
  /usr/bin/time -f "%e %U %S %M" -o time.txt "$K" profile-build "$1" --out "out_$2/users.csv" "${options[@]}"
  events=$("$PY" -c "import json; print(json.load(open('out_$2/profile_build.json'))['events_read'])")
  read -r wall user sys kb < time.txt
  "$PY" -c "print(f'| $2 | {$wall:.2f} | {$user + $sys:.2f} ({$user:.2f} + {$sys:.2f}) | {$events / $wall / 1e6:.1f} | {$kb / 1024:.0f} MB |')"
  if [ "$2" != "${3:-csv}" ]; then cmp "out_${3:-csv}/users.csv" "out_$2/users.csv"; fi
}
uptime
echo "| input | wall s | CPU s (user + sys) | M events/s (wall) | peak RSS |"
echo "|---|---|---|---|---|"
for r in $(seq "$runs"); do
  run events.csv csv
  run events.parquet parquet
  run events.arrow ipc
  run events_lz4.arrow ipc_lz4
  run npy npy
done
if [ -n "${SCALE_DIR:-}" ]; then
  for f in events.csv events.parquet events.arrow; do
    [ -e "$SCALE_DIR/$f" ] && run "$SCALE_DIR/$f" "scale_${f#events.}" scale_csv
  done
fi
uptime
