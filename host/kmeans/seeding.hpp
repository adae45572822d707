// Initial centroids, chosen through the Backend so both backends seed identically for a seed.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "host/backend.hpp"
#include "host/kmeans/communicator.hpp"

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
// Across processes (comm, each backend holding a slice of the rows in global row order) every draw is made once
// for all ranks: the target picks the owning rank by the prefix of the ranks' totals, that rank finds the row in its
// slice and every rank receives it, so the same seed gives the same centres for any number of processes (up to the
// last bits of the double totals, which are summed per rank; see bench/MPI.md).
std::vector<float> seeds_kmeans_plus_plus(Backend& backend, int64_t k, uint64_t seed, int n_local_trials,
                                          const Communicator& comm = single_process());

// k distinct rows drawn with probability ∝ weight (duplicates only when fewer than k rows have weight).
std::vector<float> seeds_random(Backend& backend, int64_t k, uint64_t seed,
                                const Communicator& comm = single_process());

// Seed of restart `run` derived from the user's seed (splitmix64), so restarts are independent and reproducible.
uint64_t run_seed_derive(uint64_t seed, int run);

}  // namespace kseg
