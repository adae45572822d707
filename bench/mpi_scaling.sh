#!/usr/bin/env bash
# Strong and weak scaling of `kseg fit` under mpirun on this machine (1 vs 2 ranks, one thread per rank so the
# ranks do not share cores), and the Lloyd pass rate for k = 1,024, d = 64 that bench/MPI.md's model uses.
# Usage: bench/mpi_scaling.sh KSEG [WORKDIR]   (prints a Markdown table)
set -euo pipefail
kseg=${1:?usage: mpi_scaling.sh KSEG [WORKDIR]}
work=${2:-$(mktemp -d)}
mkdir -p "$work"
export OMPI_MCA_btl_vader_single_copy_mechanism=none
mpirun=(mpirun --allow-run-as-root --oversubscribe --mca btl self,vader --bind-to core)
fit_opts=(--k 32 --max-iter 20 --tol 0 --seed 1 --threads 1 --quiet)

seconds() {  # key of summary.json's "seconds"
  python3 -c "import json,sys; print('%.3f' % json.load(open(sys.argv[1]))['seconds'][sys.argv[2]])" "$1" "$2"
}
run() {  # ranks input out
  local start end
  start=$(date +%s.%N)
  if [ "$1" = 1 ]; then "$kseg" fit "$2" --out "$3" "${fit_opts[@]}"; else "${mpirun[@]}" -np "$1" "$kseg" fit "$2" --out "$3" "${fit_opts[@]}"; fi
  end=$(date +%s.%N)
  printf '| %s | %d | %s | %s | %.2f |\n' "$(basename "$2")" "$1" "$(seconds "$3/summary.json" read_and_prepare)" \
    "$(seconds "$3/summary.json" fit)" "$(echo "$end - $start" | bc)"
}

"$kseg" generate --users 400000 --seed 3 --out "$work/users400k.csv" --quiet
"$kseg" generate --users 200000 --seed 3 --out "$work/users200k.csv" --quiet
echo "| input | ranks | read+prepare s | fit s | wall s |"
echo "|---|---|---|---|---|"
run 1 "$work/users400k.csv" "$work/s1"   # strong: same 400k users
run 2 "$work/users400k.csv" "$work/s2"
run 1 "$work/users200k.csv" "$work/w1"   # weak: 200k users per rank
run 2 "$work/users400k.csv" "$work/w2"
cmp "$work/s1/segments.csv" "$work/s2/segments.csv" && echo "(strong: 1 and 2 ranks wrote identical segments.csv)"

# Lloyd pass rate for the model: 20,000 random rows × 64 features, k = 1,024, 3 iterations, one thread.
python3 - "$work/x64.npy" <<'PY'
import random, struct, sys
n, d = 20000, 64
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (n, d)
header += " " * (64 - (10 + len(header) + 1) % 64) + "\n"
random.seed(1)
with open(sys.argv[1], "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
    f.write(struct.pack("<%df" % (n * d), *(random.gauss(0, 1) for _ in range(n * d))))
PY
"$kseg" fit "$work/x64.npy" --k 1024 --max-iter 3 --tol 0 --threads 1 --out "$work/rate" --quiet
python3 -c "
import json,sys; s=json.load(open(sys.argv[1]))
it=[r['seconds'] for r in s['iterations']]; t=min(it)
print('Lloyd pass, n=20000, d=64, k=1024, 1 thread: %.3f s per iteration = %.2f GFLOP/s (2·n·k·d flops)' % (t, 2*20000*1024*64/t/1e9))
" "$work/rate/summary.json"
