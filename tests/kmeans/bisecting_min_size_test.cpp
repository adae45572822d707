// A bisecting tree with a minimum segment size: every leaf meets it (counted here from the labels), refused splits
// leave their leaf closed and are listed, a k the data cannot support at that size ends the tree early with a report
// (a bounded number of attempts, no loop), and a minimum above all users is a data error.
#include <gtest/gtest.h>

#include <map>

#include "host/error.hpp"
#include "host/kmeans/bisecting_fit.hpp"
#include "host/kmeans/cpu_backend.hpp"
#include "synthetic.hpp"

namespace kseg {
namespace {

KMeansResult tree_fit(const testing::Blobs& b, const float* w, const KMeansParams& params, const MinSizeParams& min,
                      SplitStrategy split, SegmentTree& tree, MinSizeReport& report) {
  const DataView view{b.x.data(), w, b.n, b.d};
  const BackendFactory make = [](const DataView& rows) { return std::make_unique<CpuBackend>(rows, 2); };
  return bisecting_fit(view, params, 0.0, {split, min}, make, tree, {}, single_process(), &report);
}

// Σ weight per leaf, from the labels.
std::map<int32_t, double> leaf_weights(const KMeansResult& r, const float* w) {
  std::map<int32_t, double> weights;
  for (size_t i = 0; i < r.labels.size(); ++i) weights[r.labels[i]] += w ? w[i] : 1.0;
  return weights;
}

TEST(BisectingMinSize, EveryLeafMeetsTheMinimumAndRefusedSplitsAreListed) {
  // Six blobs of sizes 1 : 2 : … : 6 of 4200 users: 200, 400, …, 1200.
  const testing::Blobs b = testing::blobs_make(4200, 4, 6, 17, 15.0f);
  std::vector<float> w(static_cast<size_t>(b.n));
  for (size_t i = 0; i < w.size(); ++i) w[i] = i % 2 ? 1.5f : 0.5f;  // total weight 4200, as the users
  for (SplitStrategy split : {SplitStrategy::largest_inertia, SplitStrategy::largest})
    for (const float* weights : {static_cast<const float*>(nullptr), static_cast<const float*>(w.data())}) {
      SCOPED_TRACE(split_strategy_name(split) + (weights ? ", weighted" : ""));
      KMeansParams params;
      params.n_clusters = 9;
      params.seed = 4;
      SegmentTree tree;
      MinSizeReport report;
      const KMeansResult r = tree_fit(b, weights, params, {300.0, 0.0}, split, tree, report);
      EXPECT_TRUE(report.tree);
      EXPECT_EQ(report.minimum, 300.0);
      EXPECT_EQ(report.k_requested, 9);
      const std::map<int32_t, double> sizes = leaf_weights(r, weights);
      EXPECT_EQ(static_cast<int64_t>(sizes.size()), r.n_clusters);
      for (const auto& [leaf, size] : sizes) EXPECT_GE(size, 300.0) << "leaf " << leaf;
      ASSERT_EQ(report.closed_nodes.size(), report.closed_sizes.size());
      for (size_t c = 0; c < report.closed_nodes.size(); ++c) {
        EXPECT_TRUE(tree.nodes[report.closed_nodes[c]].is_leaf());
        EXPECT_LT(report.closed_sizes[c], 300.0);
      }
      EXPECT_EQ(static_cast<int64_t>(tree.nodes.size()), 2 * r.n_clusters - 1);
      const std::string line = min_size_line(report, r.n_clusters);
      EXPECT_EQ(line.empty(), r.n_clusters == 9) << line;
    }
}

TEST(BisectingMinSize, AKTheDataCannotSupportEndsTheTreeWithAReport) {
  const testing::Blobs b = testing::blobs_make(3000, 3, 4, 9, 12.0f);
  KMeansParams params;
  params.n_clusters = 12;
  SegmentTree tree;
  MinSizeReport report;
  const KMeansResult r = tree_fit(b, nullptr, params, {0.0, 0.3}, SplitStrategy::largest_inertia, tree, report);
  EXPECT_DOUBLE_EQ(report.minimum, 900.0);
  EXPECT_GE(r.n_clusters, 1);
  EXPECT_LE(r.n_clusters, 3);  // three segments of 900 users at most fit in 3000
  for (const auto& [leaf, size] : leaf_weights(r, nullptr)) EXPECT_GE(size, 900.0) << "leaf " << leaf;
  // Every attempt adds a leaf or closes one: at most 2k − 1 attempts however large the k asked for.
  EXPECT_LE(static_cast<int64_t>(r.runs.size()), 2 * r.n_clusters - 1);
  const std::string line = min_size_line(report, r.n_clusters);
  EXPECT_NE(line.find("stops at " + std::to_string(r.n_clusters) + " segments, not 12"), std::string::npos) << line;
  const nlohmann::json doc = min_size_json(report, r.n_clusters);
  EXPECT_EQ(doc["k"], r.n_clusters);
  EXPECT_EQ(doc["k_requested"], 12);
  EXPECT_EQ(doc["closed"], report.closed_nodes.size());

  // Half of all users: no split at all can keep both halves; the root is the one segment.
  const KMeansResult root = tree_fit(b, nullptr, params, {1501.0, 0.0}, SplitStrategy::largest, tree, report);
  EXPECT_EQ(root.n_clusters, 1);
  EXPECT_EQ(tree.nodes.size(), 1u);
  // Above all users: not even one segment.
  try {
    tree_fit(b, nullptr, params, {3001.0, 0.0}, SplitStrategy::largest, tree, report);
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("minimum size 3001"), std::string::npos) << e.what();
  }
}

TEST(BisectingMinSize, NoMinimumIsThePlainTree) {
  const testing::Blobs b = testing::blobs_make(2000, 3, 5, 2, 10.0f);
  KMeansParams params;
  params.n_clusters = 5;
  SegmentTree with, without;
  MinSizeReport report;
  const KMeansResult a = tree_fit(b, nullptr, params, {}, SplitStrategy::largest_inertia, with, report);
  const DataView view{b.x.data(), nullptr, b.n, b.d};
  const BackendFactory make = [](const DataView& rows) { return std::make_unique<CpuBackend>(rows, 1); };
  const KMeansResult c = bisecting_fit(view, params, 0.0, {}, make, without);
  EXPECT_EQ(a.labels, c.labels);
  EXPECT_EQ(segment_tree_to_json(with), segment_tree_to_json(without));
  EXPECT_TRUE(report.closed_nodes.empty());
  EXPECT_EQ(min_size_line(report, a.n_clusters), "");
}

}  // namespace
}  // namespace kseg
