// Minimum segment sizes: dissolving small segments, reassigning their users to the next-nearest segment, resuming
// Lloyd, weights, and a minimum the data cannot support.
#include <gtest/gtest.h>

#include <map>

#include "host/error.hpp"
#include "host/kmeans/cpu_backend.hpp"
#include "host/kmeans/min_size.hpp"
#include "synthetic.hpp"

namespace kseg {
namespace {

KMeansResult fit(const std::vector<float>& x, const float* w, int64_t n, int64_t d, const KMeansParams& params,
                 const MinSizeParams& min_size, MinSizeReport& report) {
  DataView view{x.data(), w, n, d};
  CpuBackend backend(view, 2);
  SingleProcess comm;
  return kmeans_fit_min_size(backend, view, params, params.tol * feature_variance_mean(view, comm), min_size, comm,
                             report);
}

// Per-label totals of the weights (1 per row without weights), counted from the labels.
std::map<int32_t, double> label_weights(const KMeansResult& r, const float* w) {
  std::map<int32_t, double> sizes;
  for (size_t i = 0; i < r.labels.size(); ++i) sizes[r.labels[i]] += w ? w[i] : 1.0;
  return sizes;
}

TEST(MinSize, EverySegmentMeetsTheMinimumAndKShrinks) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    // Planted sizes 1:2:...:6 of 21 parts of 4200 rows: 200, 400, ..., 1200; k = 10 over-splits them.
    testing::Blobs b = testing::blobs_make(4200, 5, 6, seed);
    KMeansParams params;
    params.n_clusters = 10;
    params.seed = seed;
    MinSizeReport report;
    const KMeansResult r = fit(b.x, nullptr, b.n, b.d, params, {0.0, 0.06}, report);
    EXPECT_DOUBLE_EQ(report.minimum, 0.06 * 4200);
    EXPECT_EQ(report.k_requested, 10);
    EXPECT_LT(r.n_clusters, 10);
    EXPECT_EQ(static_cast<int64_t>(report.dissolved.size()), 10 - r.n_clusters);
    const std::map<int32_t, double> sizes = label_weights(r, nullptr);
    EXPECT_EQ(static_cast<int64_t>(sizes.size()), r.n_clusters);
    for (const auto& [label, size] : sizes) {
      EXPECT_LT(label, r.n_clusters);
      EXPECT_GE(size, report.minimum) << "segment " << label;
    }
    for (double dissolved : report.dissolved_sizes) EXPECT_LT(dissolved, report.minimum);
    EXPECT_EQ(r.centroids.size(), static_cast<size_t>(r.n_clusters * b.d));
  }
}

TEST(MinSize, DissolvedUsersGoToTheirNextNearestSegment) {
  // Groups at 0 (100 rows), 10 (100 rows) and a small one at 7 (5 rows). Started from those three centres, the small
  // segment is below the minimum 10; its users are 3 from 10 and 7 from 0, so they must join the segment at 10.
  std::vector<float> x;
  for (int i = 0; i < 100; ++i) x.push_back(0.01f * static_cast<float>(i % 7));
  for (int i = 0; i < 100; ++i) x.push_back(10.0f + 0.01f * static_cast<float>(i % 5));
  for (int i = 0; i < 5; ++i) x.push_back(7.0f + 0.01f * static_cast<float>(i));
  KMeansParams params;
  params.n_clusters = 3;
  params.init = InitMethod::given;
  params.init_centroids = {0.0f, 10.0f, 7.0f};
  MinSizeReport report;
  const KMeansResult r = fit(x, nullptr, 205, 1, params, {10.0, 0.0}, report);
  ASSERT_EQ(r.n_clusters, 2);
  ASSERT_EQ(report.dissolved, std::vector<int64_t>{2});
  EXPECT_EQ(report.dissolved_sizes, std::vector<double>{5.0});
  for (int i = 200; i < 205; ++i) EXPECT_EQ(r.labels[i], r.labels[100]) << "row " << i;
  EXPECT_NE(r.labels[0], r.labels[100]);
  // The segment at 10 now holds the 5 rows near 7: its centroid is their joint mean.
  double sum = 0.0;
  for (int i = 100; i < 205; ++i) sum += x[i];
  EXPECT_NEAR(r.centroids[r.labels[100]], sum / 105.0, 1e-4);
}

TEST(MinSize, WeightedFitsMeasureSegmentsByWeight) {
  // The small group at 7 has 5 rows of weight 4: 20 by weight, enough for a minimum of 15 (but not by count).
  std::vector<float> x, w;
  for (int i = 0; i < 100; ++i) x.push_back(0.01f * static_cast<float>(i % 7)), w.push_back(1.0f);
  for (int i = 0; i < 100; ++i) x.push_back(10.0f + 0.01f * static_cast<float>(i % 5)), w.push_back(1.0f);
  for (int i = 0; i < 5; ++i) x.push_back(7.0f + 0.01f * static_cast<float>(i)), w.push_back(4.0f);
  KMeansParams params;
  params.n_clusters = 3;
  params.init = InitMethod::given;
  params.init_centroids = {0.0f, 10.0f, 7.0f};
  MinSizeReport report;
  KMeansResult r = fit(x, w.data(), 205, 1, params, {15.0, 0.0}, report);
  EXPECT_EQ(r.n_clusters, 3);
  EXPECT_TRUE(report.dissolved.empty());
  r = fit(x, w.data(), 205, 1, params, {21.0, 0.0}, report);  // above 20: dissolved
  EXPECT_EQ(r.n_clusters, 2);
  EXPECT_DOUBLE_EQ(report.minimum, 21.0);
  // --min-share is a share of the total weight, 220.
  r = fit(x, w.data(), 205, 1, params, {0.0, 0.1}, report);
  EXPECT_DOUBLE_EQ(report.minimum, 22.0);
  for (const auto& [label, size] : label_weights(r, w.data())) EXPECT_GE(size, 22.0);
}

TEST(MinSize, NoMinimumIsThePlainFit) {
  testing::Blobs b = testing::blobs_make(1500, 3, 4, 11);
  KMeansParams params;
  params.n_clusters = 4;
  MinSizeReport report;
  const KMeansResult with = fit(b.x, nullptr, b.n, b.d, params, {}, report);
  DataView view{b.x.data(), nullptr, b.n, b.d};
  CpuBackend backend(view, 2);
  SingleProcess comm;
  const KMeansResult plain = kmeans_fit(backend, view, params, with.tol_absolute, comm);
  EXPECT_EQ(with.labels, plain.labels);
  EXPECT_EQ(with.centroids, plain.centroids);
  EXPECT_TRUE(report.dissolved.empty());
}

TEST(MinSize, AMinimumTheDataCannotSupportIsReported) {
  testing::Blobs b = testing::blobs_make(300, 2, 3, 4);
  KMeansParams params;
  params.n_clusters = 3;
  MinSizeReport report;
  try {
    fit(b.x, nullptr, b.n, b.d, params, {301.0, 0.0}, report);
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("minimum size 301"), std::string::npos) << e.what();
  }
  // A minimum of all users: one segment remains, after dissolving k − 1.
  const KMeansResult r = fit(b.x, nullptr, b.n, b.d, params, {300.0, 0.0}, report);
  EXPECT_EQ(r.n_clusters, 1);
  EXPECT_EQ(report.dissolved.size(), 2u);
  EXPECT_THROW(min_size_params_validate({-1.0, 0.0}), UsageError);
  EXPECT_THROW(min_size_params_validate({0.0, 1.0}), UsageError);
}

}  // namespace
}  // namespace kseg
