// Agreement between fits from different seeds: adjusted Rand index on dense labels, in O(n + k²).
#pragma once

#include <cstdint>
#include <vector>

namespace kseg {

// Adjusted Rand index of two labelings of n rows with labels in [0, k) (the same value as adjusted_rand_index,
// from a dense k × k contingency table). DataError for a label outside [0, k).
double adjusted_rand_index_dense(const int32_t* a, const int32_t* b, int64_t n, int64_t k);

// Mean adjusted Rand index over all pairs of labelings; NaN with fewer than two.
double stability_mean_ari(const std::vector<std::vector<int32_t>>& labelings, int64_t k);

}  // namespace kseg
