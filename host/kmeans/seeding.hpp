// Initial centroids, chosen through the Backend so both backends seed identically for a seed.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "host/backend.hpp"

namespace kseg {

// Uniform doubles in [0, 1) from a seed, identical on every platform (mt19937_64 is fully specified; the
// standard distributions are not, so the conversion is done here).
class UniformStream {
 public:
  explicit UniformStream(uint64_t seed) : engine_(seed) {}
  double next() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

 private:
  std::mt19937_64 engine_;
};

// Greedy k-means++ (Arthur & Vassilvitskii, with scikit-learn's several candidates per step): each new centre is
// the best of n_local_trials rows sampled with probability ∝ w·D², judged by the potential it leaves.
// n_local_trials <= 0 means 2 + ⌊ln k⌋. Returns k × d row-major centroids.
std::vector<float> seeds_kmeans_plus_plus(Backend& backend, int64_t k, uint64_t seed, int n_local_trials);

// k distinct rows drawn with probability ∝ weight (duplicates only when fewer than k rows have weight).
std::vector<float> seeds_random(Backend& backend, int64_t k, uint64_t seed);

// Seed of restart `run` derived from the user's seed (splitmix64), so restarts are independent and reproducible.
uint64_t run_seed_derive(uint64_t seed, int run);

}  // namespace kseg
