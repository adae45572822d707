#include "host/metrics/cluster_moments.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "host/error.hpp"

namespace kseg {
namespace {

constexpr int64_t kBlockRows = 8192;  // rows per partial sum: boundaries depend on n only

// Per-block partial sums, then a reduction in block order, so the totals do not depend on the thread count.
template <typename BlockFn>
std::vector<double> blocks_reduce(int64_t n, size_t width, BlockFn block_fn) {
  const int64_t n_blocks = (n + kBlockRows - 1) / kBlockRows;
  std::vector<double> partial(static_cast<size_t>(n_blocks) * width, 0.0);
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t b = 0; b < n_blocks; ++b)
    block_fn(b * kBlockRows, std::min(n, (b + 1) * kBlockRows), partial.data() + b * width);
  std::vector<double> total(width, 0.0);
  for (int64_t b = 0; b < n_blocks; ++b)
    for (size_t e = 0; e < width; ++e) total[e] += partial[b * width + e];
  return total;
}

}  // namespace

int64_t ClusterMoments::n_clusters() const {
  return std::count_if(weight.begin(), weight.end(), [](double w) { return w > 0.0; });
}

ClusterMoments cluster_moments(const DataView& data, const int32_t* labels, int64_t k) {
  const int64_t n = data.n_rows;
  const int64_t d = data.n_cols;
  for (int64_t i = 0; i < n; ++i)
    KSEG_EXPECTS(labels[i] >= 0 && labels[i] < k, DataError,
                 "cluster metrics: label " + std::to_string(labels[i]) + " of row " + std::to_string(i) +
                     " is outside [0, " + std::to_string(k) + ")");
  ClusterMoments m;
  m.k = k;
  m.d = d;
  // Pass 1: Σ w and Σ w·x per cluster.
  const size_t width1 = static_cast<size_t>(k * (d + 1));
  const std::vector<double> s1 = blocks_reduce(n, width1, [&](int64_t a, int64_t b, double* out) {
    for (int64_t i = a; i < b; ++i) {
      const double w = data.weights ? data.weights[i] : 1.0;
      double* row = out + labels[i] * (d + 1);
      row[d] += w;
      for (int64_t t = 0; t < d; ++t) row[t] += w * data.x[i * d + t];
    }
  });
  m.weight.assign(static_cast<size_t>(k), 0.0);
  m.centroid.assign(static_cast<size_t>(k * d), 0.0);
  m.mean.assign(static_cast<size_t>(d), 0.0);
  for (int64_t c = 0; c < k; ++c) {
    const double w = s1[c * (d + 1) + d];
    m.weight[c] = w;
    m.total_weight += w;
    for (int64_t t = 0; t < d; ++t) {
      m.mean[t] += s1[c * (d + 1) + t];
      if (w > 0.0) m.centroid[c * d + t] = s1[c * (d + 1) + t] / w;
    }
  }
  for (int64_t t = 0; t < d && m.total_weight > 0.0; ++t) m.mean[t] /= m.total_weight;
  // Pass 2: Σ w·‖x − c‖² and Σ w·‖x − c‖ per cluster.
  const std::vector<double> s2 = blocks_reduce(n, static_cast<size_t>(2 * k), [&](int64_t a, int64_t b, double* out) {
    for (int64_t i = a; i < b; ++i) {
      const double w = data.weights ? data.weights[i] : 1.0;
      const double* c = m.centroid.data() + labels[i] * d;
      double sq = 0.0;
      for (int64_t t = 0; t < d; ++t) {
        const double diff = data.x[i * d + t] - c[t];
        sq += diff * diff;
      }
      out[2 * labels[i]] += w * sq;
      out[2 * labels[i] + 1] += w * std::sqrt(sq);
    }
  });
  m.sq_dist.resize(static_cast<size_t>(k));
  m.dist.resize(static_cast<size_t>(k));
  for (int64_t c = 0; c < k; ++c) {
    m.sq_dist[c] = s2[2 * c];
    m.dist[c] = s2[2 * c + 1];
  }
  return m;
}

}  // namespace kseg
