// Initial centroids, chosen through the Backend so both backends seed identically for a seed.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "host/backend.hpp"
#include "host/comm/communicator.hpp"
#include "host/kmeans/params.hpp"

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

// The same greedy k-means++, continued from given centres (as FAISS continues from given centroids): the first
// given.size() / d of the k centres returned are `given` as they are; their D² is computed once (one backend pass
// for all of them) and the rest are chosen by the steps above, on the same backend passes and draws, collective
// across processes. seeds_kmeans_plus_plus is this with no given centre (its first centre is then drawn ∝ w). Used by
// the warm start (host/dynamics/warm_start.hpp) to add centres to an old model's.
std::vector<float> seeds_kmeans_plus_plus_from(Backend& backend, const std::vector<float>& given, int64_t k,
                                               uint64_t seed, int n_local_trials,
                                               const Communicator& comm = single_process());

// k-means|| (Bahmani et al. 2012, as in Spark, cuML and scikit-learn's k-means|| variants): a first centre drawn
// ∝ w, then params.init_rounds rounds in which every row is taken as a candidate with probability
// min(1, l·w·D²/φ) (D²: squared distance to the nearest candidate so far, φ = Σ w·D², l = params.oversampling or
// 2k), then every candidate weighted by the sample weight of the rows nearest to it, and greedy weighted k-means++
// (params.n_local_trials) on the candidates gives the k centres. Returns k × d row-major centroids.
// Only the Backend's assign, labels_get, distances_get and rows_get passes are used; the per-row coin flips are made
// on the host. weights: the backend's rows' sample weights (nullptr: all 1).
// The same seed gives the same centres for any number of processes and threads: every random number is a
// counter-based hash of (seed, round, global row index), the first centre is the row with the smallest −ln(u)/w
// (an exponential race, exact ∝ w), φ and the candidate weights are ExactSums, and candidates are ordered by round,
// then global row index. When fewer than k candidates come out (fewer distinct rows than k, or a tiny n), it falls
// back to seeds_kmeans_plus_plus on all rows.
std::vector<float> seeds_kmeans_parallel(Backend& backend, const float* weights, const KMeansParams& params,
                                         uint64_t seed, const Communicator& comm = single_process());

// A uniform double in [0, 1) for row `row` of round `round`: a counter-based hash (splitmix64), so any process
// holding the row draws the same number.
double row_uniform(uint64_t seed, uint64_t round, uint64_t row);

// k distinct rows drawn with probability ∝ weight (duplicates only when fewer than k rows have weight).
std::vector<float> seeds_random(Backend& backend, int64_t k, uint64_t seed,
                                const Communicator& comm = single_process());

// Seed of restart `run` derived from the user's seed (splitmix64), so restarts are independent and reproducible.
uint64_t run_seed_derive(uint64_t seed, int run);

}  // namespace kseg
