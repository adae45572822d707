#include "common/host_device.hpp"
#include "kernels/cuda_check.cuh"
#include "kernels/row_values.cuh"

namespace kseg {

constexpr int kValueThreads = 256;

static __global__ void row_values_kernel(const float* __restrict__ w, const float* __restrict__ v, int64_t n,
                                         double* __restrict__ out) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) out[i] = weighted(w ? w[i] : 1.0f, v ? v[i] : 1.0f);
}

static __global__ void fill_kernel(float* __restrict__ p, int64_t n, float value) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) p[i] = value;
}

void row_values_launch(const float* w, const float* v, int64_t n, double* out, cudaStream_t stream) {
  if (n <= 0) return;
  row_values_kernel<<<static_cast<unsigned>((n + kValueThreads - 1) / kValueThreads), kValueThreads, 0, stream>>>(
      w, v, n, out);
  KSEG_CUDA_LAUNCH_CHECK();
}

void fill_launch(float* p, int64_t n, float value, cudaStream_t stream) {
  if (n <= 0) return;
  fill_kernel<<<static_cast<unsigned>((n + kValueThreads - 1) / kValueThreads), kValueThreads, 0, stream>>>(p, n,
                                                                                                            value);
  KSEG_CUDA_LAUNCH_CHECK();
}

}  // namespace kseg
