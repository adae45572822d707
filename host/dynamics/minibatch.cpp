#include "host/dynamics/minibatch.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <unordered_set>

#include "host/error.hpp"

namespace kseg {
namespace {

// scikit-learn's _random_reassign: every 10·k rows, or whenever a centre has seen nothing.
bool reassign_due(MiniBatchState& s, int64_t rows) {
  s.rows_since_reassign += rows;
  const bool empty = std::any_of(s.counts.begin(), s.counts.end(), [](double c) { return !(c > 0.0); });
  if (empty || s.rows_since_reassign >= 10 * s.k) {
    s.rows_since_reassign = 0;
    return true;
  }
  return false;
}

// Centres with little weight jump to distinct random rows of the batch; their weight becomes the smallest weight
// among the others, so they are not reassigned again at once (scikit-learn's rule).
int64_t centres_reassign(Backend& backend, const MiniBatchParams& params, MiniBatchState& s, UniformStream& random) {
  const double largest = *std::max_element(s.counts.begin(), s.counts.end());
  std::vector<int64_t> low;
  for (int64_t j = 0; j < s.k; ++j)
    if (s.counts[j] < params.reassignment_ratio * largest) low.push_back(j);
  const int64_t n = backend.n_rows();
  const int64_t cap = n / 2;  // at most half the batch becomes new centres
  if (static_cast<int64_t>(low.size()) > cap) {
    std::stable_sort(low.begin(), low.end(), [&](int64_t a, int64_t b) { return s.counts[a] < s.counts[b]; });
    low.resize(static_cast<size_t>(cap));
    std::sort(low.begin(), low.end());
  }
  if (low.empty() || static_cast<int64_t>(low.size()) == s.k) return 0;
  std::vector<int64_t> rows;
  std::unordered_set<int64_t> taken;
  while (rows.size() < low.size()) {
    const int64_t row = std::min(n - 1, static_cast<int64_t>(random.next() * static_cast<double>(n)));
    if (taken.insert(row).second) rows.push_back(row);
  }
  std::vector<float> picked(rows.size() * static_cast<size_t>(s.d));
  backend.rows_get(rows.data(), static_cast<int64_t>(rows.size()), picked.data());
  std::vector<bool> moving(static_cast<size_t>(s.k), false);
  for (int64_t j : low) moving[j] = true;
  double floor = std::numeric_limits<double>::infinity();  // at least one centre stays: low.size() < k
  for (int64_t j = 0; j < s.k; ++j)
    if (!moving[j]) floor = std::min(floor, s.counts[j]);
  for (size_t r = 0; r < low.size(); ++r) {
    std::copy_n(picked.data() + r * s.d, s.d, s.centroids.data() + low[r] * s.d);
    s.counts[low[r]] = floor;
    s.reassigned.push_back(low[r]);
  }
  return static_cast<int64_t>(low.size());
}

}  // namespace

MiniBatchStepStats minibatch_step(Backend& backend, const MiniBatchParams& params, MiniBatchState& s,
                                  UniformStream& random) {
  KSEG_EXPECTS(backend.n_cols() == s.d && static_cast<int64_t>(s.centroids.size()) == s.k * s.d &&
                   static_cast<int64_t>(s.counts.size()) == s.k,
               DataError, "mini-batch: the batch and the centres disagree in size");
  LloydPartials partials;
  backend.lloyd_pass(s.centroids.data(), s.k, partials);
  MiniBatchStepStats stats;
  stats.inertia = partials.inertia;
  for (int64_t j = 0; j < s.k; ++j) {
    const double w = partials.weights[j];
    stats.weight += w;
    if (!(w > 0.0)) continue;
    const double total = s.counts[j] + w;
    for (int64_t t = 0; t < s.d; ++t) {
      const double moved =
          (static_cast<double>(s.centroids[j * s.d + t]) * s.counts[j] + partials.sums[j * s.d + t]) / total;
      s.centroids[j * s.d + t] = static_cast<float>(moved);
    }
    s.counts[j] = total;
  }
  if (params.reassignment_ratio > 0.0 && reassign_due(s, backend.n_rows()))
    stats.reassigned = centres_reassign(backend, params, s, random);
  return stats;
}

}  // namespace kseg
