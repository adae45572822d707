#include "cli/fit_outputs.hpp"

#include <omp.h>

#include <chrono>
#include <ostream>

#include "cli/explain_outputs.hpp"
#include "host/model/model_file.hpp"
#include "host/output/segment_files.hpp"

namespace kseg {
namespace {

std::vector<int64_t> segment_sizes(const KMeansResult& result) {
  std::vector<int64_t> sizes(static_cast<size_t>(result.n_clusters), 0);
  for (int32_t label : result.labels) ++sizes[label];
  return sizes;
}

nlohmann::json history_json(const KMeansRun& run) {
  nlohmann::json rows = nlohmann::json::array();
  for (const IterationStats& s : run.history)
    rows.push_back({{"iteration", s.iteration},
                    {"objective", s.objective},
                    {"centroid_shift", s.centroid_shift},
                    {"labels_changed", s.labels_changed},
                    {"empty_clusters_repaired", s.empty_repaired},
                    {"seconds", s.seconds}});
  return rows;
}

// Every input column's role and why, with its missing and distinct counts: what kseg did to the user's data.
nlohmann::json columns_json(const TableSchema& schema) {
  nlohmann::json columns = nlohmann::json::array();
  for (const ColumnSchema& c : schema.columns)
    columns.push_back({{"name", c.name},
                       {"role", column_role_name(c.role)},
                       {"why", c.why},
                       {"missing", c.missing},
                       {"distinct", c.distinct}});
  return columns;
}

nlohmann::json summary_json(const FitOutputs& fit, const std::vector<int64_t>& sizes, double write_seconds) {
  const KMeansResult& r = fit.result;
  const KMeansRun& best = r.runs[r.best_run];
  nlohmann::json runs = nlohmann::json::array();
  for (const KMeansRun& run : r.runs)
    runs.push_back({{"seed", run.seed},
                    {"inertia", run.inertia},
                    {"n_iter", run.n_iter},
                    {"converged", run.converged},
                    {"seconds_init", run.seconds_init}});
  const int threads = fit.args.device.threads > 0 ? fit.args.device.threads : omp_get_max_threads();
  return {{"kseg_version", KSEG_VERSION},
          {"input", fit.args.input},
          {"k", r.n_clusters},
          {"n", fit.data.n_rows},
          {"d", r.n_features},
          {"features", fit.pipeline.feature_names()},
          {"columns", columns_json(fit.schema)},
          {"preparation", fit.pipeline.to_json()},
          {"id_column", fit.data.id_column},
          {"weight_column", fit.args.weight_column},
          {"scale", scale_mode_name(fit.pipeline.scale_mode())},
          {"seed", fit.args.seed},
          {"init", fit.args.init},
          {"n_init", fit.args.n_init},
          {"max_iter", fit.args.max_iter},
          {"tol", fit.args.tol},
          {"tol_absolute", r.tol_absolute},
          {"device", fit.backend.name()},
          {"threads", threads},
          {"inertia", r.inertia},
          {"n_iter", best.n_iter},
          {"converged", best.converged},
          {"best_run", r.best_run},
          {"segment_sizes", sizes},
          {"segment_ids", fit.segments.ids},
          {"segment_names", fit.segments.names},
          {"matching", fit.matching},
          {"runs", runs},
          {"iterations", history_json(best)},
          {"seconds", {{"read_and_prepare", fit.timings.read}, {"fit", fit.timings.fit}, {"write", write_seconds}}}};
}

}  // namespace

void fit_outputs_write(const FitOutputs& fit, std::ostream& out, bool quiet) {
  const auto start = std::chrono::steady_clock::now();
  const std::string dir = fit.args.out_dir + "/";
  const KMeansResult& r = fit.result;
  const std::vector<int64_t> sizes = segment_sizes(r);
  const SegmentIdentity identity = fit.segments.ids.empty() ? SegmentIdentity::sequential(r.n_clusters) : fit.segments;
  std::vector<int32_t> labels(r.labels.size());  // stable ids
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int32_t>(identity.ids[r.labels[i]]);

  SegmentsWriter segments(dir + "segments.csv");
  segments.rows_append(fit.data.ids, 0, labels.data(), r.sq_distances.data(), fit.data.n_rows);
  centroids_write(dir + "centroids.csv", fit.pipeline, r.centroids, sizes, identity.ids);
  Model model;
  model.pipeline = fit.pipeline;
  model.id_column = fit.data.id_column;
  model.centroids = r.centroids;
  model.n_clusters = r.n_clusters;
  model.fit = {{"seed", fit.args.seed},
               {"inertia", r.inertia},
               {"n_rows", fit.data.n_rows},
               {"input", fit.args.input},
               {"segment_sizes", sizes}};
  model.segments = identity;
  model.reference = drift_reference_build(fit.data, fit.pipeline, r.sq_distances.data());
  model_save(dir + "model.json", model);
  segments.commit();
  const double write_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  json_write(dir + "summary.json", summary_json(fit, sizes, write_seconds));
  if (!quiet)
    out << "kseg: " << fit.data.n_rows << " users in " << r.n_clusters << " segments (inertia " << r.inertia << ")\n  "
        << dir << "segments.csv\n  " << dir << "centroids.csv\n  " << dir << "model.json\n  " << dir
        << "summary.json\n";
  fit_explain_write(fit.args, fit.data, fit.pipeline, r.labels, r.n_clusters, out, quiet, identity.ids,
                    identity.names);
}

}  // namespace kseg
