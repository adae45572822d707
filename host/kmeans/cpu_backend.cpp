// Eigen's own threading is off here: parallelism comes from the blocks, one Eigen product per tile.
#define EIGEN_DONT_PARALLELIZE
#include "host/kmeans/cpu_backend.hpp"

#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <limits>

#include "kernels/common/host_device.hpp"

namespace kseg {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr int64_t kMinBlockRows = 4096;
constexpr int64_t kMaxBlocks = 64;
constexpr int64_t kPartialBudgetBytes = 256ll << 20;  // all blocks' partial sums together
constexpr int64_t kTileBytes = 128ll << 10;           // a tile of dot products stays in L2

// Rows per tile: the tile's dot products (rows × m floats) fit kTileBytes. Depends on m only, not on threads.
int64_t tile_rows_for(int64_t m) { return std::clamp<int64_t>(kTileBytes / (4 * std::max<int64_t>(m, 1)), 8, 512); }

std::vector<float> norms_compute(const float* x, int64_t n, int64_t d, int threads) {
  std::vector<float> norms(static_cast<size_t>(n));
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int64_t i = 0; i < n; ++i) {
    const float* row = x + i * d;
    float s = 0.0f;
    for (int64_t j = 0; j < d; ++j) s += row[j] * row[j];
    norms[static_cast<size_t>(i)] = s;
  }
  return norms;
}

}  // namespace

CpuBackend::CpuBackend(const DataView& data, int n_threads)
    : data_(data),
      n_threads_(n_threads > 0 ? n_threads : omp_get_max_threads()),
      row_norms_(norms_compute(data.x, data.n_rows, data.n_cols, n_threads_)),
      labels_(static_cast<size_t>(data.n_rows), -1),
      distances_(static_cast<size_t>(data.n_rows), 0.0f) {}

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

// tile_fn(block_index, first_row, rows, dots) with dots = rows × m, dots[r·m + j] = x_{first+r} · c_j.
template <class TileFn>
void CpuBackend::tiles_for_each(const std::vector<Block>& blocks, const float* centres, int64_t m,
                                const TileFn& tile_fn) const {
  const int64_t d = data_.n_cols;
  const int64_t tile = tile_rows_for(m);
  const Eigen::Map<const RowMatrix> c(centres, m, d);
  const int64_t n_blocks = static_cast<int64_t>(blocks.size());
#pragma omp parallel num_threads(n_threads_)
  {
    RowMatrix dots(tile, m);
#pragma omp for schedule(dynamic, 1)
    for (int64_t b = 0; b < n_blocks; ++b) {
      for (int64_t r0 = blocks[b].begin; r0 < blocks[b].end; r0 += tile) {
        const int64_t rows = std::min(tile, blocks[b].end - r0);
        const Eigen::Map<const RowMatrix> x(data_.x + r0 * d, rows, d);
        dots.topRows(rows).noalias() = x * c.transpose();
        tile_fn(b, r0, rows, dots.data());
      }
    }
  }
}

void CpuBackend::lloyd_pass(const float* centroids, int64_t k, LloydPartials& out) {
  const int64_t d = data_.n_cols;
  std::vector<float> c_norms = norms_compute(centroids, k, d, 1);
  const int64_t per_block = k * d + k;
  const std::vector<Block> blocks = blocks_plan(per_block);
  std::vector<double> partial(blocks.size() * static_cast<size_t>(per_block), 0.0);
  std::vector<double> inertia(blocks.size(), 0.0);
  std::vector<int64_t> changed(blocks.size(), 0);
  tiles_for_each(blocks, centroids, k, [&](int64_t b, int64_t first, int64_t rows, const float* dots) {
    double* sums = partial.data() + b * per_block;
    double* weights = sums + k * d;
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = first + r;
      float best = std::numeric_limits<float>::infinity();
      int32_t best_j = 0;
      for (int64_t j = 0; j < k; ++j)
        argmin_update(sq_distance_expanded(row_norms_[i], dots[r * k + j], c_norms[j]), static_cast<int32_t>(j), best,
                      best_j);
      changed[b] += labels_[i] != best_j;
      labels_[i] = best_j;
      distances_[i] = best;
      const double w = weight(i);
      inertia[b] += w * best;
      weights[best_j] += w;
      const float* x = data_.x + i * d;
      double* s = sums + best_j * d;
      for (int64_t t = 0; t < d; ++t) s[t] += w * x[t];
    }
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
  std::vector<float> c_norms = norms_compute(centroids, k, data_.n_cols, 1);
  const std::vector<Block> blocks = blocks_plan(1);
  std::vector<double> inertia(blocks.size(), 0.0);
  tiles_for_each(blocks, centroids, k, [&](int64_t b, int64_t first, int64_t rows, const float* dots) {
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = first + r;
      float best = std::numeric_limits<float>::infinity();
      int32_t best_j = 0;
      for (int64_t j = 0; j < k; ++j)
        argmin_update(sq_distance_expanded(row_norms_[i], dots[r * k + j], c_norms[j]), static_cast<int32_t>(j), best,
                      best_j);
      labels_[i] = best_j;
      distances_[i] = best;
      inertia[b] += static_cast<double>(weight(i)) * best;
    }
  });
  double total = 0.0;
  for (double v : inertia) total += v;
  return total;
}

void CpuBackend::labels_get(int32_t* labels) const { std::copy(labels_.begin(), labels_.end(), labels); }

void CpuBackend::distances_get(float* sq_distances) const {
  std::copy(distances_.begin(), distances_.end(), sq_distances);
}

void CpuBackend::rows_get(const int64_t* rows, int64_t m, float* out) const {
  const int64_t d = data_.n_cols;
  for (int64_t r = 0; r < m; ++r) std::copy(data_.x + rows[r] * d, data_.x + (rows[r] + 1) * d, out + r * d);
}

}  // namespace kseg

namespace kseg {

double CpuBackend::seeding_reset() {
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
  std::vector<float> c_norms = norms_compute(centres, m, data_.n_cols, 1);
  const std::vector<Block> blocks = blocks_plan(1);
  std::vector<double> potential(blocks.size(), 0.0);
  tiles_for_each(blocks, centres, m, [&](int64_t b, int64_t first, int64_t rows, const float* dots) {
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = first + r;
      float best = min_dist_[i];
      for (int64_t j = 0; j < m; ++j)
        best = std::min(best, sq_distance_expanded(row_norms_[i], dots[r * m + j], c_norms[j]));
      min_dist_[i] = best;
      potential[b] += static_cast<double>(weight(i)) * best;
    }
  });
  double total = 0.0;
  for (double v : potential) total += v;
  return total;
}

void CpuBackend::seeding_candidates_cost(const float* candidates, int64_t m, double* cost) {
  std::vector<float> c_norms = norms_compute(candidates, m, data_.n_cols, 1);
  const std::vector<Block> blocks = blocks_plan(m);
  std::vector<double> partial(blocks.size() * static_cast<size_t>(m), 0.0);
  tiles_for_each(blocks, candidates, m, [&](int64_t b, int64_t first, int64_t rows, const float* dots) {
    double* p = partial.data() + b * m;
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = first + r;
      const double w = weight(i);
      for (int64_t j = 0; j < m; ++j)
        p[j] += w * std::min(min_dist_[i], sq_distance_expanded(row_norms_[i], dots[r * m + j], c_norms[j]));
    }
  });
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
