// ‖x_i‖² for n row-major rows of d floats (twin: twin::row_norms).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace kseg {

void row_norms_launch(const float* x, int64_t n, int64_t d, float* out, cudaStream_t stream);

}  // namespace kseg
