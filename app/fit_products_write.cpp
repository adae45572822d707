// fit_products_write: segments.csv (or segments.parts/), centroids.csv, model.json, summary.json, tree.json and the
// explanation files, written into a staging directory and published together.
#include <omp.h>

#include <chrono>
#include <map>
#include <memory>
#include <ostream>

#include "app/backend_select.hpp"
#include "app/explain_outputs.hpp"
#include "app/fit_segments.hpp"
#include "host/io/input_format.hpp"
#include "host/io/npy_reader.hpp"
#include "host/io/output_set.hpp"
#include "host/kmeans/cpu_kernels.hpp"
#include "host/mpi/segments_gather.hpp"
#include "host/output/segment_files.hpp"
#include "host/parquet/parquet_output.hpp"

namespace kseg {
namespace {

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

// segments.csv, gathered to rank 0; or with out_parts one part per rank (host/mpi/segments_gather.hpp). Collective
// construction; publish() puts the file or the set in place (rank 0) and removes the other form left by an earlier run.
class SegmentsOutput {
 public:
  SegmentsOutput(const FitProducts& fit, const std::string& dir, const Communicator& comm)
      : dir_(dir), name_("segments." + fit.request.out_format), parts_count_(comm.size()) {
    const int64_t n = fit.table.n_rows;
    if (fit.request.out_parts) {
      parts_ = std::make_unique<SegmentParts>(comm, dir_);
      parts_->write(fit.table.ids, fit.table.first_row, fit.segments.data(), fit.result.sq_distances.data(), n);
      return;
    }
    if (comm.rank() == 0)
      file_ = std::make_unique<SegmentsWriter>(dir_ + "/" + name_, IdExportScope::current(), paths(fit));
    segments_gather_append(comm, file_.get(), fit.table.ids, fit.table.first_row, fit.segments.data(),
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

  // with_path: each segment id's path in the tree ("0/1/4"); empty otherwise.
  static std::map<int64_t, std::string> paths(const FitProducts& fit) {
    std::map<int64_t, std::string> by_id;
    if (!fit.request.with_path || !fit.model.tree) return by_id;
    const std::vector<int64_t> leaves = fit.model.tree->leaves();
    for (size_t j = 0; j < leaves.size(); ++j) by_id[fit.model.segments.ids[j]] = fit.model.tree->path(leaves[j]);
    return by_id;
  }

  // What was written, for the list printed after a fit.
  std::string listed() const {
    return parts_ ? "segments.parts/ (" + std::to_string(parts_count_) + " parts)" : name_;
  }

 private:
  std::string dir_;
  std::string name_;  // segments.csv or segments.parquet (out_format)
  int parts_count_;
  std::unique_ptr<SegmentsWriter> file_;
  std::unique_ptr<SegmentParts> parts_;
};

// fit's profiles.csv, profiles.json, segment_names.csv and report.html, from every row (rank 0).
void fit_explain_write(const FitProducts& fit, const std::string& dir, const std::string& shown, std::ostream& out,
                       const Communicator& comm) {
  const bool gathered = comm.size() > 1;
  ExplainOutputs o;
  o.dir = dir;
  o.shown_dir = shown;
  o.source = "kseg fit " + (fit.request.input.table ? std::string("the table") : fit.request.input.path) + " --k " +
             std::to_string(fit.result.n_clusters);
  o.table = gathered ? &fit.table_all : &fit.table;
  o.pipeline = &fit.model.pipeline;
  o.labels = gathered ? fit.labels_all.data() : fit.result.labels.data();
  o.k = fit.result.n_clusters;
  o.segment_ids = fit.model.segments.ids;
  o.model_names = fit.model.segments.names;
  o.tree = fit.model.tree ? &*fit.model.tree : nullptr;
  explain_outputs_write(o, fit.request.explain, out, fit.request.quiet);
}

void files_list(const FitProducts& fit, const std::string& shown, const std::string& segments, std::ostream& out) {
  if (fit.request.quiet) return;
  const std::string dir = shown + "/";
  out << "kseg: " << fit.n_rows_total << " users in " << fit.result.n_clusters << " segments (inertia "
      << fit.result.inertia << ")\n  " << dir << segments << "\n  " << dir << "centroids." << fit.request.out_format << "\n  " << dir
      << "model.json\n  " << dir << "summary.json\n"
      << (fit.model.tree ? "  " + dir + "tree.json\n" : "");
}

}  // namespace

nlohmann::json fit_summary(const FitProducts& fit, double write_seconds) {
  const KMeansResult& r = fit.result;
  const KMeansRun& best = r.runs[r.best_run];
  const FitRequest& q = fit.request;
  nlohmann::json runs = nlohmann::json::array();
  for (const KMeansRun& run : r.runs)
    runs.push_back({{"seed", run.seed},
                    {"inertia", run.inertia},
                    {"n_iter", run.n_iter},
                    {"converged", run.converged},
                    {"seconds_init", run.seconds_init}});
  nlohmann::json summary = {
      {"kseg_version", KSEG_VERSION},
      // An in-memory table (the Python package) has no path: it is "the table", read from an Arrow stream.
      {"input", q.input.table ? std::string("the table") : q.input.path},
      {"input_format", q.input.table ? std::string("arrow") : input_format_name(q.input.path)},
      {"input_conversion", q.input.table ? std::string() : npy_conversion(q.input.path)},  // "" = read as stored
      {"k", r.n_clusters},
      {"n", fit.table.n_rows},
      {"d", r.n_features},
      {"features", fit.model.pipeline.feature_names()},
      {"columns", columns_json(fit.schema)},
      {"preparation", fit.model.pipeline.to_json()},
      {"id_column", fit.table.id_column},
      {"weight_column", q.input.weight_column},
      {"scale", scale_mode_name(fit.model.pipeline.scale_mode())},
      {"seed", q.kmeans.seed},
      {"init", q.kmeans.init},
      {"n_init", q.kmeans.n_init},
      {"max_iter", q.kmeans.max_iter},
      {"tol", q.kmeans.tol},
      {"tol_absolute", r.tol_absolute},
      {"device", fit.backend_name},
      {"cpu_kernel", fit.backend_name == "cpu" ? nlohmann::json(cpu_kernels_default().name) : nlohmann::json()},
      {"threads", q.device.threads > 0 ? q.device.threads : omp_get_max_threads()},
      {"inertia", r.inertia},
      {"n_iter", best.n_iter},
      {"converged", best.converged},
      {"best_run", r.best_run},
      {"segment_sizes", fit.segment_sizes},
      {"segment_ids", fit.model.segments.ids},
      {"segment_names", fit.model.segments.names},
      {"matching", fit.matching},
      {"runs", runs},
      {"iterations", history_json(best)},
      {"seconds", {{"read_and_prepare", fit.timings.read}, {"fit", fit.timings.fit}, {"write", write_seconds}}}};
  if (fit.model.tree) summary["hierarchy"] = {{"split", q.split}, {"nodes", fit.model.tree->nodes.size()}};
  if (fit.min_size) summary["min_size"] = min_size_json(*fit.min_size, r.n_clusters);
  return summary;
}

FitOutputDir::FitOutputDir(const std::string& dir, const Communicator& comm) : dir_(dir) {
  if (comm.rank() == 0) set_ = std::make_unique<OutputSet>(dir);
  staging_ = comm.allgather_bytes(set_ ? set_->path() : std::string())[0];
}

FitOutputDir::~FitOutputDir() = default;

void FitOutputDir::publish(bool out_parts, bool tree, const std::string& out_format) {
  if (!set_) return;
  set_->drop(out_parts ? "segments.csv" : "segments.parts");  // the other form of an earlier run's segments
  if (!tree) set_->drop("tree.json");  // an earlier hierarchy fit's tree no longer matches a flat fit
  for (const std::string& name : segment_files_other_format(out_format)) set_->drop(name);
  set_->publish();
}

// Across processes this is collective: every rank's segments reach rank 0 in input order (or each rank writes its
// part), and rank 0 writes the other files, with per-rank timings in summary.json.
void fit_products_write(const FitProducts& fit, FitOutputDir& out_dir, std::ostream& out, const Communicator& comm) {
  const auto start = std::chrono::steady_clock::now();
  const IdExportScope ids_scope(fit.request.ids);
  const ThreadLimitScope threads(fit.request.device.threads);
  const std::string dir = out_dir.staging() + "/";
  const KMeansResult& r = fit.result;
  SegmentsOutput segments(fit, out_dir.staging(), comm);
  const std::vector<RankTimings> ranks =
      rank_timings_gather(comm, {fit.table.n_rows, fit.timings.read, fit.timings.fit - fit.timings.fit_communication,
                                 comm.seconds_communicating()});
  const std::vector<std::string> devices = comm.allgather_bytes(fit.backend_name);
  if (comm.rank() != 0) return;
  centroids_write(dir + "centroids." + fit.request.out_format, fit.model.pipeline, r.centroids, fit.segment_sizes, fit.model.segments.ids,
                  fit.model.tree ? segment_tree_leaf_parents(*fit.model.tree) : std::vector<int64_t>{});
  if (fit.model.tree)
    json_write(dir + "tree.json", segment_tree_document(*fit.model.tree, fit.model.segments.ids, fit.request.split));
  model_save(dir + "model.json", fit.model);
  segments.publish();
  const double write_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json summary = fit_summary(fit, write_seconds);
  if (comm.size() > 1) processes_add(summary, fit.n_rows_total, ranks, devices);
  if (fit.request.out_parts) summary["segments_parts"] = {{"directory", "segments.parts"}, {"count", comm.size()}};
  json_write(dir + "summary.json", summary);
  files_list(fit, out_dir.dir(), segments.listed(), out);
  fit_explain_write(fit, out_dir.staging(), out_dir.dir(), out, comm);
  out_dir.publish(fit.request.out_parts, fit.model.tree.has_value(), fit.request.out_format);
}

void fit_products_write(const FitProducts& products, std::ostream& out, const Communicator& comm) {
  FitOutputDir dir(products.request.out_dir, comm);
  fit_products_write(products, dir, out, comm);
}

}  // namespace kseg
