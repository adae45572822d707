// The fused step after the SGEMM: distances ‖x‖² − 2·x·c + ‖c‖² of a tile of rows to a tile of centroids, and the
// nearest one (ties to the lowest index) carried across centroid tiles in a per-row running best
// (twin: twin::distances_argmin).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace kseg {

struct ArgminTile {
  const float* dot = nullptr;      // kt × rows column-major: dot[c + r·kt] = x_r · c_(c0+c)
  const float* x_norms = nullptr;  // rows ‖x‖²
  const float* c_norms = nullptr;  // kt ‖c‖² of this tile's centroids
  int64_t rows = 0;
  int64_t kt = 0;             // centroids in this tile
  int64_t c0 = 0;             // index of the tile's first centroid
  bool first = true;          // no running best yet (first centroid tile)
  bool last = true;           // the final centroid tile: write the result below instead of the running best
  float* run_dist = nullptr;  // rows running best, read unless first, written unless last
  int32_t* run_label = nullptr;
  // Result, last tile only; exactly one of the two forms:
  int32_t* labels = nullptr;  // labels (rows) and dists: nearest centroid, counting changed labels
  float* dists = nullptr;
  unsigned long long* n_changed = nullptr;  // incremented by the rows whose label changed (may be null)
  float* min_dist = nullptr;                // or seeding: min_dist = min(min_dist, nearest distance)
};

void distances_argmin_launch(const ArgminTile& tile, cudaStream_t stream);

}  // namespace kseg
