#include "host/dynamics/warm_start.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "host/error.hpp"
#include "host/kmeans/seeding.hpp"

namespace kseg {

std::vector<float> warm_start_centroids(Backend& backend, const std::vector<float>& old_centroids, int64_t k_old,
                                        const std::vector<double>& old_sizes, int64_t k, uint64_t seed) {
  const int64_t d = backend.n_cols();
  KSEG_EXPECTS(static_cast<int64_t>(old_centroids.size()) == k_old * d &&
                   static_cast<int64_t>(old_sizes.size()) == k_old && k >= 1,
               DataError, "warm start: the old centroids do not fit the new data's features");
  if (k <= k_old) {
    std::vector<int64_t> order(static_cast<size_t>(k_old));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return old_sizes[a] > old_sizes[b]; });
    order.resize(static_cast<size_t>(k));
    std::sort(order.begin(), order.end());
    std::vector<float> centres;
    for (int64_t j : order)
      centres.insert(centres.end(), old_centroids.begin() + j * d, old_centroids.begin() + (j + 1) * d);
    return centres;
  }
  std::vector<float> centres = old_centroids;
  centres.resize(static_cast<size_t>(k * d));
  const int64_t trials = 2 + static_cast<int64_t>(std::log(static_cast<double>(k)));
  UniformStream uniform(seed);
  const double total_weight = backend.seeding_reset();
  double potential = backend.seeding_update(centres.data(), k_old);
  std::vector<double> targets(static_cast<size_t>(trials));
  std::vector<int64_t> rows(static_cast<size_t>(trials));
  std::vector<float> candidates(static_cast<size_t>(trials * d));
  std::vector<double> cost(static_cast<size_t>(trials));
  for (int64_t c = k_old; c < k; ++c) {
    const bool by_weight = !(potential > 0.0);
    for (double& t : targets) t = uniform.next() * (by_weight ? total_weight : potential);
    backend.rows_sample(targets.data(), trials, by_weight, rows.data());
    backend.rows_get(rows.data(), trials, candidates.data());
    backend.seeding_candidates_cost(candidates.data(), trials, cost.data());
    const int64_t best = std::min_element(cost.begin(), cost.end()) - cost.begin();
    std::copy_n(candidates.data() + best * d, d, centres.data() + c * d);
    potential = backend.seeding_update(centres.data() + c * d, 1);
  }
  return centres;
}

}  // namespace kseg
