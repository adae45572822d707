#include "common/host_device.hpp"
#include "common/reduction_order.hpp"
#include "kernels/cuda_check.cuh"
#include "kernels/seeding_cost.cuh"

namespace kseg {

constexpr int kCostThreads = 128;

// Block (chunk, candidate group): thread c sums its candidate's terms over the chunk's rows in row order. Threads
// read consecutive candidates of one row: coalesced.
static __global__ void __launch_bounds__(kCostThreads) cost_chunks_kernel(CostTile t) {
  const int64_t c = static_cast<int64_t>(blockIdx.y) * kCostThreads + threadIdx.x;
  if (c >= t.mt) return;
  const int64_t r0 = static_cast<int64_t>(blockIdx.x) * kCostChunkRows;
  const int64_t r1 = r0 + kCostChunkRows < t.rows ? r0 + kCostChunkRows : t.rows;
  const float cn = t.c_norms[c];
  double sum = 0.0;
  for (int64_t r = r0; r < r1; ++r) {
    const float dist = sq_distance_expanded(t.x_norms[r], t.dot[c + r * t.mt], cn);
    sum += weighted(t.weights ? t.weights[r] : 1.0f, min_float(t.min_dist[r], dist));
  }
  t.chunk_sums[blockIdx.x * t.mt + c] = sum;
}

// cost[c] += chunk sums in row order.
static __global__ void cost_add_kernel(const double* __restrict__ chunk_sums, int64_t chunks, int64_t mt,
                                       double* __restrict__ cost) {
  const int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (c >= mt) return;
  double total = cost[c];
  for (int64_t ch = 0; ch < chunks; ++ch) total += chunk_sums[ch * mt + c];
  cost[c] = total;
}

int64_t cost_scratch_count(int64_t rows, int64_t mt) { return (rows + kCostChunkRows - 1) / kCostChunkRows * mt; }

void candidates_cost_launch(const CostTile& tile, cudaStream_t stream) {
  if (tile.rows <= 0 || tile.mt <= 0) return;
  const int64_t chunks = (tile.rows + kCostChunkRows - 1) / kCostChunkRows;
  const dim3 grid(static_cast<unsigned>(chunks), static_cast<unsigned>((tile.mt + kCostThreads - 1) / kCostThreads));
  cost_chunks_kernel<<<grid, kCostThreads, 0, stream>>>(tile);
  KSEG_CUDA_LAUNCH_CHECK();
  cost_add_kernel<<<static_cast<unsigned>((tile.mt + 127) / 128), 128, 0, stream>>>(tile.chunk_sums, chunks, tile.mt,
                                                                                    tile.cost);
  KSEG_CUDA_LAUNCH_CHECK();
}

}  // namespace kseg
