#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer build (CPU only: the CUDA backend is left out, the sanitizers do not
# apply to device code) in build-asan, and the whole ctest suite under it. Any report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
# Warnings are enforced (-Werror) by the normal builds; under ASan GCC 12 reports false "uninitialized" values inside
# its own AVX-512 intrinsic headers (used by the AVX-512 kernels), so this build only looks for memory and UB errors.
# MPI is off here: OpenMPI keeps allocations to process exit, which LeakSanitizer reports; the MPI path runs in the
# default build.
# Disk: kseg's libraries are shared here (KSEG_SHARED_LIBS), so the ~90 test programs share one instrumented copy,
# and -g1 keeps line tables and function names (what a report's stack needs) without the variables' descriptions.
# Statically linked with full -g, each test program was ~300 MB: 20 GB for the tree, which filled a CI machine's disk.
flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
  -DKSEG_SHARED_LIBS=ON -DKSEG_CUDA=OFF -DKSEG_MPI=OFF -DKSEG_WERROR=OFF -DKSEG_BUILD_BENCH=OFF -DKSEG_PYTHON_MODULE=OFF \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" -DCMAKE_SHARED_LINKER_FLAGS="$flags"
cmake --build build-asan -j"$jobs"
# detect_leaks: OpenMP's runtime keeps its thread pool; leaks in kseg's own code would still show in ASan's report.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 900
