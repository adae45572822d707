// The mini-batch epoch loop (host/dynamics/minibatch_epochs.hpp): one batch equals one step, counts grow by the
// weight seen, the seed fixes the row order, backends are reused across batches of one size, planted blobs found.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

#include "../kmeans/synthetic.hpp"
#include "host/dynamics/minibatch_epochs.hpp"
#include "host/error.hpp"
#include "host/kmeans/cpu_backend.hpp"

namespace kseg {
namespace {

// The stream of (a copy of) one matrix cut into chunks of the given row counts (weights optional).
PreparedStream chunks_stream(std::vector<float> x, std::vector<float> w, int64_t d, std::vector<int64_t> chunk_rows) {
  return [x, w, d, chunk_rows](const PreparedChunkVisitor& visit) {
    int64_t first = 0;
    for (int64_t n : chunk_rows) {
      visit(x.data() + first * d, w.empty() ? nullptr : w.data() + first, n);
      first += n;
    }
  };
}

MiniBatchBackendFactory cpu_factory() {
  return [](const DataView& batch, bool) { return std::make_unique<CpuBackend>(batch, 1); };
}

MiniBatchState start_make(int64_t k, int64_t d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> value(0.0f, 5.0f);
  MiniBatchState s;
  s.k = k;
  s.d = d;
  for (int64_t i = 0; i < k * d; ++i) s.centroids.push_back(value(rng));
  s.counts.assign(static_cast<size_t>(k), 2.0);
  return s;
}

TEST(MiniBatchEpochs, OneChunkInOneBatchIsOneStepOnTheWholeChunk) {
  // The order the loop visits rows in does not change which centre a row is nearest, so one batch of all rows is
  // one minibatch_step on the rows as they are (sums equal up to float rounding of the order).
  const int64_t n = 200, d = 3, k = 4;
  const testing::Blobs data = testing::blobs_make(n, d, k, 5);
  MiniBatchEpochsParams params;
  params.step.batch_size = n;
  params.step.reassignment_ratio = 0.0;
  const MiniBatchState start = start_make(k, d, 6);
  const MiniBatchEpochsResult run =
      minibatch_epochs_run(params, start, chunks_stream(data.x, {}, d, {n}), cpu_factory());

  MiniBatchState direct = start;
  CpuBackend backend(DataView{data.x.data(), nullptr, n, d}, 1);
  UniformStream random(1);
  const MiniBatchStepStats step = minibatch_step(backend, params.step, direct, random);
  EXPECT_EQ(run.state.counts, direct.counts);  // whole rows per centre: exact
  for (size_t i = 0; i < direct.centroids.size(); ++i)
    EXPECT_NEAR(run.state.centroids[i], direct.centroids[i], 1e-4 * (1.0 + std::fabs(direct.centroids[i])));
  ASSERT_EQ(run.epochs.size(), 1u);
  EXPECT_EQ(run.epochs[0].batches, 1);
  EXPECT_EQ(run.epochs[0].rows, n);
  EXPECT_NEAR(run.epochs[0].inertia, step.inertia, 1e-6 * step.inertia);
  EXPECT_EQ(run.device, "cpu");
}

TEST(MiniBatchEpochs, CountsGrowByTheWeightSeenInEveryEpoch) {
  const int64_t d = 2, k = 3;
  const std::vector<int64_t> chunk_rows = {150, 77};
  const testing::Blobs data = testing::blobs_make(227, d, k, 8);
  std::vector<float> w(227);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(i % 4);  // 0, 1, 2, 3: Σ = 339
  const double weight = std::accumulate(w.begin(), w.end(), 0.0);
  MiniBatchEpochsParams params;
  params.step.batch_size = 32;
  params.step.reassignment_ratio = 0.0;  // no centre jumps: every weight lands on a centre's count
  params.epochs = 3;
  const MiniBatchState start = start_make(k, d, 9);
  const MiniBatchEpochsResult run =
      minibatch_epochs_run(params, start, chunks_stream(data.x, w, d, chunk_rows), cpu_factory());
  const double start_total = std::accumulate(start.counts.begin(), start.counts.end(), 0.0);
  EXPECT_DOUBLE_EQ(std::accumulate(run.state.counts.begin(), run.state.counts.end(), 0.0), start_total + 3 * weight);
  EXPECT_DOUBLE_EQ(std::accumulate(run.last_sizes.begin(), run.last_sizes.end(), 0.0), weight);
  ASSERT_EQ(run.epochs.size(), 3u);
  for (const EpochStats& e : run.epochs) {
    EXPECT_EQ(e.rows, 227);
    EXPECT_EQ(e.batches, 5 + 3);  // ⌈150/32⌉ + ⌈77/32⌉: a batch never spans two chunks
    EXPECT_DOUBLE_EQ(e.weight, weight);
    EXPECT_TRUE(e.weighted);
    EXPECT_EQ(e.reassigned, 0);
  }
}

TEST(MiniBatchEpochs, TheSeedFixesTheRowOrder) {
  const int64_t n = 300, d = 2, k = 3;
  const testing::Blobs data = testing::blobs_make(n, d, k, 11, 3.0f);  // overlapping blobs: the order matters
  MiniBatchEpochsParams params;
  params.step.batch_size = 10;
  params.epochs = 2;
  params.step.seed = 7;
  const MiniBatchState start = start_make(k, d, 12);
  const PreparedStream stream = chunks_stream(data.x, {}, d, {n});
  const MiniBatchEpochsResult a = minibatch_epochs_run(params, start, stream, cpu_factory());
  const MiniBatchEpochsResult b = minibatch_epochs_run(params, start, stream, cpu_factory());
  params.step.seed = 8;
  const MiniBatchEpochsResult c = minibatch_epochs_run(params, start, stream, cpu_factory());
  EXPECT_EQ(a.state.centroids, b.state.centroids);
  EXPECT_EQ(a.state.counts, b.state.counts);
  EXPECT_NE(a.state.centroids, c.state.centroids);
}

TEST(MiniBatchEpochs, BatchesOfOneSizeReuseOneBackend) {
  const int64_t d = 2, k = 2;
  const testing::Blobs data = testing::blobs_make(190, d, k, 13);
  MiniBatchEpochsParams params;
  params.step.batch_size = 25;
  params.step.reassignment_ratio = 0.0;
  params.epochs = 2;
  std::vector<std::pair<int64_t, bool>> built;  // (rows, first) of every backend built
  const MiniBatchBackendFactory factory = [&](const DataView& batch, bool first) {
    built.emplace_back(batch.n_rows, first);
    return std::make_unique<CpuBackend>(batch, 1);
  };
  // Chunks of 100 and 90 rows: 25 × 4 | 25 × 3, 15 | 25 × 4 | 25 × 3, 15.
  minibatch_epochs_run(params, start_make(k, d, 14), chunks_stream(data.x, {}, d, {100, 90}), factory);
  const std::vector<std::pair<int64_t, bool>> expected = {{25, true}, {15, false}, {25, false}, {15, false}};
  EXPECT_EQ(built, expected);
}

TEST(MiniBatchEpochs, FindsPlantedBlobs) {
  const int64_t n = 3000, d = 4, k = 3;
  const testing::Blobs data = testing::blobs_make(n, d, k, 15);
  std::vector<double> truth(static_cast<size_t>(k * d), 0.0), sizes(static_cast<size_t>(k), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    sizes[data.truth[i]] += 1.0;
    for (int64_t t = 0; t < d; ++t) truth[data.truth[i] * d + t] += data.x[i * d + t];
  }
  MiniBatchState start;
  start.k = k;
  start.d = d;
  for (int64_t j = 0; j < k; ++j)
    for (int64_t t = 0; t < d; ++t) {
      truth[j * d + t] /= sizes[j];
      start.centroids.push_back(static_cast<float>(truth[j * d + t]) + 3.0f);  // each start 6 units off its blob
    }
  start.counts.assign(static_cast<size_t>(k), 0.0);
  MiniBatchEpochsParams params;
  params.step.batch_size = 100;
  params.epochs = 3;
  const MiniBatchEpochsResult run =
      minibatch_epochs_run(params, start, chunks_stream(data.x, {}, d, {1000, 1000, 1000}), cpu_factory());
  for (int64_t j = 0; j < k; ++j) {
    double sq = 0.0;
    for (int64_t t = 0; t < d; ++t) sq += std::pow(run.state.centroids[j * d + t] - truth[j * d + t], 2);
    // Counts from 0 and every row nearest its own blob's centre: each centre is the running mean of its blob's rows.
    EXPECT_LT(std::sqrt(sq), 0.3) << "centre " << j;
  }
}

TEST(MiniBatchEpochs, EpochDoneSeesEveryEpochAndMayStopTheRun) {
  const int64_t d = 1;
  const std::vector<float> x = {1.0f, 2.0f, 3.0f, 4.0f};
  MiniBatchState start;
  start.k = 2;
  start.d = d;
  start.centroids = {0.0f, 5.0f};
  start.counts = {1.0, 1.0};
  MiniBatchEpochsParams params;
  params.epochs = 4;
  std::vector<int> seen;
  minibatch_epochs_run(params, start, chunks_stream(x, {}, d, {4}), cpu_factory(),
                       [&](int epoch, const EpochStats& stats) {
                         seen.push_back(epoch);
                         EXPECT_EQ(stats.rows, 4);
                         EXPECT_FALSE(stats.weighted);
                       });
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3}));
  int streamed = 0;
  const PreparedStream counted = [&](const PreparedChunkVisitor& visit) {
    ++streamed;
    visit(x.data(), nullptr, 4);
  };
  EXPECT_THROW(minibatch_epochs_run(params, start, counted, cpu_factory(),
                                    [](int, const EpochStats&) { throw DataError("stop"); }),
               DataError);
  EXPECT_EQ(streamed, 1);
}

TEST(MiniBatchEpochs, CountsStartFromMemoryTimesTheModelsSegmentWeights) {
  Model model;
  model.n_clusters = 2;
  model.fit = {{"segment_sizes", {10, 30}}};
  EXPECT_EQ(minibatch_counts_start(model, 0.5, "m.json"), (std::vector<double>{5.0, 15.0}));
  model.fit["segment_weights"] = {2.5, 4.0};  // a weighted fit: its weight sums, not its sizes
  EXPECT_EQ(minibatch_counts_start(model, 1.0, "m.json"), (std::vector<double>{2.5, 4.0}));
  model.fit = nlohmann::json::object();
  EXPECT_EQ(minibatch_counts_start(model, 0.0, "m.json"), (std::vector<double>{0.0, 0.0}));
  EXPECT_THROW(minibatch_counts_start(model, 0.5, "m.json"), DataError);
  model.fit = {{"segment_sizes", {10, -1}}};
  EXPECT_THROW(minibatch_counts_start(model, 0.5, "m.json"), DataError);
}

}  // namespace
}  // namespace kseg
