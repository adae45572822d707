// k-means|| seeding: reproducible, independent of threads, rows as centres, quality on planted blobs next to
// k-means++, sample weights (zero weights, scaled weights, integer weights against duplicated rows), edge sizes, and
// the exact cross-rank sums it relies on.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>

#include "host/error.hpp"
#include "host/comm/communicator.hpp"
#include "host/kmeans/cpu_backend.hpp"
#include "host/kmeans/kmeans_fit.hpp"
#include "host/kmeans/seeding.hpp"
#include "host/metrics/adjusted_rand.hpp"
#include "synthetic.hpp"

namespace kseg {
namespace {

KMeansParams parallel_params(int64_t k) {
  KMeansParams params;
  params.n_clusters = k;
  params.init = InitMethod::kmeans_parallel;
  params.n_threads = 2;
  return params;
}

std::vector<float> seeds(const std::vector<float>& x, const std::vector<float>& w, int64_t d, int64_t k, uint64_t seed,
                         int threads = 2) {
  const int64_t n = static_cast<int64_t>(x.size()) / d;
  const float* weights = w.empty() ? nullptr : w.data();
  CpuBackend backend(DataView{x.data(), weights, n, d}, threads);
  KMeansParams params = parallel_params(k);
  params.n_threads = threads;  // the host-side loops too
  return seeds_kmeans_parallel(backend, weights, params, seed);
}

// Σ w·min_j ‖x − c_j‖²: the potential the seeds leave.
double seeding_inertia(const std::vector<float>& x, int64_t d, const std::vector<float>& centres) {
  const int64_t n = static_cast<int64_t>(x.size()) / d;
  CpuBackend backend(DataView{x.data(), nullptr, n, d}, 2);
  return backend.assign(centres.data(), static_cast<int64_t>(centres.size()) / d);
}

bool is_row(const std::vector<float>& x, int64_t d, const float* centre) {
  for (size_t i = 0; i + static_cast<size_t>(d) <= x.size(); i += static_cast<size_t>(d))
    if (std::equal(centre, centre + d, x.begin() + static_cast<std::ptrdiff_t>(i))) return true;
  return false;
}

TEST(KMeansParallel, ReproducibleDistinctRowsAnyThreadCount) {
  const std::vector<float> x = testing::uniform_matrix(3000, 4, 11);
  const std::vector<float> a = seeds(x, {}, 4, 30, 7, 1);
  EXPECT_EQ(a, seeds(x, {}, 4, 30, 7, 2));
  EXPECT_EQ(a, seeds(x, {}, 4, 30, 7, 3));
  EXPECT_EQ(a, seeds(x, {}, 4, 30, 7, 8));
  EXPECT_NE(a, seeds(x, {}, 4, 30, 8, 2));
  std::set<std::vector<float>> distinct;
  for (int j = 0; j < 30; ++j) {
    EXPECT_TRUE(is_row(x, 4, a.data() + j * 4)) << "centre " << j << " is not a data row";
    distinct.insert(std::vector<float>(a.begin() + j * 4, a.begin() + (j + 1) * 4));
  }
  EXPECT_EQ(distinct.size(), 30u);
}

// Planted blobs: after Lloyd the planted labels come back (ARI >= 0.99), and the seeds' own potential is of the
// order of k-means++'s (Bahmani et al. report it within a small factor), far below random rows'.
TEST(KMeansParallel, PlantedBlobsQualityNextToKMeansPlusPlus) {
  double parallel_sum = 0.0, plus_plus_sum = 0.0, random_sum = 0.0;
  for (uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    const testing::Blobs b = testing::blobs_make(8000, 8, 10, seed);
    KMeansParams params = parallel_params(10);
    params.seed = seed;
    const DataView view{b.x.data(), nullptr, b.n, b.d};
    CpuBackend backend(view, 2);
    const KMeansResult fit =
        kmeans_fit(backend, view, params, 1e-4 * feature_variance_mean(view, single_process()), single_process());
    EXPECT_GE(adjusted_rand_index(fit.labels, b.truth), 0.99);
    parallel_sum += seeding_inertia(b.x, b.d, seeds_kmeans_parallel(backend, nullptr, params, seed));
    plus_plus_sum += seeding_inertia(b.x, b.d, seeds_kmeans_plus_plus(backend, 10, seed, 0));
    random_sum += seeding_inertia(b.x, b.d, seeds_random(backend, 10, seed));
  }
  std::printf("mean seeding inertia: k-means|| %.6g, k-means++ %.6g, random %.6g\n", parallel_sum / 5,
              plus_plus_sum / 5, random_sum / 5);
  EXPECT_LE(parallel_sum, 1.5 * plus_plus_sum);
  EXPECT_LT(parallel_sum, 0.5 * random_sum);
}

// Rows of weight 0 are never drawn: appended after the others (so the other rows keep their global indices and
// random numbers), they leave the centres exactly as without them.
TEST(KMeansParallel, ZeroWeightRowsChangeNothing) {
  const testing::Blobs b = testing::blobs_make(2000, 3, 5, 21);
  std::vector<float> with_far = b.x;
  std::vector<float> w(static_cast<size_t>(b.n), 1.0f);
  for (int i = 0; i < 50; ++i) {
    for (int t = 0; t < 3; ++t) with_far.push_back(1000.0f + static_cast<float>(i));
    w.push_back(0.0f);
  }
  for (uint64_t seed : {3u, 4u, 5u}) EXPECT_EQ(seeds(b.x, {}, 3, 5, seed), seeds(with_far, w, 3, 5, seed));
}

// The sampling probabilities l·w·D²/φ and the candidate weights are invariant under scaling every weight by the same
// power of two (exact in floating point), so the centres are identical.
TEST(KMeansParallel, ScaledWeightsGiveTheSameCentres) {
  const testing::Blobs b = testing::blobs_make(3000, 5, 7, 8);
  std::vector<float> w(static_cast<size_t>(b.n)), w4(w.size());
  std::mt19937_64 rng(8);
  std::uniform_int_distribution<int> pick(1, 9);
  for (size_t i = 0; i < w.size(); ++i) {
    w[i] = static_cast<float>(pick(rng));
    w4[i] = 4.0f * w[i];
  }
  EXPECT_EQ(seeds(b.x, w, 5, 7, 12), seeds(b.x, w4, 5, 7, 12));
}

// Integer weights against duplicated rows. Exact equality is impossible: a row of weight 2 is one coin flip with
// probability 2p where its two copies are two flips with probability p each, and the copies have their own random
// numbers. What must hold is the distribution: two far groups, A (10 rows, weight 9 each) and B (90 rows, weight 1);
// with k = 1 the centre lies in A with probability 90 / 180 = 1/2, weighted or with A's rows repeated 9 times, and
// 10 / 100 without the weights. Over 400 seeds (standard deviation 0.025) each share is checked to ±0.1.
TEST(KMeansParallel, IntegerWeightsMatchDuplicatedRowsInDistribution) {
  std::vector<float> x, w, duplicated;
  for (int i = 0; i < 10; ++i) {
    x.push_back(static_cast<float>(i) * 0.01f);
    w.push_back(9.0f);
    for (int c = 0; c < 9; ++c) duplicated.push_back(static_cast<float>(i) * 0.01f);
  }
  for (int i = 0; i < 90; ++i) {
    x.push_back(100.0f + static_cast<float>(i) * 0.01f);
    w.push_back(1.0f);
    duplicated.push_back(100.0f + static_cast<float>(i) * 0.01f);
  }
  int weighted_in_a = 0, duplicated_in_a = 0, unweighted_in_a = 0;
  const int n_seeds = 400;
  for (int s = 0; s < n_seeds; ++s) {
    const uint64_t seed = 1000 + static_cast<uint64_t>(s);
    weighted_in_a += seeds(x, w, 1, 1, seed)[0] < 50.0f;
    duplicated_in_a += seeds(duplicated, {}, 1, 1, seed)[0] < 50.0f;
    unweighted_in_a += seeds(x, {}, 1, 1, seed)[0] < 50.0f;
  }
  const double n = n_seeds;
  EXPECT_NEAR(weighted_in_a / n, 0.5, 0.1);
  EXPECT_NEAR(duplicated_in_a / n, 0.5, 0.1);
  EXPECT_NEAR(unweighted_in_a / n, 0.1, 0.06);
}

TEST(KMeansParallel, EdgeSizes) {
  // n = k: every row becomes a centre.
  const std::vector<float> x = testing::uniform_matrix(12, 2, 3);
  std::vector<float> c = seeds(x, {}, 2, 12, 1);
  std::set<std::vector<float>> distinct;
  for (int j = 0; j < 12; ++j) distinct.insert(std::vector<float>(c.begin() + j * 2, c.begin() + (j + 1) * 2));
  EXPECT_EQ(distinct.size(), 12u);
  // k = 1, d = 1.
  EXPECT_EQ(seeds({1.0f, 2.0f, 3.0f}, {}, 1, 1, 5).size(), 1u);
  // Fewer distinct rows than k (3 distinct, k = 5): still k centres, all of them rows (k-means++ fallback).
  const std::vector<float> few = {0, 0, 0, 1, 1, 1, 1, 2, 2, 2};
  c = seeds(few, {}, 1, 5, 9);
  ASSERT_EQ(c.size(), 5u);
  for (float v : c) EXPECT_TRUE(v == 0.0f || v == 1.0f || v == 2.0f);
  // Bad parameters are refused.
  CpuBackend backend(DataView{x.data(), nullptr, 12, 2}, 1);
  KMeansParams params = parallel_params(3);
  params.init_rounds = 0;
  EXPECT_THROW(seeds_kmeans_parallel(backend, nullptr, params, 1), UsageError);
}

// The row random numbers depend only on (seed, round, row) and look uniform.
TEST(KMeansParallel, RowUniformIsCounterBased) {
  EXPECT_EQ(row_uniform(1, 2, 3), row_uniform(1, 2, 3));
  EXPECT_NE(row_uniform(1, 2, 3), row_uniform(1, 2, 4));
  EXPECT_NE(row_uniform(1, 2, 3), row_uniform(1, 3, 3));
  EXPECT_NE(row_uniform(1, 2, 3), row_uniform(2, 2, 3));
  double sum = 0.0;
  int below_tenth = 0;
  for (uint64_t i = 0; i < 100000; ++i) {
    const double u = row_uniform(42, 1, i);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    below_tenth += u < 0.1;
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.005);
  EXPECT_NEAR(below_tenth / 100000.0, 0.1, 0.005);
}

// ExactSums: the same total whatever the order (so whatever the split into ranks, integer sums being associative),
// exact for integers, and within its stated bound otherwise.
TEST(ExactSums, OrderIndependentAndAccurate) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> values(10000);
  for (double& v : values) v = u(rng) * u(rng) * 1e6;
  const double max_value = *std::max_element(values.begin(), values.end());
  ExactSums forward(1, max_value), shuffled(1, max_value);
  for (double v : values) forward.add(0, v);
  std::vector<double> copy = values;
  std::shuffle(copy.begin(), copy.end(), rng);
  for (double v : copy) shuffled.add(0, v);
  const double total = forward.totals(single_process())[0];
  EXPECT_EQ(total, shuffled.totals(single_process())[0]);
  ExactSums first_half(1, max_value), second_half(1, max_value);  // as two threads or ranks would hold them
  for (size_t i = 0; i < copy.size(); ++i) (i < 3333 ? first_half : second_half).add(0, copy[i]);
  second_half.merge(first_half);
  EXPECT_EQ(total, second_half.totals(single_process())[0]);
  long double reference = 0.0L;
  for (double v : values) reference += v;
  EXPECT_NEAR(total, static_cast<double>(reference), 1e-6 * static_cast<double>(reference));
  ExactSums counts(2, 3.0);
  for (int i = 0; i < 1000; ++i) counts.add(static_cast<size_t>(i % 2), static_cast<double>(i % 4));
  EXPECT_EQ(counts.totals(single_process()), (std::vector<double>{500.0 * 1.0, 500.0 * 2.0}));
}

}  // namespace
}  // namespace kseg
