// Per-cluster weighted sums and weights of a batch of rows, in double, without atomics: rows sorted stably by label
// (label_segments.hpp), summed in pieces, pieces summed per cluster in order (twin: twin::centroid_accumulate).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace kseg {

class ThrustTempCache;

struct AccumulateBatch {
  const float* x = nullptr;         // rows × d, the batch's rows on the device
  const float* weights = nullptr;   // rows, or null for 1
  const int32_t* labels = nullptr;  // rows, in [0, k)
  int64_t rows = 0;                 // < 2^31
  int64_t d = 0;
  int64_t k = 0;
  int32_t* keys = nullptr;           // scratch: rows
  int32_t* perm = nullptr;           // scratch: rows
  int32_t* segment_begin = nullptr;  // scratch: k + 1
  int32_t* piece_begin = nullptr;    // scratch: k + 1
  double* piece_sums = nullptr;      // scratch: accumulate_pieces_max(rows, k) × (d + 1)
  double* accum = nullptr;           // k × (d + 1): d sums then the weight; the batch is added to it
};

// An upper bound on the pieces of a batch: Σ ceil(count_c / kPieceRows) <= ceil(rows / kPieceRows) + k.
int64_t accumulate_pieces_max(int64_t rows, int64_t k);

void centroid_accumulate_launch(const AccumulateBatch& batch, ThrustTempCache& temp, cudaStream_t stream);

}  // namespace kseg
