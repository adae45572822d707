// The driver over the CPU backend: seeding, convergence, repair, weights, determinism and known answers.
#include <gtest/gtest.h>
#include <omp.h>

#include <set>

#include "host/error.hpp"
#include "host/kmeans/cpu_backend.hpp"
#include "host/kmeans/kmeans_fit.hpp"
#include "host/kmeans/seeding.hpp"
#include "host/metrics/adjusted_rand.hpp"
#include "synthetic.hpp"

namespace kseg {
namespace {

KMeansResult fit(const std::vector<float>& x, const float* w, int64_t n, int64_t d, const KMeansParams& params,
                 int threads = 2) {
  DataView view{x.data(), w, n, d};
  CpuBackend backend(view, threads);
  SingleProcess comm;
  return kmeans_fit(backend, view, params, params.tol * feature_variance_mean(view, comm), comm);
}

TEST(KMeansFit, RecoversWellSeparatedBlobs) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    testing::Blobs b = testing::blobs_make(6000, 10, 6, seed);
    KMeansParams params;
    params.n_clusters = 6;
    params.seed = seed;
    params.n_init = 3;
    KMeansResult r = fit(b.x, nullptr, b.n, b.d, params);
    EXPECT_GE(adjusted_rand_index(r.labels, b.truth), 0.99);
    EXPECT_TRUE(r.runs[r.best_run].converged);
    for (const KMeansRun& run : r.runs) EXPECT_GE(run.inertia, r.inertia);
  }
}

TEST(KMeansFit, KMeansPlusPlusChoosesDistinctRowsReproducibly) {
  std::vector<float> x = testing::uniform_matrix(2000, 3, 5);
  CpuBackend backend(DataView{x.data(), nullptr, 2000, 3}, 2);
  std::vector<float> a = seeds_kmeans_plus_plus(backend, 25, 99, 0);
  std::vector<float> b = seeds_kmeans_plus_plus(backend, 25, 99, 0);
  std::vector<float> c = seeds_kmeans_plus_plus(backend, 25, 100, 0);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  std::set<std::vector<float>> distinct;
  for (int j = 0; j < 25; ++j) {
    std::vector<float> centre(a.begin() + j * 3, a.begin() + (j + 1) * 3);
    distinct.insert(centre);
    bool is_row = false;  // every seed is one of the data rows
    for (int64_t i = 0; i < 2000 && !is_row; ++i) is_row = std::equal(centre.begin(), centre.end(), x.begin() + i * 3);
    EXPECT_TRUE(is_row);
  }
  EXPECT_EQ(distinct.size(), 25u);
}

TEST(KMeansFit, RepairsEmptyClusterFromFarthestRow) {
  // Two tight groups and one far outlier; a third centroid placed where no row is nearest becomes empty.
  std::vector<float> x = {0, 0, 0.1f, 0, 0, 0.1f, 10, 10, 10.1f, 10, 10, 10.1f, 50, 50};
  KMeansParams params;
  params.n_clusters = 3;
  params.init = InitMethod::given;
  params.init_centroids = {0, 0, 10, 10, -1000, -1000};
  KMeansResult r = fit(x, nullptr, 7, 2, params);
  ASSERT_FALSE(r.runs[0].history.empty());
  EXPECT_EQ(r.runs[0].history[0].empty_repaired, 1);
  EXPECT_EQ(r.labels[6], 2);  // the outlier took over the empty cluster
  EXPECT_FLOAT_EQ(r.centroids[4], 50.0f);
}

TEST(KMeansFit, IntegerWeightsEqualDuplicatedRows) {
  testing::Blobs b = testing::blobs_make(500, 4, 3, 17, 3.0f);
  std::vector<float> w(500), duplicated;
  for (int64_t i = 0; i < 500; ++i) {
    w[i] = static_cast<float>(1 + (i % 3));
    for (int r = 0; r < static_cast<int>(w[i]); ++r)
      duplicated.insert(duplicated.end(), b.x.begin() + i * 4, b.x.begin() + (i + 1) * 4);
  }
  KMeansParams params;
  params.n_clusters = 3;
  params.init = InitMethod::given;
  params.init_centroids.assign(b.x.begin(), b.x.begin() + 12);
  params.tol = 0.0;
  KMeansResult weighted = fit(b.x, w.data(), 500, 4, params);
  KMeansResult copies = fit(duplicated, nullptr, static_cast<int64_t>(duplicated.size() / 4), 4, params);
  EXPECT_NEAR(weighted.inertia, copies.inertia, 1e-6 * copies.inertia);
  EXPECT_EQ(weighted.runs[0].n_iter, copies.runs[0].n_iter);
  for (size_t t = 0; t < weighted.centroids.size(); ++t) EXPECT_NEAR(weighted.centroids[t], copies.centroids[t], 1e-5);
}

TEST(KMeansFit, IdenticalForOneAndTwoThreads) {
  testing::Blobs b = testing::blobs_make(20000, 7, 9, 23, 2.0f);  // overlapping: many iterations
  KMeansParams params;
  params.n_clusters = 9;
  params.n_init = 2;
  KMeansResult one = fit(b.x, nullptr, b.n, b.d, params, 1);
  KMeansResult two = fit(b.x, nullptr, b.n, b.d, params, 2);
  EXPECT_EQ(one.centroids, two.centroids);  // bit for bit
  EXPECT_EQ(one.labels, two.labels);
  EXPECT_EQ(one.inertia, two.inertia);
  EXPECT_EQ(one.runs[0].n_iter, two.runs[0].n_iter);
}

TEST(KMeansFit, EdgeSizes) {
  std::vector<float> x = testing::uniform_matrix(12, 2, 3);
  KMeansParams params;
  params.n_clusters = 12;  // n = k: every row its own cluster
  KMeansResult r = fit(x, nullptr, 12, 2, params);
  EXPECT_NEAR(r.inertia, 0.0, 1e-9);
  EXPECT_EQ(std::set<int32_t>(r.labels.begin(), r.labels.end()).size(), 12u);

  params.n_clusters = 1;  // k = 1: the centroid is the mean
  r = fit(x, nullptr, 12, 2, params);
  double mean0 = 0.0;
  for (int i = 0; i < 12; ++i) mean0 += x[i * 2] / 12.0;
  EXPECT_NEAR(r.centroids[0], mean0, 1e-6);

  std::vector<float> dupes(40, 1.5f);  // 20 identical rows, k = 3: no crash, zero inertia
  params.n_clusters = 3;
  r = fit(dupes, nullptr, 20, 2, params);
  EXPECT_EQ(r.inertia, 0.0);

  std::vector<float> constant_column = testing::uniform_matrix(100, 3, 4);
  for (int i = 0; i < 100; ++i) constant_column[i * 3 + 1] = 7.0f;
  r = fit(constant_column, nullptr, 100, 3, params);
  for (int j = 0; j < 3; ++j) EXPECT_FLOAT_EQ(r.centroids[j * 3 + 1], 7.0f);
}

TEST(KMeansFit, ToleranceZeroRunsUntilLabelsStop) {
  testing::Blobs b = testing::blobs_make(3000, 2, 5, 8, 1.5f);
  KMeansParams params;
  params.n_clusters = 5;
  params.tol = 0.0;
  KMeansResult r = fit(b.x, nullptr, b.n, b.d, params);
  const KMeansRun& run = r.runs[0];
  ASSERT_TRUE(run.converged);
  EXPECT_EQ(run.history.back().labels_changed, 0);
  for (size_t i = 1; i < run.history.size(); ++i)  // Lloyd never increases the objective
    EXPECT_LE(run.history[i].objective, run.history[i - 1].objective * (1 + 1e-6));
}

TEST(KMeansFit, RejectsBadParameters) {
  std::vector<float> x = testing::uniform_matrix(5, 2, 1);
  KMeansParams params;
  params.n_clusters = 6;
  EXPECT_THROW(fit(x, nullptr, 5, 2, params), DataError);
  params.n_clusters = 0;
  EXPECT_THROW(fit(x, nullptr, 5, 2, params), UsageError);
  params.n_clusters = 2;
  params.init = InitMethod::given;
  params.init_centroids = {1, 2, 3};
  EXPECT_THROW(fit(x, nullptr, 5, 2, params), DataError);
}

}  // namespace
}  // namespace kseg

namespace kseg {
namespace {

// tol's scale: the mean of the features' population variances, in double, the same on any number of threads (fixed
// blocks of rows added in order), and accurate when the means dwarf the spreads.
TEST(FeatureVarianceMean, MatchesTwoPassReferenceOnAnyThreadCount) {
  const int64_t n = 100'003, d = 5;
  std::vector<float> x = testing::uniform_matrix(n, d, 12);
  for (int64_t i = 0; i < n; ++i) x[i * d + 4] = 1e4f + 0.5f * x[i * d + 4];  // large mean, small spread
  double reference = 0.0;
  for (int64_t t = 0; t < d; ++t) {
    double mean = 0.0, squares = 0.0;
    for (int64_t i = 0; i < n; ++i) mean += x[i * d + t];
    mean /= static_cast<double>(n);
    for (int64_t i = 0; i < n; ++i) squares += (x[i * d + t] - mean) * (x[i * d + t] - mean);
    reference += squares / static_cast<double>(n);
  }
  reference /= static_cast<double>(d);
  const DataView view{x.data(), nullptr, n, d};
  const int before = omp_get_max_threads();
  omp_set_num_threads(1);
  const double one = feature_variance_mean(view, single_process());
  omp_set_num_threads(2);
  const double two = feature_variance_mean(view, single_process());
  omp_set_num_threads(before);
  EXPECT_EQ(one, two);
  EXPECT_NEAR(one, reference, 1e-9 * reference);
}

}  // namespace
}  // namespace kseg
