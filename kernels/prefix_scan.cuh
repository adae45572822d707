// Deterministic inclusive scan of doubles in place (twin: twin::scan_inclusive). Not thrust::inclusive_scan: CUB's
// decoupled look-back adds tile prefixes in an order that depends on timing, so double results vary run to run.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace kseg {

// Doubles of scratch scan_inclusive_launch needs for n values.
int64_t scan_scratch_count(int64_t n);

// v[i] = v[0] + .. + v[i] in the fixed order of reduction_order.hpp. scratch: scan_scratch_count(n) doubles.
void scan_inclusive_launch(double* v, int64_t n, double* scratch, cudaStream_t stream);

}  // namespace kseg
