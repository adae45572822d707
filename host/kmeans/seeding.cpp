#include "host/kmeans/seeding.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_set>

namespace kseg {
namespace {

// Inverse-CDF draws over the rows of all processes, in global row order (rank 0's slice first). totals: each rank's
// local total of the sampled value, by rank. Returns every target's row as a global index and its values (m × d) on
// every rank. One process calls the backend directly.
class RowDraw {
 public:
  RowDraw(const Backend& backend, const Communicator& comm) : backend_(backend), comm_(comm) {
    if (comm_.size() > 1) offset_ = comm_.prefix_exclusive(backend_.n_rows());
  }

  // Σ of the ranks' totals in rank order: the same number on every rank.
  static double sum(const std::vector<double>& totals) {
    double s = totals[0];
    for (size_t r = 1; r < totals.size(); ++r) s += totals[r];
    return s;
  }

  void draw(const double* targets, int64_t m, bool by_weight, const std::vector<double>& totals, int64_t* rows,
            float* values) const {
    if (comm_.size() == 1) {
      backend_.rows_sample(targets, m, by_weight, rows);
      backend_.rows_get(rows, m, values);
      return;
    }
    const int64_t d = backend_.n_cols();
    std::vector<int64_t> mine;  // indices of the targets this rank owns
    std::vector<double> local_targets;
    for (int64_t t = 0; t < m; ++t) {
      double before = 0.0;
      if (owner(targets[t], totals, before) != comm_.rank()) continue;
      mine.push_back(t);
      local_targets.push_back(std::max(0.0, targets[t] - before));
    }
    const int64_t n_mine = static_cast<int64_t>(mine.size());
    std::vector<int64_t> local_rows(mine.size());
    std::vector<float> local_values(mine.size() * static_cast<size_t>(d));
    if (n_mine > 0) {
      backend_.rows_sample(local_targets.data(), n_mine, by_weight, local_rows.data());
      backend_.rows_get(local_rows.data(), n_mine, local_values.data());
    }
    // Each owned target travels as (target index, global row, d floats).
    const size_t record = 2 * sizeof(int64_t) + static_cast<size_t>(d) * sizeof(float);
    std::string blob(mine.size() * record, '\0');
    for (int64_t i = 0; i < n_mine; ++i) {
      char* p = blob.data() + i * record;
      const int64_t global = offset_ + local_rows[i];
      std::memcpy(p, &mine[i], sizeof(int64_t));
      std::memcpy(p + sizeof(int64_t), &global, sizeof(int64_t));
      std::memcpy(p + 2 * sizeof(int64_t), local_values.data() + i * d, static_cast<size_t>(d) * sizeof(float));
    }
    for (const std::string& part : comm_.allgather_bytes(blob))
      for (size_t at = 0; at + record <= part.size(); at += record) {
        int64_t t = 0;
        std::memcpy(&t, part.data() + at, sizeof(int64_t));
        std::memcpy(rows + t, part.data() + at + sizeof(int64_t), sizeof(int64_t));
        std::memcpy(values + t * d, part.data() + at + 2 * sizeof(int64_t), static_cast<size_t>(d) * sizeof(float));
      }
  }

  // The local totals of all ranks (one value per rank; a single process passes its own).
  std::vector<double> totals(double local) const {
    return comm_.size() == 1 ? std::vector<double>{local} : comm_.allgather(local);
  }

 private:
  // The rank whose slice holds target t: the first with a positive total whose inclusive prefix exceeds t (the
  // last positive one when rounding puts t at the very end). before: the exclusive prefix of that rank.
  static int owner(double t, const std::vector<double>& totals, double& before) {
    double running = 0.0;
    int last_positive = 0;
    double before_last = 0.0;
    for (size_t r = 0; r < totals.size(); ++r) {
      if (totals[r] > 0.0) {
        last_positive = static_cast<int>(r);
        before_last = running;
        if (running + totals[r] > t) {
          before = running;
          return static_cast<int>(r);
        }
      }
      running += totals[r];
    }
    before = before_last;
    return last_positive;
  }

  const Backend& backend_;
  const Communicator& comm_;
  int64_t offset_ = 0;  // global index of this rank's first row
};

}  // namespace

uint64_t run_seed_derive(uint64_t seed, int run) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(run + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::vector<float> seeds_kmeans_plus_plus(Backend& backend, int64_t k, uint64_t seed, int n_local_trials,
                                          const Communicator& comm) {
  const int64_t d = backend.n_cols();
  const int64_t trials =
      n_local_trials > 0 ? n_local_trials : 2 + static_cast<int64_t>(std::log(static_cast<double>(k)));
  UniformStream uniform(seed);
  std::vector<float> centres(static_cast<size_t>(k * d));
  const RowDraw draw(backend, comm);

  const std::vector<double> weight_totals = draw.totals(backend.seeding_reset());
  const double total_weight = RowDraw::sum(weight_totals);
  double target = uniform.next() * total_weight;
  int64_t row = 0;
  draw.draw(&target, 1, true, weight_totals, &row, centres.data());
  std::vector<double> potentials = draw.totals(backend.seeding_update(centres.data(), 1));
  double potential = RowDraw::sum(potentials);

  std::vector<double> targets(static_cast<size_t>(trials));
  std::vector<int64_t> rows(static_cast<size_t>(trials));
  std::vector<float> candidates(static_cast<size_t>(trials * d));
  std::vector<double> cost(static_cast<size_t>(trials));
  for (int64_t c = 1; c < k; ++c) {
    // When every row already coincides with a centre (fewer distinct rows than k), fall back to weights: the
    // duplicate centre becomes an empty cluster the driver repairs or reports.
    const bool by_weight = !(potential > 0.0);
    const double total = by_weight ? total_weight : potential;
    for (double& t : targets) t = uniform.next() * total;
    draw.draw(targets.data(), trials, by_weight, by_weight ? weight_totals : potentials, rows.data(),
              candidates.data());
    backend.seeding_candidates_cost(candidates.data(), trials, cost.data());
    comm.sum_all(cost.data(), cost.size());
    const int64_t best = std::min_element(cost.begin(), cost.end()) - cost.begin();
    std::copy_n(candidates.data() + best * d, d, centres.data() + c * d);
    potentials = draw.totals(backend.seeding_update(centres.data() + c * d, 1));
    potential = RowDraw::sum(potentials);
  }
  return centres;
}

std::vector<float> seeds_random(Backend& backend, int64_t k, uint64_t seed, const Communicator& comm) {
  const int64_t d = backend.n_cols();
  UniformStream uniform(seed);
  const RowDraw draw(backend, comm);
  const std::vector<double> weight_totals = draw.totals(backend.seeding_reset());
  const double total_weight = RowDraw::sum(weight_totals);
  std::vector<float> centres(static_cast<size_t>(k * d));
  std::unordered_set<int64_t> seen;
  // Rejection of repeats; bounded so a table with fewer than k weighted rows still terminates.
  int64_t chosen = 0;
  std::vector<float> values(static_cast<size_t>(d));
  for (int64_t attempt = 0; chosen < k; ++attempt) {
    double target = uniform.next() * total_weight;
    int64_t row = 0;
    draw.draw(&target, 1, true, weight_totals, &row, values.data());
    if (seen.insert(row).second || attempt > 100 * k) std::copy_n(values.data(), d, centres.data() + chosen++ * d);
  }
  return centres;
}

}  // namespace kseg
