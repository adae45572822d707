#include "host/dynamics/warm_start.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
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

// One candidate of a draw as it travels between ranks: its race key, global row and values.
struct Drawn {
  double key = std::numeric_limits<double>::infinity();
  int64_t row = -1;  // global; −1: this rank has no row with positive value
  std::vector<float> values;
};

// Greedy k-means++ continued from the centres in `centres` (k_old of them), on all ranks' rows.
class Continuation {
 public:
  Continuation(Backend& backend, const float* weights, const Communicator& comm)
      : backend_(backend), weights_(weights), comm_(comm), d_(backend.n_cols()), n_(backend.n_rows()) {
    offset_ = comm_.prefix_exclusive(n_);
    min_dist_.assign(static_cast<size_t>(n_), std::numeric_limits<float>::infinity());
  }

  // Lowers every row's D² with m centres.
  void lower(const float* centres, int64_t m) {
    std::vector<float> dist(static_cast<size_t>(n_));
    for (int64_t c = 0; c < m; ++c) {
      distances_to(centres + c * d_, dist);
      for (int64_t i = 0; i < n_; ++i) min_dist_[i] = std::min(min_dist_[i], dist[i]);
    }
  }

  // trials candidates for draw number `step`, the same on every rank.
  std::vector<float> candidates_draw(uint64_t seed, int64_t step, int64_t trials) const {
    std::vector<float> out(static_cast<size_t>(trials * d_));
    for (int64_t t = 0; t < trials; ++t) {
      const uint64_t round = static_cast<uint64_t>(step * trials + t + 1);
      Drawn best = race(seed, round, false);
      if (best.row < 0) best = race(seed, round, true);  // every row sits on a centre: ∝ w
      KSEG_EXPECTS(best.row >= 0, DataError, "warm start: no row has a positive sample weight");
      std::copy(best.values.begin(), best.values.end(), out.begin() + t * d_);
    }
    return out;
  }

  // The index of the candidate leaving the smallest potential Σ w·min(D², ‖x − c‖²) (exact, ties to the lower
  // index); D² is lowered with it.
  int64_t best_take(const float* candidates, int64_t trials) {
    double local_max = 0.0;
    for (int64_t i = 0; i < n_; ++i) local_max = std::max(local_max, weight(i) * min_dist_[i]);
    const double bound = comm_.max_all(local_max);
    std::vector<std::vector<float>> dist(static_cast<size_t>(trials), std::vector<float>(static_cast<size_t>(n_)));
    ExactSums cost(static_cast<size_t>(trials), bound);
    for (int64_t t = 0; t < trials; ++t) {
      distances_to(candidates + t * d_, dist[t]);
      for (int64_t i = 0; i < n_; ++i) cost.add(static_cast<size_t>(t), weight(i) * std::min(min_dist_[i], dist[t][i]));
    }
    const std::vector<double> totals = cost.totals(comm_);
    const int64_t best = std::min_element(totals.begin(), totals.end()) - totals.begin();
    for (int64_t i = 0; i < n_; ++i) min_dist_[i] = std::min(min_dist_[i], dist[best][i]);
    return best;
  }

 private:
  double weight(int64_t i) const { return weights_ ? static_cast<double>(weights_[i]) : 1.0; }

  void distances_to(const float* centre, std::vector<float>& dist) {
    backend_.assign(centre, 1);
    backend_.distances_get(dist.data());
  }

  // The row with the smallest −ln(u)/v over all ranks (ties to the lower global row), v = w·D² or w.
  Drawn race(uint64_t seed, uint64_t round, bool by_weight) const {
    Drawn mine;
    int64_t local = -1;
    for (int64_t i = 0; i < n_; ++i) {
      const double v = by_weight ? weight(i) : weight(i) * min_dist_[i];
      if (!(v > 0.0)) continue;
      const double key = -std::log1p(-row_uniform(seed, round, static_cast<uint64_t>(offset_ + i))) / v;
      if (key < mine.key) {
        mine.key = key;
        local = i;
      }
    }
    mine.values.assign(static_cast<size_t>(d_), 0.0f);
    if (local >= 0) {
      mine.row = offset_ + local;
      backend_.rows_get(&local, 1, mine.values.data());
    }
    if (comm_.size() == 1) return mine;
    const size_t head = sizeof(double) + sizeof(int64_t);
    const size_t record = head + static_cast<size_t>(d_) * sizeof(float);
    std::string blob(record, '\0');
    std::memcpy(blob.data(), &mine.key, sizeof(double));
    std::memcpy(blob.data() + sizeof(double), &mine.row, sizeof(int64_t));
    std::memcpy(blob.data() + head, mine.values.data(), record - head);
    Drawn best;
    for (const std::string& part : comm_.allgather_bytes(blob)) {
      Drawn other;
      other.values.resize(static_cast<size_t>(d_));
      std::memcpy(&other.key, part.data(), sizeof(double));
      std::memcpy(&other.row, part.data() + sizeof(double), sizeof(int64_t));
      std::memcpy(other.values.data(), part.data() + head, record - head);
      if (other.row >= 0 && (best.row < 0 || other.key < best.key || (other.key == best.key && other.row < best.row)))
        best = other;
    }
    return best;
  }

  Backend& backend_;
  const float* weights_;
  const Communicator& comm_;
  int64_t d_, n_;
  int64_t offset_ = 0;           // global index of this rank's first row
  std::vector<float> min_dist_;  // D² of each local row to its nearest centre so far
};

}  // namespace

std::vector<float> warm_start_centroids(Backend& backend, const float* weights, const std::vector<float>& old_centroids,
                                        int64_t k_old, const std::vector<double>& old_sizes, int64_t k, uint64_t seed,
                                        const Communicator& comm) {
  const int64_t d = backend.n_cols();
  KSEG_EXPECTS(static_cast<int64_t>(old_centroids.size()) == k_old * d &&
                   static_cast<int64_t>(old_sizes.size()) == k_old && k >= 1,
               DataError, "warm start: the old centroids do not fit the new data's features");
  if (k <= k_old) return largest_kept(old_centroids, k_old, old_sizes, k, d);
  std::vector<float> centres = old_centroids;
  centres.resize(static_cast<size_t>(k * d));
  const int64_t trials = 2 + static_cast<int64_t>(std::log(static_cast<double>(k)));
  Continuation greedy(backend, weights, comm);
  greedy.lower(centres.data(), k_old);
  for (int64_t c = k_old; c < k; ++c) {
    const std::vector<float> candidates = greedy.candidates_draw(seed, c - k_old, trials);
    const int64_t best = greedy.best_take(candidates.data(), trials);
    std::copy_n(candidates.data() + best * d, d, centres.data() + c * d);
  }
  return centres;
}

}  // namespace kseg
