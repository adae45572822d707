// Parent profiles of a bisecting tree: each parent's users are its leaves' users (checked against a profile computed
// from a hand-made two-way labelling), the root gets none, profiles.json keeps them, and report.html shows one card
// per parent with its name and what it splits into.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "host/error.hpp"
#include "host/report/profiles_io.hpp"
#include "host/report/tree_profiles.hpp"
#include "host/report/tree_report.hpp"

namespace kseg {
namespace {

// root 0 → 1, 2; node 1 → 3, 4; node 2 → 5, 6; node 3 → 7, 8. Leaves depth first: 7, 8, 4, 5, 6 (indices 0 .. 4).
SegmentTree tree_make(int64_t d) {
  SegmentTree tree;
  const int64_t parents[] = {-1, 0, 0, 1, 1, 2, 2, 3, 3};
  const int64_t leaf_of[] = {-1, -1, -1, -1, 2, 3, 4, 0, 1};
  for (int64_t i = 0; i < 9; ++i) {
    TreeNode n;
    n.id = i;
    n.parent = parents[i];
    n.leaf = leaf_of[i];
    n.centroid.assign(static_cast<size_t>(d), 0.0f);
    tree.nodes.push_back(n);
  }
  for (int64_t p : {0, 1, 2, 3}) tree.nodes[p].children[0] = 2 * p + 1, tree.nodes[p].children[1] = 2 * p + 2;
  return tree;
}

// Ten users: spend rises with the leaf, so every parent has its own mean; device ios for leaves 0 and 1 only.
Table table_make(std::vector<int32_t>& leaves) {
  leaves = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4};
  Table t;
  t.n_rows = 10;
  t.ids = IdColumn::row_numbers(10);
  TableColumn spend("spend", ColumnRole::numeric);
  TableColumn device("device", ColumnRole::categorical);
  for (int32_t leaf : leaves) {
    spend.values.push_back(static_cast<float>(10 * (leaf + 1) + spend.values.size()));
    device.level_append(leaf <= 1 ? "ios" : "web");
  }
  t.columns.push_back(spend);
  t.columns.push_back(device);
  return t;
}

const FeatureStat& mean_of(const SegmentProfile& s, const std::string& column) {
  for (const FeatureStat& f : s.features)
    if (f.kind == StatKind::mean && f.column == column) return f;
  throw std::runtime_error("no mean of " + column);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(TreeProfiles, EachParentIsTheProfileOfItsLeavesUsers) {
  std::vector<int32_t> leaves;
  const Table table = table_make(leaves);
  const FeaturePipeline pipeline = FeaturePipeline::fit(table, PipelineOptions{});
  const SegmentTree tree = tree_make(pipeline.n_features());
  const std::vector<SegmentProfile> parents = tree_parent_profiles(table, pipeline, leaves.data(), tree);
  ASSERT_EQ(parents.size(), 3u);  // nodes 1, 2, 3: the root is the population itself
  // The leaves under each parent, written out by hand from the tree above.
  const std::vector<std::vector<int32_t>> under = {{0, 1, 2}, {3, 4}, {0, 1}};
  for (size_t p = 0; p < parents.size(); ++p) {
    SCOPED_TRACE("node " + std::to_string(p + 1));
    EXPECT_EQ(parents[p].segment, static_cast<int32_t>(p + 1));
    std::vector<int32_t> inside(leaves.size());
    double sum = 0.0;
    int64_t n = 0;
    for (size_t i = 0; i < leaves.size(); ++i) {
      inside[i] = std::count(under[p].begin(), under[p].end(), leaves[i]) ? 0 : 1;
      if (inside[i] == 0) sum += table.columns[0].values[i], ++n;
    }
    EXPECT_EQ(parents[p].size, n);
    EXPECT_DOUBLE_EQ(parents[p].share, static_cast<double>(n) / 10.0);
    EXPECT_NEAR(mean_of(parents[p], "spend").value, sum / static_cast<double>(n), 1e-9);
    // The same users as a segment of a two-way split give the same statistics.
    const Profiles two = profiles_compute(table, pipeline, inside.data(), 2);
    ASSERT_EQ(two.segments[0].features.size(), parents[p].features.size());
    for (size_t f = 0; f < parents[p].features.size(); ++f) {
      EXPECT_DOUBLE_EQ(parents[p].features[f].value, two.segments[0].features[f].value);
      EXPECT_DOUBLE_EQ(parents[p].features[f].std_diff, two.segments[0].features[f].std_diff);
    }
    EXPECT_FALSE(parents[p].persona.empty());
    EXPECT_EQ(parents[p].description.rfind("Node " + std::to_string(p + 1) + ", ", 0), 0u) << parents[p].description;
  }
  // Node 3 (leaves 0 and 1) is all ios and the lowest spenders; node 2 the highest.
  EXPECT_NE(parents[2].persona.find("ios"), std::string::npos) << parents[2].persona;
  EXPECT_NE(parents[1].persona.find("High spend"), std::string::npos) << parents[1].persona;

  std::vector<int32_t> outside = leaves;
  outside[0] = 5;
  EXPECT_THROW(tree_parent_profiles(table, pipeline, outside.data(), tree), DataError);
}

TEST(TreeProfiles, ProfilesJsonKeepsThemAndTheReportShowsACardPerParent) {
  std::vector<int32_t> leaves;
  const Table table = table_make(leaves);
  const FeaturePipeline pipeline = FeaturePipeline::fit(table, PipelineOptions{});
  const SegmentTree tree = tree_make(pipeline.n_features());
  Profiles profiles = profiles_compute(table, pipeline, leaves.data(), 5, {}, {10, 11, 12, 13, 14});
  profiles.tree_parents = tree_parent_profiles(table, pipeline, leaves.data(), tree);
  const Profiles back = profiles_from_json(profiles_to_json(profiles), "p.json");
  ASSERT_EQ(back.tree_parents.size(), 3u);
  EXPECT_EQ(profiles_to_json(back), profiles_to_json(profiles));
  EXPECT_EQ(back.tree_parents[1].segment, 2);

  const std::string html = tree_report_section(tree, profiles, pipeline.feature_names());
  EXPECT_EQ(count(html, "class=\"card parent\""), 3u);
  for (const SegmentProfile& s : profiles.tree_parents) {
    SCOPED_TRACE(s.name);
    EXPECT_NE(html.find("id=\"node-" + std::to_string(s.segment) + "\""), std::string::npos);
    EXPECT_NE(html.find("<h3>node " + std::to_string(s.segment) + " · " + s.name + "</h3>"), std::string::npos);
  }
  // Node 1 splits into node 3 (a parent, by its name) and leaf 2 (segment id 12, by its name).
  EXPECT_NE(html.find("splits into node 3 · " + profiles.tree_parents[2].name + " and segment 12 · " +
                      profiles.segments[2].name),
            std::string::npos)
      << html;
  // A profiles.json from before parents were written: the tree without cards.
  profiles.tree_parents.clear();
  EXPECT_EQ(count(tree_report_section(tree, profiles, pipeline.feature_names()), "card parent"), 0u);
}

}  // namespace
}  // namespace kseg
