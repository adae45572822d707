// Davies-Bouldin index, in double precision: lower is better.
#pragma once

#include "host/metrics/cluster_moments.hpp"

namespace kseg {

// Mean over clusters i of max_{j≠i} (S_i + S_j) / ‖c_i − c_j‖ with S_i the (weighted) mean distance of cluster i's
// rows to its centroid. Conventions as scikit-learn: a pair of clusters with identical centroids contributes 0; the
// score is 0 when every S_i is 0 or every centroid distance is 0; NaN where scikit-learn refuses (fewer than 2 or
// more than N − 1 non-empty clusters). Empty clusters are left out.
double davies_bouldin_score(const ClusterMoments& m);

}  // namespace kseg
