#include "host/kmeans/bisecting_fit.hpp"

#include <algorithm>
#include <numeric>

#include "host/error.hpp"
#include "host/kmeans/seeding.hpp"

namespace kseg {
namespace {

// The growing tree with, for each current leaf, the rows it holds; and each row's squared distance to its leaf.
struct TreeBuild {
  SegmentTree tree;
  std::vector<std::vector<int64_t>> rows;  // per node id; emptied once the node is split
  std::vector<bool> unsplittable;          // per node id: 2-means left one side empty (duplicate rows)
  std::vector<float> sq_distances;         // per data row
};

double row_weight(const DataView& data, int64_t i) { return data.weights ? data.weights[i] : 1.0; }

// The root: every row, its weighted mean and inertia (in double, in row order: the same for any thread count).
void root_make(const DataView& data, TreeBuild& b) {
  const int64_t n = data.n_rows, d = data.n_cols;
  TreeNode root;
  root.size = n;
  std::vector<double> sums(static_cast<size_t>(d), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    const double w = row_weight(data, i);
    root.weight += w;
    for (int64_t t = 0; t < d; ++t) sums[t] += w * data.x[i * d + t];
  }
  KSEG_EXPECTS(root.weight > 0.0, DataError, "every user has weight 0: there is nothing to segment");
  for (int64_t t = 0; t < d; ++t) root.centroid.push_back(static_cast<float>(sums[t] / root.weight));
  b.sq_distances.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    double s = 0.0;
    for (int64_t t = 0; t < d; ++t) {
      const double diff = static_cast<double>(data.x[i * d + t]) - root.centroid[t];
      s += diff * diff;
    }
    b.sq_distances[i] = static_cast<float>(s);
    root.inertia += row_weight(data, i) * s;
  }
  b.tree.nodes.push_back(std::move(root));
  b.rows.emplace_back(static_cast<size_t>(n));
  std::iota(b.rows[0].begin(), b.rows[0].end(), 0);
  b.unsplittable.push_back(false);
}

// The leaf to split next: the largest score among leaves with two rows or more and positive weight that can still be
// split (ties: the lowest node id), or −1.
int64_t leaf_choose(const TreeBuild& b, SplitStrategy split) {
  int64_t best = -1;
  for (const TreeNode& node : b.tree.nodes) {
    if (!node.is_leaf() || b.unsplittable[node.id] || node.size < 2 || !(node.weight > 0.0)) continue;
    const auto score = [&](const TreeNode& n) { return split == SplitStrategy::largest ? n.weight : n.inertia; };
    if (best < 0 || score(node) > score(b.tree.nodes[best])) best = node.id;
  }
  return best;
}

// 2-means on a copy of the leaf's rows. Adds the two children and returns true, or marks the leaf unsplittable
// (one side empty) and returns false. Returns the split's winning run in `run`.
bool leaf_split(const DataView& data, const KMeansParams& params, double tol_absolute, int64_t split_index,
                const BackendFactory& backend_make, const IterationCallback& on_iteration, int64_t leaf, TreeBuild& b,
                KMeansRun& run) {
  const int64_t d = data.n_cols;
  const std::vector<int64_t> rows = b.rows[leaf];  // a copy: b.rows grows below
  const int64_t m = static_cast<int64_t>(rows.size());
  std::vector<float> x(static_cast<size_t>(m * d)), w;
  for (int64_t r = 0; r < m; ++r) std::copy_n(data.x + rows[r] * d, d, x.begin() + r * d);
  if (data.weights)
    for (int64_t r = 0; r < m; ++r) w.push_back(data.weights[rows[r]]);
  const DataView view{x.data(), w.empty() ? nullptr : w.data(), m, d};
  KMeansParams split = params;
  split.n_clusters = 2;
  split.seed = run_seed_derive(params.seed, static_cast<int>(split_index));
  std::unique_ptr<Backend> backend = backend_make(view);
  const KMeansResult result = kmeans_fit(*backend, view, split, tol_absolute, single_process(), on_iteration);
  run = result.runs[result.best_run];

  TreeNode children[2];
  std::vector<int64_t> members[2];
  for (int64_t r = 0; r < m; ++r) {
    const int32_t side = result.labels[r];
    const double weight = w.empty() ? 1.0 : w[r];
    children[side].size += 1;
    children[side].weight += weight;
    children[side].inertia += weight * result.sq_distances[r];
    members[side].push_back(rows[r]);
  }
  if (children[0].size == 0 || children[1].size == 0) {
    b.unsplittable[leaf] = true;
    return false;
  }
  for (int c = 0; c < 2; ++c) {
    const int64_t id = static_cast<int64_t>(b.tree.nodes.size());
    children[c].id = id;
    children[c].parent = leaf;
    children[c].centroid.assign(result.centroids.begin() + c * d, result.centroids.begin() + (c + 1) * d);
    b.tree.nodes[leaf].children[c] = id;
    b.tree.nodes.push_back(std::move(children[c]));
    b.rows.push_back(std::move(members[c]));
    b.unsplittable.push_back(false);
  }
  for (int64_t r = 0; r < m; ++r) b.sq_distances[rows[r]] = result.sq_distances[r];
  TreeNode& parent = b.tree.nodes[leaf];
  parent.split_gain =
      parent.inertia - b.tree.nodes[parent.children[0]].inertia - b.tree.nodes[parent.children[1]].inertia;
  b.rows[leaf].clear();
  b.rows[leaf].shrink_to_fit();
  return true;
}

// Numbers the leaves depth first, first child first (scikit-learn's label order), and collects the result.
KMeansResult result_collect(const DataView& data, TreeBuild& b) {
  KMeansResult result;
  result.n_features = data.n_cols;
  result.labels.resize(static_cast<size_t>(data.n_rows));
  std::vector<int64_t> stack = {0};
  while (!stack.empty()) {
    TreeNode& node = b.tree.nodes[stack.back()];
    stack.pop_back();
    if (!node.is_leaf()) {
      stack.push_back(node.children[1]);
      stack.push_back(node.children[0]);
      continue;
    }
    node.leaf = result.n_clusters++;
    result.centroids.insert(result.centroids.end(), node.centroid.begin(), node.centroid.end());
    result.inertia += node.inertia;
    for (int64_t i : b.rows[node.id]) result.labels[i] = static_cast<int32_t>(node.leaf);
  }
  result.sq_distances = std::move(b.sq_distances);
  return result;
}

}  // namespace

SplitStrategy split_strategy_parse(const std::string& text) {
  if (text == "largest-inertia") return SplitStrategy::largest_inertia;
  KSEG_EXPECTS(text == "largest", UsageError, "--split: expected largest-inertia or largest, got \"" + text + "\"");
  return SplitStrategy::largest;
}

std::string split_strategy_name(SplitStrategy strategy) {
  return strategy == SplitStrategy::largest ? "largest" : "largest-inertia";
}

KMeansResult bisecting_fit(const DataView& data, const KMeansParams& params, double tol_absolute,
                           const BisectingParams& bisecting, const BackendFactory& backend_make, SegmentTree& tree,
                           const IterationCallback& on_iteration) {
  kmeans_params_validate(params, data.n_rows, data.n_cols);
  KSEG_EXPECTS(params.init != InitMethod::given, UsageError,
               "--hierarchy seeds every split itself: use --init k-means++, k-means|| or random");
  TreeBuild b;
  root_make(data, b);
  std::vector<KMeansRun> runs;
  for (int64_t leaves = 1, split_index = 0; leaves < params.n_clusters; ++split_index) {
    const int64_t leaf = leaf_choose(b, bisecting.split);
    KSEG_EXPECTS(leaf >= 0, DataError,
                 "the tree stops at " + std::to_string(leaves) + " segments: no segment has two distinct users left " +
                     "to split; choose --k " + std::to_string(leaves) + " or less");
    KMeansRun run;
    if (leaf_split(data, params, tol_absolute, split_index, backend_make, on_iteration, leaf, b, run)) ++leaves;
    runs.push_back(std::move(run));
  }
  if (runs.empty()) {  // k = 1: the root is the one segment, no split ran
    KMeansRun root;
    root.seed = params.seed;
    root.inertia = b.tree.nodes[0].inertia;
    root.converged = true;
    runs.push_back(root);
  }
  KMeansResult result = result_collect(data, b);
  result.runs = std::move(runs);
  result.best_run = static_cast<int>(result.runs.size()) - 1;
  result.tol_absolute = tol_absolute;
  tree = std::move(b.tree);
  return result;
}

}  // namespace kseg
