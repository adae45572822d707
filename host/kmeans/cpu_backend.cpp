#include "host/kmeans/cpu_backend.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "host/kmeans/cpu_backend_tiles.hpp"
#include "host/kmeans/cpu_kernels.hpp"
#include "host/kmeans/cpu_nearest.hpp"
#include "common/host_device.hpp"

namespace kseg {
namespace {

constexpr int64_t kMinBlockRows = 4096;
constexpr int64_t kMaxBlocks = 64;
constexpr int64_t kPartialBudgetBytes = 256ll << 20;  // all blocks' partial sums together

}  // namespace

// ‖x_i‖² of every row, and the first writes of the per-row arrays, on all threads (chunks of rows, so that the
// kernel's loop runs over many rows at once).
void CpuBackend::rows_initialize() {
  const int64_t n = data_.n_rows, d = data_.n_cols;
  row_norms_.resize(static_cast<size_t>(n));
  labels_.resize(static_cast<size_t>(n));
  distances_.resize(static_cast<size_t>(n));
  constexpr int64_t kChunk = 1024;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static) num_threads(n_threads_)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t first = c * kChunk, rows = std::min(kChunk, n - first);
    kernels_->row_norms(data_.x + first * d, rows, d, row_norms_.data() + first);
    std::fill_n(labels_.data() + first, rows, -1);
    std::fill_n(distances_.data() + first, rows, 0.0f);
  }
}

CpuBackend::CpuBackend(const DataView& data, int n_threads, CpuPassMode mode, const CpuKernels* kernels)
    : data_(data),
      n_threads_(n_threads > 0 ? n_threads : omp_get_max_threads()),
      kernels_(kernels ? kernels : &cpu_kernels_default()),
      mode_(mode) {
  rows_initialize();
}

std::vector<CpuBackend::Block> CpuBackend::blocks_plan(int64_t partial_doubles) const {
  const int64_t n = data_.n_rows;
  int64_t count = std::min((n + kMinBlockRows - 1) / kMinBlockRows, kMaxBlocks);
  const int64_t by_memory = kPartialBudgetBytes / (8 * std::max<int64_t>(partial_doubles, 1));
  count = std::max<int64_t>(1, std::min(count, by_memory));
  std::vector<Block> blocks;
  const int64_t step = (n + count - 1) / count;
  for (int64_t b = 0; b < n; b += step) blocks.push_back({b, std::min(n, b + step)});
  return blocks;
}

// tile_fn(block_index, first_row, rows, labels, distances): the nearest centroid of each row of a tile.
template <class TileFn>
void CpuBackend::nearest_for_each(const std::vector<Block>& blocks, const PackedCentroids& centroids,
                                  const TileFn& tile_fn) const {
  const int64_t d = data_.n_cols;
  tiles_for_each(blocks, 1, [&](int64_t b, int64_t first, int64_t rows, TileScratch& scratch) {
    kernels_->nearest(centroids, data_.x + first * d, row_norms_.data() + first, rows, scratch.labels.data(),
                      scratch.floats.data());
    tile_fn(b, first, rows, scratch.labels.data(), scratch.floats.data());
  });
}

void CpuBackend::lloyd_pass(const float* centroids, int64_t k, LloydPartials& out) {
  std::vector<float>().swap(candidate_dist_);  // seeding is over: its memory goes back before the iterations
  if (mode_ == CpuPassMode::bounded) {
    lloyd_pass_bounded(centroids, k, out);
  } else {
    bounds_valid_ = false;
    distances_stale_ = false;
    rows_computed_ = data_.n_rows;
    lloyd_pass_full(centroids, k, out);
  }
}

// The nearest centroid of every row of a tile, then the block's partial sums, in row order.
void CpuBackend::lloyd_pass_full(const float* centroids, int64_t k, LloydPartials& out) {
  const int64_t d = data_.n_cols;
  const PackedCentroids packed(centroids, k, d);
  const int64_t per_block = k * d + k;
  const std::vector<Block> blocks = blocks_plan(per_block);
  std::vector<double> partial(blocks.size() * static_cast<size_t>(per_block), 0.0);
  std::vector<double> inertia(blocks.size(), 0.0);
  std::vector<int64_t> changed(blocks.size(), 0);
  nearest_for_each(blocks, packed,
                   [&](int64_t b, int64_t first, int64_t rows, const int32_t* labels, const float* dists) {
                     double* sums = partial.data() + b * per_block;
                     double* weights = sums + k * d;
                     double block_inertia = 0.0;
                     int64_t block_changed = 0;
                     for (int64_t r = 0; r < rows; ++r) {
                       const int64_t i = first + r;
                       const int32_t j = labels[r];
                       block_changed += labels_[i] != j;
                       labels_[i] = j;
                       distances_[i] = dists[r];
                       block_inertia += static_cast<double>(weight(i)) * dists[r];
                     }
                     const float* w = data_.weights ? data_.weights + first : nullptr;
                     kernels_->sums_add(data_.x + first * d, d, w, labels, rows, k, sums, weights);
                     inertia[b] += block_inertia;
                     changed[b] += block_changed;
                   });
  out.sums.assign(static_cast<size_t>(k * d), 0.0);
  out.weights.assign(static_cast<size_t>(k), 0.0);
  out.inertia = 0.0;
  out.n_changed = 0;
  for (size_t b = 0; b < blocks.size(); ++b) {  // fixed order: independent of the thread count
    const double* sums = partial.data() + b * per_block;
    for (int64_t t = 0; t < k * d; ++t) out.sums[t] += sums[t];
    for (int64_t j = 0; j < k; ++j) out.weights[j] += sums[k * d + j];
    out.inertia += inertia[b];
    out.n_changed += changed[b];
  }
}

double CpuBackend::assign(const float* centroids, int64_t k) {
  bounds_valid_ = false;  // labels_ change without the bounded pass's sums following
  distances_stale_ = false;
  const PackedCentroids packed(centroids, k, data_.n_cols);
  const std::vector<Block> blocks = blocks_plan(1);
  std::vector<double> inertia(blocks.size(), 0.0);
  nearest_for_each(blocks, packed,
                   [&](int64_t b, int64_t first, int64_t rows, const int32_t* labels, const float* dists) {
                     double block_inertia = 0.0;
                     for (int64_t r = 0; r < rows; ++r) {
                       const int64_t i = first + r;
                       labels_[i] = labels[r];
                       distances_[i] = dists[r];
                       block_inertia += static_cast<double>(weight(i)) * dists[r];
                     }
                     inertia[b] += block_inertia;
                   });
  double total = 0.0;
  for (double v : inertia) total += v;
  return total;
}

void CpuBackend::labels_get(int32_t* labels) const { std::copy(labels_.begin(), labels_.end(), labels); }

void CpuBackend::distances_get(float* sq_distances) const {
  if (distances_stale_) return distances_for_labels(sq_distances);
  std::copy(distances_.begin(), distances_.end(), sq_distances);
}

void CpuBackend::data_refresh() {
  rows_initialize();
  bounds_valid_ = false;
  scales_ready_ = false;  // the bounded pass's integer scales come from the data
  distances_stale_ = false;
  std::vector<float>().swap(min_dist_);
  candidates_.clear();
  std::vector<float>().swap(candidate_dist_);
}

void CpuBackend::rows_get(const int64_t* rows, int64_t m, float* out) const {
  const int64_t d = data_.n_cols;
  for (int64_t r = 0; r < m; ++r) std::copy(data_.x + rows[r] * d, data_.x + (rows[r] + 1) * d, out + r * d);
}

}  // namespace kseg

namespace kseg {

double CpuBackend::seeding_reset() {
  candidates_.clear();
  min_dist_.assign(static_cast<size_t>(data_.n_rows), std::numeric_limits<float>::infinity());
  const std::vector<Block> blocks = blocks_plan(1);
  double total = 0.0;
  for (const Block& block : blocks) {
    double s = 0.0;
    for (int64_t i = block.begin; i < block.end; ++i) s += weight(i);
    total += s;
  }
  return total;
}

double CpuBackend::seeding_update(const float* centres, int64_t m) {
  const int64_t d = data_.n_cols;
  const std::vector<Block> blocks = blocks_plan(1);
  std::vector<double> potential(blocks.size(), 0.0);
  // The chosen centre is one of the candidates just scored: their distances are reused, in the same tiles and
  // order as below, so the result is the same as computing them again.
  const int64_t scored = static_cast<int64_t>(candidates_.size()) / std::max<int64_t>(d, 1);
  int64_t cached = -1;
  for (int64_t j = 0; j < scored && m == 1 && d > 0; ++j)
    if (std::memcmp(candidates_.data() + j * d, centres, static_cast<size_t>(d) * sizeof(float)) == 0) cached = j;
  candidates_.clear();
  if (cached >= 0) {
    const float* all = candidate_dist_.data() + cached * data_.n_rows;
    tiles_for_each(blocks, 0, [&](int64_t b, int64_t first, int64_t rows, TileScratch&) {
      potential[b] += min_dist_merge(all + first, first, rows);
    });
  } else {
    const PackedCentroids packed(centres, m, d);
    nearest_for_each(blocks, packed, [&](int64_t b, int64_t first, int64_t rows, const int32_t*, const float* dists) {
      potential[b] += min_dist_merge(dists, first, rows);
    });
  }
  double total = 0.0;
  for (double v : potential) total += v;
  return total;
}

// min_dist = min(min_dist, dist) for the rows [first, first + rows) of a tile (dist[r] for row first + r); returns
// their Σ w·min_dist in row order.
double CpuBackend::min_dist_merge(const float* dist, int64_t first, int64_t rows) {
  double potential = 0.0;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t i = first + r;
    const float best = std::min(min_dist_[i], dist[r]);
    min_dist_[i] = best;
    potential += static_cast<double>(weight(i)) * best;
  }
  return potential;
}

// Σ w·min(min_dist, dist) over the rows [first, first + rows) of a tile, in 8 fixed lanes (row mod 8, then the lanes
// in order) so that the compiler vectorises it; the order depends on the tile only, never on the threads.
double CpuBackend::weighted_min_sum(const float* dist, int64_t first, int64_t rows) const {
  const float* min_dist = min_dist_.data() + first;
  const auto sum = [&](const auto& weight_at) {
    constexpr int kLanes = 8;
    double lanes[kLanes] = {};
    int64_t r = 0;
    for (; r + kLanes <= rows; r += kLanes)
      for (int l = 0; l < kLanes; ++l) lanes[l] += weight_at(r + l) * std::min(min_dist[r + l], dist[r + l]);
    for (int l = 0; r < rows; ++r, ++l) lanes[l] += weight_at(r) * std::min(min_dist[r], dist[r]);
    double total = 0.0;
    for (double v : lanes) total += v;
    return total;
  };
  const float* w = data_.weights ? data_.weights + first : nullptr;
  return w ? sum([&](int64_t r) { return double(w[r]); }) : sum([](int64_t) { return 1.0; });
}

void CpuBackend::seeding_candidates_cost(const float* candidates, int64_t m, double* cost) {
  const int64_t d = data_.n_cols;
  const int64_t n = data_.n_rows;
  const PackedCentroids packed(candidates, m, d);
  const std::vector<Block> blocks = blocks_plan(m);
  candidates_.clear();
  candidate_dist_.resize(static_cast<size_t>(m * n));
  std::vector<double> partial(blocks.size() * static_cast<size_t>(m), 0.0);
  tiles_for_each(blocks, m, [&](int64_t b, int64_t first, int64_t rows, TileScratch& scratch) {
    double* block_cost = partial.data() + b * m;
    const float* dist = scratch.floats.data();  // m × rows
    kernels_->distances(packed, data_.x + first * d, row_norms_.data() + first, rows, scratch.floats.data(), rows);
    for (int64_t j = 0; j < m; ++j) {
      block_cost[j] += weighted_min_sum(dist + j * rows, first, rows);
      std::copy_n(dist + j * rows, rows, candidate_dist_.data() + j * n + first);
    }
  });
  candidates_.assign(candidates, candidates + m * d);
  std::fill(cost, cost + m, 0.0);
  for (size_t b = 0; b < blocks.size(); ++b)
    for (int64_t j = 0; j < m; ++j) cost[j] += partial[b * m + j];
}

void CpuBackend::rows_sample(const double* targets, int64_t m, bool by_weight_only, int64_t* rows) const {
  auto value = [&](int64_t i) { return by_weight_only ? double(weight(i)) : double(weight(i)) * min_dist_[i]; };
  const std::vector<Block> blocks = blocks_plan(1);
  const int64_t n_blocks = static_cast<int64_t>(blocks.size());
  std::vector<double> prefix(blocks.size(), 0.0);  // inclusive prefix of block totals
#pragma omp parallel for schedule(static) num_threads(n_threads_)
  for (int64_t b = 0; b < n_blocks; ++b) {
    double s = 0.0;
    for (int64_t i = blocks[b].begin; i < blocks[b].end; ++i) s += value(i);
    prefix[b] = s;
  }
  for (size_t b = 1; b < prefix.size(); ++b) prefix[b] += prefix[b - 1];
  for (int64_t t = 0; t < m; ++t) {
    const int64_t b = prefix_search(prefix.data(), n_blocks, targets[t]);
    double running = b > 0 ? prefix[b - 1] : 0.0;
    int64_t chosen = -1;
    int64_t last_positive = -1;
    for (int64_t i = blocks[b].begin; i < blocks[b].end; ++i) {
      const double v = value(i);
      if (v <= 0.0) continue;
      last_positive = i;
      running += v;
      if (running > targets[t]) {
        chosen = i;
        break;
      }
    }
    rows[t] = chosen >= 0 ? chosen : (last_positive >= 0 ? last_positive : blocks[b].begin);
  }
}

}  // namespace kseg
