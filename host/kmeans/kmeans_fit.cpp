#include "host/kmeans/kmeans_fit.hpp"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <numeric>
#include <optional>
#include <string>

#include "host/comm/byte_pack.hpp"
#include "host/error.hpp"
#include "host/kmeans/seeding.hpp"

namespace kseg {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<float> seeds_choose(Backend& backend, const float* weights, const KMeansParams& params, uint64_t seed,
                                const Communicator& comm) {
  switch (params.init) {
    case InitMethod::random:
      return seeds_random(backend, params.n_clusters, seed, comm);
    case InitMethod::kmeans_parallel:
      return seeds_kmeans_parallel(backend, weights, params, seed, comm);
    case InitMethod::given:
      return params.init_centroids;
    case InitMethod::kmeans_plus_plus:
      break;
  }
  return seeds_kmeans_plus_plus(backend, params.n_clusters, seed, params.n_local_trials, comm);
}

// Lloyd partials summed across processes in one call (one fixed-order reduction of k·d + k + 1 doubles).
void partials_sum_all(LloydPartials& p, const Communicator& comm) {
  if (comm.size() == 1) return;
  std::vector<double> packed(p.sums);
  packed.insert(packed.end(), p.weights.begin(), p.weights.end());
  packed.push_back(p.inertia);
  comm.sum_all(packed.data(), packed.size());
  std::copy_n(packed.begin(), p.sums.size(), p.sums.begin());
  std::copy_n(packed.begin() + static_cast<std::ptrdiff_t>(p.sums.size()), p.weights.size(), p.weights.begin());
  p.inertia = packed.back();
  comm.sum_all(&p.n_changed, 1);
}

// New centroids = sums / weights; a cluster left empty keeps its previous position. Returns Σ‖c_new − c_old‖².
double centroids_update(const LloydPartials& p, int64_t k, int64_t d, std::vector<float>& centroids) {
  double shift = 0.0;
  for (int64_t j = 0; j < k; ++j) {
    if (!(p.weights[j] > 0.0)) continue;
    for (int64_t t = 0; t < d; ++t) {
      const float updated = static_cast<float>(p.sums[j * d + t] / p.weights[j]);
      const double delta = static_cast<double>(updated) - centroids[j * d + t];
      shift += delta * delta;
      centroids[j * d + t] = updated;
    }
  }
  return shift;
}

KMeansRun lloyd_run(Backend& backend, const DataView& data, const KMeansParams& params, uint64_t seed,
                    double tol_absolute, const Communicator& comm, int run, const IterationCallback& on_iteration,
                    std::vector<float>& centroids) {
  const int64_t k = params.n_clusters;
  const int64_t d = backend.n_cols();
  KMeansRun result;
  result.seed = seed;
  auto start = std::chrono::steady_clock::now();
  centroids = seeds_choose(backend, data.weights, params, seed, comm);
  result.seconds_init = seconds_since(start);

  LloydPartials partials;
  for (int it = 1; it <= params.max_iter; ++it) {
    start = std::chrono::steady_clock::now();
    backend.lloyd_pass(centroids.data(), k, partials);
    partials_sum_all(partials, comm);
    IterationStats stats;
    stats.iteration = it;
    stats.objective = partials.inertia;
    stats.labels_changed = partials.n_changed;
    stats.empty_repaired = empty_clusters_repair(backend, data.weights, partials, k, comm);
    stats.centroid_shift = centroids_update(partials, k, d, centroids);
    stats.seconds = seconds_since(start);
    result.history.push_back(stats);
    result.n_iter = it;
    if (on_iteration) on_iteration(run, stats);
    // Unchanged labels mean the centroids just computed equal the previous ones: a fixed point (strict
    // convergence); otherwise stop once the centroids barely move.
    const bool labels_stable = it > 1 && partials.n_changed == 0 && stats.empty_repaired == 0;
    if (labels_stable || (stats.empty_repaired == 0 && stats.centroid_shift <= tol_absolute)) {
      result.converged = true;
      break;
    }
  }
  // Final assignment against the returned centroids, so labels, distances and inertia agree with them.
  result.inertia = backend.assign(centroids.data(), k);
  comm.sum_all(&result.inertia, 1);
  return result;
}

// A row that may re-seed an empty cluster, as every rank sees it.
struct RepairCandidate {
  float distance = 0.0f;
  int32_t label = 0;
  int64_t row = 0;  // global row index
  double weight = 1.0;
  std::vector<float> values;
};

// The backend's labels and squared distances, and its rows farthest first (ties by row index): the first `count`
// of `order` in that order (all rows when count >= n).
struct RowsFarthestFirst {
  std::vector<int32_t> labels;
  std::vector<float> distances;
  std::vector<int64_t> order;
};

RowsFarthestFirst rows_farthest_first(const Backend& backend, int64_t count) {
  const int64_t n = backend.n_rows();
  RowsFarthestFirst f{std::vector<int32_t>(static_cast<size_t>(n)), std::vector<float>(static_cast<size_t>(n)),
                      std::vector<int64_t>(static_cast<size_t>(n))};
  backend.labels_get(f.labels.data());
  backend.distances_get(f.distances.data());
  std::iota(f.order.begin(), f.order.end(), 0);
  const std::vector<float>& distances = f.distances;
  std::partial_sort(f.order.begin(), f.order.begin() + std::min(count, n), f.order.end(), [&](int64_t a, int64_t b) {
    return distances[a] != distances[b] ? distances[a] > distances[b] : a < b;
  });
  return f;
}

// The walk both repairs share: each empty cluster (in `empty` order) takes the next row, farthest first, that has
// weight and whose cluster keeps some weight without it; the row's weight and weighted values move over. Rows at
// distance 0 end the walk: the rest sit on their centroids, nothing to gain. candidate(i) gives the i-th row of the
// order for i < count; rows after position `cut` are unknown (other ranks hold them). Returns the number repaired,
// or nothing when the walk needed an unknown row (partials are then left as they were).
template <class Candidate>
std::optional<int64_t> empty_clusters_walk(const std::vector<int64_t>& empty, size_t count, size_t cut,
                                           const Candidate& candidate, int64_t d, LloydPartials& partials) {
  LloydPartials trial = partials;
  int64_t repaired = 0;
  size_t next = 0;
  for (int64_t j : empty) {
    for (; next < count; ++next) {
      if (next > cut) return std::nullopt;
      const RepairCandidate& c = candidate(next);
      if (!(c.distance > 0.0f)) {
        partials = std::move(trial);
        return repaired;
      }
      const int32_t from = c.label;
      if (!(c.weight > 0.0) || trial.weights[from] <= c.weight) continue;  // never empty the donor cluster
      for (int64_t t = 0; t < d; ++t) {
        trial.sums[from * d + t] -= c.weight * c.values[t];
        trial.sums[j * d + t] = c.weight * c.values[t];
      }
      trial.weights[from] -= c.weight;
      trial.weights[j] = c.weight;
      ++repaired;
      ++next;
      break;
    }
  }
  partials = std::move(trial);
  return repaired;
}

// This rank's `count` farthest rows (stable: ties by row index), packed for allgather_bytes.
std::string repair_candidates_pack(const Backend& backend, const float* weights, int64_t offset, int64_t count) {
  const int64_t d = backend.n_cols();
  count = std::min(count, backend.n_rows());
  const RowsFarthestFirst farthest = rows_farthest_first(backend, count);
  BytePacker blob;
  std::vector<float> row(static_cast<size_t>(d));
  for (int64_t c = 0; c < count; ++c) {
    const int64_t i = farthest.order[c];
    backend.rows_get(&i, 1, row.data());
    blob.put(farthest.distances[i]).put(farthest.labels[i]).put(offset + i).put(weights ? double(weights[i]) : 1.0);
    blob.put_values(row);
  }
  return blob.take();
}

// empty_clusters_repair across ranks: every rank gathers the ranks' farthest rows, merges them in the order one
// process would walk them (distance descending, then global row index) and makes the same repairs. When the walk
// could reach past the rows a rank sent, it asks again for twice as many.
int64_t empty_clusters_repair_ranks(const Backend& backend, const float* weights, const std::vector<int64_t>& empty,
                                    LloydPartials& partials, const Communicator& comm) {
  const int64_t d = backend.n_cols();
  const std::vector<int64_t> rows_per_rank = comm.allgather(backend.n_rows());
  const int64_t offset = comm.prefix_exclusive(backend.n_rows());
  for (int64_t count = 2 * static_cast<int64_t>(empty.size()) + 8;; count *= 2) {
    std::vector<RepairCandidate> merged;
    size_t cut = SIZE_MAX;  // positions after the last row of a rank that has more rows than it sent are unknown
    std::vector<std::pair<int64_t, int>> last_of_truncated;  // (global row, rank) of each truncated rank's last
    const std::vector<std::string> blobs =
        comm.allgather_bytes(repair_candidates_pack(backend, weights, offset, count));
    for (size_t r = 0; r < blobs.size(); ++r) {
      for (ByteUnpacker in(blobs[r]); !in.done();) {
        RepairCandidate c;
        c.distance = in.get<float>();
        c.label = in.get<int32_t>();
        c.row = in.get<int64_t>();
        c.weight = in.get<double>();
        in.get_values_append(c.values, static_cast<size_t>(d));
        merged.push_back(std::move(c));
      }
      if (rows_per_rank[r] > count && !merged.empty()) last_of_truncated.emplace_back(merged.back().row, int(r));
    }
    std::sort(merged.begin(), merged.end(), [](const RepairCandidate& a, const RepairCandidate& b) {
      return a.distance != b.distance ? a.distance > b.distance : a.row < b.row;
    });
    for (const auto& [row, rank] : last_of_truncated)
      for (size_t i = 0; i < merged.size(); ++i)
        if (merged[i].row == row) cut = std::min(cut, i);
    const auto candidate = [&](size_t i) -> const RepairCandidate& { return merged[i]; };
    if (const std::optional<int64_t> repaired = empty_clusters_walk(empty, merged.size(), cut, candidate, d, partials))
      return *repaired;
  }
}

}  // namespace

void kmeans_params_validate(const KMeansParams& params, int64_t n_rows, int64_t n_cols) {
  KSEG_EXPECTS(params.n_clusters >= 1, UsageError,
               "--k must be at least 1 (got " + std::to_string(params.n_clusters) + ")");
  KSEG_EXPECTS(params.max_iter >= 1, UsageError, "--max-iter must be at least 1");
  KSEG_EXPECTS(params.n_init >= 1, UsageError, "--n-init must be at least 1");
  KSEG_EXPECTS(params.tol >= 0.0 && std::isfinite(params.tol), UsageError, "--tol must be a finite number >= 0");
  KSEG_EXPECTS(n_cols >= 1, DataError, "the data has no feature columns");
  KSEG_EXPECTS(params.n_clusters <= n_rows, DataError,
               "k = " + std::to_string(params.n_clusters) + " is larger than the number of rows (" +
                   std::to_string(n_rows) + "): choose a smaller --k");
  if (params.init == InitMethod::given) {
    const size_t expected = static_cast<size_t>(params.n_clusters * n_cols);
    KSEG_EXPECTS(params.init_centroids.size() == expected, DataError,
                 "the initial centroids must be k × d = " + std::to_string(params.n_clusters) + " × " +
                     std::to_string(n_cols) + " values, found " + std::to_string(params.init_centroids.size()));
    for (float v : params.init_centroids)
      KSEG_EXPECTS(std::isfinite(v), DataError, "the initial centroids contain NaN or Inf");
  }
}

double feature_variance_mean(const DataView& data, const Communicator& comm) {
  // Two passes (means, then squared deviations) stay accurate when means are large next to spreads. Each pass sums
  // fixed blocks of rows on all threads and adds the blocks in order: the same value for any thread count.
  const int64_t d = data.n_cols;
  const int64_t n_blocks = std::max<int64_t>(1, std::min<int64_t>(64, data.n_rows / 8192));
  const auto block_sums = [&](const auto& term) {
    std::vector<double> partial(static_cast<size_t>(n_blocks * d), 0.0);
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < n_blocks; ++b) {
      double* s = partial.data() + b * d;
      for (int64_t i = data.n_rows * b / n_blocks; i < data.n_rows * (b + 1) / n_blocks; ++i)
        for (int64_t t = 0; t < d; ++t) s[t] += term(data.x[i * d + t], t);
    }
    std::vector<double> total(static_cast<size_t>(d), 0.0);
    for (int64_t b = 0; b < n_blocks; ++b)
      for (int64_t t = 0; t < d; ++t) total[t] += partial[b * d + t];
    return total;
  };
  std::vector<double> sums = block_sums([](float v, int64_t) { return static_cast<double>(v); });
  sums.push_back(static_cast<double>(data.n_rows));
  comm.sum_all(sums.data(), sums.size());
  const double n = sums[d];
  if (n <= 0.0) return 0.0;
  std::vector<double> means(static_cast<size_t>(d));
  for (int64_t t = 0; t < d; ++t) means[t] = sums[t] / n;
  std::vector<double> squares = block_sums([&](float v, int64_t t) {
    const double centred = v - means[t];
    return centred * centred;
  });
  comm.sum_all(squares.data(), squares.size());
  double total = 0.0;
  for (double s : squares) total += s / n;
  return total / static_cast<double>(d);
}

int64_t empty_clusters_repair(const Backend& backend, const float* weights, LloydPartials& partials, int64_t k,
                              const Communicator& comm) {
  std::vector<int64_t> empty;
  for (int64_t j = 0; j < k; ++j)
    if (!(partials.weights[j] > 0.0)) empty.push_back(j);
  if (empty.empty()) return 0;
  if (comm.size() > 1) return empty_clusters_repair_ranks(backend, weights, empty, partials, comm);
  const int64_t d = backend.n_cols();
  const RowsFarthestFirst farthest = rows_farthest_first(backend, backend.n_rows());
  RepairCandidate c;  // the row of the order the walk looks at, read from the backend when it gets there
  c.values.resize(static_cast<size_t>(d));
  const auto candidate = [&](size_t next) -> const RepairCandidate& {
    const int64_t i = farthest.order[next];
    c.distance = farthest.distances[i];
    c.label = farthest.labels[i];
    c.row = i;
    c.weight = weights ? weights[i] : 1.0;
    backend.rows_get(&i, 1, c.values.data());
    return c;
  };
  return *empty_clusters_walk(empty, farthest.order.size(), SIZE_MAX, candidate, d, partials);
}

KMeansResult kmeans_fit(Backend& backend, const DataView& data, const KMeansParams& params, double tol_absolute,
                        const Communicator& comm, const IterationCallback& on_iteration) {
  kmeans_params_validate(params, comm.size() == 1 ? backend.n_rows() : comm.total(backend.n_rows()), backend.n_cols());
  KMeansResult best;
  best.n_clusters = params.n_clusters;
  best.n_features = backend.n_cols();
  best.tol_absolute = tol_absolute;
  std::vector<float> centroids;
  for (int run = 0; run < params.n_init; ++run) {
    const uint64_t seed = params.n_init == 1 ? params.seed : run_seed_derive(params.seed, run);
    KMeansRun outcome = lloyd_run(backend, data, params, seed, tol_absolute, comm, run, on_iteration, centroids);
    const bool better = run == 0 || outcome.inertia < best.inertia;
    if (better) {
      best.inertia = outcome.inertia;
      best.best_run = run;
      best.centroids = centroids;
    }
    best.runs.push_back(std::move(outcome));
  }
  if (params.n_init > 1) backend.assign(best.centroids.data(), params.n_clusters);  // labels of the winner
  best.labels.resize(static_cast<size_t>(backend.n_rows()));
  best.sq_distances.resize(static_cast<size_t>(backend.n_rows()));
  backend.labels_get(best.labels.data());
  backend.distances_get(best.sq_distances.data());
  return best;
}

}  // namespace kseg
