// Bisecting K-means: start from all users and split one leaf in two with 2-means (its own k-means++ seeding and
// n_init restarts on that leaf's users) until there are k leaves. The leaves are the segments; the tree says which
// segments share a parent. Each split runs the ordinary driver (kmeans_fit) on a backend built over a copy of the
// leaf's rows, so any backend serves; across MPI ranks each rank holds its slice of every leaf's rows and the split's
// passes are reduced through the communicator, as a flat fit's are.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "host/kmeans/kmeans_fit.hpp"
#include "host/kmeans/min_size.hpp"
#include "host/model/segment_tree.hpp"

namespace kseg {

enum class SplitStrategy {
  largest_inertia,  // split the leaf with the largest Σ w·‖x − c‖² (scikit-learn's
                    // bisecting_strategy="biggest_inertia")
  largest,          // split the leaf with the most weight (users) ("largest_cluster")
};

// "largest-inertia" or "largest"; UsageError naming --split otherwise.
SplitStrategy split_strategy_parse(const std::string& text);
std::string split_strategy_name(SplitStrategy strategy);

struct BisectingParams {
  SplitStrategy split = SplitStrategy::largest_inertia;  // which leaf to split next; default largest-inertia
  MinSizeParams min_size = {};  // a split leaving a child below this minimum is not taken; default none
};

// Builds a backend over the given rows (a leaf's copy); it must outlive nothing but the split that uses it.
using BackendFactory = std::function<std::unique_ptr<Backend>(const DataView& rows)>;

// params.n_clusters leaves; params.n_init, max_iter, seed apply to every split (split s uses a seed derived from
// params.seed and s); params.init must be k-means++, k-means|| or random. tol_absolute as for kmeans_fit, from the
// whole data (as scikit-learn does). data: this process's rows; every rank takes part in every split, on
// backend_make(its slice of the leaf's rows), or an empty CPU backend where it holds none of them; the splits' passes
// and the nodes' sizes, weights, inertias and the root's centroid are summed over comm exactly, so the tree is the same
// for any thread count and number of ranks. The result's labels are the leaf each local row was put in by the splits,
// centroids the leaves' (in leaf order: depth first, first child first), runs the winning run of each split. With
// bisecting.min_size active, a split whose smaller child falls below the minimum is not taken: that leaf stays a leaf
// and the next best leaf splits; the tree ends with fewer than k leaves when no leaf can split, recorded in *min_report
// (tree = true, closed_nodes), never an error. Throws DataError when even the root is below the minimum, and (without a
// minimum) when no leaf can be split before k leaves (too few distinct rows).
KMeansResult bisecting_fit(const DataView& data, const KMeansParams& params, double tol_absolute,
                           const BisectingParams& bisecting, const BackendFactory& backend_make, SegmentTree& tree,
                           const IterationCallback& on_iteration = {}, const Communicator& comm = single_process(),
                           MinSizeReport* min_report = nullptr);

}  // namespace kseg
