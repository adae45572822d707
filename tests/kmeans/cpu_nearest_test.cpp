// The nearest-centroid kernel against a naive double reference and against its own one-centroid-at-a-time form
// (same bits), over shapes that hit every panel width, partial register blocks and several panels.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "host/kmeans/cpu_nearest.hpp"
#include "synthetic.hpp"

namespace kseg {
namespace {

std::vector<float> norms_of(const std::vector<float>& x, int64_t n, int64_t d) {
  std::vector<float> norms(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    float s = 0.0f;
    for (int64_t t = 0; t < d; ++t) s = std::fma(x[i * d + t], x[i * d + t], s);
    norms[i] = s;
  }
  return norms;
}

// Adds to clear_rows how many rows had a clear nearest centroid (those are checked against the reference).
void expect_nearest_matches(int64_t n, int64_t d, int64_t k, uint64_t seed, int64_t& clear_rows) {
  SCOPED_TRACE("n=" + std::to_string(n) + " d=" + std::to_string(d) + " k=" + std::to_string(k) +
               " seed=" + std::to_string(seed) + " isa=" + nearest_centroids_isa());
  const std::vector<float> x = testing::uniform_matrix(n, d, seed);
  const std::vector<float> c = testing::uniform_matrix(k, d, seed + 1);
  const std::vector<float> norms = norms_of(x, n, d);
  const PackedCentroids packed(c.data(), k, d);
  std::vector<int32_t> labels(static_cast<size_t>(n)), labels_scalar(static_cast<size_t>(n));
  std::vector<float> dists(static_cast<size_t>(n)), dists_scalar(static_cast<size_t>(n));
  nearest_centroids(packed, x.data(), norms.data(), n, labels.data(), dists.data());
  nearest_centroids_scalar(packed, x.data(), norms.data(), n, labels_scalar.data(), dists_scalar.data());
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_EQ(labels[i], labels_scalar[i]) << "row " << i;
    ASSERT_EQ(dists[i], dists_scalar[i]) << "row " << i;
    double best = std::numeric_limits<double>::infinity(), second = best;
    int32_t best_j = 0;
    for (int64_t j = 0; j < k; ++j) {
      double s = 0.0;
      for (int64_t t = 0; t < d; ++t) s += std::pow(double(x[i * d + t]) - c[j * d + t], 2);
      if (s < best) {
        second = best;
        best = s;
        best_j = static_cast<int32_t>(j);
      } else {
        second = std::min(second, s);
      }
    }
    EXPECT_NEAR(dists[i], best, 1e-5 * (1.0 + best)) << "row " << i;
    if (second - best > 1e-3 * (1.0 + best)) {
      ++clear_rows;
      ASSERT_EQ(labels[i], best_j) << "row " << i;
    }
  }
}

TEST(NearestCentroids, MatchesDoubleReferenceOnEveryPanelShape) {
  uint64_t seed = 100;
  int64_t rows = 0, clear_rows = 0;
  for (int64_t k : {1, 5, 16, 17, 33, 48, 64, 65, 130, 200})
    for (int64_t d : {1, 3, 8, 32, 37})
      for (int64_t n : {1, 7, 13, 61}) {
        expect_nearest_matches(n, d, k, ++seed, clear_rows);
        rows += n;
      }
  EXPECT_GT(clear_rows, rows * 7 / 10);  // d = 1 with many centroids has many near-ties
  int64_t clear_large = 0;
  expect_nearest_matches(2000, 70, 100, 7, clear_large);
  EXPECT_GT(clear_large, 2000 * 9 / 10);
}

TEST(NearestCentroids, TiesGoToLowestIndexAcrossLanesVectorsAndPanels) {
  const int64_t d = 2, k = 150;
  std::vector<float> c(static_cast<size_t>(k * d), 5.0f);  // all far away
  // Centroid 0.5,0.5 repeated at indices 3 (lane 3), 20 (second vector), 70 and 140 (later panels).
  for (int64_t j : {140, 70, 20, 3}) c[j * d] = c[j * d + 1] = 0.5f;
  const PackedCentroids packed(c.data(), k, d);
  // 13 rows: a full register block of 12 and a tail row, all at the origin.
  const std::vector<float> x(13 * d, 0.0f);
  const std::vector<float> norms(13, 0.0f);
  std::vector<int32_t> labels(13);
  std::vector<float> dists(13);
  nearest_centroids(packed, x.data(), norms.data(), 13, labels.data(), dists.data());
  for (int r = 0; r < 13; ++r) {
    EXPECT_EQ(labels[r], 3) << "row " << r;
    EXPECT_EQ(dists[r], 0.5f);
  }
  // With all centroids identical the first wins.
  const std::vector<float> same(static_cast<size_t>(k * d), 1.0f);
  nearest_centroids(PackedCentroids(same.data(), k, d), x.data(), norms.data(), 13, labels.data(), dists.data());
  for (int r = 0; r < 13; ++r) EXPECT_EQ(labels[r], 0);
}

TEST(NearestCentroids, NonFiniteRowsFollowTheScalarClamp) {
  // A NaN row gets distance 0 to every centroid (the clamp maps NaN to 0), so centroid 0; padding never wins.
  const int64_t d = 3, k = 5;
  const std::vector<float> c = testing::uniform_matrix(k, d, 3);
  const PackedCentroids packed(c.data(), k, d);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> x = {nan, 0.0f, 0.0f, inf, 0.0f, 0.0f};
  const std::vector<float> norms = {nan, inf};
  int32_t labels[2], labels_scalar[2];
  float dists[2], dists_scalar[2];
  nearest_centroids(packed, x.data(), norms.data(), 2, labels, dists);
  nearest_centroids_scalar(packed, x.data(), norms.data(), 2, labels_scalar, dists_scalar);
  EXPECT_EQ(labels[0], 0);
  EXPECT_EQ(dists[0], 0.0f);
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(labels[r], labels_scalar[r]);
    EXPECT_LT(labels[r], k);
  }
}

}  // namespace
}  // namespace kseg
