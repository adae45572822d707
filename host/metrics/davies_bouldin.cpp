#include "host/metrics/davies_bouldin.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace kseg {

double davies_bouldin_score(const ClusterMoments& m) {
  std::vector<int64_t> live;
  for (int64_t j = 0; j < m.k; ++j)
    if (m.weight[j] > 0.0) live.push_back(j);
  const double c = static_cast<double>(live.size());
  if (c < 2.0 || c > m.total_weight - 1.0) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> spread;  // S_i: mean distance to the centroid
  for (int64_t j : live) spread.push_back(m.dist[j] / m.weight[j]);
  const auto centroid_distance = [&](int64_t a, int64_t b) {
    double sq = 0.0;
    for (int64_t t = 0; t < m.d; ++t) {
      const double diff = m.centroid[a * m.d + t] - m.centroid[b * m.d + t];
      sq += diff * diff;
    }
    return std::sqrt(sq);
  };
  bool any_spread = false;
  bool any_separation = false;
  double total = 0.0;
  for (size_t a = 0; a < live.size(); ++a) {
    any_spread = any_spread || spread[a] > 0.0;
    double worst = 0.0;
    for (size_t b = 0; b < live.size(); ++b) {
      if (a == b) continue;
      const double separation = centroid_distance(live[a], live[b]);
      if (separation == 0.0) continue;  // identical centroids: scikit-learn treats the distance as infinite
      any_separation = true;
      worst = std::max(worst, (spread[a] + spread[b]) / separation);
    }
    total += worst;
  }
  if (!any_spread || !any_separation) return 0.0;
  return total / c;
}

}  // namespace kseg
