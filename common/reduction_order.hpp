// The fixed shapes of every reduction the CUDA backend does in floating point. The kernels and their CPU twins
// (cpu_twins.hpp) both read these, so a twin adds the same numbers in the same order as its kernel and results are
// the same run to run: no floating-point atomics anywhere.
#pragma once

#include <cstdint>

namespace kseg {

// Row norms: one warp per row; lane l sums x[j]² for j ≡ l (mod 32) with fmaf, then a butterfly (xor 16, 8, .., 1).
constexpr int kNormLanes = 32;

// Inclusive scan in double (potential, inertia, sampling): blocks of kScanThreads threads own kScanChunk values;
// thread t keeps a running sum over its kScanItems consecutive values, the thread totals are scanned Hillis-Steele
// (offsets 1, 2, .., 128), block totals are scanned by the same scheme recursively and added back.
constexpr int kScanThreads = 256;
constexpr int kScanItems = 4;
constexpr int kScanChunk = kScanThreads * kScanItems;

// Centroid sums: rows sorted stably by label are cut into pieces of at most kPieceRows rows of one cluster; a piece
// is summed row by row; a cluster's pieces are summed in order; batch totals are added in batch order.
constexpr int kPieceRows = 256;

// Candidate costs: rows are cut into chunks of kCostChunkRows (aligned to multiples from row 0); a chunk is summed
// row by row; chunks are added to the running cost in row order. Row tiles are multiples of this size.
constexpr int kCostChunkRows = 256;
constexpr int64_t kRowTileQuantum = kCostChunkRows;

// At most this many centroids per SGEMM tile; more are visited tile by tile with a per-row running best.
constexpr int64_t kCentroidTileMax = 1024;

}  // namespace kseg
