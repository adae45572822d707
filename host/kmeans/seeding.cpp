#include "host/kmeans/seeding.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_set>

#include <omp.h>

#include "host/comm/byte_pack.hpp"
#include "host/error.hpp"
#include "host/kmeans/cpu_backend.hpp"

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
    BytePacker blob;
    for (int64_t i = 0; i < n_mine; ++i)
      blob.put(mine[i]).put(offset_ + local_rows[i]).put_values(local_values.data() + i * d, static_cast<size_t>(d));
    for (const std::string& part : comm_.allgather_bytes(blob.take()))
      for (ByteUnpacker in(part); !in.done();) {
        const int64_t t = in.get<int64_t>();
        rows[t] = in.get<int64_t>();
        in.get_values(values + t * d, static_cast<size_t>(d));
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

uint64_t mix64(uint64_t z) {  // splitmix64's finaliser
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Candidate rows of every rank on every rank: global row index and values, in rank order (so in global row order
// when each rank lists its rows in ascending order).
struct RowSet {
  std::vector<int64_t> rows;
  std::vector<float> values;  // rows.size() × d
};

RowSet rows_allgather(const Backend& backend, const std::vector<int64_t>& local, int64_t offset,
                      const Communicator& comm) {
  const int64_t d = backend.n_cols();
  const int64_t m = static_cast<int64_t>(local.size());
  RowSet mine;
  mine.values.resize(local.size() * static_cast<size_t>(d));
  if (m > 0) backend.rows_get(local.data(), m, mine.values.data());
  for (int64_t i : local) mine.rows.push_back(offset + i);
  if (comm.size() == 1) return mine;
  BytePacker blob;
  for (int64_t i = 0; i < m; ++i) blob.put(mine.rows[i]).put_values(mine.values.data() + i * d, static_cast<size_t>(d));
  RowSet all;
  for (const std::string& part : comm.allgather_bytes(blob.take()))
    for (ByteUnpacker in(part); !in.done();) {
      all.rows.push_back(in.get<int64_t>());
      in.get_values_append(all.values, static_cast<size_t>(d));
    }
  return all;
}

// The first k-means|| centre: the row with the smallest −ln(u)/w over all ranks (ties to the lower global row), which
// is row i with probability w_i / Σ w whatever the split into ranks. Empty when no row has weight.
RowSet first_centre(const Backend& backend, const float* weights, uint64_t seed, int64_t offset, int threads,
                    const Communicator& comm) {
  double best_key = std::numeric_limits<double>::infinity();
  int64_t best = -1;
  const int64_t n = backend.n_rows();
#pragma omp parallel num_threads(threads)
  {
    double key_mine = std::numeric_limits<double>::infinity();
    int64_t mine = -1;
#pragma omp for schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      const double w = weights ? weights[i] : 1.0;
      if (!(w > 0.0)) continue;
      const double key = -std::log1p(-row_uniform(seed, 0, static_cast<uint64_t>(offset + i))) / w;
      if (key < key_mine) {
        key_mine = key;
        mine = i;
      }
    }
#pragma omp critical(kseg_first_centre)
    if (mine >= 0 && (key_mine < best_key || (key_mine == best_key && mine < best))) {
      best_key = key_mine;
      best = mine;
    }
  }
  const std::vector<double> keys = comm.size() == 1 ? std::vector<double>{best_key} : comm.allgather(best_key);
  const int winner = static_cast<int>(std::min_element(keys.begin(), keys.end()) - keys.begin());
  std::vector<int64_t> local;
  if (comm.rank() == winner && best >= 0) local.push_back(best);
  return rows_allgather(backend, local, offset, comm);
}

// Each local row's nearest candidate so far and its squared distance, kept on the host and lowered through
// Backend::assign against each new batch of candidates (ties stay with the earlier, lower-numbered candidate).
class NearestCandidates {
 public:
  explicit NearestCandidates(int64_t n)
      : min_dist(static_cast<size_t>(n), std::numeric_limits<float>::infinity()),
        nearest(static_cast<size_t>(n), 0),
        dist_(static_cast<size_t>(n)),
        label_(static_cast<size_t>(n)) {}

  void add(Backend& backend, const float* centres, int64_t m, int32_t first_index, int threads) {
    if (m == 0) return;
    backend.assign(centres, m);
    backend.distances_get(dist_.data());
    backend.labels_get(label_.data());
    const int64_t n = static_cast<int64_t>(dist_.size());
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t i = 0; i < n; ++i)
      if (dist_[i] < min_dist[i]) {
        min_dist[i] = dist_[i];
        nearest[i] = first_index + label_[i];
      }
  }

  std::vector<float> min_dist;
  std::vector<int32_t> nearest;

 private:
  std::vector<float> dist_;
  std::vector<int32_t> label_;
};

// ExactSums of add_row(sums, i) over rows [0, n), one accumulator per thread, merged exactly (so in any order).
template <class AddRow>
ExactSums exact_sums_rows(size_t slots, double max_value, int64_t n, int threads, const AddRow& add_row) {
  ExactSums total(slots, max_value);
#pragma omp parallel num_threads(threads)
  {
    ExactSums mine(slots, max_value);
#pragma omp for schedule(static)
    for (int64_t i = 0; i < n; ++i) add_row(mine, i);
#pragma omp critical(kseg_exact_sums_merge)
    total.merge(mine);
  }
  return total;
}

// φ = Σ w·D² over all ranks, as an ExactSums total.
double potential_exact(const NearestCandidates& near, const float* weights, int threads, const Communicator& comm) {
  const int64_t n = static_cast<int64_t>(near.min_dist.size());
  const auto value = [&](int64_t i) { return (weights ? double(weights[i]) : 1.0) * near.min_dist[i]; };
  double local_max = 0.0;
#pragma omp parallel for schedule(static) num_threads(threads) reduction(max : local_max)
  for (int64_t i = 0; i < n; ++i) local_max = std::max(local_max, value(i));
  return exact_sums_rows(1, comm.max_all(local_max), n, threads,
                         [&](ExactSums& sums, int64_t i) { sums.add(0, value(i)); })
      .totals(comm)[0];
}

// The sample weight of the rows nearest to each of m candidates, over all ranks (ExactSums).
std::vector<double> candidate_weights(const NearestCandidates& near, const float* weights, int64_t m, int threads,
                                      const Communicator& comm) {
  const int64_t n = static_cast<int64_t>(near.nearest.size());
  double local_max = weights ? 0.0 : 1.0;
  if (weights)
    for (int64_t i = 0; i < n; ++i) local_max = std::max(local_max, double(weights[i]));
  return exact_sums_rows(static_cast<size_t>(m), comm.max_all(local_max), n, threads,
                         [&](ExactSums& sums, int64_t i) {
                           sums.add(static_cast<size_t>(near.nearest[i]), weights ? double(weights[i]) : 1.0);
                         })
      .totals(comm);
}

// The rows of one k-means|| round: row i is taken when u(seed, round, global row) · φ < l · w_i · D²_i.
std::vector<int64_t> rows_pick(const NearestCandidates& near, const float* weights, uint64_t seed, int round,
                               int64_t offset, double phi, double l, int threads) {
  const int64_t n = static_cast<int64_t>(near.min_dist.size());
  std::vector<uint8_t> taken(static_cast<size_t>(n), 0);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int64_t i = 0; i < n; ++i) {
    const double v = (weights ? double(weights[i]) : 1.0) * near.min_dist[i];
    taken[i] =
        v > 0.0 && row_uniform(seed, static_cast<uint64_t>(round), static_cast<uint64_t>(offset + i)) * phi < l * v;
  }
  std::vector<int64_t> picked;
  for (int64_t i = 0; i < n; ++i)
    if (taken[i]) picked.push_back(i);
  return picked;
}

}  // namespace

double row_uniform(uint64_t seed, uint64_t round, uint64_t row) {
  const uint64_t stream = mix64(seed ^ mix64(round + 0x632BE59BD9B4E019ull));
  return static_cast<double>(mix64(stream + 0x9E3779B97F4A7C15ull * (row + 1)) >> 11) * 0x1.0p-53;
}

std::vector<float> seeds_kmeans_parallel(Backend& backend, const float* weights, const KMeansParams& params,
                                         uint64_t seed, const Communicator& comm) {
  const int64_t k = params.n_clusters;
  const int64_t d = backend.n_cols();
  const int64_t n = backend.n_rows();
  KSEG_EXPECTS(params.init_rounds >= 1, UsageError, "k-means||: at least one sampling round is needed");
  KSEG_EXPECTS(params.oversampling >= 0.0 && std::isfinite(params.oversampling), UsageError,
               "k-means||: the oversampling factor must be a finite number >= 0 (0 = 2k)");
  const double l = params.oversampling > 0.0 ? params.oversampling : 2.0 * static_cast<double>(k);
  const int64_t offset = comm.size() == 1 ? 0 : comm.prefix_exclusive(n);

  const int threads = params.n_threads > 0 ? params.n_threads : omp_get_max_threads();
  RowSet candidates = first_centre(backend, weights, seed, offset, threads, comm);
  if (candidates.rows.empty()) return seeds_kmeans_plus_plus(backend, k, seed, params.n_local_trials, comm);
  NearestCandidates near(n);
  near.add(backend, candidates.values.data(), 1, 0, threads);
  for (int round = 1; round <= params.init_rounds; ++round) {
    const double phi = potential_exact(near, weights, threads, comm);
    if (!(phi > 0.0)) break;  // every row sits on a candidate
    const std::vector<int64_t> picked = rows_pick(near, weights, seed, round, offset, phi, l, threads);
    const RowSet batch = rows_allgather(backend, picked, offset, comm);
    const int64_t before = static_cast<int64_t>(candidates.rows.size());
    const int64_t added = static_cast<int64_t>(batch.rows.size());
    KSEG_EXPECTS(before + added < std::numeric_limits<int32_t>::max(), DataError,
                 "k-means||: too many candidates; lower the oversampling factor");
    near.add(backend, batch.values.data(), added, static_cast<int32_t>(before), threads);
    candidates.rows.insert(candidates.rows.end(), batch.rows.begin(), batch.rows.end());
    candidates.values.insert(candidates.values.end(), batch.values.begin(), batch.values.end());
  }
  const int64_t m = static_cast<int64_t>(candidates.rows.size());
  if (m < k) return seeds_kmeans_plus_plus(backend, k, seed, params.n_local_trials, comm);

  // Weighted greedy k-means++ on the candidates, the same on every rank (they all hold the same candidates).
  const std::vector<double> weight_sums = candidate_weights(near, weights, m, threads, comm);
  std::vector<float> candidate_w(weight_sums.size());
  for (size_t c = 0; c < weight_sums.size(); ++c) candidate_w[c] = static_cast<float>(weight_sums[c]);
  CpuBackend on_candidates(DataView{candidates.values.data(), candidate_w.data(), m, d}, params.n_threads);
  return seeds_kmeans_plus_plus(on_candidates, k, mix64(seed ^ 0x6B6D65616E737C7Cull), params.n_local_trials);
}

uint64_t run_seed_derive(uint64_t seed, int run) {
  return mix64(seed + 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(run + 1));
}

std::vector<float> seeds_kmeans_plus_plus(Backend& backend, int64_t k, uint64_t seed, int n_local_trials,
                                          const Communicator& comm) {
  return seeds_kmeans_plus_plus_from(backend, {}, k, seed, n_local_trials, comm);
}

std::vector<float> seeds_kmeans_plus_plus_from(Backend& backend, const std::vector<float>& given, int64_t k,
                                               uint64_t seed, int n_local_trials, const Communicator& comm) {
  const int64_t d = backend.n_cols();
  const int64_t k_given = static_cast<int64_t>(given.size()) / std::max<int64_t>(d, 1);
  KSEG_EXPECTS(k_given * d == static_cast<int64_t>(given.size()) && k_given <= k, DataError,
               "k-means++: the given centres must be at most k rows of " + std::to_string(d) + " values");
  std::vector<float> centres(given);
  centres.resize(static_cast<size_t>(k * d));
  if (k_given == k) return centres;
  const int64_t trials =
      n_local_trials > 0 ? n_local_trials : 2 + static_cast<int64_t>(std::log(static_cast<double>(k)));
  UniformStream uniform(seed);
  const RowDraw draw(backend, comm);

  const std::vector<double> weight_totals = draw.totals(backend.seeding_reset());
  const double total_weight = RowDraw::sum(weight_totals);
  int64_t chosen = k_given;
  if (chosen == 0) {  // a fresh seeding: the first centre is drawn with probability ∝ w
    double target = uniform.next() * total_weight;
    int64_t row = 0;
    draw.draw(&target, 1, true, weight_totals, &row, centres.data());
    chosen = 1;
  }
  // D² to the centres so far: one pass, however many were given.
  std::vector<double> potentials = draw.totals(backend.seeding_update(centres.data(), chosen));
  double potential = RowDraw::sum(potentials);

  std::vector<double> targets(static_cast<size_t>(trials));
  std::vector<int64_t> rows(static_cast<size_t>(trials));
  std::vector<float> candidates(static_cast<size_t>(trials * d));
  std::vector<double> cost(static_cast<size_t>(trials));
  for (int64_t c = chosen; c < k; ++c) {
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
