#include "host/kmeans/kmeans_fit.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <string>

#include "host/error.hpp"
#include "host/kmeans/seeding.hpp"

namespace kseg {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<float> seeds_choose(Backend& backend, const KMeansParams& params, uint64_t seed) {
  switch (params.init) {
    case InitMethod::random:
      return seeds_random(backend, params.n_clusters, seed);
    case InitMethod::given:
      return params.init_centroids;
    case InitMethod::kmeans_plus_plus:
      break;
  }
  return seeds_kmeans_plus_plus(backend, params.n_clusters, seed, params.n_local_trials);
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
  centroids = seeds_choose(backend, params, seed);
  result.seconds_init = seconds_since(start);

  LloydPartials partials;
  for (int it = 1; it <= params.max_iter; ++it) {
    start = std::chrono::steady_clock::now();
    backend.lloyd_pass(centroids.data(), k, partials);
    comm.sum_all(partials.sums.data(), partials.sums.size());
    comm.sum_all(partials.weights.data(), partials.weights.size());
    comm.sum_all(&partials.inertia, 1);
    comm.sum_all(&partials.n_changed, 1);
    IterationStats stats;
    stats.iteration = it;
    stats.objective = partials.inertia;
    stats.labels_changed = partials.n_changed;
    stats.empty_repaired = empty_clusters_repair(backend, data.weights, partials, k);
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
  // Two passes (means, then squared deviations) stay accurate when means are large next to spreads.
  const int64_t d = data.n_cols;
  std::vector<double> sums(static_cast<size_t>(d + 1), 0.0);
  for (int64_t i = 0; i < data.n_rows; ++i)
    for (int64_t t = 0; t < d; ++t) sums[t] += data.x[i * d + t];
  sums[d] = static_cast<double>(data.n_rows);
  comm.sum_all(sums.data(), sums.size());
  const double n = sums[d];
  if (n <= 0.0) return 0.0;
  std::vector<double> squares(static_cast<size_t>(d), 0.0);
  for (int64_t i = 0; i < data.n_rows; ++i)
    for (int64_t t = 0; t < d; ++t) {
      const double v = data.x[i * d + t] - sums[t] / n;
      squares[t] += v * v;
    }
  comm.sum_all(squares.data(), squares.size());
  double total = 0.0;
  for (double s : squares) total += s / n;
  return total / static_cast<double>(d);
}

int64_t empty_clusters_repair(const Backend& backend, const float* weights, LloydPartials& partials, int64_t k) {
  std::vector<int64_t> empty;
  for (int64_t j = 0; j < k; ++j)
    if (!(partials.weights[j] > 0.0)) empty.push_back(j);
  if (empty.empty()) return 0;
  const int64_t n = backend.n_rows();
  const int64_t d = backend.n_cols();
  std::vector<int32_t> labels(static_cast<size_t>(n));
  std::vector<float> distances(static_cast<size_t>(n));
  backend.labels_get(labels.data());
  backend.distances_get(distances.data());
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return distances[a] > distances[b]; });

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
  kmeans_params_validate(params, backend.n_rows(), backend.n_cols());
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
