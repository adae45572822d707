// Bisecting K-means: known answers, the tree's invariants, the leaf-choice strategies, determinism across thread
// counts, tree walk against nearest leaf, and data that cannot be split.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "host/error.hpp"
#include "host/kmeans/bisecting_fit.hpp"
#include "host/kmeans/cpu_backend.hpp"
#include "host/metrics/adjusted_rand.hpp"
#include "synthetic.hpp"

namespace kseg {
namespace {

KMeansResult tree_fit(const std::vector<float>& x, const float* w, int64_t n, int64_t d, const KMeansParams& params,
                      SplitStrategy split, SegmentTree& tree, int threads = 2) {
  const DataView view{x.data(), w, n, d};
  SingleProcess comm;
  const BackendFactory make = [threads](const DataView& rows) { return std::make_unique<CpuBackend>(rows, threads); };
  return bisecting_fit(view, params, params.tol * feature_variance_mean(view, comm), {split}, make, tree);
}

TEST(BisectingFit, RecoversWellSeparatedBlobs) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    testing::Blobs b = testing::blobs_make(6000, 8, 5, seed);
    KMeansParams params;
    params.n_clusters = 5;
    params.seed = seed;
    params.n_init = 3;
    SegmentTree tree;
    const KMeansResult r = tree_fit(b.x, nullptr, b.n, b.d, params, SplitStrategy::largest_inertia, tree);
    EXPECT_GE(adjusted_rand_index(r.labels, b.truth), 0.99);
  }
}

TEST(BisectingFit, TreeAddsUpAndLabelsMatchTheLeaves) {
  testing::Blobs b = testing::blobs_make(3000, 4, 7, 21, 6.0f);
  KMeansParams params;
  params.n_clusters = 7;
  SegmentTree tree;
  const KMeansResult r = tree_fit(b.x, nullptr, b.n, b.d, params, SplitStrategy::largest_inertia, tree);
  ASSERT_EQ(tree.nodes.size(), 13u);
  EXPECT_EQ(r.n_clusters, 7);
  EXPECT_EQ(tree.nodes[0].size, 3000);
  // Every inner node: the children's sizes add up, and the split lowers the inertia by split_gain >= 0.
  for (const TreeNode& node : tree.nodes) {
    if (node.is_leaf()) continue;
    const TreeNode& a = tree.nodes[node.children[0]];
    const TreeNode& c = tree.nodes[node.children[1]];
    EXPECT_EQ(a.size + c.size, node.size);
    EXPECT_EQ(a.parent, node.id);
    EXPECT_NEAR(node.split_gain, node.inertia - a.inertia - c.inertia, 1e-6 * node.inertia);
    EXPECT_GT(node.split_gain, 0.0);
  }
  // Leaves in segment order; their sizes are the label counts; their inertias sum to the result's, and each leaf's
  // inertia is the users' squared distances to its centroid, computed here from the rows.
  const std::vector<int64_t> leaves = tree.leaves();
  ASSERT_EQ(leaves.size(), 7u);
  std::vector<int64_t> counts(7, 0);
  std::vector<double> inertia(7, 0.0);
  for (int64_t i = 0; i < b.n; ++i) {
    const int32_t label = r.labels[i];
    ++counts[label];
    const std::vector<float>& c = tree.nodes[leaves[label]].centroid;
    for (int64_t t = 0; t < b.d; ++t) inertia[label] += (b.x[i * b.d + t] - c[t]) * (b.x[i * b.d + t] - c[t]);
  }
  double total = 0.0;
  for (int64_t j = 0; j < 7; ++j) {
    const TreeNode& leaf = tree.nodes[leaves[j]];
    EXPECT_EQ(leaf.leaf, j);
    EXPECT_EQ(leaf.size, counts[j]);
    EXPECT_NEAR(leaf.inertia, inertia[j], 1e-3 * inertia[j] + 1e-3);
    EXPECT_EQ(std::vector<float>(r.centroids.begin() + j * b.d, r.centroids.begin() + (j + 1) * b.d), leaf.centroid);
    total += leaf.inertia;
  }
  EXPECT_NEAR(r.inertia, total, 1e-9 * total);
  // Depth-first numbering: leaf 0 is reached from the root by first children only.
  int64_t at = 0;
  while (!tree.nodes[at].is_leaf()) at = tree.nodes[at].children[0];
  EXPECT_EQ(tree.nodes[at].leaf, 0);
}

// Replays the splits in order (split s made nodes 2s+1 and 2s+2): the node split had the largest score among the
// leaves of that moment.
void splits_check(const SegmentTree& tree, SplitStrategy split) {
  for (size_t s = 0; 2 * s + 2 < tree.nodes.size(); ++s) {
    const int64_t parent = tree.nodes[2 * s + 1].parent;
    const auto score = [&](int64_t id) {
      return split == SplitStrategy::largest ? tree.nodes[id].weight : tree.nodes[id].inertia;
    };
    for (int64_t id = 0; id <= static_cast<int64_t>(2 * s); ++id) {
      const TreeNode& node = tree.nodes[id];
      const bool leaf_then = node.is_leaf() || node.children[0] > static_cast<int64_t>(2 * s);
      if (leaf_then) {
        EXPECT_LE(score(id), score(parent)) << "split " << s << " passed over node " << id;
      }
    }
  }
}

TEST(BisectingFit, SplitsTheLeafTheStrategyNames) {
  testing::Blobs b = testing::blobs_make(4000, 3, 8, 5, 8.0f);
  for (SplitStrategy split : {SplitStrategy::largest_inertia, SplitStrategy::largest}) {
    SCOPED_TRACE(split_strategy_name(split));
    KMeansParams params;
    params.n_clusters = 8;
    SegmentTree tree;
    tree_fit(b.x, nullptr, b.n, b.d, params, split, tree);
    splits_check(tree, split);
  }
  EXPECT_EQ(split_strategy_parse("largest"), SplitStrategy::largest);
  EXPECT_EQ(split_strategy_parse("largest-inertia"), SplitStrategy::largest_inertia);
  EXPECT_THROW(split_strategy_parse("biggest"), UsageError);
}

TEST(BisectingFit, SameTreeForOneAndTwoThreadsAndForASeed) {
  std::vector<float> x = testing::uniform_matrix(5000, 6, 8);  // no structure: every split is a close call
  std::vector<float> w(5000);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.5f + static_cast<float>(i % 4);
  KMeansParams params;
  params.n_clusters = 9;
  params.n_init = 2;
  params.seed = 77;
  SegmentTree one, two, again;
  const KMeansResult r1 = tree_fit(x, w.data(), 5000, 6, params, SplitStrategy::largest_inertia, one, 1);
  const KMeansResult r2 = tree_fit(x, w.data(), 5000, 6, params, SplitStrategy::largest_inertia, two, 2);
  const KMeansResult r3 = tree_fit(x, w.data(), 5000, 6, params, SplitStrategy::largest_inertia, again, 2);
  EXPECT_EQ(r1.labels, r2.labels);
  EXPECT_EQ(r1.centroids, r2.centroids);
  EXPECT_EQ(r1.inertia, r2.inertia);
  EXPECT_EQ(segment_tree_to_json(one), segment_tree_to_json(two));
  EXPECT_EQ(segment_tree_to_json(two), segment_tree_to_json(again));
  params.seed = 78;
  SegmentTree other;
  const KMeansResult r4 = tree_fit(x, w.data(), 5000, 6, params, SplitStrategy::largest_inertia, other, 2);
  EXPECT_NE(r4.centroids, r1.centroids);
}

TEST(BisectingFit, KOfOneIsTheRootAndDuplicatesStopTheTree) {
  std::vector<float> x = {1, 1, 1, 1, 5, 5, 5, 5, 5, 5};  // two distinct values
  KMeansParams params;
  params.n_clusters = 1;
  SegmentTree tree;
  KMeansResult r = tree_fit(x, nullptr, 10, 1, params, SplitStrategy::largest_inertia, tree);
  EXPECT_EQ(tree.nodes.size(), 1u);
  EXPECT_FLOAT_EQ(r.centroids[0], 3.4f);
  params.n_clusters = 2;
  r = tree_fit(x, nullptr, 10, 1, params, SplitStrategy::largest_inertia, tree);
  EXPECT_EQ(r.inertia, 0.0);
  params.n_clusters = 3;
  try {
    tree_fit(x, nullptr, 10, 1, params, SplitStrategy::largest_inertia, tree);
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("stops at 2 segments"), std::string::npos) << e.what();
  }
}

// A hand-made tree where walking and the nearest leaf disagree: root 0 → A (−1), B (+1); A → (−1.5), (0.6).
SegmentTree tree_hand_made() {
  SegmentTree tree;
  const auto node = [&](int64_t parent, float c, int64_t leaf) {
    TreeNode n;
    n.id = static_cast<int64_t>(tree.nodes.size());
    n.parent = parent;
    n.leaf = leaf;
    n.centroid = {c};
    tree.nodes.push_back(n);
  };
  node(-1, 0.0f, -1);
  node(0, -1.0f, -1);
  node(0, 1.0f, 2);
  node(1, -1.5f, 0);
  node(1, 0.6f, 1);
  tree.nodes[0].children[0] = 1, tree.nodes[0].children[1] = 2;
  tree.nodes[1].children[0] = 3, tree.nodes[1].children[1] = 4;
  return tree;
}

TEST(SegmentTree, WalkFollowsTheSplitsNearestLeafDoesNot) {
  const SegmentTree tree = tree_hand_made();
  const float x = 0.4f;  // B (+1) is nearer than A (−1); but leaf 0.6 under A is nearer than B
  float walk_distance = 0.0f, nearest_distance = 0.0f;
  EXPECT_EQ(tree.leaf_walk(&x, &walk_distance), 2);
  EXPECT_NEAR(walk_distance, 0.36f, 1e-6f);
  EXPECT_EQ(tree.leaf_nearest(&x, &nearest_distance), 1);
  EXPECT_NEAR(nearest_distance, 0.04f, 1e-6f);
  const float y = -2.0f;  // both agree far on the left
  EXPECT_EQ(tree.leaf_walk(&y, nullptr), 0);
  EXPECT_EQ(tree.leaf_nearest(&y, nullptr), 0);
  EXPECT_EQ(tree.path(4), "0/1/4");
  EXPECT_EQ(tree.leaves(), (std::vector<int64_t>{3, 4, 2}));
  EXPECT_EQ(segment_tree_leaf_parents(tree), (std::vector<int64_t>{1, 1, 0}));
}

TEST(SegmentTree, JsonRoundTripAndDamage) {
  const SegmentTree tree = tree_hand_made();
  const nlohmann::json doc = segment_tree_to_json(tree);
  const SegmentTree back = segment_tree_from_json(doc, 3, 1, "m.json");
  EXPECT_EQ(segment_tree_to_json(back), doc);
  EXPECT_THROW(segment_tree_from_json(doc, 4, 1, "m.json"), DataError);  // wrong k
  EXPECT_THROW(segment_tree_from_json(doc, 3, 2, "m.json"), DataError);  // wrong d
  nlohmann::json bad = doc;
  bad[2]["parent"] = 1;  // node 2 claims node 1, which lists 3 and 4
  EXPECT_THROW(segment_tree_from_json(bad, 3, 1, "m.json"), DataError);
  bad = doc;
  bad[4]["leaf"] = 0;  // two leaves for segment 0
  EXPECT_THROW(segment_tree_from_json(bad, 3, 1, "m.json"), DataError);
  bad = doc;
  bad[1]["children"] = {3, 3};
  EXPECT_THROW(segment_tree_from_json(bad, 3, 1, "m.json"), DataError);
}

}  // namespace
}  // namespace kseg
