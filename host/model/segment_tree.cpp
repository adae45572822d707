#include "host/model/segment_tree.hpp"
#include "host/json_integer.hpp"

#include <cmath>
#include <limits>

#include "host/error.hpp"

namespace kseg {
namespace {

float sq_distance_to(const float* x, const std::vector<float>& c) {
  double sum = 0.0;
  for (size_t t = 0; t < c.size(); ++t) {
    const double diff = static_cast<double>(x[t]) - c[t];
    sum += diff * diff;
  }
  return static_cast<float>(sum);
}

}  // namespace

std::vector<int64_t> SegmentTree::leaves() const {
  std::vector<int64_t> out;
  for (const TreeNode& node : nodes)
    if (node.leaf >= 0) {
      if (out.size() <= static_cast<size_t>(node.leaf)) out.resize(static_cast<size_t>(node.leaf) + 1, -1);
      out[node.leaf] = node.id;
    }
  return out;
}

std::string SegmentTree::path(int64_t node) const {
  std::string text = std::to_string(node);
  for (int64_t at = nodes[node].parent; at >= 0; at = nodes[at].parent) text = std::to_string(at) + "/" + text;
  return text;
}

int64_t SegmentTree::leaf_walk(const float* x, float* sq_distance) const {
  int64_t at = 0;
  while (!nodes[at].is_leaf()) {
    const TreeNode& node = nodes[at];
    const float a = sq_distance_to(x, nodes[node.children[0]].centroid);
    const float b = sq_distance_to(x, nodes[node.children[1]].centroid);
    at = b < a ? node.children[1] : node.children[0];
  }
  if (sq_distance) *sq_distance = sq_distance_to(x, nodes[at].centroid);
  return nodes[at].leaf;
}

int64_t SegmentTree::leaf_nearest(const float* x, float* sq_distance) const {
  int64_t best = -1;
  float best_distance = std::numeric_limits<float>::infinity();
  for (const int64_t id : leaves()) {
    const float distance = sq_distance_to(x, nodes[id].centroid);
    if (best < 0 || distance < best_distance) {
      best = nodes[id].leaf;
      best_distance = distance;
    }
  }
  if (sq_distance) *sq_distance = best_distance;
  return best;
}

nlohmann::json segment_tree_to_json(const SegmentTree& tree) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const TreeNode& n : tree.nodes)
    nodes.push_back({{"id", n.id},
                     {"parent", n.parent},
                     {"children", n.is_leaf() ? nlohmann::json::array() : nlohmann::json{n.children[0], n.children[1]}},
                     {"size", n.size},
                     {"weight", n.weight},
                     {"inertia", n.inertia},
                     {"split_gain", n.split_gain},
                     {"leaf", n.leaf},
                     {"centroid", n.centroid}});
  return nodes;
}

nlohmann::json segment_tree_document(const SegmentTree& tree, const std::vector<int64_t>& segment_ids,
                                     const std::string& split) {
  nlohmann::json nodes = segment_tree_to_json(tree);
  for (nlohmann::json& node : nodes) {
    const int64_t id = node.at("id").get<int64_t>();
    node["path"] = tree.path(id);
    const int64_t leaf = tree.nodes[id].leaf;
    node["segment"] = leaf >= 0 ? nlohmann::json(segment_ids[leaf]) : nlohmann::json(nullptr);
  }
  return {{"split", split}, {"nodes", nodes}};
}

std::vector<int64_t> segment_tree_leaf_parents(const SegmentTree& tree) {
  std::vector<int64_t> parents;
  for (int64_t id : tree.leaves()) parents.push_back(tree.nodes[id].parent);
  return parents;
}

SegmentTree segment_tree_from_json(const nlohmann::json& doc, int64_t k, int64_t d, const std::string& path) {
  const std::string damaged = path + ": damaged segment tree: ";
  KSEG_EXPECTS(doc.is_array() && static_cast<int64_t>(doc.size()) == 2 * k - 1, DataError,
               damaged + "expected 2k − 1 = " + std::to_string(2 * k - 1) + " nodes");
  SegmentTree tree;
  std::vector<int> leaf_seen(static_cast<size_t>(k), 0);
  for (size_t i = 0; i < doc.size(); ++i) {
    const nlohmann::json& j = doc[i];
    TreeNode n;
    n.id = json_integer_at<int64_t>(j, "id", path);
    n.parent = json_integer_at<int64_t>(j, "parent", path);
    n.size = json_integer_at<int64_t>(j, "size", path);
    n.weight = j.at("weight").get<double>();
    n.inertia = j.at("inertia").get<double>();
    n.split_gain = j.at("split_gain").get<double>();
    n.leaf = json_integer_at<int64_t>(j, "leaf", path);
    n.centroid = j.at("centroid").get<std::vector<float>>();
    const std::vector<int64_t> children = json_integers_at<int64_t>(j, "children", path);
    const int64_t count = static_cast<int64_t>(doc.size());
    KSEG_EXPECTS(n.id == static_cast<int64_t>(i) && (i == 0 ? n.parent == -1 : n.parent >= 0 && n.parent < n.id),
                 DataError, damaged + "node " + std::to_string(i) + " has a wrong id or parent");
    KSEG_EXPECTS(static_cast<int64_t>(n.centroid.size()) == d, DataError,
                 damaged + "node " + std::to_string(i) + " needs " + std::to_string(d) + " centroid values");
    for (float v : n.centroid) KSEG_EXPECTS(std::isfinite(v), DataError, damaged + "a centroid value is not finite");
    if (children.empty()) {
      KSEG_EXPECTS(n.leaf >= 0 && n.leaf < k && ++leaf_seen[n.leaf] == 1, DataError,
                   damaged + "leaf " + std::to_string(i) + " needs a distinct segment index below k");
    } else {
      KSEG_EXPECTS(children.size() == 2 && children[0] != children[1] && n.leaf == -1, DataError,
                   damaged + "an inner node needs two children and no segment index");
      for (int c = 0; c < 2; ++c) {
        KSEG_EXPECTS(children[c] > n.id && children[c] < count && doc[children[c]].at("parent") == n.id, DataError,
                     damaged + "node " + std::to_string(i) + " has a child that does not name it as parent");
        n.children[c] = children[c];
      }
    }
    tree.nodes.push_back(std::move(n));
  }
  return tree;
}

}  // namespace kseg
