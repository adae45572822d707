// fit_segments: read → prepare → K-means (flat, with a minimum size, or a bisecting tree) → stable ids → products.
#include "app/fit_segments.hpp"

#include <algorithm>
#include <chrono>
#include <ostream>

#include "app/backend_select.hpp"
#include "app/fit_dynamics.hpp"
#include "app/fit_init.hpp"
#include "app/prepare_input.hpp"
#include "app/progress.hpp"
#include "host/data/memory_check.hpp"
#include "host/error.hpp"
#include "host/kmeans/bisecting_fit.hpp"
#include "host/kmeans/kmeans_fit.hpp"
#include "host/mpi/table_gather.hpp"
#include "host/output/segment_files.hpp"

namespace kseg {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The device of every process, for the progress line: "cpu" for one process; "3 processes: cuda:0 ×2, cuda:1 ×1"
// (devices in order of first use; summary.json lists each rank's).
std::string devices_describe(const std::vector<std::string>& names) {
  if (names.size() == 1) return names[0];
  std::vector<std::pair<std::string, int>> counts;
  for (const std::string& name : names) {
    auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == name; });
    if (it == counts.end()) {
      counts.emplace_back(name, 1);
    } else {
      ++it->second;
    }
  }
  std::string text = std::to_string(names.size()) + " processes:";
  for (size_t c = 0; c < counts.size(); ++c)
    text += (c ? ", " : " ") + counts[c].first + " ×" + std::to_string(counts[c].second);
  return text;
}

KMeansParams kmeans_params_make(const FitRequest& request, const PreparedInput& in) {
  KMeansParams params;
  params.n_clusters = request.kmeans.k;
  params.max_iter = request.kmeans.max_iter;
  params.tol = request.kmeans.tol;
  params.n_init = request.kmeans.n_init;
  params.seed = request.kmeans.seed;
  params.n_threads = request.device.threads;
  init_apply(request.kmeans, in.pipeline, params);
  kmeans_params_validate(params, in.n_rows_total, in.n_cols);
  // Centroids (float) and their sums (double); the backends' per-block partials are bounded separately.
  memory_check(static_cast<double>(params.n_clusters) * static_cast<double>(in.n_cols) * 12.0, memory_available_bytes(),
               "k × d = " + std::to_string(params.n_clusters) + " × " + std::to_string(in.n_cols) + " centroids");
  return params;
}

// The fit itself: a bisecting tree (hierarchy) or flat K-means, either with the minimum segment size.
KMeansResult segments_fit(const FitRequest& request, Backend& backend, const DataView& view, const KMeansParams& params,
                          double tol_absolute, const Communicator& comm, std::ostream& notices,
                          const IterationCallback& on_iteration, SegmentTree& tree, MinSizeReport& min_report) {
  if (!request.hierarchy)
    return kmeans_fit_min_size(backend, view, params, tol_absolute, {request.min_size, request.min_share}, comm,
                               min_report, on_iteration);
  const BackendFactory leaf_backend = [&](const DataView& rows) {
    return backend_create(rows, request.device, true, notices, comm);
  };
  return bisecting_fit(view, params, tol_absolute,
                       {split_strategy_parse(request.split), {request.min_size, request.min_share}}, leaf_backend, tree,
                       on_iteration, comm, &min_report);
}

void fit_notices_print(const FitRequest& request, const KMeansResult& result, const SegmentTree& tree,
                       const MinSizeReport& min_report, std::ostream& notices) {
  if (request.quiet) return;
  if (!tree.empty())
    notices << "kseg: tree of " << result.n_clusters << " segments from " << result.runs.size() << " splits (inertia "
            << result.inertia << ")\n";
  const std::string min_size_notice = min_size_line(min_report, result.n_clusters);
  if (!min_size_notice.empty()) notices << "kseg: " << min_size_notice << "\n";
}

// Seeding and iterations on the prepared rows; the backend lives only here, so its memory is back before the
// outputs are made (where a fit's memory would otherwise peak).
void kmeans_run(const FitRequest& request, const PreparedInput& in, const std::optional<FitRefresh>& refresh,
                std::ostream& notices, const Communicator& comm, FitProducts& products, SegmentTree& tree) {
  const auto start = std::chrono::steady_clock::now();
  KMeansParams params = kmeans_params_make(request, in);
  const DataView view{in.x.data(), in.weights.empty() ? nullptr : in.weights.data(), in.n_rows, in.n_cols};
  std::unique_ptr<Backend> backend = backend_create(view, request.device, request.quiet, notices, comm);
  const std::string devices = devices_describe(comm.allgather_bytes(backend->name()));
  if (refresh && refresh->warm_start) warm_start_apply(*refresh, *backend, params, comm);
  const double communication_before_fit = comm.seconds_communicating();
  const double tol_absolute = request.kmeans.tol > 0.0 ? request.kmeans.tol * feature_variance_mean(view, comm) : 0.0;
  if (!request.quiet)
    notices << "kseg: fitting k=" << request.kmeans.k << " on " << in.n_rows_total << " users × " << in.n_cols
            << " features (" << devices << ", seed " << request.kmeans.seed << ")\n";
  ProgressPrinter progress(notices, request.quiet, request.kmeans.n_init);
  MinSizeReport min_report;
  products.result = segments_fit(
      request, *backend, view, params, tol_absolute, comm, notices,
      [&](int run, const IterationStats& s) { progress.iteration(run, s); }, tree, min_report);
  if (tree.empty()) progress.done(products.result);
  fit_notices_print(request, products.result, tree, min_report, notices);
  if (request.min_size > 0.0 || request.min_share > 0.0) products.min_size = min_report;
  products.timings.fit = seconds_since(start);
  products.timings.fit_communication = comm.seconds_communicating() - communication_before_fit;
  products.backend_name = backend->name();
}

// A weighted fit's per-segment sums of the weights, the same for any split of the rows between ranks (ExactSums);
// empty when the fit had no weight column. Collective.
std::vector<double> segment_weights(const Table& data, const KMeansResult& result, const Communicator& comm) {
  const TableColumn* w = data.weight_column();
  if (comm.max_all(w ? 1.0 : 0.0) == 0.0) return {};
  double largest = 0.0;
  if (w)
    for (float v : w->values) largest = std::max(largest, static_cast<double>(v));
  ExactSums sums(static_cast<size_t>(result.n_clusters), comm.max_all(largest));
  if (w)
    for (size_t i = 0; i < result.labels.size(); ++i) sums.add(result.labels[i], w->values[i]);
  return sums.totals(comm);
}

// Sizes, weights, the model and the segment of every row, from the fit. Collective: across processes the sizes are
// summed, and rank 0 gathers every row for the drift reference and the profiles.
void products_finish(FitProducts& p, FeaturePipeline pipeline, SegmentTree tree, const Communicator& comm) {
  const KMeansResult& r = p.result;
  p.segment_sizes.assign(static_cast<size_t>(r.n_clusters), 0);
  for (int32_t label : r.labels) ++p.segment_sizes[label];
  comm.sum_all(p.segment_sizes.data(), p.segment_sizes.size());
  p.segment_weights = segment_weights(p.table, r, comm);
  p.n_rows_total = comm.total(p.table.n_rows);
  std::vector<float> sq_distances_all, labels_all;
  if (comm.size() > 1) {
    std::vector<std::string> columns;
    for (const TableColumn& c : p.table.columns) columns.push_back(c.name);
    p.table_all = table_gather_root(p.table, columns, r.sq_distances, sq_distances_all, comm);
    table_gather_root(p.table, {}, std::vector<float>(r.labels.begin(), r.labels.end()), labels_all, comm);
    p.labels_all.assign(labels_all.begin(), labels_all.end());
  }
  Model& m = p.model;
  m.id_column = p.table.id_column;
  m.centroids = r.centroids;
  m.n_clusters = r.n_clusters;
  m.fit = {{"seed", p.request.kmeans.seed},
           {"inertia", r.inertia},
           {"n_rows", p.n_rows_total},
           {"input", p.request.input.path},
           {"segment_sizes", p.segment_sizes}};
  if (!p.segment_weights.empty()) m.fit["segment_weights"] = p.segment_weights;  // kseg update's starting counts
  if (!tree.empty()) m.tree = std::move(tree);
  if (comm.rank() == 0)
    m.reference = comm.size() == 1 ? drift_reference_build(p.table, pipeline, r.sq_distances.data())
                                   : drift_reference_build(p.table_all, pipeline, sq_distances_all.data());
  p.segments.resize(r.labels.size());
  for (size_t i = 0; i < p.segments.size(); ++i) p.segments[i] = static_cast<int32_t>(m.segments.ids[r.labels[i]]);
  const int64_t d = pipeline.n_features();
  for (int64_t j = 0; j < r.n_clusters; ++j) {
    const std::vector<double> original = pipeline.centroid_original(r.centroids.data() + j * d);
    p.centroids_original.insert(p.centroids_original.end(), original.begin(), original.end());
  }
  m.pipeline = std::move(pipeline);
}

}  // namespace

FitProducts fit_segments(const FitRequest& request, std::ostream& notices, const Communicator& comm) {
  fit_request_validate(request);
  const ThreadLimitScope threads(request.device.threads);
  FitProducts products;
  products.request = request;
  const auto start = std::chrono::steady_clock::now();
  const InputOptions& input = request.input;
  PreparedInput in = input_prepare(input,
                                   schema_options_make(input.id_column, input.weight_column, input.columns,
                                                       input.delimiter, request.device.threads, request.prep),
                                   pipeline_options_make(request.scale, request.prep), request.quiet, notices, comm);
  products.timings.read = seconds_since(start);
  const std::optional<FitRefresh> refresh = fit_refresh_load(request, in);
  SegmentTree tree;
  kmeans_run(request, in, refresh, notices, comm, products, tree);
  const KMeansResult& r = products.result;
  products.model.segments = fit_identity(request, refresh, r.centroids, r.n_clusters, r.n_features, &products.matching);
  // The outputs need the table, the labels and the distances, not the prepared matrix: it goes back first.
  std::vector<float>().swap(in.x);
  memory_release_to_system();
  products.schema = std::move(in.schema);
  products.table = std::move(in.table);
  products_finish(products, std::move(in.pipeline), std::move(tree), comm);
  return products;
}

}  // namespace kseg
