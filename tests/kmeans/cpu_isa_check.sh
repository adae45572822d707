#!/usr/bin/env bash
# Checks that vector instructions (AVX, AVX2, AVX-512: VEX/EVEX mnemonics v*, mask registers k*) stay inside the CPU
# kernel sets chosen at run time (host/kmeans/cpu_kernels_avx2.cpp, cpu_kernels_avx512.cpp):
#  1. no global or weak function defined by those units contains them: the linker could keep such a copy of an inline
#     function (std::min, an accessor) for the whole program, which would then stop with an illegal instruction on
#     an older CPU;
#  2. with PORTABLE=1 (KSEG_NATIVE=OFF), no function of the program outside those units contains them.
# Usage: cpu_isa_check.sh LIBRARY(libkseg_core.a) PROGRAM(kseg) PORTABLE(0|1)
set -euo pipefail
library=$(realpath "$1") program=$(realpath "$2") portable=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vector='^(v[a-z]|k(mov|and|andn|or|xor|xnor|not|test|shiftl|shiftr|add|unpck)[bwdq])'

# "function<TAB>first vector mnemonic" for every function of the input that has one.
vector_functions() {
  objdump -d -C --no-show-raw-insn "$1" | awk -v re="$vector" '
    /^[0-9a-f]+ <.*>:$/ { fn = $0; sub(/^[0-9a-f]+ </, "", fn); sub(/>:$/, "", fn); next }
    /^ +[0-9a-f]+:\t/ { split($0, p, "\t"); split(p[2], w, " "); if (w[1] ~ re && !(fn in seen)) { seen[fn] = 1; print fn "\t" w[1] } }'
}

cd "$work"
ar x "$library"
status=0
members=$(ls cpu_kernels_avx*.o 2> /dev/null || true)
[ -n "$members" ] || { echo "no cpu_kernels_avx*.o in $library: nothing to check (not x86-64?)"; exit 0; }
for object in $members; do
  nm -g -C --defined-only "$object" | awk '$2 ~ /^[TWiuV]$/ { $1 = ""; $2 = ""; sub(/^  /, ""); print }' > external.txt
  vector_functions "$object" > vector.txt
  awk -F'\t' 'NR == FNR { external[$0] = 1; next } ($1 in external) { print }' external.txt vector.txt > leaks.txt
  if [ -s leaks.txt ]; then
    echo "FAIL: $object defines functions other units may link to, with vector instructions:"
    cat leaks.txt
    status=1
  else
    echo "ok: $object exports no function with vector instructions ($(wc -l < vector.txt) internal ones have them)"
  fi
done

if [ "$portable" = 1 ]; then
  vector_functions "$program" | grep -v 'kseg::cpu_avx\(2\|512\)::' > outside.txt || true
  if [ -s outside.txt ]; then
    echo "FAIL: functions of $program outside the run-time-chosen kernel sets use vector instructions:"
    head -50 outside.txt
    status=1
  else
    echo "ok: $program uses vector instructions only in the kernel sets"
  fi
fi
exit $status
