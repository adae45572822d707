#include "common/host_device.hpp"
#include "common/reduction_order.hpp"
#include "kernels/cuda_check.cuh"
#include "kernels/row_norms.cuh"

namespace kseg {

constexpr int kNormThreads = 256;
constexpr int kRowsPerBlock = kNormThreads / kNormLanes;

// One warp per row: lane l accumulates columns l, l + 32, .. (coalesced), then a butterfly sums the lanes.
static __global__ void __launch_bounds__(kNormThreads)
    row_norms_kernel(const float* __restrict__ x, int64_t n, int64_t d, float* __restrict__ out) {
  const int lane = static_cast<int>(threadIdx.x) % kNormLanes;
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kRowsPerBlock + threadIdx.x / kNormLanes;
  if (row >= n) return;  // whole warps leave together: the shuffles below see all 32 lanes
  const float* xr = x + row * d;
  float acc = 0.0f;
  for (int64_t j = lane; j < d; j += kNormLanes) acc = sq_accumulate(acc, xr[j]);
  for (int off = kNormLanes / 2; off >= 1; off /= 2) acc = acc + __shfl_xor_sync(0xffffffffu, acc, off);
  if (lane == 0) out[row] = acc;
}

void row_norms_launch(const float* x, int64_t n, int64_t d, float* out, cudaStream_t stream) {
  if (n <= 0) return;
  const int64_t blocks = (n + kRowsPerBlock - 1) / kRowsPerBlock;
  row_norms_kernel<<<static_cast<unsigned>(blocks), kNormThreads, 0, stream>>>(x, n, d, out);
  KSEG_CUDA_LAUNCH_CHECK();
}

}  // namespace kseg
