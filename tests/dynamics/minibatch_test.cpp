// Mini-batch K-means: the update rule and reassignment by hand, and planted segments within 2% of full Lloyd.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "host/dynamics/minibatch.hpp"
#include "host/comm/communicator.hpp"
#include "host/kmeans/cpu_backend.hpp"
#include "host/kmeans/kmeans_fit.hpp"
#include "host/kmeans/seeding.hpp"

namespace kseg {
namespace {

TEST(MiniBatch, PerCentreLearningRateIsOneOverTheSeenWeight) {
  const std::vector<float> x = {1.0f, 3.0f, 10.0f};
  CpuBackend backend(DataView{x.data(), nullptr, 3, 1}, 1);
  MiniBatchState s;
  s.k = 2;
  s.d = 1;
  s.centroids = {0.0f, 12.0f};
  s.counts = {2.0, 0.0};
  MiniBatchParams params;
  params.reassignment_ratio = 0.0;
  UniformStream random(1);
  const MiniBatchStepStats step = minibatch_step(backend, params, s, random);
  EXPECT_FLOAT_EQ(s.centroids[0], 1.0f);   // (0·2 + 1 + 3) / (2 + 2)
  EXPECT_FLOAT_EQ(s.centroids[1], 10.0f);  // a centre that had seen nothing takes its batch mean
  EXPECT_EQ(s.counts, (std::vector<double>{4.0, 1.0}));
  EXPECT_DOUBLE_EQ(step.inertia, 1.0 + 9.0 + 4.0);  // against the centres before the step
  EXPECT_DOUBLE_EQ(step.weight, 3.0);
}

TEST(MiniBatch, StarvedCentresJumpToBatchRows) {
  std::vector<float> x(20);
  std::iota(x.begin(), x.end(), 0.0f);
  CpuBackend backend(DataView{x.data(), nullptr, 20, 1}, 1);
  MiniBatchState s;
  s.k = 2;
  s.d = 1;
  s.centroids = {10.0f, 1000.0f};  // the second centre is far from everything
  s.counts = {1000.0, 5.0};
  MiniBatchParams params;  // ratio 0.01: 5 < 0.01 × 1020
  UniformStream random(3);
  const MiniBatchStepStats step = minibatch_step(backend, params, s, random);
  EXPECT_EQ(step.reassigned, 1);
  EXPECT_EQ(s.reassigned, (std::vector<int64_t>{1}));
  EXPECT_LE(s.centroids[1], 19.0f);  // now on a row of the batch
  EXPECT_EQ(s.centroids[1], std::floor(s.centroids[1]));
  EXPECT_DOUBLE_EQ(s.counts[1], 1020.0);  // the smallest weight among the centres that stayed
}

TEST(MiniBatch, IntegerWeightsEqualCopiedRowsBatchByBatch) {
  // Batch b of the weighted run holds rows with weights 0..3; batch b of the copied run holds those rows repeated
  // (same batches, so the steps meet the same data). Reassignment counts rows, as MiniBatchKMeans counts samples,
  // so it is off here.
  const int64_t d = 3, k = 4, rows = 50;
  std::mt19937_64 rng(21);
  std::normal_distribution<float> value(0.0f, 5.0f);
  MiniBatchParams params;
  params.reassignment_ratio = 0.0;
  MiniBatchState weighted;
  weighted.k = k;
  weighted.d = d;
  for (int64_t i = 0; i < k * d; ++i) weighted.centroids.push_back(value(rng));
  weighted.counts = {3.0, 0.0, 10.0, 1.0};
  MiniBatchState copied = weighted;
  UniformStream random_weighted(4), random_copied(4);
  for (int batch = 0; batch < 5; ++batch) {
    std::vector<float> x, w, x_copied;
    for (int64_t r = 0; r < rows; ++r) {
      const int copies = static_cast<int>(rng() % 4);
      std::vector<float> row(static_cast<size_t>(d));
      for (float& v : row) v = value(rng);
      x.insert(x.end(), row.begin(), row.end());
      w.push_back(static_cast<float>(copies));
      for (int c = 0; c < copies; ++c) x_copied.insert(x_copied.end(), row.begin(), row.end());
    }
    CpuBackend a(DataView{x.data(), w.data(), rows, d}, 1);
    CpuBackend b(DataView{x_copied.data(), nullptr, static_cast<int64_t>(x_copied.size()) / d, d}, 1);
    const MiniBatchStepStats sa = minibatch_step(a, params, weighted, random_weighted);
    const MiniBatchStepStats sb = minibatch_step(b, params, copied, random_copied);
    EXPECT_DOUBLE_EQ(sa.weight, sb.weight) << "batch " << batch;
    EXPECT_NEAR(sa.inertia, sb.inertia, 1e-6 * sb.inertia) << "batch " << batch;
    for (int64_t j = 0; j < k; ++j) EXPECT_DOUBLE_EQ(weighted.counts[j], copied.counts[j]) << "batch " << batch;
    for (int64_t i = 0; i < k * d; ++i) EXPECT_NEAR(weighted.centroids[i], copied.centroids[i], 1e-5f) << i;
  }
  EXPECT_GT(weighted.counts[1], 0.0);  // the centre that started empty took part
}

// Gaussian blobs of unequal sizes around well separated centres.
std::vector<float> blobs(int64_t n, int64_t d, int64_t k, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> where(-20.0f, 20.0f);
  std::normal_distribution<float> noise(0.0f, 1.5f);
  std::vector<float> centres(static_cast<size_t>(k * d));
  for (float& c : centres) c = where(rng);
  std::vector<float> x(static_cast<size_t>(n * d));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t j = static_cast<int64_t>(rng() % static_cast<uint64_t>(k * (k + 1) / 2));
    int64_t c = 0;
    for (int64_t acc = 0; acc + c + 1 <= j; ++c) acc += c + 1;  // segment c has weight c + 1
    for (int64_t t = 0; t < d; ++t) x[i * d + t] = centres[std::min(c, k - 1) * d + t] + noise(rng);
  }
  return x;
}

TEST(MiniBatch, PlantedSegmentsReachFullLloydInertiaWithinTwoPercent) {
  const uint64_t seed = 11;
  const int64_t n = 30000, d = 6, k = 7;
  const std::vector<float> x = blobs(n, d, k, seed);
  const DataView all{x.data(), nullptr, n, d};
  CpuBackend full(all, 0);
  KMeansParams lloyd;
  lloyd.n_clusters = k;
  lloyd.n_init = 3;
  lloyd.seed = seed;
  SingleProcess comm;
  const KMeansResult reference = kmeans_fit(full, all, lloyd, 1e-4 * feature_variance_mean(all, comm), comm);

  // As MiniBatchKMeans: k-means++ on the first 3 × batch_size rows, then shuffled batches of 1024, 3 epochs.
  MiniBatchParams params;
  params.seed = seed;
  MiniBatchState s;
  s.k = k;
  s.d = d;
  CpuBackend init(DataView{x.data(), nullptr, 3 * params.batch_size, d}, 0);
  s.centroids = seeds_kmeans_plus_plus(init, k, seed, 0);
  s.counts.assign(static_cast<size_t>(k), 0.0);
  const double start_inertia = full.assign(s.centroids.data(), k);
  UniformStream random(seed);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 shuffle(seed);
  std::vector<float> batch;
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::shuffle(order.begin(), order.end(), shuffle);
    for (int64_t first = 0; first < n; first += params.batch_size) {
      const int64_t m = std::min(params.batch_size, n - first);
      batch.resize(static_cast<size_t>(m * d));
      for (int64_t r = 0; r < m; ++r) std::copy_n(x.data() + order[first + r] * d, d, batch.data() + r * d);
      CpuBackend backend(DataView{batch.data(), nullptr, m, d}, 0);
      minibatch_step(backend, params, s, random);
    }
  }
  const double minibatch_inertia = full.assign(s.centroids.data(), k);
  EXPECT_LE(minibatch_inertia, 1.02 * reference.inertia) << "seed " << seed << ": Lloyd " << reference.inertia;
  EXPECT_LT(minibatch_inertia, start_inertia);
}

}  // namespace
}  // namespace kseg
