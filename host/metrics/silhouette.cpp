#include "host/metrics/silhouette.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include <Eigen/Core>

#include "host/error.hpp"

namespace kseg {
namespace {

constexpr int64_t kRowBlock = 16;  // rows whose distance rows are built together
constexpr int64_t kColTile = 256;  // columns per tile: kRowBlock × kColTile doubles stay in L1

// Distances of rows [i0, i0 + rows) to every row, exact as sqrt(Σ (x_j − x_i)²) in double; xt is d × n.
void distance_rows(const std::vector<double>& xt, int64_t n, int64_t d, int64_t i0, int64_t rows, double* out) {
  std::fill(out, out + rows * n, 0.0);
  for (int64_t j0 = 0; j0 < n; j0 += kColTile) {
    const int64_t cols = std::min(kColTile, n - j0);
    for (int64_t t = 0; t < d; ++t) {
      const double* xj = xt.data() + t * n + j0;
      for (int64_t r = 0; r < rows; ++r) {
        const double xi = xt[t * n + i0 + r];
        double* acc = out + r * n + j0;
#pragma omp simd
        for (int64_t c = 0; c < cols; ++c) {
          const double diff = xj[c] - xi;
          acc[c] += diff * diff;
        }
      }
    }
  }
  for (int64_t e = 0; e < rows * n; ++e) out[e] = std::sqrt(out[e]);
}

struct Labeling {
  const int32_t* labels = nullptr;
  int64_t k = 0;                // max label + 1
  std::vector<int64_t> counts;  // rows per label
  bool defined = false;         // 2 <= distinct labels <= n − 1
};

Labeling labeling_make(const int32_t* labels, int64_t n) {
  Labeling l;
  l.labels = labels;
  for (int64_t i = 0; i < n; ++i) {
    KSEG_EXPECTS(labels[i] >= 0, DataError, "silhouette: labels must be >= 0");
    l.k = std::max<int64_t>(l.k, labels[i] + 1);
  }
  l.counts.assign(static_cast<size_t>(l.k), 0);
  for (int64_t i = 0; i < n; ++i) ++l.counts[labels[i]];
  const int64_t distinct = std::count_if(l.counts.begin(), l.counts.end(), [](int64_t c) { return c > 0; });
  l.defined = distinct >= 2 && distinct <= n - 1;
  return l;
}

// s(i) from the row's summed distances to each cluster.
double silhouette_row(const Labeling& l, int32_t own, const double* sums) {
  if (l.counts[own] <= 1) return 0.0;  // alone in its cluster
  const double a = sums[own] / static_cast<double>(l.counts[own] - 1);
  double b = std::numeric_limits<double>::infinity();
  for (int64_t c = 0; c < l.k; ++c)
    if (c != own && l.counts[c] > 0) b = std::min(b, sums[c] / static_cast<double>(l.counts[c]));
  const double scale = std::max(a, b);
  return scale > 0.0 ? (b - a) / scale : 0.0;
}

}  // namespace

std::vector<int64_t> rows_sample_uniform(int64_t n, int64_t m, uint64_t seed) {
  std::vector<int64_t> rows(static_cast<size_t>(std::max<int64_t>(n, 0)));
  std::iota(rows.begin(), rows.end(), 0);
  if (m >= n) return rows;
  std::mt19937_64 rng(seed);
  for (int64_t i = 0; i < m; ++i) {
    std::uniform_int_distribution<int64_t> pick(i, n - 1);
    std::swap(rows[i], rows[pick(rng)]);
  }
  rows.resize(static_cast<size_t>(m));
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::vector<double> silhouette_scores(const float* x, int64_t n, int64_t d,
                                      const std::vector<const int32_t*>& labelings) {
  std::vector<Labeling> ls;
  for (const int32_t* labels : labelings) ls.push_back(labeling_make(labels, n));
  std::vector<double> per_row(static_cast<size_t>(n) * ls.size(), 0.0);  // s(i) per labeling, row-major by row
  std::vector<double> xt(static_cast<size_t>(n * d));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t t = 0; t < d; ++t) xt[t * n + i] = x[i * d + t];
  // Per-cluster distance sums of every labeling at once: dist (rows × n) times a one-hot matrix (n × Σk).
  std::vector<int64_t> offset(ls.size() + 1, 0);
  for (size_t l = 0; l < ls.size(); ++l) offset[l + 1] = offset[l] + ls[l].k;
  Eigen::MatrixXd onehot = Eigen::MatrixXd::Zero(n, offset.back());
  for (size_t l = 0; l < ls.size(); ++l)
    for (int64_t j = 0; j < n; ++j) onehot(j, offset[l] + ls[l].labels[j]) = 1.0;
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const int64_t n_blocks = (n + kRowBlock - 1) / kRowBlock;
#pragma omp parallel
  {
    std::vector<double> dist(static_cast<size_t>(kRowBlock * n));
    RowMajor sums;
#pragma omp for schedule(dynamic, 1)
    for (int64_t b = 0; b < n_blocks; ++b) {
      const int64_t i0 = b * kRowBlock;
      const int64_t rows = std::min(kRowBlock, n - i0);
      distance_rows(xt, n, d, i0, rows, dist.data());
      sums.noalias() = Eigen::Map<const RowMajor>(dist.data(), rows, n) * onehot;  // includes d(i, i) = 0
      for (size_t l = 0; l < ls.size(); ++l) {
        if (!ls[l].defined) continue;
        for (int64_t r = 0; r < rows; ++r)
          per_row[(i0 + r) * ls.size() + l] =
              silhouette_row(ls[l], ls[l].labels[i0 + r], sums.data() + r * offset.back() + offset[l]);
      }
    }
  }
  std::vector<double> scores(ls.size(), std::numeric_limits<double>::quiet_NaN());
  for (size_t l = 0; l < ls.size(); ++l) {
    if (!ls[l].defined) continue;
    double total = 0.0;  // summed in row order: independent of the thread count
    for (int64_t i = 0; i < n; ++i) total += per_row[i * ls.size() + l];
    scores[l] = total / static_cast<double>(n);
  }
  return scores;
}

double silhouette_score(const float* x, int64_t n, int64_t d, const int32_t* labels) {
  return silhouette_scores(x, n, d, {labels})[0];
}

}  // namespace kseg
