#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: build for that GPU's architecture, run every GPU test with KSEG_REQUIRE_GPU=1
# (a missing device fails instead of skipping), then benchmark the Lloyd pass on the large shapes next to the cuBLAS
# SGEMM rate. Prints one table; about 5-10 minutes on an H100. Pass --quick for 1M-row shapes.
set -euo pipefail
cd "$(dirname "$0")/.."
arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n1 | tr -d '.')
echo "gpu.sh: building for sm_${arch}"
cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DKSEG_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="${arch}-real" \
  -DKSEG_BUILD_BENCH=ON > build-gpu.log
cmake --build build-gpu -j"$(nproc)" >> build-gpu.log
KSEG_REQUIRE_GPU=1 ctest --test-dir build-gpu -L gpu --output-on-failure
build-gpu/cli/kseg doctor
build-gpu/bench/gpu/kseg_gpu_bench "$@"
