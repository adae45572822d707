#include "host/kmeans/min_size.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "host/error.hpp"

namespace kseg {
namespace {

std::string number_text(double v) {
  std::string text = std::to_string(v);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

// Even one segment of all users must reach the minimum.
void minimum_check(double minimum, double total) {
  KSEG_EXPECTS(minimum <= total, DataError,
               "no segment can reach the minimum size " + number_text(minimum) + ": all users together count " +
                   number_text(total) + " (summed weight in a weighted fit); lower --min-size / --min-share");
}

// The smallest cluster below the minimum (ties: lowest index), or −1 when all meet it.
int64_t smallest_below(const std::vector<double>& weights, double minimum) {
  int64_t smallest = -1;
  for (size_t j = 0; j < weights.size(); ++j)
    if (weights[j] < minimum && (smallest < 0 || weights[j] < weights[smallest])) smallest = static_cast<int64_t>(j);
  return smallest;
}

// Dissolves clusters below the minimum one at a time, smallest first: removing a centroid sends its users to the
// nearest remaining one (their next-nearest), which may lift another small cluster over the minimum, so the sizes
// are counted again after each. `origin` maps each remaining centroid to its index in the first fit.
void clusters_dissolve(Backend& backend, std::vector<float>& centroids, std::vector<int64_t>& origin, int64_t d,
                       double minimum, const Communicator& comm, MinSizeReport& report) {
  int64_t k = static_cast<int64_t>(origin.size());
  std::vector<double> weights = cluster_weights_count(backend, centroids.data(), k, comm);
  for (int64_t j = smallest_below(weights, minimum); j >= 0; j = smallest_below(weights, minimum)) {
    if (k == 1) minimum_check(minimum, weights[0]);  // everyone in one segment, still below: refuse, never loop
    report.dissolved.push_back(origin[j]);
    report.dissolved_sizes.push_back(weights[j]);
    centroids.erase(centroids.begin() + j * d, centroids.begin() + (j + 1) * d);
    origin.erase(origin.begin() + j);
    --k;
    weights = cluster_weights_count(backend, centroids.data(), k, comm);
  }
}

}  // namespace

void min_size_params_validate(const MinSizeParams& params) {
  KSEG_EXPECTS(params.min_size >= 0.0 && std::isfinite(params.min_size), UsageError,
               "--min-size must be a finite number >= 0");
  KSEG_EXPECTS(params.min_share >= 0.0 && params.min_share < 1.0, UsageError,
               "--min-share must be in [0, 1) (a share of all users, e.g. 0.02)");
}

std::vector<double> cluster_weights_count(Backend& backend, const float* centroids, int64_t k,
                                          const Communicator& comm) {
  LloydPartials partials;
  backend.lloyd_pass(centroids, k, partials);
  partials.weights.resize(static_cast<size_t>(k), 0.0);
  comm.sum_all(partials.weights.data(), partials.weights.size());
  return partials.weights;
}

double min_size_resolve(const MinSizeParams& params, double total) {
  const double minimum = std::max(params.min_size, params.min_share * total);
  minimum_check(minimum, total);
  return minimum;
}

nlohmann::json min_size_json(const MinSizeReport& report, int64_t k_final) {
  if (report.tree)
    return {{"minimum", report.minimum},
            {"k_requested", report.k_requested},
            {"k", k_final},
            {"closed", report.closed_nodes.size()},
            {"closed_nodes", report.closed_nodes},
            {"closed_smaller_child_sizes", report.closed_sizes}};
  return {{"minimum", report.minimum},
          {"k_requested", report.k_requested},
          {"k", k_final},
          {"dissolved", report.dissolved.size()},
          {"dissolved_segments", report.dissolved},
          {"dissolved_sizes", report.dissolved_sizes},
          {"lloyd_resumptions", report.rounds}};
}

KMeansResult kmeans_fit_min_size(Backend& backend, const DataView& data, const KMeansParams& params,
                                 double tol_absolute, const MinSizeParams& min_size, const Communicator& comm,
                                 MinSizeReport& report, const IterationCallback& on_iteration) {
  min_size_params_validate(min_size);
  report = MinSizeReport{};
  report.k_requested = params.n_clusters;
  if (!min_size.active()) return kmeans_fit(backend, data, params, tol_absolute, comm, on_iteration);
  const int64_t d = backend.n_cols();
  // Σ w over all rows (one pass against a single centroid counts every row), to refuse an impossible minimum early.
  const double total =
      cluster_weights_count(backend, std::vector<float>(static_cast<size_t>(d), 0.0f).data(), 1, comm)[0];
  report.minimum = min_size_resolve(min_size, total);
  KMeansResult result = kmeans_fit(backend, data, params, tol_absolute, comm, on_iteration);
  std::vector<KMeansRun> runs = result.runs;
  std::vector<float> centroids = result.centroids;
  std::vector<int64_t> origin(static_cast<size_t>(result.n_clusters));
  std::iota(origin.begin(), origin.end(), 0);
  // Each round dissolves at least one cluster or ends, so there are at most k rounds.
  for (;;) {
    const size_t before = origin.size();
    clusters_dissolve(backend, centroids, origin, d, report.minimum, comm, report);
    if (origin.size() == before) break;
    KMeansParams resume = params;
    resume.n_clusters = static_cast<int64_t>(origin.size());
    resume.init = InitMethod::given;
    resume.init_centroids = centroids;
    resume.n_init = 1;
    result = kmeans_fit(backend, data, resume, tol_absolute, comm, on_iteration);
    ++report.rounds;
    centroids = result.centroids;
    runs.insert(runs.end(), result.runs.begin(), result.runs.end());
  }
  if (report.dissolved.empty()) {  // nothing dissolved: the first fit stands; its labels back in the backend
    backend.assign(centroids.data(), result.n_clusters);
    return result;
  }
  // The last pass (a count) left the backend's labels against `centroids`; read them, with the inertia.
  result.inertia = backend.assign(centroids.data(), static_cast<int64_t>(origin.size()));
  comm.sum_all(&result.inertia, 1);
  result.centroids = centroids;
  result.n_clusters = static_cast<int64_t>(origin.size());
  result.runs = std::move(runs);
  result.best_run = static_cast<int>(result.runs.size()) - 1;
  result.labels.resize(static_cast<size_t>(backend.n_rows()));
  result.sq_distances.resize(static_cast<size_t>(backend.n_rows()));
  backend.labels_get(result.labels.data());
  backend.distances_get(result.sq_distances.data());
  return result;
}

std::string min_size_line(const MinSizeReport& report, int64_t k_final) {
  const std::string minimum = number_text(report.minimum);
  if (report.tree) {
    if (k_final >= report.k_requested) return "";
    return "the tree stops at " + std::to_string(k_final) + " segments, not " + std::to_string(report.k_requested) +
           ": no leaf splits into two segments of at least " + minimum + " users (" +
           std::to_string(report.closed_nodes.size()) + " splits refused; summary.json min_size)";
  }
  if (report.dissolved.empty()) return "";
  return "dissolved " + std::to_string(report.dissolved.size()) + " segments below the minimum size " + minimum +
         " (k " + std::to_string(report.k_requested) + " -> " + std::to_string(k_final) + ")";
}

}  // namespace kseg
