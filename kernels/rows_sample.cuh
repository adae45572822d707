// Inverse-CDF sampling: for each target, the first row whose inclusive prefix sum exceeds it (prefix_search).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace kseg {

void rows_sample_launch(const double* prefix, int64_t n, const double* targets, int64_t m, int64_t* rows,
                        cudaStream_t stream);

}  // namespace kseg
