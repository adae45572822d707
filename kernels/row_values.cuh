// Per-row elementwise helpers: the weighted values a scan adds up, and filling an array.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace kseg {

// out[i] = w[i]·v[i] in double (weighted()); a null w or v reads as 1.
void row_values_launch(const float* w, const float* v, int64_t n, double* out, cudaStream_t stream);

// p[i] = value for i < n.
void fill_launch(float* p, int64_t n, float value, cudaStream_t stream);

}  // namespace kseg
