// The CPU backend's loop over tiles of rows, shared by its passes (cpu_backend.cpp, cpu_backend_bounded.cpp).
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "host/kmeans/cpu_backend.hpp"

namespace kseg {

constexpr int64_t kTileRowsMax = 480;  // the largest tile

// Rows per tile: the tile's rows (about kTileBytes) stay in L1 while the centroid panels stream past; a multiple of
// 24 so every register block of the kernel (6, 8 or 12 rows) is full. Depends on d only, not on threads.
inline int64_t tile_rows_for(int64_t d) {
  constexpr int64_t kTileBytes = 16ll << 10;  // a tile of rows stays in L1
  return std::clamp<int64_t>(kTileBytes / (4 * std::max<int64_t>(d, 1)) / 24 * 24, 24, kTileRowsMax);
}

// tile_fn(block_index, first_row, rows, scratch) for the tiles of every block, in row order within a block; scratch
// holds tile_rows × scratch_per_row floats and tile_rows labels, private to the thread.
template <class TileFn>
void CpuBackend::tiles_for_each(const std::vector<Block>& blocks, int64_t scratch_per_row,
                                const TileFn& tile_fn) const {
  const int64_t tile = tile_rows_for(data_.n_cols);
  const int64_t n_blocks = static_cast<int64_t>(blocks.size());
#pragma omp parallel num_threads(n_threads_)
  {
    TileScratch scratch{std::vector<float>(static_cast<size_t>(tile * scratch_per_row)),
                        std::vector<int32_t>(static_cast<size_t>(tile))};
#pragma omp for schedule(dynamic, 1)
    for (int64_t b = 0; b < n_blocks; ++b)
      for (int64_t r0 = blocks[b].begin; r0 < blocks[b].end; r0 += tile)
        tile_fn(b, r0, std::min(tile, blocks[b].end - r0), scratch);
  }
}

}  // namespace kseg
