// The CPU backend's passes against naive double-precision references on the same inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "host/kmeans/cpu_backend.hpp"
#include "synthetic.hpp"

namespace kseg {
namespace {

struct Reference {
  std::vector<int32_t> labels;
  std::vector<double> sums, weights;
  std::vector<bool> clear;  // the best centroid beats the second by a margin, so float rounding cannot flip it
  double inertia = 0.0;
};

Reference reference_pass(const std::vector<float>& x, const std::vector<float>& w, int64_t n, int64_t d,
                         const std::vector<float>& c, int64_t k) {
  Reference ref;
  ref.sums.assign(static_cast<size_t>(k * d), 0.0);
  ref.weights.assign(static_cast<size_t>(k), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    double best = std::numeric_limits<double>::infinity(), second = best;
    int32_t best_j = 0;
    for (int64_t j = 0; j < k; ++j) {
      double s = 0.0;
      for (int64_t t = 0; t < d; ++t)
        s += (double(x[i * d + t]) - c[j * d + t]) * (double(x[i * d + t]) - c[j * d + t]);
      if (s < best) {
        second = best;
        best = s;
        best_j = static_cast<int32_t>(j);
      } else {
        second = std::min(second, s);
      }
    }
    ref.labels.push_back(best_j);
    ref.clear.push_back(second - best > 1e-3 * (1.0 + best));
    const double wi = w.empty() ? 1.0 : w[i];
    ref.inertia += wi * best;
    ref.weights[best_j] += wi;
    for (int64_t t = 0; t < d; ++t) ref.sums[best_j * d + t] += wi * x[i * d + t];
  }
  return ref;
}

void expect_pass_matches(int64_t n, int64_t d, int64_t k, bool weighted, uint64_t seed) {
  SCOPED_TRACE("n=" + std::to_string(n) + " d=" + std::to_string(d) + " k=" + std::to_string(k) +
               " seed=" + std::to_string(seed));
  std::vector<float> x = testing::uniform_matrix(n, d, seed);
  std::vector<float> c = testing::uniform_matrix(k, d, seed + 1);
  std::vector<float> w;
  if (weighted)
    for (int64_t i = 0; i < n; ++i) w.push_back(static_cast<float>(1 + i % 3));
  DataView view{x.data(), weighted ? w.data() : nullptr, n, d};
  CpuBackend backend(view, 2);
  LloydPartials p;
  backend.lloyd_pass(c.data(), k, p);
  const Reference ref = reference_pass(x, w, n, d, c, k);
  std::vector<int32_t> labels(static_cast<size_t>(n));
  backend.labels_get(labels.data());
  int64_t clear_rows = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (!ref.clear[i]) continue;
    ++clear_rows;
    ASSERT_EQ(labels[i], ref.labels[i]) << "row " << i;
  }
  EXPECT_GT(clear_rows, n * 9 / 10);
  // Sums and weights agree where every row's label agrees with the reference.
  if (clear_rows == n) {
    for (int64_t j = 0; j < k; ++j) {
      EXPECT_DOUBLE_EQ(p.weights[j], ref.weights[j]);
      for (int64_t t = 0; t < d; ++t)
        EXPECT_NEAR(p.sums[j * d + t], ref.sums[j * d + t], 1e-9 * (1.0 + std::abs(ref.sums[j * d + t])));
    }
  }
  EXPECT_NEAR(p.inertia, ref.inertia, 1e-5 * ref.inertia);
  EXPECT_EQ(p.n_changed, n);  // first pass: every label is new
  backend.lloyd_pass(c.data(), k, p);
  EXPECT_EQ(p.n_changed, 0);
}

TEST(CpuBackend, LloydPassMatchesDoubleReference) {
  expect_pass_matches(1000, 8, 5, false, 1);
  expect_pass_matches(5003, 17, 13, true, 2);   // n not a multiple of any tile or block
  expect_pass_matches(9000, 1, 4, false, 3);    // d = 1
  expect_pass_matches(700, 32, 1, false, 4);    // k = 1
  expect_pass_matches(300, 3, 300, false, 5);   // k = n
  expect_pass_matches(2000, 4, 1500, true, 6);  // k large: tile rows shrink
}

TEST(CpuBackend, AssignGivesNearestCentroidAndInertia) {
  const int64_t n = 3001, d = 6, k = 9;
  std::vector<float> x = testing::uniform_matrix(n, d, 11);
  std::vector<float> c = testing::uniform_matrix(k, d, 12);
  CpuBackend backend(DataView{x.data(), nullptr, n, d}, 2);
  const double inertia = backend.assign(c.data(), k);
  const Reference ref = reference_pass(x, {}, n, d, c, k);
  std::vector<float> dist(static_cast<size_t>(n));
  backend.distances_get(dist.data());
  std::vector<int32_t> labels(static_cast<size_t>(n));
  backend.labels_get(labels.data());
  for (int64_t i = 0; i < n; ++i) {
    if (ref.clear[i]) {
      ASSERT_EQ(labels[i], ref.labels[i]);
    }
    double s = 0.0;
    for (int64_t t = 0; t < d; ++t) s += std::pow(double(x[i * d + t]) - c[labels[i] * d + t], 2);
    EXPECT_NEAR(dist[i], s, 1e-5 * (1.0 + s));
  }
  EXPECT_NEAR(inertia, ref.inertia, 1e-5 * ref.inertia);
}

TEST(CpuBackend, TiesGoToLowestCentroid) {
  std::vector<float> x = {0.0f, 0.0f, 2.0f, 2.0f};
  std::vector<float> c = {1.0f, 1.0f, 1.0f, 1.0f, -1.0f, -1.0f};  // centroids 0 and 1 identical
  CpuBackend backend(DataView{x.data(), nullptr, 2, 2}, 1);
  backend.assign(c.data(), 3);
  std::vector<int32_t> labels(2);
  backend.labels_get(labels.data());
  EXPECT_EQ(labels[0], 0);
  EXPECT_EQ(labels[1], 0);
}

TEST(CpuBackend, SeedingPassesMatchReference) {
  const int64_t n = 4097, d = 5;
  std::vector<float> x = testing::uniform_matrix(n, d, 21);
  std::vector<float> w(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) w[i] = i % 7 == 0 ? 0.0f : 0.5f;
  CpuBackend backend(DataView{x.data(), w.data(), n, d}, 2);
  double total_w = 0.0;
  for (float v : w) total_w += v;
  EXPECT_NEAR(backend.seeding_reset(), total_w, 1e-9 * total_w);
  std::vector<float> centre(x.begin() + 10 * d, x.begin() + 11 * d);
  const double potential = backend.seeding_update(centre.data(), 1);
  std::vector<double> min_dist(static_cast<size_t>(n));
  double expected = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    double s = 0.0;
    for (int64_t t = 0; t < d; ++t) s += std::pow(double(x[i * d + t]) - centre[t], 2);
    min_dist[i] = s;
    expected += w[i] * s;
  }
  EXPECT_NEAR(potential, expected, 1e-5 * expected);
  std::vector<float> cands(x.begin() + 20 * d, x.begin() + 22 * d);
  double cost[2];
  backend.seeding_candidates_cost(cands.data(), 2, cost);
  for (int j = 0; j < 2; ++j) {
    double e = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      double s = 0.0;
      for (int64_t t = 0; t < d; ++t) s += std::pow(double(x[i * d + t]) - cands[j * d + t], 2);
      e += w[i] * std::min(min_dist[i], s);
    }
    EXPECT_NEAR(cost[j], e, 1e-5 * e);
  }
  // Sampling by weight: target 0 lands on the first row with weight; zero-weight rows are never chosen.
  const double targets[3] = {0.0, 0.49, total_w * 0.999999};
  int64_t rows[3];
  backend.rows_sample(targets, 3, true, rows);
  EXPECT_EQ(rows[0], 1);
  EXPECT_EQ(rows[1], 1);
  EXPECT_NE(rows[2] % 7, 0);
  EXPECT_GE(rows[2], n - 8);
}

// The update for a candidate just scored reuses the distances of the cost pass: it must give exactly what a backend
// that computes them again gives (potential and, through a draw, every row's distance), for several shapes.
TEST(CpuBackend, SeedingUpdateFromScoredCandidatesEqualsComputingAgain) {
  for (const int64_t d : {3, 16, 41}) {
    const int64_t n = 9001, m = 5;
    const std::vector<float> x = testing::uniform_matrix(n, d, 7 + d);
    std::vector<float> w(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) w[i] = static_cast<float>(1 + i % 3);
    CpuBackend reusing(DataView{x.data(), w.data(), n, d}, 2), computing(DataView{x.data(), w.data(), n, d}, 2);
    reusing.seeding_reset();
    computing.seeding_reset();
    const std::vector<float> first(x.begin() + 5 * d, x.begin() + 6 * d);
    EXPECT_EQ(reusing.seeding_update(first.data(), 1), computing.seeding_update(first.data(), 1));
    for (int step = 0; step < 3; ++step) {
      const std::vector<float> cands(x.begin() + (100 + 37 * step) * d, x.begin() + (100 + 37 * step + m) * d);
      std::vector<double> cost(static_cast<size_t>(m));
      reusing.seeding_candidates_cost(cands.data(), m, cost.data());
      const int64_t chosen = (step * 2) % m;
      const double p_reused = reusing.seeding_update(cands.data() + chosen * d, 1);
      const double p_computed = computing.seeding_update(cands.data() + chosen * d, 1);
      ASSERT_EQ(p_reused, p_computed) << "d " << d << " step " << step;
    }
    // The rows' distances agree too: the same targets draw the same rows.
    std::vector<double> targets;
    for (int t = 1; t < 50; ++t)
      targets.push_back((static_cast<double>(t) / 50.0) * reusing.seeding_update(first.data(), 1));
    std::vector<int64_t> a(targets.size()), b(targets.size());
    computing.seeding_update(first.data(), 1);
    reusing.rows_sample(targets.data(), static_cast<int64_t>(targets.size()), false, a.data());
    computing.rows_sample(targets.data(), static_cast<int64_t>(targets.size()), false, b.data());
    EXPECT_EQ(a, b) << "d " << d;
  }
}

}  // namespace
}  // namespace kseg
