// kseg's fit as a library call: a FitRequest (the option groups of app/options.hpp plus fit's own fields) →
// fit_request_validate (every option, before any work) → fit_segments (read, prepare, K-means; the products in
// memory) → fit_products_write (segments.csv, centroids.csv, model.json, summary.json, tree.json, profiles and
// report, published together). The kseg program, the Python package and C++ callers all go through these calls.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/options.hpp"
#include "host/comm/communicator.hpp"
#include "host/data/schema.hpp"
#include "host/data/table.hpp"
#include "host/kmeans/min_size.hpp"
#include "host/kmeans/params.hpp"
#include "host/model/model_file.hpp"
#include "host/privacy/id_export.hpp"

namespace kseg {

class OutputSet;

// What to fit and what to write. Defaults are the kseg program's defaults.
struct FitRequest {
  InputOptions input;                     // the user table (path, id / weight / feature columns, delimiter)
  PreparationOptions prep;                // column roles, imputation, log1p, feature weights, levels, dates
  std::string scale = "zscore";           // zscore | robust | minmax | none
  KMeansOptions kmeans;                   // k (required, >= 1), seed, n_init, max_iter, tol, init
  DeviceOptions device;                   // cpu | cuda[:N] | auto, threads, precision, GPU memory, CPU pass
  ExplainOptions explain;                 // the fairness audit of profiles.csv / report.html
  std::string warm_start;                 // OLD/model.json: start from its centroids, keep its segment ids; "" = none
  std::string match_ids;                  // OLD/model.json: fresh fit, then keep its segment ids by matching; "" = none
  std::string segment_names;              // CSV segment,name: names kept in model.json; "" = none
  bool hierarchy = false;                 // bisecting K-means tree (host/kmeans/bisecting_fit.hpp); one process
  std::string split = "largest-inertia";  // with hierarchy: the leaf split next (largest-inertia | largest)
  double min_size = 0.0;                  // smallest segment (users, or weight); 0 = none; flat fits only
  double min_share = 0.0;                 // smallest segment as a share of all users; 0 = none; flat fits only
  bool with_path = false;                 // with hierarchy: segments.csv gets each user's path in the tree
  std::string out_dir = "segments";       // where fit_products_write publishes the files
  IdExport ids;                           // how ids are exported (keyed pseudonyms, spreadsheet-safe text)
  bool out_parts = false;                 // across processes: each rank writes its part of segments.csv
  std::string out_format = "csv";         // segments.* and centroids.* as csv or parquet
  bool quiet = false;                     // no notices, progress or list of files
};

// Seconds spent, for summary.json.
struct FitTimings {
  double read = 0.0;  // schema inference, parsing and feature preparation
  double fit = 0.0;   // seeding and iterations, all restarts
  // Of fit: seconds inside communication calls (MPI runs; 0 for one process).
  double fit_communication = 0.0;
};

// What a fit produced, in memory. Across processes each rank holds its own rows (table, result's labels and
// distances, segments); sizes, weights and the model are the same on every rank, and rank 0 also holds every row
// (table_all, labels_all) for the profiles, and the model's drift reference.
struct FitProducts {
  FitRequest request;  // what was asked (summary.json and model.json record it)
  // The model as model.json stores it: the learned preparation (pipeline), centroids in the prepared space, stable
  // segment ids and names, the fit record, the drift reference and, with hierarchy, the tree.
  Model model;
  TableSchema schema;             // every input column's role and why
  Table table;                    // this process's users as read: ids, raw columns, audit and weight columns
  KMeansResult result;            // labels (row → centroid row of the model), squared distances, runs, inertia
  std::vector<int32_t> segments;  // each row's stable segment id (model.segments.ids[result.labels[i]])
  std::vector<double> centroids_original;  // k × model.pipeline.centroids_header().size(), the user's units
  std::vector<int64_t> segment_sizes;      // users per centroid row, over all processes
  std::vector<double> segment_weights;     // weighted fits: weight per centroid row; empty otherwise
  nlohmann::json matching;                 // after warm_start / match_ids: how old ids were kept; else null
  std::optional<MinSizeReport> min_size;   // with min_size / min_share: what was dissolved
  std::string backend_name;                // "cpu" or "cuda:N"
  FitTimings timings;
  int64_t n_rows_total = 0;         // users over all processes
  Table table_all;                  // rank 0 of several processes: every row (else empty: use table)
  std::vector<int32_t> labels_all;  // rank 0 of several processes: every row's centroid row
};

// UsageError (naming the option) for any value or combination fit refuses, and a missing or oversized file given
// to warm_start, match_ids, segment_names or init; also an out_dir whose outputs would overwrite the input. Checks
// needing the data (k against the rows, --init's shape) are made once inside fit_segments.
void fit_request_validate(const FitRequest& request);

// Reads and prepares the input, fits, and matches or names the segments. Validates the request first. Notices
// (dropped columns, CPU fallback, progress) go to notices unless request.quiet. Collective across processes: each
// reads its slice of the rows. DataError for data that cannot be used.
FitProducts fit_segments(const FitRequest& request, std::ostream& notices, const Communicator& comm = single_process());

// summary.json: the run, its inputs, options, result and timings (write: the seconds writing took).
nlohmann::json fit_summary(const FitProducts& products, double write_seconds = 0.0);

// Where fit_products_write puts the files: a staging directory beside dir (host/io/output_set.hpp) that replaces dir
// whole at publish, so a failed run leaves the previous set. Open it before fit_segments for an unwritable
// directory to fail before the work. Collective: rank 0 makes it, every rank learns its path.
class FitOutputDir {
 public:
  explicit FitOutputDir(const std::string& dir, const Communicator& comm = single_process());
  ~FitOutputDir();
  FitOutputDir(const FitOutputDir&) = delete;
  FitOutputDir& operator=(const FitOutputDir&) = delete;
  const std::string& dir() const { return dir_; }          // as given, for messages
  const std::string& staging() const { return staging_; }  // where files are written
  // Puts the written set in place (rank 0), withdrawing what an earlier run wrote that this one replaces.
  void publish(bool out_parts, bool tree, const std::string& out_format = "csv");

 private:
  std::string dir_, staging_;
  std::unique_ptr<OutputSet> set_;
};

// Writes the products (segments.csv or segments.parts/, centroids.csv, model.json, summary.json, tree.json with
// hierarchy, profiles.csv, profiles.json, segment_names.csv, report.html) into the directory and publishes it; lists
// them on listing unless request.quiet. Collective across processes (rank 0 writes; with out_parts every rank its
// part).
void fit_products_write(const FitProducts& products, FitOutputDir& dir, std::ostream& listing,
                        const Communicator& comm = single_process());
// The same into request.out_dir (opened here).
void fit_products_write(const FitProducts& products, std::ostream& listing,
                        const Communicator& comm = single_process());

}  // namespace kseg
