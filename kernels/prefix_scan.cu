#include "common/reduction_order.hpp"
#include "kernels/cuda_check.cuh"
#include "kernels/prefix_scan.cuh"

namespace kseg {

// One block scans kScanChunk values: per-thread running sums over kScanItems consecutive values, a Hillis-Steele
// scan of the thread totals in shared memory, then the thread's exclusive prefix is added. Writes the block total.
static __global__ void __launch_bounds__(kScanThreads)
    scan_block_kernel(double* __restrict__ v, int64_t n, double* __restrict__ totals) {
  __shared__ double incl[2][kScanThreads];
  const int t = static_cast<int>(threadIdx.x);
  const int64_t base = static_cast<int64_t>(blockIdx.x) * kScanChunk + static_cast<int64_t>(t) * kScanItems;
  double run[kScanItems];
  double r = 0.0;
#pragma unroll
  for (int q = 0; q < kScanItems; ++q) {
    const double value = base + q < n ? v[base + q] : 0.0;
    r = q == 0 ? value : r + value;
    run[q] = r;
  }
  incl[0][t] = r;
  __syncthreads();
  int cur = 0;
  for (int off = 1; off < kScanThreads; off *= 2) {
    double x = incl[cur][t];
    if (t >= off) x = x + incl[cur][t - off];
    incl[cur ^ 1][t] = x;
    cur ^= 1;
    __syncthreads();
  }
  const double exclusive = t > 0 ? incl[cur][t - 1] : 0.0;
#pragma unroll
  for (int q = 0; q < kScanItems; ++q) {
    if (base + q < n) v[base + q] = t == 0 ? run[q] : exclusive + run[q];
  }
  if (t == kScanThreads - 1) totals[blockIdx.x] = incl[cur][t];
}

// v[i] += scanned total of all earlier blocks, for the values after the first block.
static __global__ void scan_add_kernel(double* __restrict__ v, int64_t n, const double* __restrict__ totals) {
  const int64_t i = kScanChunk + static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) v[i] = totals[i / kScanChunk - 1] + v[i];
}

int64_t scan_scratch_count(int64_t n) {
  const int64_t blocks = (n + kScanChunk - 1) / kScanChunk;
  return blocks <= 1 ? 1 : blocks + scan_scratch_count(blocks);
}

void scan_inclusive_launch(double* v, int64_t n, double* scratch, cudaStream_t stream) {
  if (n <= 0) return;
  const int64_t blocks = (n + kScanChunk - 1) / kScanChunk;
  scan_block_kernel<<<static_cast<unsigned>(blocks), kScanThreads, 0, stream>>>(v, n, scratch);
  KSEG_CUDA_LAUNCH_CHECK();
  if (blocks == 1) return;
  scan_inclusive_launch(scratch, blocks, scratch + blocks, stream);
  const int64_t rest = n - kScanChunk;
  scan_add_kernel<<<static_cast<unsigned>((rest + 255) / 256), 256, 0, stream>>>(v, n, scratch);
  KSEG_CUDA_LAUNCH_CHECK();
}

}  // namespace kseg
