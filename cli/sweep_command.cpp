// kseg sweep: prepares the users once, fits every k of a range with several seeds on one backend, prints and
// writes the metrics with a recommended k, and explains the recommended segmentation in report.html.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

#include "cli/commands.hpp"
#include "app/explain_outputs.hpp"
#include "cli/option_checks.hpp"
#include "app/prepare_input.hpp"
#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/output_set.hpp"
#include "host/report/k_sweep.hpp"
#include "host/report/k_sweep_tree.hpp"
#include "host/report/personas.hpp"

namespace kseg {
namespace {

void sweep_args_validate(const SweepArgs& args) {
  KSEG_EXPECTS(args.seeds >= 1, UsageError, "--seeds must be at least 1");
  count_limit_check(args.seeds, kSeedsMax, "--seeds");
  count_limit_check(args.max_iter, kMaxIterMax, "--max-iter");
  column_roles_validate({args.id_column, args.weight_column, args.columns, args.prep.categorical, args.prep.numeric,
                         args.prep.dates, args.prep.ignore, args.prep.audit});
  KSEG_EXPECTS(args.sample >= 3, UsageError, "--sample must be at least 3 rows");
  KSEG_EXPECTS(args.fit_sample >= 0, UsageError, "--fit-sample must be >= 0 rows (0 = fit on all rows)");
  KSEG_EXPECTS(args.max_iter >= 1, UsageError, "--max-iter must be at least 1");
  KSEG_EXPECTS(args.tol >= 0.0 && std::isfinite(args.tol), UsageError, "--tol must be a finite number >= 0");
  KSEG_EXPECTS(args.min_share >= 0.0 && args.min_share < 1.0, UsageError, "--min-share must be in [0, 1)");
  KSEG_EXPECTS(args.min_stability >= -1.0 && args.min_stability <= 1.0, UsageError,
               "--min-stability must be in [-1, 1] (an adjusted Rand index)");
  scale_mode_parse(args.scale);
  impute_mode_parse(args.prep.impute);
  device_options_validate(args.device);
  profile_options_make(args.explain);
  split_strategy_parse(args.split);
  KSEG_EXPECTS(!args.hierarchy || args.fit_sample == 0, UsageError,
               "--hierarchy sweeps fit one tree on all rows: drop --fit-sample");
}

// The rows of data at `rows`, copied into x (and w when weighted): a view of them.
DataView rows_copy(const DataView& data, const std::vector<int64_t>& rows, std::vector<float>& x,
                   std::vector<float>& w) {
  const int64_t d = data.n_cols;
  x.resize(rows.size() * static_cast<size_t>(d));
  for (size_t i = 0; i < rows.size(); ++i)
    std::copy_n(data.x + rows[i] * d, d, x.begin() + static_cast<std::ptrdiff_t>(i) * d);
  if (data.weights != nullptr)
    for (int64_t r : rows) w.push_back(data.weights[r]);
  return DataView{x.data(), data.weights ? w.data() : nullptr, static_cast<int64_t>(rows.size()), d};
}

std::string cell(double v, const char* format) {
  if (std::isnan(v)) return "–";
  char text[48];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

void table_print(const SweepResult& s, std::ostream& out) {
  char line[200];
  std::snprintf(line, sizeof line, "%4s %14s %11s %12s %9s %9s %10s %10s\n", "k", "inertia", "silhouette", "CH", "DB",
                "smallest", "stability", "best seed");
  out << line;
  for (const SweepRow& r : s.rows) {
    std::snprintf(line, sizeof line, "%4lld %14s %11s %12s %9s %8s%% %10s %10llu%s\n", static_cast<long long>(r.k),
                  cell(r.inertia, "%.6g").c_str(), cell(r.silhouette, "%.4f").c_str(),
                  cell(r.calinski_harabasz, "%.6g").c_str(), cell(r.davies_bouldin, "%.4f").c_str(),
                  cell(100.0 * r.min_share, "%.2f").c_str(), cell(r.stability, "%.3f").c_str(),
                  static_cast<unsigned long long>(r.best_seed), r.k == s.recommendation.k ? "  <- recommended" : "");
    out << line;
  }
  out << "recommended " << s.recommendation.reason << "\n";
}

}  // namespace

void sweep_command_register(CLI::App& app, SweepArgs& args) {
  app.add_option("INPUT", args.input, "User profiles: CSV with a header, or a 2-D float .npy")->required();
  app.add_option("--k", args.k_range, "The k to try: a range 2..12, a list 3,5,8")->capture_default_str();
  app.add_option("--sample", args.sample, "Rows in the uniform sample the silhouette is computed on")
      ->capture_default_str();
  app.add_option("--fit-sample", args.fit_sample,
                 "Fit each k on this many random rows (0 = all), then score all rows: for large inputs")
      ->capture_default_str();
  app.add_option("--seeds", args.seeds, "Fits per k (seeds --seed, --seed + 1, ...); stability compares them")
      ->capture_default_str();
  app.add_option("--seed", args.seed, "First seed; also the silhouette sample's seed")->capture_default_str();
  app.add_option("--max-iter", args.max_iter, "Lloyd iterations per fit, at most")->capture_default_str();
  app.add_option("--tol", args.tol, "Convergence tolerance, as kseg fit --tol")->capture_default_str();
  app.add_option("--min-share", args.min_share, "Rule: the smallest segment holds at least this share of users")
      ->capture_default_str();
  app.add_option("--min-stability", args.min_stability, "Rule: mean ARI between seeds at least this")
      ->capture_default_str();
  app.add_option("--out", args.out_dir, "Output directory")->capture_default_str();
  table_options_register(app, args.id_column, args.weight_column, args.columns, args.scale);
  preparation_options_register(app, args.prep);
  app.add_option("--delimiter", args.delimiter, "CSV field separator")->capture_default_str();
  device_options_register(app, args.device);
  explain_options_register(app, args.explain);
  app.add_flag("--hierarchy", args.hierarchy,
               "One bisecting K-means tree per seed, grown to the largest k and cut at every k (as fit --hierarchy)");
  app.add_option("--split", args.split, "With --hierarchy: largest-inertia or largest, as kseg fit --split")
      ->capture_default_str();
  app.add_flag("--quiet", args.quiet, "Only errors on stderr");
}

int sweep_command_run(const SweepArgs& args, std::ostream& out, std::ostream& err) {
  sweep_args_validate(args);
  SweepParams params;
  params.ks = k_range_parse(args.k_range);
  params.n_seeds = args.seeds;
  params.seed = args.seed;
  params.sample_size = args.sample;
  params.max_iter = args.max_iter;
  params.tol = args.tol;
  params.min_share = args.min_share;
  params.min_stability = args.min_stability;
  params.fit_sample = args.fit_sample;
  const SchemaOptions schema_options = schema_options_make(args.id_column, args.weight_column, args.columns,
                                                           args.delimiter, args.device.threads, args.prep);
  OutputSet set(args.out_dir);  // made before the long work: an unwritable --out fails early
  const PreparedInput in =
      input_prepare(args.input, schema_options, pipeline_options_make(args.scale, args.prep), args.quiet, err);
  const DataView view{in.x.data(), in.weights.empty() ? nullptr : in.weights.data(), in.n_rows, in.n_cols};
  std::unique_ptr<Backend> backend = backend_create(view, args.device, args.quiet, err);
  // --fit-sample: the sample's rows (and weights) in a matrix of their own, on a backend of their own.
  std::vector<float> sample_x, sample_w;
  std::unique_ptr<Backend> sample_backend;
  SweepFitSubset subset;
  if (args.fit_sample > 0 && args.fit_sample < in.n_rows) {
    subset.data = rows_copy(view, sweep_fit_rows(in.n_rows, params), sample_x, sample_w);
    sample_backend = backend_create(subset.data, args.device, true, err);
    subset.backend = sample_backend.get();
  }
  if (!args.quiet)
    err << "kseg: sweep k = " << args.k_range << " × " << args.seeds << " seeds on " << in.n_rows << " users × "
        << in.n_cols << " features (" << backend->name() << ")"
        << (subset.backend ? ", fits on " + std::to_string(subset.data.n_rows) + " sampled users" : "") << "\n";
  const SweepProgress progress = [&](const SweepRow& r) {
    if (!args.quiet) err << "kseg: k = " << r.k << " done in " << number_short(r.seconds) << " s\n";
  };
  const BackendFactory tree_backend = [&](const DataView& rows) {
    return backend_create(rows, args.device, true, err);
  };
  const SweepResult result =
      args.hierarchy ? sweep_tree_run(view, params, split_strategy_parse(args.split), tree_backend, progress)
                     : sweep_run(*backend, view, params, progress, subset);
  table_print(result, out);
  const std::string dir = set.path() + "/", shown = args.out_dir + "/";
  sweep_csv_write(dir + "sweep.csv", result);
  AtomicFile json(dir + "sweep.json");
  json.write(sweep_to_json(result).dump(2) + "\n");
  json.commit();

  // The recommended k's segments, explained: its best fit's final assignment.
  const SweepRow* chosen = nullptr;
  for (const SweepRow& r : result.rows)
    if (r.k == result.recommendation.k) chosen = &r;
  std::vector<int32_t> labels(static_cast<size_t>(in.n_rows));
  if (args.hierarchy) {  // the tree's own labels (walked, not the nearest leaf)
    labels =
        sweep_tree_labels(view, params, split_strategy_parse(args.split), tree_backend, chosen->k, chosen->best_seed);
  } else {
    backend->assign(chosen->centroids.data(), chosen->k);
    backend->labels_get(labels.data());
  }
  if (!args.quiet)
    out << "kseg: sweep of " << result.rows.size() << " k in " << number_short(result.seconds_total) << " s\n  "
        << shown << "sweep.csv\n  " << shown << "sweep.json\n";
  ExplainOutputs o;
  o.dir = set.path();
  o.shown_dir = args.out_dir;
  o.source = "kseg sweep " + args.input + " --k " + args.k_range +
             ": segments of the recommended k = " + std::to_string(chosen->k) + " (kseg fit --k " +
             std::to_string(chosen->k) + " --seed " + std::to_string(chosen->best_seed) +
             (args.hierarchy ? " --hierarchy --split " + args.split : "") + " reproduces them)";
  o.table = &in.table;
  o.pipeline = &in.pipeline;
  o.labels = labels.data();
  o.k = chosen->k;
  o.sweep = &result;
  o.names_file = false;
  explain_outputs_write(o, args.explain, out, args.quiet);
  set.publish();
  return 0;
}

}  // namespace kseg
