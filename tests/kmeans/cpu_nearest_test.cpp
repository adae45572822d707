// The nearest-centroid kernels of every set this CPU runs (avx512, avx2, scalar) against a naive double reference
// and against their one-centroid-at-a-time form (same bits), over shapes that hit every panel width, partial register
// blocks and several panels.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "host/kmeans/cpu_backend.hpp"
#include "host/kmeans/cpu_kernels.hpp"
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
void expect_nearest_matches(const CpuKernels& kernels, int64_t n, int64_t d, int64_t k, uint64_t seed,
                            int64_t& clear_rows) {
  SCOPED_TRACE("n=" + std::to_string(n) + " d=" + std::to_string(d) + " k=" + std::to_string(k) +
               " seed=" + std::to_string(seed) + " kernels=" + kernels.name);
  const std::vector<float> x = testing::uniform_matrix(n, d, seed);
  const std::vector<float> c = testing::uniform_matrix(k, d, seed + 1);
  const std::vector<float> norms = norms_of(x, n, d);
  const PackedCentroids packed(c.data(), k, d);
  std::vector<int32_t> labels(static_cast<size_t>(n)), labels_scalar(static_cast<size_t>(n));
  std::vector<float> dists(static_cast<size_t>(n)), dists_scalar(static_cast<size_t>(n));
  kernels.nearest(packed, x.data(), norms.data(), n, labels.data(), dists.data());
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
  for (const CpuKernels* kernels : cpu_kernels_supported()) {
    uint64_t seed = 100;
    int64_t rows = 0, clear_rows = 0;
    for (int64_t k : {1, 5, 16, 17, 33, 48, 64, 65, 130, 200})
      for (int64_t d : {1, 3, 8, 32, 37})
        for (int64_t n : {1, 7, 13, 61}) {
          expect_nearest_matches(*kernels, n, d, k, ++seed, clear_rows);
          rows += n;
        }
    EXPECT_GT(clear_rows, rows * 7 / 10);  // d = 1 with many centroids has many near-ties
    int64_t clear_large = 0;
    expect_nearest_matches(*kernels, 2000, 70, 100, 7, clear_large);
    EXPECT_GT(clear_large, 2000 * 9 / 10);
  }
}

TEST(NearestCentroids, CentroidDistancesAreTheExpandedFormulaBitForBit) {
  // d <= 8 takes the 16 × 8 transposition, wider rows the 16 × 16 one (a full block and a partial one of each).
  for (const CpuKernels* kernels : cpu_kernels_supported())
    for (int64_t d : {1, 5, 8, 19})
      for (int64_t k : {1, 6, 13, 25, 70}) {
        const int64_t n = 45;  // a full block of 32 rows and a partial one
        SCOPED_TRACE("k=" + std::to_string(k) + " d=" + std::to_string(d) + " kernels=" + kernels->name);
        const std::vector<float> x = testing::uniform_matrix(n, d, 31);
        const std::vector<float> c = testing::uniform_matrix(k, d, 32);
        const std::vector<float> norms = norms_of(x, n, d);
        const PackedCentroids packed(c.data(), k, d);
        const int64_t stride = n + 3;
        std::vector<float> out(static_cast<size_t>(k * stride), -1.0f);
        kernels->distances(packed, x.data(), norms.data(), n, out.data(), stride);
        for (int64_t j = 0; j < k; ++j) {
          float c_norm = 0.0f;
          for (int64_t t = 0; t < d; ++t) c_norm = std::fma(c[j * d + t], c[j * d + t], c_norm);
          for (int64_t i = 0; i < n; ++i) {
            float dot = 0.0f;
            for (int64_t t = 0; t < d; ++t) dot = std::fma(x[i * d + t], c[j * d + t], dot);
            const float expected = std::max((norms[i] - (dot + dot)) + c_norm, 0.0f);
            ASSERT_EQ(out[j * stride + i], expected) << "row " << i << " centroid " << j;
          }
          for (int64_t i = n; i < stride; ++i) ASSERT_EQ(out[j * stride + i], -1.0f);  // nothing written past rows
        }
      }
}

TEST(NearestCentroids, SeedingCostsAcrossPanelsMatchDoubleReference) {
  const int64_t n = 3001, d = 7, m = 70;
  const std::vector<float> x = testing::uniform_matrix(n, d, 41);
  std::vector<float> w(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) w[i] = static_cast<float>(i % 4) * 0.5f;
  for (const CpuKernels* kernels : cpu_kernels_supported()) {
    SCOPED_TRACE(kernels->name);
    CpuBackend backend(DataView{x.data(), w.data(), n, d}, 2, CpuPassMode::full, kernels);
    backend.seeding_reset();
    const std::vector<float> centres(x.begin(), x.begin() + 3 * d);  // rows 0..2
    const std::vector<float> cands(x.begin() + 100 * d, x.begin() + (100 + m) * d);
    auto sq = [&](int64_t i, const float* c) {
      double s = 0.0;
      for (int64_t t = 0; t < d; ++t) s += std::pow(double(x[i * d + t]) - c[t], 2);
      return s;
    };
    std::vector<double> min_dist(static_cast<size_t>(n));
    double expected_potential = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      min_dist[i] = std::min({sq(i, &centres[0]), sq(i, &centres[d]), sq(i, &centres[2 * d])});
      expected_potential += w[i] * min_dist[i];
    }
    EXPECT_NEAR(backend.seeding_update(centres.data(), 3), expected_potential, 1e-5 * expected_potential);
    std::vector<double> cost(static_cast<size_t>(m));
    backend.seeding_candidates_cost(cands.data(), m, cost.data());
    for (int64_t j = 0; j < m; ++j) {
      double e = 0.0;
      for (int64_t i = 0; i < n; ++i) e += w[i] * std::min(min_dist[i], sq(i, &cands[j * d]));
      EXPECT_NEAR(cost[j], e, 1e-5 * e) << "candidate " << j;
    }
  }
}

TEST(NearestCentroids, TiesGoToLowestIndexInBothLayouts) {
  // k = 150: centroids in lanes (ties across lanes, vectors and panels); k = 25: rows in lanes (ties across the
  // blocks of 12 centroids and the single ones).
  for (const CpuKernels* kernels : cpu_kernels_supported())
    for (int64_t k : {150, 25}) {
      SCOPED_TRACE("k=" + std::to_string(k) + " kernels=" + kernels->name);
      const int64_t d = 2;
      std::vector<float> c(static_cast<size_t>(k * d), 5.0f);  // all far away
      for (int64_t j : {140, 70, 24, 20, 13, 3})
        if (j < k) c[j * d] = c[j * d + 1] = 0.5f;  // the same centroid at several indices
      // 37 rows at the origin: full register blocks and a tail in both layouts.
      const int64_t n = 37;
      const std::vector<float> x(static_cast<size_t>(n * d), 0.0f);
      const std::vector<float> norms(static_cast<size_t>(n), 0.0f);
      std::vector<int32_t> labels(static_cast<size_t>(n));
      std::vector<float> dists(static_cast<size_t>(n));
      kernels->nearest(PackedCentroids(c.data(), k, d), x.data(), norms.data(), n, labels.data(), dists.data());
      for (int64_t r = 0; r < n; ++r) {
        EXPECT_EQ(labels[r], 3) << "row " << r;
        EXPECT_EQ(dists[r], 0.5f);
      }
      const std::vector<float> same(static_cast<size_t>(k * d), 1.0f);  // all identical: the first wins
      kernels->nearest(PackedCentroids(same.data(), k, d), x.data(), norms.data(), n, labels.data(), dists.data());
      for (int64_t r = 0; r < n; ++r) EXPECT_EQ(labels[r], 0);
    }
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
  nearest_centroids_scalar(packed, x.data(), norms.data(), 2, labels_scalar, dists_scalar);
  for (const CpuKernels* kernels : cpu_kernels_supported()) {
    SCOPED_TRACE(kernels->name);
    kernels->nearest(packed, x.data(), norms.data(), 2, labels, dists);
    EXPECT_EQ(labels[0], 0);
    EXPECT_EQ(dists[0], 0.0f);
    for (int r = 0; r < 2; ++r) {
      EXPECT_EQ(labels[r], labels_scalar[r]);
      EXPECT_LT(labels[r], k);
    }
  }
}

}  // namespace
}  // namespace kseg
