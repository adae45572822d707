#include "host/kmeans/bisecting_fit.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "host/error.hpp"
#include "host/kmeans/cpu_backend.hpp"
#include "host/kmeans/seeding.hpp"

namespace kseg {
namespace {

// The growing tree with, for each current leaf, this process's rows in it; and each local row's squared distance to
// its leaf.
struct TreeBuild {
  SegmentTree tree;
  std::vector<std::vector<int64_t>> rows;  // per node id: local row indices; emptied once the node is split
  std::vector<bool> closed;                // per node id: not to be split (one side empty, or below the minimum)
  std::vector<float> sq_distances;         // per local row
  double minimum = 0.0;                    // the smallest child a split may leave (0: none)
};

double row_weight(const DataView& data, int64_t i) { return data.weights ? data.weights[i] : 1.0; }

// Σ values over all ranks, exact (ExactSums): the same bits for any split of the rows into ranks and threads.
// values(add) calls add(slot, v) with v >= 0 for every local contribution; max_local bounds them on this rank.
template <class Values>
std::vector<double> sums_exact(size_t slots, double max_local, const Communicator& comm, const Values& values) {
  ExactSums sums(slots, comm.size() == 1 ? max_local : comm.max_all(max_local));
  values([&](size_t slot, double v) { sums.add(slot, v); });
  return sums.totals(comm);
}

// The root: every row, its weighted mean and inertia. Coordinates may be negative, so each feature's sum is
// taken as its positive part minus its negative part, both exact.
void root_make(const DataView& data, const Communicator& comm, TreeBuild& b) {
  const int64_t n = data.n_rows, d = data.n_cols;
  TreeNode root;
  root.size = comm.total(n);
  double max_value = 0.0, max_weight = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double w = row_weight(data, i);
    max_weight = std::max(max_weight, w);
    for (int64_t t = 0; t < d; ++t) max_value = std::max(max_value, w * std::fabs(data.x[i * d + t]));
  }
  root.weight = sums_exact(1, max_weight, comm, [&](const auto& add) {
    for (int64_t i = 0; i < n; ++i) add(0, row_weight(data, i));
  })[0];
  KSEG_EXPECTS(root.weight > 0.0, DataError, "every user has weight 0: there is nothing to segment");
  const std::vector<double> parts = sums_exact(2 * static_cast<size_t>(d), max_value, comm, [&](const auto& add) {
    for (int64_t i = 0; i < n; ++i)
      for (int64_t t = 0; t < d; ++t) {
        const double v = row_weight(data, i) * data.x[i * d + t];
        add(static_cast<size_t>(v < 0.0 ? d + t : t), std::fabs(v));
      }
  });
  for (int64_t t = 0; t < d; ++t) root.centroid.push_back(static_cast<float>((parts[t] - parts[d + t]) / root.weight));
  b.sq_distances.resize(static_cast<size_t>(n));
  double max_inertia = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    double s = 0.0;
    for (int64_t t = 0; t < d; ++t) {
      const double diff = static_cast<double>(data.x[i * d + t]) - root.centroid[t];
      s += diff * diff;
    }
    b.sq_distances[i] = static_cast<float>(s);
    max_inertia = std::max(max_inertia, row_weight(data, i) * s);
  }
  root.inertia = sums_exact(1, max_inertia, comm, [&](const auto& add) {
    for (int64_t i = 0; i < n; ++i) add(0, row_weight(data, i) * b.sq_distances[i]);
  })[0];
  b.tree.nodes.push_back(std::move(root));
  b.rows.emplace_back(static_cast<size_t>(n));
  std::iota(b.rows[0].begin(), b.rows[0].end(), 0);
  b.closed.push_back(false);
}

// The leaf to split next: the largest score among open leaves with two users or more and enough weight for two
// children of the minimum (ties: the lowest node id), or −1. Every input is the same on all ranks.
int64_t leaf_choose(const TreeBuild& b, SplitStrategy split) {
  int64_t best = -1;
  for (const TreeNode& node : b.tree.nodes) {
    if (!node.is_leaf() || b.closed[node.id] || node.size < 2 || !(node.weight > 0.0)) continue;
    if (node.weight < 2.0 * b.minimum) continue;  // any split leaves a child below the minimum
    const auto score = [&](const TreeNode& n) { return split == SplitStrategy::largest ? n.weight : n.inertia; };
    if (best < 0 || score(node) > score(b.tree.nodes[best])) best = node.id;
  }
  return best;
}

// The two children of a 2-means result over the leaf's local rows: sizes, weights and inertias over all ranks.
void children_measure(const KMeansResult& result, const std::vector<float>& w, const Communicator& comm,
                      TreeNode (&children)[2]) {
  const int64_t m = static_cast<int64_t>(result.labels.size());
  int64_t sizes[2] = {0, 0};
  double max_weight = 0.0, max_inertia = 0.0;
  for (int64_t r = 0; r < m; ++r) {
    const double weight = w.empty() ? 1.0 : w[r];
    ++sizes[result.labels[r]];
    max_weight = std::max(max_weight, weight);
    max_inertia = std::max(max_inertia, weight * result.sq_distances[r]);
  }
  comm.sum_all(sizes, 2);
  const std::vector<double> weights = sums_exact(2, max_weight, comm, [&](const auto& add) {
    for (int64_t r = 0; r < m; ++r) add(static_cast<size_t>(result.labels[r]), w.empty() ? 1.0 : w[r]);
  });
  const std::vector<double> inertias = sums_exact(2, max_inertia, comm, [&](const auto& add) {
    for (int64_t r = 0; r < m; ++r)
      add(static_cast<size_t>(result.labels[r]), (w.empty() ? 1.0 : w[r]) * result.sq_distances[r]);
  });
  for (int c = 0; c < 2; ++c) {
    children[c].size = sizes[c];
    children[c].weight = weights[c];
    children[c].inertia = inertias[c];
  }
}

// 2-means over the leaf's rows (this rank's copy of them). Returns the winning run and the result in this rank's row
// order of the leaf.
KMeansResult leaf_two_means(const DataView& data, const KMeansParams& params, double tol_absolute, int64_t split_index,
                            const BackendFactory& backend_make, const IterationCallback& on_iteration,
                            const std::vector<int64_t>& rows, const Communicator& comm, std::vector<float>& w) {
  const int64_t d = data.n_cols;
  const int64_t m = static_cast<int64_t>(rows.size());
  std::vector<float> x(static_cast<size_t>(m * d));
  for (int64_t r = 0; r < m; ++r) std::copy_n(data.x + rows[r] * d, d, x.begin() + r * d);
  if (data.weights)
    for (int64_t r = 0; r < m; ++r) w.push_back(data.weights[rows[r]]);
  const DataView view{x.data(), w.empty() ? nullptr : w.data(), m, d};
  KMeansParams split = params;
  split.n_clusters = 2;
  split.seed = run_seed_derive(params.seed, static_cast<int>(split_index));
  // A rank without rows of this leaf still takes part in every collective of the split; a CPU backend over no rows
  // does so without asking a device for an empty allocation.
  std::unique_ptr<Backend> backend = m > 0 ? backend_make(view) : std::make_unique<CpuBackend>(view, 1);
  return kmeans_fit(*backend, view, split, tol_absolute, comm, on_iteration);
}

// Splits `leaf` with 2-means. Adds the two children and returns true, or closes the leaf (one side empty, or a side
// below the minimum: recorded in `report`) and returns false. Returns the split's winning run in `run`.
bool leaf_split(const DataView& data, const KMeansParams& params, double tol_absolute, int64_t split_index,
                const BackendFactory& backend_make, const IterationCallback& on_iteration, int64_t leaf,
                const Communicator& comm, TreeBuild& b, KMeansRun& run, MinSizeReport& report) {
  const int64_t d = data.n_cols;
  const std::vector<int64_t> rows = b.rows[leaf];  // a copy: b.rows grows below
  std::vector<float> w;
  const KMeansResult result =
      leaf_two_means(data, params, tol_absolute, split_index, backend_make, on_iteration, rows, comm, w);
  run = result.runs[result.best_run];
  TreeNode children[2];
  children_measure(result, w, comm, children);
  if (children[0].size == 0 || children[1].size == 0) {
    b.closed[leaf] = true;
    return false;
  }
  const double smaller = std::min(children[0].weight, children[1].weight);
  if (smaller < b.minimum) {
    b.closed[leaf] = true;
    report.closed_nodes.push_back(leaf);
    report.closed_sizes.push_back(smaller);
    return false;
  }
  std::vector<int64_t> members[2];
  for (size_t r = 0; r < rows.size(); ++r) {
    members[result.labels[r]].push_back(rows[r]);
    b.sq_distances[rows[r]] = result.sq_distances[r];
  }
  for (int c = 0; c < 2; ++c) {
    const int64_t id = static_cast<int64_t>(b.tree.nodes.size());
    children[c].id = id;
    children[c].parent = leaf;
    children[c].centroid.assign(result.centroids.begin() + c * d, result.centroids.begin() + (c + 1) * d);
    b.tree.nodes[leaf].children[c] = id;
    b.tree.nodes.push_back(std::move(children[c]));
    b.rows.push_back(std::move(members[c]));
    b.closed.push_back(false);
  }
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
                           const IterationCallback& on_iteration, const Communicator& comm, MinSizeReport* min_report) {
  kmeans_params_validate(params, comm.size() == 1 ? data.n_rows : comm.total(data.n_rows), data.n_cols);
  KSEG_EXPECTS(params.init != InitMethod::given, UsageError,
               "--hierarchy seeds every split itself: use --init k-means++, k-means|| or random");
  min_size_params_validate(bisecting.min_size);
  MinSizeReport report;
  report.tree = true;
  report.k_requested = params.n_clusters;
  TreeBuild b;
  root_make(data, comm, b);
  if (bisecting.min_size.active())
    b.minimum = report.minimum = min_size_resolve(bisecting.min_size, b.tree.nodes[0].weight);
  std::vector<KMeansRun> runs;
  // Every attempt either adds a leaf or closes one, so the loop ends after at most 2k − 1 attempts.
  for (int64_t leaves = 1, split_index = 0; leaves < params.n_clusters; ++split_index) {
    const int64_t leaf = leaf_choose(b, bisecting.split);
    if (leaf < 0 && bisecting.min_size.active()) break;  // fewer leaves: reported through min_report
    KSEG_EXPECTS(leaf >= 0, DataError,
                 "the tree stops at " + std::to_string(leaves) + " segments: no segment has two distinct users left " +
                     "to split; choose --k " + std::to_string(leaves) + " or less");
    KMeansRun run;
    if (leaf_split(data, params, tol_absolute, split_index, backend_make, on_iteration, leaf, comm, b, run, report))
      ++leaves;
    runs.push_back(std::move(run));
  }
  if (runs.empty()) {  // k = 1 (or no leaf could split): the root is the one segment, no split ran
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
  if (min_report) *min_report = std::move(report);
  return result;
}

}  // namespace kseg
