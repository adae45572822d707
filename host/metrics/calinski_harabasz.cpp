#include "host/metrics/calinski_harabasz.hpp"

#include <limits>

namespace kseg {

double calinski_harabasz_score(const ClusterMoments& m) {
  const double c = static_cast<double>(m.n_clusters());
  const double total = m.total_weight;
  if (c < 2.0 || c > total - 1.0) return std::numeric_limits<double>::quiet_NaN();
  double between = 0.0;
  double within = 0.0;
  for (int64_t j = 0; j < m.k; ++j) {
    if (m.weight[j] <= 0.0) continue;
    double sq = 0.0;
    for (int64_t t = 0; t < m.d; ++t) {
      const double diff = m.centroid[j * m.d + t] - m.mean[t];
      sq += diff * diff;
    }
    between += m.weight[j] * sq;
    within += m.sq_dist[j];
  }
  if (within == 0.0) return 1.0;
  return between * (total - c) / (within * (c - 1.0));
}

}  // namespace kseg
