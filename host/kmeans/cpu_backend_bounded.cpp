// The CPU backend's bounded Lloyd pass (Hamerly's algorithm with exact sums); see CpuPassMode and cpu_bounds.hpp.
#include <algorithm>
#include <cmath>
#include <limits>

#include "host/error.hpp"
#include "host/kmeans/cpu_backend.hpp"
#include "host/kmeans/cpu_backend_tiles.hpp"
#include "host/kmeans/cpu_kernels.hpp"

namespace kseg {

CpuPassMode cpu_pass_mode_parse(const std::string& name) {
  if (name == "lloyd") return CpuPassMode::full;
  if (name == "hamerly") return CpuPassMode::bounded;
  throw UsageError("--algorithm: expected lloyd or hamerly, got \"" + name + "\"");
}

// The integer sums' scales, from the data once: the largest |x| per feature and ‖x‖², and Σ w (in block order).
void CpuBackend::bounded_scales_prepare() {
  if (scales_ready_) return;
  const int64_t d = data_.n_cols;
  const std::vector<Block> blocks = blocks_plan(d + 2);
  const int64_t n_blocks = static_cast<int64_t>(blocks.size());
  std::vector<double> per_block(blocks.size() * static_cast<size_t>(d + 2), 0.0);  // d maxima, norm max, Σ w
#pragma omp parallel for schedule(static) num_threads(n_threads_)
  for (int64_t b = 0; b < n_blocks; ++b) {
    double* m = per_block.data() + b * (d + 2);
    for (int64_t i = blocks[b].begin; i < blocks[b].end; ++i) {
      for (int64_t t = 0; t < d; ++t) m[t] = std::max(m[t], std::fabs(static_cast<double>(data_.x[i * d + t])));
      m[d] = std::max(m[d], static_cast<double>(row_norms_[i]));
      m[d + 1] += weight(i);
    }
  }
  std::vector<double> feature_max(static_cast<size_t>(d), 0.0);
  double norm_max = 0.0, weight_total = 0.0;
  for (int64_t b = 0; b < n_blocks; ++b) {
    const double* m = per_block.data() + b * (d + 2);
    for (int64_t t = 0; t < d; ++t) feature_max[t] = std::max(feature_max[t], m[t]);
    norm_max = std::max(norm_max, m[d]);
    weight_total += m[d + 1];
  }
  scales_ = FixedPointScales(feature_max, norm_max * (1.0 + 0x1p-16), weight_total * (1.0 + 0x1p-30));
  scales_ready_ = true;
}

// Rows whose bounds still prove their label are not read; the others go through the distance kernel (gathered into a
// contiguous buffer), get fresh bounds from their nearest and second-nearest centroid, and move between the integer
// sums when their label changes. Without valid bounds (first pass, new k, after assign) every row is computed.
void CpuBackend::lloyd_pass_bounded(const float* centroids, int64_t k, LloydPartials& out) {
  bounded_scales_prepare();
  const int64_t d = data_.n_cols;
  const int64_t n = data_.n_rows;
  const bool valid = bounds_valid_ && static_cast<int64_t>(bounds_centroids_.size()) == k * d;
  const PackedCentroids packed(centroids, k, d);
  const CentroidMotion motion = centroid_motion(valid ? bounds_centroids_ : std::vector<float>{}, centroids, k, d);
  const KernelErrorBound error(d, motion.norm_max_sq);
  if (!valid) {
    upper_.assign(static_cast<size_t>(n), 0.0f);
    lower_.assign(static_cast<size_t>(n), 0.0f);
  }
  const int64_t width = k * (d + 2);
  const std::vector<Block> blocks = blocks_plan(width);
  std::vector<int64_t> delta(blocks.size() * static_cast<size_t>(width), 0);
  std::vector<int64_t> changed(blocks.size(), 0);
  std::vector<int64_t> computed(blocks.size(), 0);
  tiles_for_each(blocks, k + d + 1, [&](int64_t b, int64_t first, int64_t rows, TileScratch& scratch) {
    int32_t* pending = scratch.labels.data();  // tile positions of the rows to compute
    int64_t m = 0;
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = first + r;
      if (valid) {
        // Hamerly's tests: the bounds moved by the centroids' shifts; then, if that is not enough, with the exact
        // distance to the row's own centroid (reads the row, d operations instead of the kernel's k·d).
        const int32_t a = labels_[i];
        const double e = error.at(row_norms_[i]);
        const double moved_lower = lower_[i] - motion.shift_other[a];
        double u = upper_[i] + motion.shift[a];
        double l = std::max(moved_lower, motion.separation[a] - u);
        if (!bounds_decide(u, l, e)) {
          u = distance_at_least(data_.x + i * d, centroids + a * d, d);
          l = std::max(moved_lower, motion.separation[a] - u);
        }
        if (bounds_decide(u, l, e)) {
          upper_[i] = float_at_least(u);
          lower_[i] = float_at_most(l);
          continue;
        }
      }
      pending[m++] = static_cast<int32_t>(r);
    }
    computed[b] += m;
    if (m == 0) return;
    float* dist = scratch.floats.data();  // k × m
    const float* x = data_.x + first * d;
    const float* norms = row_norms_.data() + first;
    if (m < rows) {
      float* gathered = dist + k * rows;            // m × d
      float* gathered_norms = gathered + d * rows;  // m
      for (int64_t q = 0; q < m; ++q) {
        std::copy_n(x + pending[q] * d, d, gathered + q * d);
        gathered_norms[q] = norms[pending[q]];
      }
      x = gathered;
      norms = gathered_norms;
    }
    kernels_->distances(packed, x, norms, m, dist, m);
    int64_t* block_delta = delta.data() + b * width;
    int64_t block_changed = 0;
    // Nearest and second-nearest per row, centroids in index order with a strict comparison: ties to the lowest
    // index, as the kernel. Rows in the inner loop, so that it vectorises.
    float best[kTileRowsMax], second[kTileRowsMax];
    int32_t nearest[kTileRowsMax];
    std::fill_n(best, m, std::numeric_limits<float>::infinity());
    std::fill_n(second, m, std::numeric_limits<float>::infinity());
    std::fill_n(nearest, m, 0);
    for (int64_t j = 0; j < k; ++j) {
      const float* dj = dist + j * m;
      for (int64_t q = 0; q < m; ++q) {
        const float v = dj[q];
        const bool closer = v < best[q];
        second[q] = closer ? best[q] : std::min(second[q], v);
        nearest[q] = closer ? static_cast<int32_t>(j) : nearest[q];
        best[q] = closer ? v : best[q];
      }
    }
    for (int64_t q = 0; q < m; ++q) {
      const int32_t label = nearest[q];
      const int64_t i = first + pending[q];
      const double e = error.at(row_norms_[i]);
      upper_[i] = float_at_least(std::sqrt(static_cast<double>(best[q]) + e));
      lower_[i] = float_at_most(std::sqrt(std::max(0.0, static_cast<double>(second[q]) - e)));
      distances_[i] = best[q];
      const int32_t previous = labels_[i];
      const float* row = data_.x + i * d;
      if (previous != label) {
        ++block_changed;
        if (valid) scales_.row_add(block_delta, k, previous, row, weight(i), -1);
        labels_[i] = label;
      }
      if (!valid || previous != label) scales_.row_add(block_delta, k, label, row, weight(i), +1);
    }
    changed[b] += block_changed;
  });

  if (!valid) sums_fixed_.assign(static_cast<size_t>(width), 0);
  out.n_changed = 0;
  rows_computed_ = 0;
  for (size_t b = 0; b < blocks.size(); ++b) {  // integer sums: exact in any order
    const int64_t* block_delta = delta.data() + b * width;
    for (int64_t t = 0; t < width; ++t) sums_fixed_[t] += block_delta[t];
    out.n_changed += changed[b];
    rows_computed_ += computed[b];
  }
  out.sums.resize(static_cast<size_t>(k * d));
  out.weights.resize(static_cast<size_t>(k));
  out.inertia = 0.0;
  // Σ w‖x − c‖² per cluster from its sums: Σ w‖x‖² − 2 c·Σ w·x + ‖c‖² Σ w.
  for (int64_t j = 0; j < k; ++j) {
    out.weights[j] = static_cast<double>(sums_fixed_[fixed_weight_at(k, d, j)]) / scales_.weight();
    double cross = 0.0, c_norm = 0.0;
    for (int64_t t = 0; t < d; ++t) {
      const double s = static_cast<double>(sums_fixed_[j * d + t]) / scales_.feature(t);
      const double c = centroids[j * d + t];
      out.sums[j * d + t] = s;
      cross += c * s;
      c_norm += c * c;
    }
    const double squares = static_cast<double>(sums_fixed_[fixed_square_at(k, d, j)]) / scales_.square();
    out.inertia += std::max(0.0, squares - 2.0 * cross + c_norm * out.weights[j]);
  }
  bounds_centroids_.assign(centroids, centroids + k * d);
  bounds_valid_ = true;
  distances_stale_ = valid;  // skipped rows kept the distances of an earlier pass
}

// Squared distances of every row to its labelled centroid among bounds_centroids_, with the kernel's arithmetic
// (fused multiply-adds in feature order, then sq_distance_expanded): the same bits a full pass gives.
void CpuBackend::distances_for_labels(float* out) const {
  const int64_t d = data_.n_cols;
  const int64_t k = static_cast<int64_t>(bounds_centroids_.size()) / std::max<int64_t>(d, 1);
  const PackedCentroids packed(bounds_centroids_.data(), k, d);
  const int64_t n = data_.n_rows;
  constexpr int64_t kChunk = 1024;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) num_threads(n_threads_)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t first = c * kChunk, rows = std::min(kChunk, n - first);
    kernels_->label_distances(data_.x + first * d, row_norms_.data() + first, rows, d, labels_.data() + first,
                              bounds_centroids_.data(), packed.norms(), out + first);
  }
}

}  // namespace kseg
