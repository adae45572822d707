// The tree of a bisecting K-means fit: every node (the root holds all users; each split gives two children), its
// size, inertia and centroid; the leaves are the segments. Kept in model.json, written as tree.json.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace kseg {

struct TreeNode {
  int64_t id = 0;                  // index in SegmentTree::nodes: the root is 0, children are numbered as split
  int64_t parent = -1;             // −1 for the root
  int64_t children[2] = {-1, -1};  // both −1 for a leaf
  int64_t size = 0;                // users in the node
  double weight = 0.0;             // their summed weight (= size without a weight column)
  double inertia = 0.0;            // Σ w·‖x − centroid‖² over its users
  double split_gain = 0.0;         // inertia − the children's inertia (0 for a leaf)
  int64_t leaf = -1;               // segment index (centroid row) for a leaf, −1 otherwise
  std::vector<float> centroid;     // d values in the prepared space
  bool is_leaf() const { return children[0] < 0; }
};

struct SegmentTree {
  std::vector<TreeNode> nodes;

  bool empty() const { return nodes.empty(); }
  // Node ids of the leaves in segment order (leaf index 0, 1, ...).
  std::vector<int64_t> leaves() const;
  // "0/1/4": the node ids from the root down to the node.
  std::string path(int64_t node) const;
  // The leaf reached from the root taking the nearer child (squared Euclidean; ties to the first child) at each
  // split: how the tree was built. Returns the leaf index; sq_distance gets the squared distance to its centroid.
  int64_t leaf_walk(const float* x, float* sq_distance) const;
  // The nearest leaf centroid (ties to the lowest leaf index), which can differ from leaf_walk.
  int64_t leaf_nearest(const float* x, float* sq_distance) const;
};

// The nodes as JSON (id, parent, children, size, weight, inertia, split_gain, leaf, centroid).
nlohmann::json segment_tree_to_json(const SegmentTree& tree);
// tree.json: {"split": ..., "nodes": [...]}, each node also with its path ("0/1/4") and, for a leaf, its stable
// segment id (segment_ids[leaf]).
nlohmann::json segment_tree_document(const SegmentTree& tree, const std::vector<int64_t>& segment_ids,
                                     const std::string& split);
// The parent node id of each leaf, in segment order (centroids.csv's parent column).
std::vector<int64_t> segment_tree_leaf_parents(const SegmentTree& tree);
// Validates a tree read from `path` against k leaves and d features: DataError naming the file when damaged.
SegmentTree segment_tree_from_json(const nlohmann::json& doc, int64_t k, int64_t d, const std::string& path);

}  // namespace kseg
