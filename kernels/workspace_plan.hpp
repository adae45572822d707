// How the CUDA backend splits its device memory budget: per-row state, the data (resident or streamed in batches),
// and per pass the SGEMM tile of rows × centroids. Plain C++, so the CPU tests check the formulas.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/reduction_order.hpp"
#include "kernels/cuda_error.hpp"

namespace kseg {

struct WorkspacePlan {
  int64_t n = 0, d = 0;
  size_t avail_bytes = 0;      // budget left after the per-row state
  bool resident = true;        // the data is copied to the device once; otherwise streamed in batches
  size_t data_bytes = 0;       // n·d·4
  int64_t batch_rows = 0;      // rows per batch: n, or a multiple of kRowTileQuantum
  size_t batch_row_bytes = 0;  // bytes per batch row: sort scratch, piece sums, and staging when streaming
  size_t tile_bytes = 0;       // left for per-pass buffers: centroids, sums, the SGEMM tile
};

struct TilePlan {
  int64_t rt = 0;  // rows per SGEMM tile: a multiple of kRowTileQuantum, or the whole (single) batch
  int64_t kt = 0;  // centroids per tile: min(k, kCentroidTileMax)
};

// Device bytes per row that live as long as the backend: norms, labels, distances, seeding distances, running
// best (distance, label), prefix sums (double), weights when given; plus the scan's block totals.
inline size_t row_state_bytes(int64_t n, bool weights) {
  return static_cast<size_t>(n) * (4 + 4 + 4 + 4 + 4 + 4 + 8 + (weights ? 4 : 0)) +
         (static_cast<size_t>(n) / kScanChunk + 8) * 8;
}

// Splits avail (the budget after row_state_bytes): the data is resident when it takes at most 3/4 of it.
inline WorkspacePlan workspace_plan(int64_t n, int64_t d, size_t avail) {
  WorkspacePlan p;
  p.n = n;
  p.d = d;
  p.avail_bytes = avail;
  p.data_bytes = static_cast<size_t>(n) * static_cast<size_t>(d) * sizeof(float);
  p.resident = p.data_bytes <= avail / 4 * 3;
  // Sort keys, permutation and Thrust's radix-sort buffers (~24 B), the row's share of piece sums, staging.
  const size_t accumulate = 24 + (static_cast<size_t>(d + 1) * 8 + kPieceRows - 1) / kPieceRows;
  p.batch_row_bytes = accumulate + (p.resident ? 0 : 2 * static_cast<size_t>(d) * sizeof(float));
  const size_t share = p.resident ? (avail - p.data_bytes) / 2 : avail / 4 * 3;
  int64_t rows = static_cast<int64_t>(share / p.batch_row_bytes) / kRowTileQuantum * kRowTileQuantum;
  rows = std::min<int64_t>(rows, int64_t{1} << 30);
  if (rows < kRowTileQuantum && rows < n) {
    throw CudaError(cuda_error_format("workspace plan", __FILE__, __LINE__,
                                      "out of the memory budget: a batch of " + std::to_string(kRowTileQuantum) +
                                          " rows needs " + std::to_string(kRowTileQuantum * p.batch_row_bytes) +
                                          " bytes, " + std::to_string(share) + " left (raise --gpu-memory)"));
  }
  p.batch_rows = rows >= n ? n : rows;
  const size_t used = (p.resident ? p.data_bytes : 0) + static_cast<size_t>(p.batch_rows) * p.batch_row_bytes;
  p.tile_bytes = avail > used ? avail - used : 0;
  return p;
}

// Bytes of the per-pass buffers that depend on k alone: centres, norms, sums (+ the piece-sum share per cluster),
// candidate costs, segment tables.
inline size_t centres_bytes(int64_t k, int64_t d) {
  const size_t kk = static_cast<size_t>(k), dd = static_cast<size_t>(d);
  return kk * dd * 4 + kk * 4 + 2 * kk * (dd + 1) * 8 + kk * 8 + 2 * (kk + 1) * 4 + 64;
}

// Largest row tile for k centres: rt·(4·kt + 8·kt/256) bytes (dot tile + candidate-cost chunks) within what is
// left of tile_bytes, rounded down to kRowTileQuantum, at most the batch and 2^28 dot elements.
inline TilePlan tile_plan(const WorkspacePlan& p, int64_t k, int64_t d) {
  TilePlan t;
  t.kt = std::min<int64_t>(k, kCentroidTileMax);
  const size_t fixed = centres_bytes(k, d);
  const size_t per_row =
      static_cast<size_t>(t.kt) * 4 + (static_cast<size_t>(t.kt) * 8 + kCostChunkRows - 1) / kCostChunkRows;
  const size_t left = p.tile_bytes > fixed ? p.tile_bytes - fixed : 0;
  int64_t rt = static_cast<int64_t>(left / per_row) / kRowTileQuantum * kRowTileQuantum;
  rt = std::min<int64_t>(rt, ((int64_t{1} << 28) / t.kt) / kRowTileQuantum * kRowTileQuantum);
  if (rt < kRowTileQuantum && rt < p.batch_rows) {
    throw CudaError(cuda_error_format("tile plan", __FILE__, __LINE__,
                                      "out of the memory budget: " + std::to_string(k) + " centroids need " +
                                          std::to_string(fixed + kRowTileQuantum * per_row) + " bytes for tiles, " +
                                          std::to_string(p.tile_bytes) + " left (raise --gpu-memory)"));
  }
  t.rt = std::min(rt, p.batch_rows);
  return t;
}

inline std::string workspace_plan_describe(const WorkspacePlan& p, size_t budget, bool pinned) {
  auto mib = [](size_t b) { return std::to_string((b + (1u << 19)) >> 20) + " MiB"; };
  std::string s =
      "cuda workspace: budget " + mib(budget) + ", per-row state " + mib(row_state_bytes(p.n, false)) + "+; ";
  if (p.resident) {
    s += "data resident (" + mib(p.data_bytes) + ")";
  } else {
    s += "data streamed from host memory (" + std::string(pinned ? "pinned by cudaHostRegister" : "pageable") +
         "), double-buffered";
  }
  s += ", batches of " + std::to_string(p.batch_rows) + " rows (" + mib(p.batch_rows * p.batch_row_bytes) +
       "); per pass " + mib(p.tile_bytes) + " for centroids and tiles of rt rows x min(k, " +
       std::to_string(kCentroidTileMax) + ") centroids, rt = (left bytes) / (4 kt + 8 kt / " +
       std::to_string(kCostChunkRows) + ") rounded down to " + std::to_string(kRowTileQuantum);
  return s;
}

}  // namespace kseg
