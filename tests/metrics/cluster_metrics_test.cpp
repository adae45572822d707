// Silhouette, Calinski-Harabasz, Davies-Bouldin and the dense adjusted Rand index against hand computations and a
// naive double-precision reference written from the definitions; degenerate cases with scikit-learn's conventions.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "host/metrics/adjusted_rand.hpp"
#include "host/metrics/calinski_harabasz.hpp"
#include "host/metrics/davies_bouldin.hpp"
#include "host/metrics/silhouette.hpp"
#include "host/metrics/stability.hpp"

namespace kseg {
namespace {

double ch(const std::vector<float>& x, int64_t d, const std::vector<int32_t>& labels, int64_t k,
          const std::vector<float>& weights = {}) {
  const DataView view{x.data(), weights.empty() ? nullptr : weights.data(), static_cast<int64_t>(labels.size()), d};
  return calinski_harabasz_score(cluster_moments(view, labels.data(), k));
}

double db(const std::vector<float>& x, int64_t d, const std::vector<int32_t>& labels, int64_t k,
          const std::vector<float>& weights = {}) {
  const DataView view{x.data(), weights.empty() ? nullptr : weights.data(), static_cast<int64_t>(labels.size()), d};
  return davies_bouldin_score(cluster_moments(view, labels.data(), k));
}

double sil(const std::vector<float>& x, int64_t d, const std::vector<int32_t>& labels) {
  return silhouette_score(x.data(), static_cast<int64_t>(labels.size()), d, labels.data());
}

// The silhouette straight from its definition, O(n²) with explicit loops.
double silhouette_naive(const std::vector<float>& x, int64_t d, const std::vector<int32_t>& labels, int k) {
  const size_t n = labels.size();
  double total = 0.0;
  for (size_t i = 0; i < n; ++i) {
    std::vector<double> sum(k, 0.0);
    std::vector<int> count(k, 0);
    for (size_t j = 0; j < n; ++j) {
      double sq = 0.0;
      for (int64_t t = 0; t < d; ++t) sq += std::pow(double(x[i * d + t]) - double(x[j * d + t]), 2);
      if (j != i) sum[labels[j]] += std::sqrt(sq);
      if (j != i) ++count[labels[j]];
    }
    if (count[labels[i]] == 0) continue;  // singleton: 0
    const double a = sum[labels[i]] / count[labels[i]];
    double b = 1e300;
    for (int c = 0; c < k; ++c)
      if (c != labels[i] && count[c] > 0) b = std::min(b, sum[c] / count[c]);
    total += std::max(a, b) > 0 ? (b - a) / std::max(a, b) : 0.0;
  }
  return total / static_cast<double>(n);
}

TEST(Silhouette, HandComputedLine) {
  // {0, 1 | 4, 5}: s = 3.5/4.5 for the outer points, 2.5/3.5 for the inner ones.
  EXPECT_NEAR(sil({0, 1, 4, 5}, 1, {0, 0, 1, 1}), (7.0 / 9.0 + 5.0 / 7.0) / 2.0, 1e-12);
}

TEST(Silhouette, SingletonClusterCountsAsZero) {
  // {0, 1 | 5}: 4/5, 3/4 and 0 for the point alone in its cluster.
  EXPECT_NEAR(sil({0, 1, 5}, 1, {0, 0, 1}), (0.8 + 0.75 + 0.0) / 3.0, 1e-12);
}

TEST(Silhouette, IdenticalPointsScoreZero) { EXPECT_EQ(sil({2, 2, 2, 2}, 1, {0, 0, 1, 1}), 0.0); }

TEST(Silhouette, UndefinedForOneClusterOrAllSingletons) {
  EXPECT_TRUE(std::isnan(sil({0, 1, 2}, 1, {0, 0, 0})));
  EXPECT_TRUE(std::isnan(sil({0, 1, 2}, 1, {0, 1, 2})));
  EXPECT_TRUE(std::isnan(sil({0, 1, 2}, 1, {3, 3, 3})));  // one label, whatever its value
}

TEST(Silhouette, MatchesNaiveReferenceOnRandomBlobsForSeveralLabelings) {
  const uint64_t seed = 20240611;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  const int64_t n = 531, d = 7;  // n not a multiple of the row block or the column tile
  std::vector<float> x(n * d);
  std::vector<int32_t> a(n), b(n);
  for (int64_t i = 0; i < n; ++i) {
    a[i] = static_cast<int32_t>(i % 3);
    b[i] = static_cast<int32_t>(rng() % 5);
    for (int64_t t = 0; t < d; ++t) x[i * d + t] = g(rng) + (t == 0 ? 8.0f * static_cast<float>(a[i]) : 0.0f);
  }
  const std::vector<double> s = silhouette_scores(x.data(), n, d, {a.data(), b.data()});
  EXPECT_NEAR(s[0], silhouette_naive(x, d, a, 3), 1e-12);
  EXPECT_NEAR(s[1], silhouette_naive(x, d, b, 5), 1e-12);
  EXPECT_GT(s[0], 0.3);
  EXPECT_LT(std::fabs(s[1]), 0.1);
}

TEST(Silhouette, UniformSampleIsSortedDistinctAndSeeded) {
  const std::vector<int64_t> s = rows_sample_uniform(1000, 100, 7);
  ASSERT_EQ(s.size(), 100u);
  for (size_t i = 1; i < s.size(); ++i) EXPECT_LT(s[i - 1], s[i]);
  EXPECT_EQ(s, rows_sample_uniform(1000, 100, 7));
  EXPECT_NE(s, rows_sample_uniform(1000, 100, 8));
  EXPECT_EQ(rows_sample_uniform(5, 10, 7), (std::vector<int64_t>{0, 1, 2, 3, 4}));
}

TEST(CalinskiHarabasz, HandComputedLine) {
  // Centroids 0.5 and 4.5, mean 2.5: B = 2·4 + 2·4 = 16, W = 4 · 0.25 = 1; CH = 16·(4 − 2) / (1·(2 − 1)).
  EXPECT_NEAR(ch({0, 1, 4, 5}, 1, {0, 0, 1, 1}, 2), 32.0, 1e-12);
}

TEST(CalinskiHarabasz, DegenerateCases) {
  EXPECT_EQ(ch({0, 0, 3, 3}, 1, {0, 0, 1, 1}, 2), 1.0);            // W = 0: scikit-learn returns 1
  EXPECT_TRUE(std::isnan(ch({0, 1, 2}, 1, {0, 0, 0}, 1)));         // one cluster
  EXPECT_TRUE(std::isnan(ch({0, 1, 2}, 1, {0, 1, 2}, 3)));         // every point its own cluster
  EXPECT_NEAR(ch({0, 1, 4, 5}, 1, {0, 0, 2, 2}, 3), 32.0, 1e-12);  // an empty label is not a cluster
}

TEST(CalinskiHarabasz, WeightsCountAsCopies) {
  const std::vector<float> x = {0, 0, 1, 0, 4, 1, 5, 2, 9, 9};
  const double weighted = ch(x, 2, {0, 0, 1, 1, 1}, 2, {2, 1, 1, 3, 1});
  const std::vector<float> copies = {0, 0, 0, 0, 1, 0, 4, 1, 5, 2, 5, 2, 5, 2, 9, 9};
  EXPECT_NEAR(weighted, ch(copies, 2, {0, 0, 0, 1, 1, 1, 1, 1}, 2), 1e-9);
}

TEST(DaviesBouldin, HandComputedLine) {
  // S = 0.5 in both clusters, centroid distance 4: (0.5 + 0.5) / 4 for each cluster.
  EXPECT_NEAR(db({0, 1, 4, 5}, 1, {0, 0, 1, 1}, 2), 0.25, 1e-12);
  // Three clusters {0,2} {10} {20,21}: S = 1, 0, 0.5; centroids 1, 10, 20.5.
  // cluster 0: max(1/9, 1.5/19.5); cluster 1: max(1/9, 0.5/10.5); cluster 2: max(1.5/19.5, 0.5/10.5).
  const double expected = (1.0 / 9.0 + 1.0 / 9.0 + 1.5 / 19.5) / 3.0;
  EXPECT_NEAR(db({0, 2, 10, 20, 21}, 1, {0, 0, 1, 2, 2}, 3), expected, 1e-12);
}

TEST(DaviesBouldin, DegenerateCases) {
  EXPECT_EQ(db({0, 0, 3, 3}, 1, {0, 0, 1, 1}, 2), 0.0);     // every S_i = 0
  EXPECT_EQ(db({0, 1, 0, 1}, 1, {0, 0, 1, 1}, 2), 0.0);     // identical centroids
  EXPECT_TRUE(std::isnan(db({0, 1, 2}, 1, {0, 0, 0}, 1)));  // one cluster
  EXPECT_TRUE(std::isnan(db({0, 1, 2}, 1, {0, 1, 2}, 3)));  // singletons only
  // A singleton cluster (S = 0) among others is fine: {0, 2} and {10}: (1 + 0) / 9 for both.
  EXPECT_NEAR(db({0, 2, 10}, 1, {0, 0, 1}, 2), 1.0 / 9.0, 1e-12);
}

TEST(DaviesBouldin, WeightsCountAsCopies) {
  const std::vector<float> x = {0, 0, 1, 0, 4, 1, 5, 2, 9, 9};
  const double weighted = db(x, 2, {0, 0, 1, 1, 1}, 2, {2, 1, 1, 3, 1});
  const std::vector<float> copies = {0, 0, 0, 0, 1, 0, 4, 1, 5, 2, 5, 2, 5, 2, 9, 9};
  EXPECT_NEAR(weighted, db(copies, 2, {0, 0, 0, 1, 1, 1, 1, 1}, 2), 1e-12);
}

TEST(Stability, DenseAdjustedRandMatchesTheReference) {
  std::mt19937_64 rng(11);
  std::vector<int32_t> a(2000), b(2000);
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<int32_t>(rng() % 4);
    b[i] = rng() % 10 < 7 ? a[i] : static_cast<int32_t>(rng() % 4);
  }
  EXPECT_NEAR(adjusted_rand_index_dense(a.data(), b.data(), 2000, 4), adjusted_rand_index(a, b), 1e-12);
  // Renamed labels agree perfectly; trivial partitions are 1 by convention.
  std::vector<int32_t> renamed(a.size());
  for (size_t i = 0; i < a.size(); ++i) renamed[i] = 3 - a[i];
  EXPECT_DOUBLE_EQ(stability_mean_ari({a, renamed, a}, 4), 1.0);
  const std::vector<int32_t> zeros(10, 0);
  EXPECT_EQ(adjusted_rand_index_dense(zeros.data(), zeros.data(), 10, 1), 1.0);
  EXPECT_TRUE(std::isnan(stability_mean_ari({a}, 4)));
}

}  // namespace
}  // namespace kseg
