// Starting centroids for a refit from an old model's centroids (already in the new prepared space).
#pragma once

#include <cstdint>
#include <vector>

#include "host/backend.hpp"
#include "host/comm/communicator.hpp"

namespace kseg {

// k starting centroids: with k == k_old the old centroids as they are; with k < k_old the k largest old segments
// (by old_sizes; ties to the lower index), in their old order; with k > k_old every old centroid, then k − k_old
// more by the fit's own greedy k-means++ continued from them (seeds_kmeans_plus_plus_from: the best of
// 2 + ⌊ln k⌋ candidates drawn ∝ w·D² each step), through the backend built on the new data, with its sample weights.
// Collective across processes (comm, each backend holding a slice of the rows in global row order), with the same
// guarantee as a fresh k-means++ seeding: the centres of one process, up to the last bits of the per-rank sums.
std::vector<float> warm_start_centroids(Backend& backend, const std::vector<float>& old_centroids, int64_t k_old,
                                        const std::vector<double>& old_sizes, int64_t k, uint64_t seed,
                                        const Communicator& comm = single_process());

}  // namespace kseg
