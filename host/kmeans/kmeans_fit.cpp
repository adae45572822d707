#include "host/kmeans/kmeans_fit.hpp"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>

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

// This rank's `count` farthest rows (stable: ties by row index), packed for allgather_bytes.
std::string repair_candidates_pack(const Backend& backend, const float* weights, int64_t offset, int64_t count) {
  const int64_t d = backend.n_cols();
  count = std::min(count, backend.n_rows());
  const RowsFarthestFirst farthest = rows_farthest_first(backend, count);
  const std::vector<int32_t>& labels = farthest.labels;
  const std::vector<float>& distances = farthest.distances;
  const std::vector<int64_t>& order = farthest.order;
  std::string blob;
  std::vector<float> row(static_cast<size_t>(d));
  for (int64_t c = 0; c < count; ++c) {
    const int64_t i = order[c];
    const int64_t global = offset + i;
    const double w = weights ? weights[i] : 1.0;
    backend.rows_get(&i, 1, row.data());
    blob.append(reinterpret_cast<const char*>(&distances[i]), sizeof(float));
    blob.append(reinterpret_cast<const char*>(&labels[i]), sizeof(int32_t));
    blob.append(reinterpret_cast<const char*>(&global), sizeof(int64_t));
    blob.append(reinterpret_cast<const char*>(&w), sizeof(double));
    blob.append(reinterpret_cast<const char*>(row.data()), row.size() * sizeof(float));
  }
  return blob;
}

// empty_clusters_repair across ranks: every rank gathers the ranks' farthest rows, merges them in the order one
// process would walk them (distance descending, then global row index) and makes the same repairs. When the walk
// could reach past the rows a rank sent, it asks again for twice as many.
int64_t empty_clusters_repair_ranks(const Backend& backend, const float* weights, LloydPartials& partials, int64_t k,
                                    const Communicator& comm) {
  std::vector<int64_t> empty;
  for (int64_t j = 0; j < k; ++j)
    if (!(partials.weights[j] > 0.0)) empty.push_back(j);
  if (empty.empty()) return 0;
  const int64_t d = backend.n_cols();
  const std::vector<int64_t> rows_per_rank = comm.allgather(backend.n_rows());
  const int64_t offset = comm.prefix_exclusive(backend.n_rows());
  const size_t record = sizeof(float) + sizeof(int32_t) + sizeof(int64_t) + sizeof(double) + d * sizeof(float);
  for (int64_t count = 2 * static_cast<int64_t>(empty.size()) + 8;; count *= 2) {
    std::vector<RepairCandidate> merged;
    size_t cut = SIZE_MAX;  // positions after the last row of a rank that has more rows than it sent are unknown
    std::vector<std::pair<int64_t, int>> last_of_truncated;  // (global row, rank) of each truncated rank's last
    const std::vector<std::string> blobs =
        comm.allgather_bytes(repair_candidates_pack(backend, weights, offset, count));
    for (size_t r = 0; r < blobs.size(); ++r) {
      for (size_t at = 0; at + record <= blobs[r].size(); at += record) {
        RepairCandidate c;
        const char* p = blobs[r].data() + at;
        std::memcpy(&c.distance, p, sizeof(float));
        std::memcpy(&c.label, p + 4, sizeof(int32_t));
        std::memcpy(&c.row, p + 8, sizeof(int64_t));
        std::memcpy(&c.weight, p + 16, sizeof(double));
        c.values.resize(static_cast<size_t>(d));
        std::memcpy(c.values.data(), p + 24, static_cast<size_t>(d) * sizeof(float));
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

    LloydPartials trial = partials;
    int64_t repaired = 0;
    size_t next = 0;
    bool complete = true;   // false: the walk needs rows a rank did not send
    bool finished = false;  // the remaining rows sit on their centroids: nothing to gain
    for (int64_t j : empty) {
      for (; next < merged.size(); ++next) {
        if (next > cut) {
          complete = false;
          break;
        }
        const RepairCandidate& c = merged[next];
        if (!(c.distance > 0.0f)) {
          finished = true;
          break;
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
      if (!complete || finished) break;
    }
    if (complete) {
      partials = std::move(trial);
      return repaired;
    }
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
  if (comm.size() > 1) return empty_clusters_repair_ranks(backend, weights, partials, k, comm);
  std::vector<int64_t> empty;
  for (int64_t j = 0; j < k; ++j)
    if (!(partials.weights[j] > 0.0)) empty.push_back(j);
  if (empty.empty()) return 0;
  const int64_t d = backend.n_cols();
  const RowsFarthestFirst farthest = rows_farthest_first(backend, backend.n_rows());
  const std::vector<int32_t>& labels = farthest.labels;
  const std::vector<float>& distances = farthest.distances;
  const std::vector<int64_t>& order = farthest.order;

  std::vector<float> row(static_cast<size_t>(d));
  int64_t repaired = 0;
  size_t next = 0;
  for (int64_t j : empty) {
    for (; next < order.size(); ++next) {
      const int64_t i = order[next];
      if (!(distances[i] > 0.0f)) return repaired;  // the rest sit on their centroids: nothing to gain
      const int32_t from = labels[i];
      backend.rows_get(&i, 1, row.data());
      const double w = weights ? weights[i] : 1.0;
      if (!(w > 0.0) || partials.weights[from] <= w) continue;  // never empty the donor cluster
      for (int64_t t = 0; t < d; ++t) {
        partials.sums[from * d + t] -= w * row[t];
        partials.sums[j * d + t] = w * row[t];
      }
      partials.weights[from] -= w;
      partials.weights[j] = w;
      ++repaired;
      ++next;
      break;
    }
  }
  return repaired;
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
