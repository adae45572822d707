#include "host/kmeans/seeding.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace kseg {

uint64_t run_seed_derive(uint64_t seed, int run) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(run + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::vector<float> seeds_kmeans_plus_plus(Backend& backend, int64_t k, uint64_t seed, int n_local_trials) {
  const int64_t d = backend.n_cols();
  const int64_t trials =
      n_local_trials > 0 ? n_local_trials : 2 + static_cast<int64_t>(std::log(static_cast<double>(k)));
  UniformStream uniform(seed);
  std::vector<float> centres(static_cast<size_t>(k * d));

  const double total_weight = backend.seeding_reset();
  double target = uniform.next() * total_weight;
  int64_t row = 0;
  backend.rows_sample(&target, 1, true, &row);
  backend.rows_get(&row, 1, centres.data());
  double potential = backend.seeding_update(centres.data(), 1);

  std::vector<double> targets(static_cast<size_t>(trials));
  std::vector<int64_t> rows(static_cast<size_t>(trials));
  std::vector<float> candidates(static_cast<size_t>(trials * d));
  std::vector<double> cost(static_cast<size_t>(trials));
  for (int64_t c = 1; c < k; ++c) {
    // When every row already coincides with a centre (fewer distinct rows than k), fall back to weights: the
    // duplicate centre becomes an empty cluster the driver repairs or reports.
    const bool by_weight = !(potential > 0.0);
    const double total = by_weight ? total_weight : potential;
    for (double& t : targets) t = uniform.next() * total;
    backend.rows_sample(targets.data(), trials, by_weight, rows.data());
    backend.rows_get(rows.data(), trials, candidates.data());
    backend.seeding_candidates_cost(candidates.data(), trials, cost.data());
    const int64_t best = std::min_element(cost.begin(), cost.end()) - cost.begin();
    std::copy_n(candidates.data() + best * d, d, centres.data() + c * d);
    potential = backend.seeding_update(centres.data() + c * d, 1);
  }
  return centres;
}

std::vector<float> seeds_random(Backend& backend, int64_t k, uint64_t seed) {
  const int64_t d = backend.n_cols();
  UniformStream uniform(seed);
  const double total_weight = backend.seeding_reset();
  std::vector<int64_t> chosen;
  std::unordered_set<int64_t> seen;
  // Rejection of repeats; bounded so a table with fewer than k weighted rows still terminates.
  for (int64_t attempt = 0; static_cast<int64_t>(chosen.size()) < k; ++attempt) {
    double target = uniform.next() * total_weight;
    int64_t row = 0;
    backend.rows_sample(&target, 1, true, &row);
    if (seen.insert(row).second || attempt > 100 * k) chosen.push_back(row);
  }
  std::vector<float> centres(static_cast<size_t>(k * d));
  backend.rows_get(chosen.data(), k, centres.data());
  return centres;
}

}  // namespace kseg
