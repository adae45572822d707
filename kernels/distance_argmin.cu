#include <climits>
#include <cmath>

#include "common/host_device.hpp"
#include "kernels/cuda_check.cuh"
#include "kernels/distance_argmin.cuh"

namespace kseg {

constexpr int kArgminThreads = 256;
constexpr int kArgminWarps = kArgminThreads / 32;

// One warp per row: lane l scans centroids l, l + 32, .. of the tile (coalesced reads of the row's dot products);
// the warp then merges the lane bests. The merge compares (distance, index) lexicographically, an associative and
// commutative minimum, so the result equals the sequential scan in index order whatever the merge order.
static __global__ void __launch_bounds__(kArgminThreads) distances_argmin_kernel(ArgminTile t) {
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kArgminWarps + threadIdx.x / 32;
  bool changed = false;
  if (row < t.rows) {
    const float xn = t.x_norms[row];
    const float* dot = t.dot + row * t.kt;
    float best = INFINITY;
    int32_t best_index = INT_MAX;
    for (int64_t c = lane; c < t.kt; c += 32) {
      argmin_update(sq_distance_expanded(xn, dot[c], t.c_norms[c]), static_cast<int32_t>(t.c0 + c), best, best_index);
    }
    for (int off = 16; off >= 1; off /= 2) {
      const float other = __shfl_xor_sync(0xffffffffu, best, off);
      const int32_t other_index = __shfl_xor_sync(0xffffffffu, best_index, off);
      argmin_update(other, other_index, best, best_index);
    }
    if (lane == 0) {
      if (!t.first) argmin_update(t.run_dist[row], t.run_label[row], best, best_index);
      if (!t.last) {
        t.run_dist[row] = best;
        t.run_label[row] = best_index;
      } else if (t.min_dist) {
        t.min_dist[row] = min_float(t.min_dist[row], best);
      } else {
        changed = t.labels[row] != best_index;
        t.labels[row] = best_index;
        t.dists[row] = best;
      }
    }
  }
  const int block_changed = __syncthreads_count(changed);
  if (threadIdx.x == 0 && block_changed > 0 && t.n_changed) {
    atomicAdd(t.n_changed, static_cast<unsigned long long>(block_changed));  // integer: exact in any order
  }
}

void distances_argmin_launch(const ArgminTile& tile, cudaStream_t stream) {
  if (tile.rows <= 0) return;
  const int64_t blocks = (tile.rows + kArgminWarps - 1) / kArgminWarps;
  distances_argmin_kernel<<<static_cast<unsigned>(blocks), kArgminThreads, 0, stream>>>(tile);
  KSEG_CUDA_LAUNCH_CHECK();
}

}  // namespace kseg
