#include "common/host_device.hpp"
#include "kernels/cuda_check.cuh"
#include "kernels/rows_sample.cuh"

namespace kseg {

static __global__ void rows_sample_kernel(const double* __restrict__ prefix, int64_t n,
                                          const double* __restrict__ targets, int64_t m, int64_t* __restrict__ rows) {
  const int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t < m) rows[t] = prefix_search(prefix, n, targets[t]);
}

void rows_sample_launch(const double* prefix, int64_t n, const double* targets, int64_t m, int64_t* rows,
                        cudaStream_t stream) {
  if (m <= 0) return;
  rows_sample_kernel<<<static_cast<unsigned>((m + 127) / 128), 128, 0, stream>>>(prefix, n, targets, m, rows);
  KSEG_CUDA_LAUNCH_CHECK();
}

}  // namespace kseg
