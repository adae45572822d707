#include "host/report/tree_profiles.hpp"

#include <algorithm>

#include "host/error.hpp"
#include "host/report/personas.hpp"

namespace kseg {

std::vector<SegmentProfile> tree_parent_profiles(const Table& table, const FeaturePipeline& pipeline,
                                                 const int32_t* leaf_labels, const SegmentTree& tree,
                                                 const ProfileOptions& options) {
  const size_t n_nodes = tree.nodes.size();
  const std::vector<int64_t> leaves = tree.leaves();
  std::vector<int> depth(n_nodes, 0);
  for (size_t i = 1; i < n_nodes; ++i) depth[i] = depth[tree.nodes[i].parent] + 1;  // parents come first
  int deepest_parent = 0;
  for (const TreeNode& node : tree.nodes)
    if (!node.is_leaf()) deepest_parent = std::max(deepest_parent, depth[node.id]);
  const int64_t n = table.n_rows;
  for (int64_t i = 0; i < n; ++i)
    KSEG_EXPECTS(leaf_labels[i] >= 0 && leaf_labels[i] < static_cast<int32_t>(leaves.size()), DataError,
                 "tree profiles: row " + std::to_string(i + 1) + " is in no leaf of the tree");

  Profiles parents;
  parents.options = options;
  std::vector<int32_t> labels(static_cast<size_t>(n));
  for (int level = 1; level <= deepest_parent; ++level) {
    // This depth's parents get labels 0 .. m − 1; every other row (under a leaf above this depth, or under another
    // parent's sibling leaf) the label m.
    std::vector<int64_t> ids;
    std::vector<int32_t> slot(n_nodes, -1);
    for (const TreeNode& node : tree.nodes)
      if (!node.is_leaf() && depth[node.id] == level) {
        slot[node.id] = static_cast<int32_t>(ids.size());
        ids.push_back(node.id);
      }
    const int32_t elsewhere = static_cast<int32_t>(ids.size());
    std::vector<int32_t> leaf_slot(leaves.size(), elsewhere);
    for (size_t j = 0; j < leaves.size(); ++j) {
      int64_t at = leaves[j];
      while (at >= 0 && depth[at] > level) at = tree.nodes[at].parent;
      if (at >= 0 && slot[at] >= 0) leaf_slot[j] = slot[at];
    }
    for (int64_t i = 0; i < n; ++i) labels[i] = leaf_slot[leaf_labels[i]];
    std::vector<int64_t> segment_ids = ids;
    segment_ids.push_back(-1);
    Profiles level_profiles = profiles_compute(table, pipeline, labels.data(), elsewhere + 1, options, segment_ids);
    parents.n_rows = level_profiles.n_rows;
    parents.total_weight = level_profiles.total_weight;
    parents.weighted = level_profiles.weighted;
    for (int32_t s = 0; s < elsewhere; ++s) parents.segments.push_back(std::move(level_profiles.segments[s]));
  }
  std::sort(parents.segments.begin(), parents.segments.end(),
            [](const SegmentProfile& a, const SegmentProfile& b) { return a.segment < b.segment; });
  personas_make(parents, "node");  // named among the parents, not against the level's "elsewhere" rows
  return std::move(parents.segments);
}

}  // namespace kseg
