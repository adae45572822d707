// Calinski-Harabasz index (variance ratio criterion), in double precision.
#pragma once

#include "host/metrics/cluster_moments.hpp"

namespace kseg {

// [B / (c − 1)] / [W / (N − c)] with B = Σ_j N_j·‖c_j − mean‖², W = Σ_i ‖x_i − c(i)‖², c = non-empty clusters,
// N = total weight (weights count as copies; unweighted, N = n and this equals scikit-learn's score). Conventions
// as scikit-learn: 1.0 when W = 0 (every point on its centroid); NaN where scikit-learn refuses (c < 2 or
// c > N − 1).
double calinski_harabasz_score(const ClusterMoments& m);

}  // namespace kseg
