// Starting centroids for a refit from an old model's centroids (already in the new prepared space).
#pragma once

#include <cstdint>
#include <vector>

#include "host/backend.hpp"
#include "host/comm/communicator.hpp"

namespace kseg {

// k starting centroids: with k == k_old the old centroids as they are; with k < k_old the k largest old segments
// (by old_sizes; ties to the lower index), in their old order; with k > k_old every old centroid, then k − k_old
// more chosen by greedy k-means++ continued from them (the best of 2 + ⌊ln k⌋ candidates each step, judged by the
// potential Σ w·D² it leaves), through the backend built on the new data. weights: the backend's rows' sample
// weights (nullptr: all 1).
// The same seed gives the same centres for any number of processes (comm, each backend holding a slice of the rows
// in global row order): each candidate is the row with the smallest −ln(u)/(w·D²) over all ranks, u a counter-based
// hash of (seed, draw, global row) — row i with probability ∝ w_i·D²_i (∝ w_i once every row sits on a centre) —
// and the candidates' potentials are ExactSums.
std::vector<float> warm_start_centroids(Backend& backend, const float* weights, const std::vector<float>& old_centroids,
                                        int64_t k_old, const std::vector<double>& old_sizes, int64_t k, uint64_t seed,
                                        const Communicator& comm = single_process());

}  // namespace kseg
