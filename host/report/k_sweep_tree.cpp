#include "host/report/k_sweep_tree.hpp"

#include <algorithm>
#include <chrono>
#include <numeric>

#include "host/error.hpp"
#include "host/kmeans/kmeans_fit.hpp"
#include "host/report/k_sweep_steps.hpp"

namespace kseg {
namespace {

// One seed's tree and its rows' leaves.
struct SeedTree {
  SegmentTree tree;
  std::vector<int32_t> labels;
  std::vector<int> split_iterations;  // Lloyd iterations of each split, in order
};

// For each seed (params.seed + s) one tree of params.ks.back() leaves.
std::vector<SeedTree> seed_trees_grow(const DataView& data, const SweepParams& params, SplitStrategy split,
                                      const BackendFactory& backend_make) {
  const double tol_absolute = sweep_tol_absolute(data, params);
  std::vector<SeedTree> trees(static_cast<size_t>(params.n_seeds));
  for (int s = 0; s < params.n_seeds; ++s) {
    KMeansParams kp;
    kp.n_clusters = params.ks.back();
    kp.max_iter = params.max_iter;
    kp.tol = params.tol;
    kp.seed = params.seed + static_cast<uint64_t>(s);
    const KMeansResult fit = bisecting_fit(data, kp, tol_absolute, {split}, backend_make, trees[s].tree);
    trees[s].labels = fit.labels;
    for (const KMeansRun& run : fit.runs) trees[s].split_iterations.push_back(run.n_iter);
  }
  return trees;
}

}  // namespace

std::vector<int32_t> tree_cut_labels(const SegmentTree& tree, const std::vector<int32_t>& leaf_labels, int64_t k,
                                     std::vector<float>* centroids, double* inertia) {
  KSEG_EXPECTS(k >= 1 && 2 * k - 1 <= static_cast<int64_t>(tree.nodes.size()), DataError,
               "the tree has fewer than " + std::to_string(k) + " leaves");
  const int64_t last = 2 * k - 2;  // the largest node id of the cut
  std::vector<int32_t> cut_of_node(tree.nodes.size(), -1);
  if (centroids) centroids->clear();
  if (inertia) *inertia = 0.0;
  std::vector<int64_t> stack = {0};
  int32_t next = 0;
  while (!stack.empty()) {  // depth first, first child first, stopping at the cut's leaves
    const TreeNode& node = tree.nodes[stack.back()];
    stack.pop_back();
    if (!node.is_leaf() && node.children[0] <= last) {
      stack.push_back(node.children[1]);
      stack.push_back(node.children[0]);
      continue;
    }
    cut_of_node[node.id] = next++;
    if (centroids) centroids->insert(centroids->end(), node.centroid.begin(), node.centroid.end());
    if (inertia) *inertia += node.inertia;
  }
  // Each full leaf's cut: its nearest ancestor (or itself) inside the cut.
  const std::vector<int64_t> leaves = tree.leaves();
  std::vector<int32_t> cut_of_leaf(leaves.size());
  for (size_t j = 0; j < leaves.size(); ++j) {
    int64_t at = leaves[j];
    while (at > last) at = tree.nodes[at].parent;
    cut_of_leaf[j] = cut_of_node[at];
  }
  std::vector<int32_t> labels(leaf_labels.size());
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = cut_of_leaf[leaf_labels[i]];
  return labels;
}

std::vector<int32_t> sweep_tree_labels(const DataView& data, const SweepParams& params, SplitStrategy split,
                                       const BackendFactory& backend_make, int64_t k, uint64_t seed) {
  KMeansParams kp;
  kp.n_clusters = k;
  kp.max_iter = params.max_iter;
  kp.tol = params.tol;
  kp.seed = seed;
  const double tol_absolute = sweep_tol_absolute(data, params);
  SegmentTree tree;
  return bisecting_fit(data, kp, tol_absolute, {split}, backend_make, tree).labels;
}

SweepResult sweep_tree_run(const DataView& data, const SweepParams& params, SplitStrategy split,
                           const BackendFactory& backend_make, const SweepProgress& on_k) {
  const auto start = std::chrono::steady_clock::now();
  sweep_params_check(params);
  KSEG_EXPECTS(params.fit_sample == 0, UsageError, "--hierarchy sweeps fit on all rows: drop --fit-sample");
  KSEG_EXPECTS(params.ks.back() < data.n_rows, DataError,
               "--k up to " + std::to_string(params.ks.back()) + " needs more rows than the " +
                   std::to_string(data.n_rows) + " in the input");
  SweepResult result;
  const std::vector<int64_t> sample = sweep_result_start(result, data, params, data.n_rows);
  const auto trees_start = std::chrono::steady_clock::now();
  const std::vector<SeedTree> trees = seed_trees_grow(data, params, split, backend_make);
  const double tree_share = sweep_seconds_since(trees_start) / static_cast<double>(params.ks.size());
  std::vector<std::vector<int32_t>> sample_labels;
  for (int64_t k : params.ks) {
    const auto k_start = std::chrono::steady_clock::now();
    SweepRow row;
    row.k = k;
    std::vector<std::vector<int32_t>> labelings;
    std::vector<int32_t> best_labels;
    for (int s = 0; s < params.n_seeds; ++s) {
      std::vector<float> centroids;
      double inertia = 0.0;
      std::vector<int32_t> labels = tree_cut_labels(trees[s].tree, trees[s].labels, k, &centroids, &inertia);
      row.inertias.push_back(inertia);
      if (s == 0 || inertia < row.inertia) {
        row.inertia = inertia;
        row.best_seed = params.seed + static_cast<uint64_t>(s);
        row.centroids = std::move(centroids);
        const std::vector<int>& its = trees[s].split_iterations;
        row.n_iter = std::accumulate(its.begin(), its.begin() + std::min<int64_t>(k - 1, its.size()), 0);
        best_labels = labels;
      }
      labelings.push_back(std::move(labels));
    }
    sweep_row_score(row, data, labelings, best_labels, sample, sample_labels);
    sweep_row_push(result, std::move(row), sweep_seconds_since(k_start) + tree_share, on_k);
  }
  sweep_result_finish(result, data, sample, sample_labels, start);
  return result;
}

}  // namespace kseg
