// Per-cluster weights, centroids and dispersion of a labelled matrix, in double precision: what the
// Calinski-Harabasz and Davies-Bouldin indexes are computed from.
#pragma once

#include <cstdint>
#include <vector>

#include "host/backend.hpp"

namespace kseg {

struct ClusterMoments {
  int64_t k = 0;                 // label range [0, k)
  int64_t d = 0;                 // features
  double total_weight = 0.0;     // Σ w (n when unweighted)
  std::vector<double> weight;    // k: Σ w per cluster (0 for an empty cluster)
  std::vector<double> centroid;  // k × d weighted means (0 for an empty cluster)
  std::vector<double> mean;      // d: weighted mean of all rows
  std::vector<double> sq_dist;   // k: Σ w·‖x − c‖² per cluster
  std::vector<double> dist;      // k: Σ w·‖x − c‖ per cluster
  int64_t n_clusters() const;    // clusters with positive weight
};

// Two passes over the rows (means, then distances), in fixed blocks reduced in order: the result does not depend on
// the thread count. data.weights (or 1) weigh each row as that many copies. labels in [0, k) (DataError otherwise).
ClusterMoments cluster_moments(const DataView& data, const int32_t* labels, int64_t k);

}  // namespace kseg
