// kseg sweep --hierarchy: one bisecting tree per seed, grown to the largest k and cut at every k — the tree after
// k − 1 splits is the tree of k leaves, so one tree serves every k (far cheaper than a fit per k).
#pragma once

#include <cstdint>
#include <vector>

#include "host/kmeans/bisecting_fit.hpp"
#include "host/report/k_sweep.hpp"

namespace kseg {

// The tree cut at k leaves (the first k − 1 splits: nodes 0 .. 2k − 2). leaf_labels: each row's leaf in the full
// tree; returns each row's leaf in the cut (numbered depth first, first child first); centroids (k × d) and inertia
// of the cut's leaves when not null. DataError when the tree has fewer than k leaves.
std::vector<int32_t> tree_cut_labels(const SegmentTree& tree, const std::vector<int32_t>& leaf_labels, int64_t k,
                                     std::vector<float>* centroids = nullptr, double* inertia = nullptr);

// The sweep of k_sweep.hpp over cuts of trees: for each seed (params.seed + s) one tree of params.ks.back() leaves
// with the given split strategy, then per k the metrics of its cut; the best seed per k is the lowest inertia.
// A row's n_iter is the Lloyd iterations of the splits up to that k; seconds, the metrics' time plus an equal share
// of the trees'. No fit sample (params.fit_sample must be 0).
SweepResult sweep_tree_run(const DataView& data, const SweepParams& params, SplitStrategy split,
                           const BackendFactory& backend_make, const SweepProgress& on_k = {});

// The labels of one k of the sweep (the tree of `seed`, as kseg fit --hierarchy --k k --seed seed gives them), for
// the recommended k's profiles.
std::vector<int32_t> sweep_tree_labels(const DataView& data, const SweepParams& params, SplitStrategy split,
                                       const BackendFactory& backend_make, int64_t k, uint64_t seed);

}  // namespace kseg
