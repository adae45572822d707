#!/usr/bin/env bash
# ThreadSanitizer run of the Parquet and Arrow IPC event paths: the worker threads of host/parquet/parquet_events.cpp
# (GroupPipeline) decode row groups while the caller folds the batches with OpenMP. Builds only the three tests that
# take those paths (parquet_events_pipeline_test, profile_parquet_test, profile_ipc_test) in build-tsan and runs each
# three times; any report, failure or skipped test fails the run. Not part of scripts/test.sh (CI time): run it by hand
# after changing the Parquet/IPC readers or the fold (about 8 CPU minutes to build with a cold ccache, 1 to run).
#
# Why clang: GCC's libgomp is not instrumented, so TSan cannot see OpenMP's barriers and reports every parallel
# region's shared stack and heap as races (no suppression can name them: their stacks are lost). clang's libomp with
# the Archer tool (libarcher.so, in libomp-14-dev) tells TSan about OpenMP's synchronisation. As Archer asks,
# ignore_noninstrumented_modules leaves unchecked what the uninstrumented libraries (libomp, pyarrow's libarrow and
# libparquet, libstdc++) do through TSan's interceptors (free, memset, memcpy): their own synchronisation, such as
# Arrow's reference counts and memory pool, is invisible to TSan. Every access of kseg's own code is checked; no
# suppressions.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-2}
archer="$(llvm-config-14 --libdir)/libarcher.so"
[[ -f "$archer" ]] || { echo "tsan_parquet: no $archer; install clang-14 and libomp-14-dev" >&2; exit 2; }
if ! .venv/bin/python -c 'import pyarrow.parquet, pyarrow.ipc' 2>/dev/null; then
  echo "tsan_parquet: the tests need pyarrow in .venv (scripts/install-python-deps.sh)" >&2
  exit 2
fi
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
flags="-fsanitize=thread -fno-omit-frame-pointer"
cmake -S . -B build-tsan -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DKSEG_SHARED_LIBS=ON -DKSEG_CUDA=OFF -DKSEG_MPI=OFF \
  -DKSEG_WERROR=OFF -DKSEG_BUILD_BENCH=OFF -DKSEG_PYTHON_MODULE=OFF "${launcher[@]}" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" -DCMAKE_SHARED_LINKER_FLAGS="$flags"
# TSAN_TESTS="a_test b_test" runs other tests the same way (e.g. event_scan_test for the CSV scan's threads).
read -r -a tests <<< "${TSAN_TESTS:-parquet_events_pipeline_test profile_parquet_test profile_ipc_test}"
cmake --build build-tsan -j"$jobs" --target "${tests[@]}"
export OMP_TOOL_LIBRARIES="$archer"
export TSAN_OPTIONS="halt_on_error=1 ignore_noninstrumented_modules=1"
for t in "${tests[@]}"; do
  log=$(mktemp)
  if ! build-tsan/tests/"$t" --gtest_repeat=3 2>&1 | tee "$log"; then
    echo "tsan_parquet: $t failed (see the report above)" >&2
    exit 1
  fi
  if grep -q '^\[  SKIPPED \]' "$log"; then
    echo "tsan_parquet: $t skipped tests, so their paths did not run" >&2
    exit 1
  fi
  rm -f "$log"
done
echo "tsan_parquet: no ThreadSanitizer report"
