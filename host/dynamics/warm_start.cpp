#include "host/dynamics/warm_start.hpp"

#include <algorithm>
#include <numeric>

#include "host/error.hpp"
#include "host/kmeans/seeding.hpp"

namespace kseg {
namespace {

// The k ≤ k_old case: the k largest old segments, in their old order.
std::vector<float> largest_kept(const std::vector<float>& old_centroids, int64_t k_old,
                                const std::vector<double>& old_sizes, int64_t k, int64_t d) {
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

}  // namespace

std::vector<float> warm_start_centroids(Backend& backend, const std::vector<float>& old_centroids, int64_t k_old,
                                        const std::vector<double>& old_sizes, int64_t k, uint64_t seed,
                                        const Communicator& comm) {
  const int64_t d = backend.n_cols();
  KSEG_EXPECTS(static_cast<int64_t>(old_centroids.size()) == k_old * d &&
                   static_cast<int64_t>(old_sizes.size()) == k_old && k >= 1,
               DataError, "warm start: the old centroids do not fit the new data's features");
  if (k <= k_old) return largest_kept(old_centroids, k_old, old_sizes, k, d);
  return seeds_kmeans_plus_plus_from(backend, old_centroids, k, seed, 0, comm);
}

}  // namespace kseg
