#!/usr/bin/env bash
# Samples a command's resident memory every 0.2 s, split into anonymous memory (the heap: tables, buffers) and file
# pages (a memory-mapped input), and prints the peaks. /usr/bin/time's %M counts both; this tells them apart.
#
# usage: bench/profile_build/rss_trace.sh TRACE.tsv COMMAND [ARGS...]
# TRACE.tsv: seconds, VmRSS, RssAnon, RssFile (MB) per sample.
set -euo pipefail
trace=$1
shift
"$@" &
pid=$!
start=$(date +%s.%N)
printf "seconds\trss_mb\tanon_mb\tfile_mb\n" >"$trace"
while kill -0 "$pid" 2>/dev/null; do
  awk -v t="$(date +%s.%N)" -v s="$start" '/^(VmRSS|RssAnon|RssFile):/ { v[$1] = $2 / 1024 }
    END { if (length(v)) printf "%.1f\t%.0f\t%.0f\t%.0f\n", t - s, v["VmRSS:"], v["RssAnon:"], v["RssFile:"] }' \
    "/proc/$pid/status" >>"$trace" 2>/dev/null || true
  sleep 0.2
done
wait "$pid"
awk -F'\t' 'NR > 1 { if ($2 > r) r = $2; if ($3 > a) { a = $3; at = $1 }; if ($4 > f) f = $4; n = $1 }
  END { printf "peak RSS %d MB; peak anonymous %d MB (at %.1f s of %.1f s); peak file pages %d MB\n", r, a, at, n, f }' \
  "$trace"
