#!/usr/bin/env bash
# Two builds of profile-build compared on the columnar inputs, runs alternating (A, B, A, B, ...) so that both see the
# same load: the CLI's RFM build per input (wall, CPU = user + sys, peak RSS; users.csv compared between the builds),
# then the library benchmarks (bench_events_ipc: reader alone and aggregation per file; bench_profile_build:
# BM_EventsAggregateParquet), median cpu_s of 5 repetitions per run. Prints one line per run and the medians.
# usage: bench/profile_build/columnar_ab.sh A_DIR B_DIR [RUNS] [WORK]
#   A_DIR, B_DIR: build directories holding cli/kseg and bench/bench_events_ipc, bench/bench_profile_build
#   (configured with -DKSEG_BUILD_BENCH=ON); RUNS: rounds (default 5); WORK: output directory (default /tmp/columnar_ab).
# Inputs: PARQUET (default /tmp/q/events.parquet), IPC (/tmp/columnar/events.arrow), NPY (/tmp/columnar/npy).
set -euo pipefail
a=$1 b=$2 runs=${3:-5} work=${4:-/tmp/columnar_ab}
parquet=${PARQUET:-/tmp/q/events.parquet} ipc=${IPC:-/tmp/columnar/events.arrow} npy=${NPY:-/tmp/columnar/npy}
mkdir -p "$work"
log="$work/runs.txt"
: >"$log"
uptime
options=(--user-column user_id --time-column order_time --amount-column amount --families rfm --threads 2 --quiet)
for r in $(seq "$runs"); do
  for input in "$parquet" "$ipc" "$npy"; do
    tag=$(basename "$input")
    for side in A B; do
      dir=$a && [ $side = B ] && dir=$b
      /usr/bin/time -f "cli $tag $side %e %U %S %M" -a -o "$log" "$dir/cli/kseg" profile-build "$input" \
        --out "$work/$side/$tag/users.csv" "${options[@]}"
    done
    cmp "$work/A/$tag/users.csv" "$work/B/$tag/users.csv"
  done
  for side in A B; do
    dir=$a && [ $side = B ] && dir=$b
    KSEG_EVENTS_COLUMNAR="$parquet:$ipc:$npy" OMP_NUM_THREADS=2 "$dir/bench/bench_events_ipc" \
      --benchmark_filter='threads:0|Aggregate' --benchmark_repetitions=5 --benchmark_report_aggregates_only=true |
      awk -v s=$side '/_median/ { match($0, /cpu_s=[0-9.]+/); print "bench " $1 " " s " " substr($0, RSTART + 6, RLENGTH - 6) }' >>"$log"
    KSEG_EVENTS_PARQUET="$parquet" OMP_NUM_THREADS=2 "$dir/bench/bench_profile_build" \
      --benchmark_filter='BM_EventsAggregateParquet' --benchmark_repetitions=5 --benchmark_report_aggregates_only=true |
      awk -v s=$side '/_median/ { match($0, /cpu_s=[0-9.]+/); print "bench " $1 " " s " " substr($0, RSTART + 6, RLENGTH - 6) }' >>"$log"
  done
done
uptime
cat "$log"
python3 - "$log" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == "cli":
        rows.setdefault(("cli", f[1], f[2]), []).append((float(f[3]), float(f[4]) + float(f[5]), int(f[6]) / 1024))
    else:
        rows.setdefault(("bench", f[1], f[2]), []).append((float(f[3]),))
for (kind, name, side), xs in sorted(rows.items()):
    if kind == "cli":
        print(f"cli {name} {side}: wall median {statistics.median(x[0] for x in xs):.2f} s, CPU median "
              f"{statistics.median(x[1] for x in xs):.2f} s (min {min(x[1] for x in xs):.2f}), "
              f"peak RSS median {statistics.median(x[2] for x in xs):.0f} MB, runs {len(xs)}")
    else:
        print(f"bench {name} {side}: cpu_s median of run medians {statistics.median(x[0] for x in xs):.3f} "
              f"(min {min(x[0] for x in xs):.3f}), runs {len(xs)}")
EOF
