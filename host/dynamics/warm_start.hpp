// Starting centroids for a refit from an old model's centroids (already in the new prepared space).
#pragma once

#include <cstdint>
#include <vector>

#include "host/backend.hpp"

namespace kseg {

// k starting centroids: with k == k_old the old centroids as they are; with k < k_old the k largest old segments
// (by old_sizes; ties to the lower index), in their old order; with k > k_old every old centroid, then k − k_old
// more chosen by greedy k-means++ continued from them (rows sampled ∝ w·D² to the nearest centre so far, the best
// of 2 + ⌊ln k⌋ candidates each step), through the backend built on the new data.
std::vector<float> warm_start_centroids(Backend& backend, const std::vector<float>& old_centroids, int64_t k_old,
                                        const std::vector<double>& old_sizes, int64_t k, uint64_t seed);

}  // namespace kseg
