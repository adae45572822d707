// Silhouette coefficient (Rousseeuw, 1987), exact, in double precision, on a uniform sample of rows.
#pragma once

#include <cstdint>
#include <vector>

namespace kseg {

// m distinct row indices drawn uniformly without replacement from [0, n), sorted; all rows when m >= n.
// Deterministic for a seed (std::mt19937_64, partial Fisher-Yates).
std::vector<int64_t> rows_sample_uniform(int64_t n, int64_t m, uint64_t seed);

// Mean silhouette of the n rows of x (n × d, row-major) under each labeling (n labels >= 0 each), with Euclidean
// distances. The pairwise distances are computed once and shared by every labeling. Conventions, as
// scikit-learn's silhouette_score: s(i) = (b − a) / max(a, b) with a = mean distance to the other members of i's
// cluster and b = the smallest mean distance to another cluster; a row alone in its cluster has s = 0; a = b = 0
// (identical points) gives s = 0. Where scikit-learn refuses (fewer than 2 or more than n − 1 distinct labels) the
// result is NaN. Weights are not used: every row counts once.
std::vector<double> silhouette_scores(const float* x, int64_t n, int64_t d,
                                      const std::vector<const int32_t*>& labelings);

double silhouette_score(const float* x, int64_t n, int64_t d, const int32_t* labels);

}  // namespace kseg
