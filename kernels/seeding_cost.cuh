// Candidate costs for seeding: cost[c] += Σ_rows w·min(min_dist, ‖x − c‖²) over a tile of rows, from the SGEMM's
// dot products (twin: twin::candidates_cost).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace kseg {

struct CostTile {
  const float* dot = nullptr;       // mt × rows column-major: dot[c + r·mt]
  const float* x_norms = nullptr;   // rows
  const float* weights = nullptr;   // rows, or null for 1
  const float* min_dist = nullptr;  // rows
  const float* c_norms = nullptr;   // mt
  int64_t rows = 0;                 // the tile starts at a multiple of kCostChunkRows
  int64_t mt = 0;
  double* chunk_sums = nullptr;  // scratch: ceil(rows / kCostChunkRows) × mt doubles
  double* cost = nullptr;        // mt running costs (device), added to in row order
};

// Doubles of chunk_sums a tile of rows × mt needs.
int64_t cost_scratch_count(int64_t rows, int64_t mt);

void candidates_cost_launch(const CostTile& tile, cudaStream_t stream);

}  // namespace kseg
