#include "host/report/k_sweep_tree.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <numeric>

#include "host/error.hpp"
#include "host/metrics/silhouette.hpp"
#include "host/metrics/stability.hpp"

namespace kseg {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// One seed's tree and its rows' leaves.
struct SeedTree {
  SegmentTree tree;
  std::vector<int32_t> labels;
  std::vector<int> split_iterations;  // Lloyd iterations of each split, in order
};

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
  const double tol_absolute = params.tol > 0.0 ? params.tol * feature_variance_mean(data, single_process()) : 0.0;
  SegmentTree tree;
  return bisecting_fit(data, kp, tol_absolute, {split}, backend_make, tree).labels;
}

SweepResult sweep_tree_run(const DataView& data, const SweepParams& params, SplitStrategy split,
                           const BackendFactory& backend_make, const SweepProgress& on_k) {
  const auto start = std::chrono::steady_clock::now();
  KSEG_EXPECTS(!params.ks.empty(), UsageError, "sweep: no k to try");
  KSEG_EXPECTS(params.n_seeds >= 1, UsageError, "--seeds must be at least 1");
  KSEG_EXPECTS(params.sample_size >= 3, UsageError, "--sample must be at least 3 rows");
  KSEG_EXPECTS(params.fit_sample == 0, UsageError, "--hierarchy sweeps fit on all rows: drop --fit-sample");
  KSEG_EXPECTS(params.ks.back() < data.n_rows, DataError,
               "--k up to " + std::to_string(params.ks.back()) + " needs more rows than the " +
                   std::to_string(data.n_rows) + " in the input");
  SweepResult result;
  result.params = params;
  result.n_rows = result.fit_rows = data.n_rows;
  result.n_cols = data.n_cols;
  result.sample_seed = params.seed;
  const std::vector<int64_t> sample = rows_sample_uniform(data.n_rows, params.sample_size, result.sample_seed);
  result.sample_rows = static_cast<int64_t>(sample.size());
  SingleProcess comm;
  const double tol_absolute = params.tol > 0.0 ? params.tol * feature_variance_mean(data, comm) : 0.0;

  const auto trees_start = std::chrono::steady_clock::now();
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
  const double tree_share = seconds_since(trees_start) / static_cast<double>(params.ks.size());

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
    row.stability = stability_mean_ari(labelings, k);
    sweep_row_metrics_set(data, best_labels.data(), row);
    std::vector<int32_t> at_sample;
    for (int64_t r : sample) at_sample.push_back(best_labels[r]);
    sample_labels.push_back(std::move(at_sample));
    row.seconds = seconds_since(k_start) + tree_share;
    row.silhouette = std::numeric_limits<double>::quiet_NaN();
    result.rows.push_back(std::move(row));
    if (on_k) on_k(result.rows.back());
  }
  sweep_finish(data, sample, sample_labels, start, result);
  return result;
}

}  // namespace kseg
