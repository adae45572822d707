#!/usr/bin/env bash
# Builds kseg with warnings as errors and runs every test: the default build (with the CUDA backend where nvcc
# exists; GPU tests report as skipped without a device) and a CPU-only build (KSEG_CUDA=OFF).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

# Disk: the four builds, ccache and the Python environments take about 5 GB at their peak; the sanitizer and
# fuzzing trees are removed once their runs pass. Say what is free up front, so a full disk reads as such.
echo "test.sh: $(df -Ph . | awk 'NR == 2 {print $4}') free on the disk of $PWD"
scripts/install-deps.sh
# ccache (installed by install-deps.sh) shares compiled objects between runs of this script on one machine; paths are
# taken relative to the checkout so another clone of the same commit hits the same cache.
if command -v ccache > /dev/null; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
fi

# CPU-only build: must keep building and passing without the CUDA toolkit.
cmake -S . -B build-test-cpu -DCMAKE_BUILD_TYPE=Release -DKSEG_WERROR=ON -DKSEG_CUDA=OFF -DKSEG_BUILD_BENCH=OFF
cmake --build build-test-cpu -j"$jobs"
ctest --test-dir build-test-cpu --output-on-failure -j"$jobs"
# The Python package as users install it: the wheel, installed into a fresh virtual environment, and its tests there.
scripts/python-package-test.sh

# AddressSanitizer + UndefinedBehaviorSanitizer build of the CPU code, whole suite (scripts/sanitize.sh).
scripts/sanitize.sh
rm -rf build-asan
# Bounded fuzzing of the CSV reader, the .npy reader and the model loader (KSEG_FUZZ_SECONDS each, default 60).
scripts/fuzz.sh
rm -rf build-fuzz

# Default build, last so its ctest summary closes the log: CUDA compiled where nvcc exists (KSEG_CUDA_ARCHS narrows the architectures to save CI time).
cuda_args=()
[ -n "${KSEG_CUDA_ARCHS:-}" ] && cuda_args+=(-DCMAKE_CUDA_ARCHITECTURES="$KSEG_CUDA_ARCHS")
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Release -DKSEG_WERROR=ON "${cuda_args[@]}"
cmake --build build-test -j"$jobs"
ctest --test-dir build-test --output-on-failure -j"$jobs"

