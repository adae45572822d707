// CPU twins of the CUDA kernels: plain C++ that adds the same numbers in the same order as each kernel
// (reduction_order.hpp), with the same tie-breaking (host_device.hpp). The CPU tests check them against naive
// references; the GPU tests check the kernels against them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "common/host_device.hpp"
#include "common/reduction_order.hpp"

namespace kseg::twin {

// ‖x_i‖² for n rows of d floats, in the warp order of row_norms.cu.
inline void row_norms(const float* x, int64_t n, int64_t d, float* out) {
  for (int64_t i = 0; i < n; ++i) {
    float lane[kNormLanes] = {};
    for (int64_t j = 0; j < d; ++j) lane[j % kNormLanes] = sq_accumulate(lane[j % kNormLanes], x[i * d + j]);
    for (int off = kNormLanes / 2; off >= 1; off /= 2) {
      float next[kNormLanes];
      for (int l = 0; l < kNormLanes; ++l) next[l] = lane[l] + lane[l ^ off];
      std::copy(next, next + kNormLanes, lane);
    }
    out[i] = lane[0];
  }
}

// Nearest centroid from a rows × k matrix of dot products (row-major), as distance_argmin.cu does after the SGEMM.
inline void distances_argmin(const float* dot, const float* x_norms, const float* c_norms, int64_t rows, int64_t k,
                             int32_t* labels, float* dists) {
  for (int64_t i = 0; i < rows; ++i) {
    float best = std::numeric_limits<float>::infinity();
    int32_t best_index = std::numeric_limits<int32_t>::max();
    for (int64_t c = 0; c < k; ++c) {
      argmin_update(sq_distance_expanded(x_norms[i], dot[i * k + c], c_norms[c]), static_cast<int32_t>(c), best,
                    best_index);
    }
    labels[i] = best_index;
    dists[i] = best;
  }
}

// x · cᵀ in float (accumulated in double, rounded once): the reference for the SGEMM the kernels run.
inline std::vector<float> dots(const float* x, int64_t n, const float* c, int64_t k, int64_t d) {
  std::vector<float> out(static_cast<size_t>(n * k));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < k; ++j) {
      double s = 0.0;
      for (int64_t t = 0; t < d; ++t) s += static_cast<double>(x[i * d + t]) * c[j * d + t];
      out[static_cast<size_t>(i * k + j)] = static_cast<float>(s);
    }
  }
  return out;
}

// In-place inclusive scan of v[0..n) in double, in the block order of prefix_scan.cu.
inline void scan_inclusive(double* v, int64_t n) {
  if (n <= 0) return;
  const int64_t blocks = (n + kScanChunk - 1) / kScanChunk;
  std::vector<double> totals(static_cast<size_t>(blocks));
  for (int64_t b = 0; b < blocks; ++b) {
    double run[kScanThreads][kScanItems] = {};
    double incl[kScanThreads];
    for (int t = 0; t < kScanThreads; ++t) {
      double r = 0.0;
      for (int q = 0; q < kScanItems; ++q) {
        const int64_t i = b * kScanChunk + t * kScanItems + q;
        if (i < n) r = (q == 0) ? v[i] : r + v[i];
        run[t][q] = r;
      }
      incl[t] = r;
    }
    for (int off = 1; off < kScanThreads; off *= 2) {
      double next[kScanThreads];
      for (int t = 0; t < kScanThreads; ++t) next[t] = t >= off ? incl[t] + incl[t - off] : incl[t];
      std::copy(next, next + kScanThreads, incl);
    }
    for (int t = 0; t < kScanThreads; ++t) {
      for (int q = 0; q < kScanItems; ++q) {
        const int64_t i = b * kScanChunk + t * kScanItems + q;
        if (i < n) v[i] = t == 0 ? run[t][q] : incl[t - 1] + run[t][q];
      }
    }
    totals[static_cast<size_t>(b)] = incl[kScanThreads - 1];
  }
  if (blocks == 1) return;
  scan_inclusive(totals.data(), blocks);
  for (int64_t i = kScanChunk; i < n; ++i) v[i] = totals[static_cast<size_t>(i / kScanChunk - 1)] + v[i];
}

// Adds the weighted sums of rows [0, n) per label into accum (k × (d + 1): d sums then the weight), batch by batch
// (batch_rows rows each, the last one shorter), in the piece order of centroid_accumulate.cu.
inline void centroid_accumulate(const float* x, const float* w, const int32_t* labels, int64_t n, int64_t d, int64_t k,
                                int64_t batch_rows, double* accum) {
  const int64_t width = d + 1;
  for (int64_t b0 = 0; b0 < n; b0 += batch_rows) {
    const int64_t b1 = std::min(n, b0 + batch_rows);
    std::vector<std::vector<int64_t>> members(static_cast<size_t>(k));
    for (int64_t i = b0; i < b1; ++i) members[static_cast<size_t>(labels[i])].push_back(i);
    for (int64_t c = 0; c < k; ++c) {
      const auto& rows = members[static_cast<size_t>(c)];
      for (int64_t j = 0; j < width; ++j) {
        double cluster = 0.0;
        for (size_t p0 = 0; p0 < rows.size(); p0 += kPieceRows) {
          double piece = 0.0;
          for (size_t p = p0; p < std::min(rows.size(), p0 + kPieceRows); ++p) {
            const float wi = w ? w[rows[p]] : 1.0f;
            piece += j < d ? weighted(wi, x[rows[p] * d + j]) : static_cast<double>(wi);
          }
          cluster = p0 == 0 ? piece : cluster + piece;
        }
        accum[c * width + j] += cluster;
      }
    }
  }
}

// For m candidates: Σ w·min(min_dist, ‖x − c‖²) from an n × m matrix of dot products (row-major), in the chunk
// order of seeding_cost.cu.
inline void candidates_cost(const float* dot, const float* x_norms, const float* w, const float* min_dist, int64_t n,
                            const float* c_norms, int64_t m, double* cost) {
  for (int64_t c = 0; c < m; ++c) {
    double total = 0.0;
    for (int64_t r0 = 0; r0 < n; r0 += kCostChunkRows) {
      double chunk = 0.0;
      for (int64_t r = r0; r < std::min(n, r0 + kCostChunkRows); ++r) {
        const float dist = sq_distance_expanded(x_norms[r], dot[r * m + c], c_norms[c]);
        chunk += weighted(w ? w[r] : 1.0f, min_float(min_dist[r], dist));
      }
      total += chunk;
    }
    cost[c] = total;
  }
}

}  // namespace kseg::twin
