#include "app/fit_outputs.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <ostream>

#include "app/explain_outputs.hpp"
#include "host/io/input_format.hpp"
#include "host/io/npy_reader.hpp"
#include "host/kmeans/cpu_kernels.hpp"
#include "host/model/model_file.hpp"
#include "host/mpi/segments_gather.hpp"
#include "host/mpi/table_gather.hpp"
#include "host/output/segment_files.hpp"

namespace kseg {
namespace {

std::vector<int64_t> segment_sizes(const KMeansResult& result) {
  std::vector<int64_t> sizes(static_cast<size_t>(result.n_clusters), 0);
  for (int32_t label : result.labels) ++sizes[label];
  return sizes;
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
          {"input_format", input_format_name(fit.args.input)},
          {"input_conversion", npy_conversion(fit.args.input)},  // "" when the values were read as stored
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
          {"device", fit.backend_name},
          {"cpu_kernel", fit.backend_name == "cpu" ? nlohmann::json(cpu_kernels_default().name) : nlohmann::json()},
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

// An MPI run: all rows in "n", and each rank's device and how it spent its time.
void processes_add(nlohmann::json& summary, int64_t n_rows, const std::vector<RankTimings>& ranks,
                   const std::vector<std::string>& devices) {
  summary["n"] = n_rows;
  nlohmann::json per_rank = nlohmann::json::array();
  for (size_t r = 0; r < ranks.size(); ++r)
    per_rank.push_back({{"rank", r},
                        {"device", devices[r]},
                        {"rows", ranks[r].rows},
                        {"seconds_read", ranks[r].read},
                        {"seconds_compute", ranks[r].compute},
                        {"seconds_communication", ranks[r].communication}});
  summary["processes"] = {{"count", ranks.size()}, {"ranks", per_rank}};
}

// segments.csv, gathered to rank 0; or with --out-parts one part per rank (host/mpi/segments_gather.hpp). Collective
// construction; publish() puts the file or the set in place (rank 0) and removes the other form left by an earlier run.
class SegmentsOutput {
 public:
  SegmentsOutput(const FitOutputs& fit, const Communicator& comm, const std::vector<int32_t>& labels)
      : dir_(fit.args.out_dir), name_("segments." + fit.args.out_format), parts_count_(comm.size()) {
    const int64_t n = fit.data.n_rows;
    if (fit.args.out_parts) {
      parts_ = std::make_unique<SegmentParts>(comm, dir_);
      parts_->write(fit.data.ids, fit.data.first_row, labels.data(), fit.result.sq_distances.data(), n);
      return;
    }
    if (comm.rank() == 0)
      file_ = std::make_unique<SegmentsWriter>(dir_ + "/" + name_, IdExportScope::current(), paths(fit));
    segments_gather_append(comm, file_.get(), fit.data.ids, fit.data.first_row, labels.data(),
                           fit.result.sq_distances.data(), n);
  }

  void publish() {
    if (parts_) {
      parts_->publish();
    } else if (file_) {
      file_->commit();
      segments_parts_remove(dir_);
    }
  }

  // --with-path: each segment id's path in the tree ("0/1/4"); empty otherwise.
  static std::map<int64_t, std::string> paths(const FitOutputs& fit) {
    std::map<int64_t, std::string> by_id;
    if (!fit.args.with_path || !fit.tree) return by_id;
    const std::vector<int64_t> leaves = fit.tree->leaves();
    for (size_t j = 0; j < leaves.size(); ++j)
      by_id[fit.segments.ids.empty() ? static_cast<int64_t>(j) : fit.segments.ids[j]] = fit.tree->path(leaves[j]);
    return by_id;
  }

  // What was written, for the list printed after a fit.
  std::string listed() const { return parts_ ? "segments.parts/ (" + std::to_string(parts_count_) + " parts)" : name_; }

 private:
  std::string dir_;
  std::string name_;  // segments.csv or segments.parquet (--out-format)
  int parts_count_;
  std::unique_ptr<SegmentsWriter> file_;
  std::unique_ptr<SegmentParts> parts_;
};

}  // namespace

void fit_outputs_write(const FitOutputs& fit, std::ostream& out, bool quiet) {
  const auto start = std::chrono::steady_clock::now();
  const std::string dir = fit.args.out_dir + "/";
  const std::string shown = (fit.out_shown.empty() ? fit.args.out_dir : fit.out_shown) + "/";
  const KMeansResult& r = fit.result;
  const Communicator& comm = fit.comm ? *fit.comm : single_process();
  const bool root = comm.rank() == 0;
  std::vector<int64_t> sizes = segment_sizes(r);
  comm.sum_all(sizes.data(), sizes.size());
  const std::vector<double> weights = segment_weights(fit.data, r, comm);
  const int64_t n_rows = comm.total(fit.data.n_rows);
  const SegmentIdentity identity = fit.segments.ids.empty() ? SegmentIdentity::sequential(r.n_clusters) : fit.segments;
  std::vector<int32_t> labels(r.labels.size());  // stable ids
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int32_t>(identity.ids[r.labels[i]]);

  SegmentsOutput segments(fit, comm, labels);
  const std::vector<RankTimings> ranks =
      rank_timings_gather(comm, {fit.data.n_rows, fit.timings.read, fit.timings.fit - fit.timings.fit_communication,
                                 comm.seconds_communicating()});
  const std::vector<std::string> devices = comm.allgather_bytes(fit.backend_name);
  // Across processes the drift reference and the profiles are computed on rank 0 from every row: the table's
  // columns, the squared distances and the labels are gathered there.
  std::vector<std::string> columns;
  for (const TableColumn& c : fit.data.columns) columns.push_back(c.name);
  std::vector<float> all_sq_distances, all_labels;
  const Table all_rows =
      comm.size() == 1 ? Table{} : table_gather_root(fit.data, columns, r.sq_distances, all_sq_distances, comm);
  if (comm.size() > 1)
    table_gather_root(fit.data, {}, std::vector<float>(r.labels.begin(), r.labels.end()), all_labels, comm);
  if (!root) return;
  centroids_write(dir + "centroids." + fit.args.out_format, fit.pipeline, r.centroids, sizes, identity.ids,
                  fit.tree ? segment_tree_leaf_parents(*fit.tree) : std::vector<int64_t>{});
  if (fit.tree) json_write(dir + "tree.json", segment_tree_document(*fit.tree, identity.ids, fit.args.split));
  Model model;
  model.pipeline = fit.pipeline;
  model.id_column = fit.data.id_column;
  model.centroids = r.centroids;
  model.n_clusters = r.n_clusters;
  model.fit = {{"seed", fit.args.seed},
               {"inertia", r.inertia},
               {"n_rows", n_rows},
               {"input", fit.args.input},
               {"segment_sizes", sizes}};
  if (!weights.empty()) model.fit["segment_weights"] = weights;  // kseg update's starting counts
  model.segments = identity;
  if (fit.tree) model.tree = *fit.tree;
  model.reference = comm.size() == 1 ? drift_reference_build(fit.data, fit.pipeline, r.sq_distances.data())
                                     : drift_reference_build(all_rows, fit.pipeline, all_sq_distances.data());
  model_save(dir + "model.json", model);
  segments.publish();
  const double write_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json summary = summary_json(fit, sizes, write_seconds);
  if (comm.size() > 1) processes_add(summary, n_rows, ranks, devices);
  if (fit.tree) summary["hierarchy"] = {{"split", fit.args.split}, {"nodes", fit.tree->nodes.size()}};
  if (fit.min_size) summary["min_size"] = min_size_json(*fit.min_size, r.n_clusters);
  if (fit.args.out_parts) summary["segments_parts"] = {{"directory", "segments.parts"}, {"count", comm.size()}};
  json_write(dir + "summary.json", summary);
  if (!quiet)
    out << "kseg: " << n_rows << " users in " << r.n_clusters << " segments (inertia " << r.inertia << ")\n  " << shown
        << segments.listed() << "\n  " << shown << "centroids." << fit.args.out_format << "\n  " << shown
        << "model.json\n  " << shown << "summary.json\n"
        << (fit.tree ? "  " + shown + "tree.json\n" : "");
  if (comm.size() == 1) {
    fit_explain_write(fit.args, fit.data, fit.pipeline, r.labels, r.n_clusters, out, quiet, identity.ids,
                      identity.names, shown.substr(0, shown.size() - 1), fit.tree);
  } else {
    const std::vector<int32_t> labels_all(all_labels.begin(), all_labels.end());
    fit_explain_write(fit.args, all_rows, fit.pipeline, labels_all, r.n_clusters, out, quiet, identity.ids,
                      identity.names, shown.substr(0, shown.size() - 1), fit.tree);
  }
}

}  // namespace kseg
