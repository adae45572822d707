// kseg fit: load → prepare → K-means → segments.csv, centroids.csv, model.json, summary.json.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <ostream>

#include "cli/commands.hpp"
#include "app/explain_outputs.hpp"
#include "app/fit_dynamics.hpp"
#include "app/fit_outputs.hpp"
#include "cli/option_checks.hpp"
#include "app/prepare_input.hpp"
#include "app/progress.hpp"
#include "host/data/memory_check.hpp"
#include "host/error.hpp"
#include "host/features/pipeline.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/input_file.hpp"
#include "host/io/npy_reader.hpp"
#include "host/io/output_set.hpp"
#include "host/kmeans/bisecting_fit.hpp"
#include "host/kmeans/kmeans_fit.hpp"
#include "host/kmeans/min_size.hpp"
#include "host/mpi/segments_gather.hpp"
#include "host/parquet/parquet_output.hpp"

namespace kseg {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// --init: k-means++, k-means||, random, or a .npy of k × d starting centroids in the features' original units.
void init_apply(const FitArgs& args, const FeaturePipeline& pipeline, KMeansParams& params) {
  if (args.init == "k-means++") return;
  if (args.init == "k-means||") {
    params.init = InitMethod::kmeans_parallel;
    return;
  }
  if (args.init == "random") {
    params.init = InitMethod::random;
    return;
  }
  KSEG_EXPECTS(
      args.init.size() > 4 && args.init.compare(args.init.size() - 4, 4, ".npy") == 0, UsageError,
      "--init: expected k-means++, k-means||, random or a FILE.npy of starting centroids, got \"" + args.init + "\"");
  NpyReader reader(args.init);
  KSEG_EXPECTS(reader.n_rows() == args.k && reader.n_cols() == static_cast<int64_t>(pipeline.input_columns().size()),
               DataError,
               args.init + ": expected " + std::to_string(args.k) + " × " + std::to_string(pipeline.n_features()) +
                   " starting centroids (k × features), found " + std::to_string(reader.n_rows()) + " × " +
                   std::to_string(reader.n_cols()));
  params.init = InitMethod::given;
  params.init_centroids.resize(static_cast<size_t>(reader.n_rows() * reader.n_cols()));
  reader.rows_read(0, reader.n_rows(), params.init_centroids.data());
  // The rows are centroids in original units: read them as a table with the model's column names and prepare them.
  Table rows;
  rows.path = args.init;
  rows.n_rows = reader.n_rows();
  const std::vector<std::string> names = pipeline.input_columns();
  KSEG_EXPECTS(pipeline.categorical().empty() && static_cast<int64_t>(names.size()) == pipeline.n_features(),
               UsageError,
               "--init FILE.npy needs purely numeric features (categorical columns have no original-unit centroid)");
  for (size_t t = 0; t < names.size(); ++t) {
    TableColumn column{names[t], ColumnRole::numeric};
    for (int64_t j = 0; j < rows.n_rows; ++j) column.values.push_back(params.init_centroids[j * names.size() + t]);
    rows.columns.push_back(std::move(column));
  }
  pipeline.transform(rows, params.init_centroids.data());
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

// Every option, before any work or write: the explanation options and the files fit reads after the fit too.
void fit_args_validate(const FitArgs& args) {
  KSEG_EXPECTS(args.k >= 1, UsageError, "--k must be at least 1 (got " + std::to_string(args.k) + ")");
  KSEG_EXPECTS(args.n_init >= 1, UsageError, "--n-init must be at least 1");
  KSEG_EXPECTS(args.max_iter >= 1, UsageError, "--max-iter must be at least 1");
  count_limit_check(args.n_init, kNInitMax, "--n-init");
  count_limit_check(args.max_iter, kMaxIterMax, "--max-iter");
  column_roles_validate({args.id_column, args.weight_column, args.columns, args.prep.categorical, args.prep.numeric,
                         args.prep.dates, args.prep.ignore, args.prep.audit});
  profile_options_make(args.explain);
  for (const auto& [option, path] : {std::pair<const char*, const std::string&>{"--warm-start", args.warm_start},
                                     {"--match-ids", args.match_ids},
                                     {"--segment-names", args.segment_names}})
    if (!path.empty())
      input_file_check(path, option,
                       std::string(option) == "--segment-names" ? kNamesFileMaxBytes : kModelFileMaxBytes);
  if (args.init.size() > 4 && args.init.compare(args.init.size() - 4, 4, ".npy") == 0)
    input_file_check(args.init, "--init");
  KSEG_EXPECTS(args.tol >= 0.0 && std::isfinite(args.tol), UsageError, "--tol must be a finite number >= 0");
  scale_mode_parse(args.scale);
  impute_mode_parse(args.prep.impute);
  device_options_validate(args.device);
  fit_refresh_args_validate(args);
  split_strategy_parse(args.split);
  min_size_params_validate({args.min_size, args.min_share});
  KSEG_EXPECTS(
      !args.hierarchy || args.warm_start.empty(), UsageError,
      "--hierarchy builds its tree afresh: use --match-ids OLD/model.json to keep segment ids, not --warm-start");
  KSEG_EXPECTS(!args.with_path || (args.hierarchy && !args.out_parts), UsageError,
               "--with-path needs --hierarchy (the path is the tree's) and one segments.csv (not --out-parts)");
  KSEG_EXPECTS(!args.hierarchy || (args.min_size == 0.0 && args.min_share == 0.0), UsageError,
               "--min-size / --min-share apply to flat fits only (not yet to --hierarchy)");
  out_format_check(args.out_format);
  KSEG_EXPECTS(args.out_format == "csv" || !args.out_parts, UsageError,
               "--out-parts writes CSV parts: use it with --out-format csv");
}

// The fit itself: a bisecting tree (--hierarchy; one process) or flat K-means with the minimum segment size.
KMeansResult segments_fit(const FitArgs& args, Backend& backend, const DataView& view, const KMeansParams& params,
                          double tol_absolute, const Communicator& comm, std::ostream& err,
                          const IterationCallback& on_iteration, SegmentTree& tree, MinSizeReport& min_report) {
  if (!args.hierarchy)
    return kmeans_fit_min_size(backend, view, params, tol_absolute, {args.min_size, args.min_share}, comm, min_report,
                               on_iteration);
  const BackendFactory leaf_backend = [&](const DataView& rows) {
    return backend_create(rows, args.device, true, err, single_process());
  };
  return bisecting_fit(view, params, tol_absolute, {split_strategy_parse(args.split)}, leaf_backend, tree,
                       on_iteration);
}

}  // namespace

void fit_command_register(CLI::App& app, FitArgs& args) {
  app.add_option("INPUT", args.input, "User profiles: CSV with a header, or a 2-D float .npy")->required();
  app.add_option("--k", args.k, "Number of segments")->required();
  app.add_option("--out", args.out_dir, "Output directory")->capture_default_str();
  app.add_option("--seed", args.seed, "Random seed; the same seed gives the same segments")->capture_default_str();
  app.add_option("--n-init", args.n_init, "Restarts; the lowest inertia wins")->capture_default_str();
  app.add_option("--max-iter", args.max_iter, "Lloyd iterations per restart, at most")->capture_default_str();
  app.add_option("--tol", args.tol,
                 "Stop when the squared centroid shift sum is <= tol × mean feature variance (prepared space); "
                 "0 runs until no label changes")
      ->capture_default_str();
  app.add_option("--init", args.init,
                 "k-means++, k-means|| (parallel: 5 rounds sampling 2k rows each, then k-means++ on the candidates), "
                 "random, or FILE.npy with k × d centroids in original units")
      ->capture_default_str();
  table_options_register(app, args.id_column, args.weight_column, args.columns, args.scale);
  preparation_options_register(app, args.prep);
  app.add_flag("--dry-run", args.dry_run, "Print the inferred schema and stop");
  app.add_option("--delimiter", args.delimiter, "CSV field separator")->capture_default_str();
  device_options_register(app, args.device);
  app.add_flag("--quiet", args.quiet, "Only errors on stderr");
  app.add_option("--warm-start", args.warm_start,
                 "OLD/model.json: start from its centroids (in the new preparation) and keep its segment ids");
  app.add_option("--match-ids", args.match_ids,
                 "OLD/model.json: after a fresh fit, give segments the ids of the nearest old ones (Hungarian)");
  app.add_option("--segment-names", args.segment_names, "CSV with columns segment,name: names kept in model.json");
  app.add_flag("--hierarchy", args.hierarchy,
               "Bisecting K-means: split one segment in two at a time until --k leaves; writes tree.json");
  app.add_option("--split", args.split,
                 "With --hierarchy, the leaf split next: largest-inertia (scikit-learn's biggest_inertia) or largest")
      ->capture_default_str();
  app.add_flag("--with-path", args.with_path,
               "With --hierarchy, a path column in segments.csv: the tree's node ids from the root (0/1/4)");
  app.add_option("--min-size", args.min_size,
                 "Dissolve segments with fewer users (weighted fits: less weight) and refit; k may end lower");
  app.add_option("--min-share", args.min_share, "Like --min-size, as a share of all users (e.g. 0.02)");
  app.add_flag("--out-parts", args.out_parts,
               "Under MPI each rank writes its rows as OUT/segments.parts/segments.part-R-of-N.csv instead of rank 0 "
               "writing segments.csv (one process: one part)");
  app.add_option("--out-format", args.out_format, "segments and centroids as csv or parquet")->capture_default_str();
}

int fit_command_run(const FitArgs& args, std::ostream& out, std::ostream& err, const Communicator& comm) {
  fit_args_validate(args);
  KSEG_EXPECTS(!args.hierarchy || comm.size() == 1, UsageError,
               "--hierarchy runs in one process: its splits are not yet reduced across MPI ranks (run without mpirun)");
  const SchemaOptions schema_options = schema_options_make(args.id_column, args.weight_column, args.columns,
                                                           args.delimiter, args.device.threads, args.prep);
  if (args.dry_run) {
    schema_print(schema_infer(args.input, schema_options, comm), out);
    return 0;
  }
  FitTimings timings;
  auto start = std::chrono::steady_clock::now();
  // The outputs go into a staging directory that replaces --out whole at the end (host/io/output_set.hpp), made
  // before the long work so that an unwritable --out fails early. Rank 0 makes it; every rank learns where it is
  // (with --out-parts each rank writes its part there).
  std::unique_ptr<OutputSet> set;
  if (comm.rank() == 0) set = std::make_unique<OutputSet>(args.out_dir);
  FitArgs staged = args;
  staged.out_dir = comm.allgather_bytes(set ? set->path() : std::string())[0];
  PreparedInput in =
      input_prepare(args.input, schema_options, pipeline_options_make(args.scale, args.prep), args.quiet, err, comm);
  timings.read = seconds_since(start);

  KMeansParams params;
  params.n_clusters = args.k;
  params.max_iter = args.max_iter;
  params.tol = args.tol;
  params.n_init = args.n_init;
  params.seed = args.seed;
  params.n_threads = args.device.threads;
  init_apply(args, in.pipeline, params);
  const std::optional<FitRefresh> refresh = fit_refresh_load(args, in);
  const DataView view{in.x.data(), in.weights.empty() ? nullptr : in.weights.data(), in.n_rows, in.n_cols};
  kmeans_params_validate(params, in.n_rows_total, in.n_cols);
  // Centroids (float) and their sums (double); the backends' per-block partials are bounded separately.
  memory_check(static_cast<double>(params.n_clusters) * static_cast<double>(in.n_cols) * 12.0, memory_available_bytes(),
               "k × d = " + std::to_string(params.n_clusters) + " × " + std::to_string(in.n_cols) + " centroids");

  start = std::chrono::steady_clock::now();
  std::unique_ptr<Backend> backend = backend_create(view, args.device, args.quiet, err, comm);
  const std::string devices = devices_describe(comm.allgather_bytes(backend->name()));
  if (refresh && refresh->warm_start) warm_start_apply(*refresh, *backend, params, comm);
  const double communication_before_fit = comm.seconds_communicating();
  const double tol_absolute = args.tol > 0.0 ? args.tol * feature_variance_mean(view, comm) : 0.0;
  if (!args.quiet)
    err << "kseg: fitting k=" << args.k << " on " << in.n_rows_total << " users × " << in.n_cols << " features ("
        << devices << ", seed " << args.seed << ")\n";
  ProgressPrinter progress(err, args.quiet, args.n_init);
  SegmentTree tree;
  MinSizeReport min_report;
  const KMeansResult result = segments_fit(
      args, *backend, view, params, tol_absolute, comm, err,
      [&](int run, const IterationStats& s) { progress.iteration(run, s); }, tree, min_report);
  if (tree.empty()) progress.done(result);
  if (!args.quiet && !tree.empty())
    err << "kseg: tree of " << result.n_clusters << " segments from " << result.runs.size() << " splits (inertia "
        << result.inertia << ")\n";
  if (!args.quiet && !min_report.dissolved.empty())
    err << "kseg: dissolved " << min_report.dissolved.size() << " segments below the minimum size "
        << min_report.minimum << " (k " << min_report.k_requested << " -> " << result.n_clusters << ")\n";
  timings.fit = seconds_since(start);
  timings.fit_communication = comm.seconds_communicating() - communication_before_fit;

  nlohmann::json matching;  // null without --warm-start / --match-ids
  SegmentIdentity identity =
      fit_identity(args, refresh, result.centroids, result.n_clusters, result.n_features, &matching);
  // The outputs need the table, the labels and the distances, not the prepared matrix nor the backend: both go back
  // before writing, which is where a fit's memory would otherwise peak (profiles, drift reference, formatting).
  const std::string backend_name = backend->name();
  backend.reset();
  std::vector<float>().swap(in.x);
  memory_release_to_system();
  FitOutputs outputs{staged, in.schema, in.table, in.pipeline, result, backend_name, timings, identity, matching};
  outputs.comm = &comm;
  outputs.out_shown = args.out_dir;
  if (!tree.empty()) outputs.tree = &tree;
  if (args.min_size > 0.0 || args.min_share > 0.0) outputs.min_size = &min_report;
  fit_outputs_write(outputs, out, args.quiet);
  if (set) {
    set->drop(args.out_parts ? "segments.csv" : "segments.parts");  // the other form of an earlier run's segments
    if (tree.empty()) set->drop("tree.json");  // an earlier --hierarchy fit's tree no longer matches a flat fit
    for (const std::string& name : segment_files_other_format(args.out_format)) set->drop(name);
    set->publish();
  }
  return 0;
}

}  // namespace kseg
