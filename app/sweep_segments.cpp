#include "app/sweep_segments.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <ostream>

#include "app/backend_select.hpp"
#include "app/explain_outputs.hpp"
#include "app/option_limits.hpp"
#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/output_set.hpp"
#include "host/report/k_sweep_tree.hpp"
#include "host/report/personas.hpp"

namespace kseg {
namespace {

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

DataView input_view(const PreparedInput& in) {
  return DataView{in.x.data(), in.weights.empty() ? nullptr : in.weights.data(), in.n_rows, in.n_cols};
}

// The sweep on one backend of all rows (with fit_sample, the fits on a backend of the sample's rows), or with
// hierarchy one tree per seed cut at every k; then each user's segment under the recommended k's best fit: its
// centroids assigned to every row, or for a tree its own labels (walked from the root, as fit --hierarchy gives).
SweepResult sweep_compute(const SweepRequest& request, const PreparedInput& in, std::vector<int32_t>& labels,
                          std::ostream& notices) {
  const SweepParams params = sweep_params_make(request);
  const DataView view = input_view(in);
  std::unique_ptr<Backend> backend = backend_create(view, request.device, request.quiet, notices);
  std::vector<float> sample_x, sample_w;
  std::unique_ptr<Backend> sample_backend;
  SweepFitSubset subset;
  if (request.fit_sample > 0 && request.fit_sample < in.n_rows) {
    subset.data = rows_copy(view, sweep_fit_rows(in.n_rows, params), sample_x, sample_w);
    sample_backend = backend_create(subset.data, request.device, true, notices);
    subset.backend = sample_backend.get();
  }
  if (!request.quiet)
    notices << "kseg: sweep k = " << request.k_range << " × " << request.seeds << " seeds on " << in.n_rows
            << " users × " << in.n_cols << " features (" << backend->name() << ")"
            << (subset.backend ? ", fits on " + std::to_string(subset.data.n_rows) + " sampled users" : "") << "\n";
  const SweepProgress progress = [&](const SweepRow& r) {
    if (!request.quiet) notices << "kseg: k = " << r.k << " done in " << number_short(r.seconds) << " s\n";
  };
  if (request.hierarchy) {
    const BackendFactory tree_backend = [&](const DataView& rows) {
      return backend_create(rows, request.device, true, notices);
    };
    const SplitStrategy split = split_strategy_parse(request.split);
    SweepResult result = sweep_tree_run(view, params, split, tree_backend, progress);
    const SweepRow& chosen = sweep_row_recommended(result);
    labels = sweep_tree_labels(view, params, split, tree_backend, chosen.k, chosen.best_seed);
    return result;
  }
  SweepResult result = sweep_run(*backend, view, params, progress, subset);
  const SweepRow& chosen = sweep_row_recommended(result);
  labels.resize(static_cast<size_t>(in.n_rows));
  backend->assign(chosen.centroids.data(), chosen.k);
  backend->labels_get(labels.data());
  return result;
}

}  // namespace

void sweep_request_validate(const SweepRequest& r) {
  KSEG_EXPECTS(r.seeds >= 1, UsageError, "--seeds must be at least 1");
  count_limit_check(r.seeds, kSeedsMax, "--seeds");
  count_limit_check(r.max_iter, kMaxIterMax, "--max-iter");
  column_roles_validate({r.input.id_column, r.input.weight_column, r.input.columns, r.prep.categorical, r.prep.numeric,
                         r.prep.dates, r.prep.ignore, r.prep.audit});
  KSEG_EXPECTS(r.sample >= 3, UsageError, "--sample must be at least 3 rows");
  KSEG_EXPECTS(r.fit_sample >= 0, UsageError, "--fit-sample must be >= 0 rows (0 = fit on all rows)");
  KSEG_EXPECTS(r.max_iter >= 1, UsageError, "--max-iter must be at least 1");
  KSEG_EXPECTS(r.tol >= 0.0 && std::isfinite(r.tol), UsageError, "--tol must be a finite number >= 0");
  KSEG_EXPECTS(r.min_share >= 0.0 && r.min_share < 1.0, UsageError, "--min-share must be in [0, 1)");
  KSEG_EXPECTS(r.min_stability >= -1.0 && r.min_stability <= 1.0, UsageError,
               "--min-stability must be in [-1, 1] (an adjusted Rand index)");
  scale_mode_parse(r.scale);
  impute_mode_parse(r.prep.impute);
  device_options_validate(r.device);
  profile_options_make(r.explain);
  split_strategy_parse(r.split);
  KSEG_EXPECTS(!r.hierarchy || r.fit_sample == 0, UsageError,
               "--hierarchy sweeps fit one tree on all rows: drop --fit-sample");
  k_range_parse(r.k_range);
}

SweepParams sweep_params_make(const SweepRequest& request) {
  SweepParams params;
  params.ks = k_range_parse(request.k_range);
  params.n_seeds = request.seeds;
  params.seed = request.seed;
  params.sample_size = request.sample;
  params.max_iter = request.max_iter;
  params.tol = request.tol;
  params.min_share = request.min_share;
  params.min_stability = request.min_stability;
  params.fit_sample = request.fit_sample;
  return params;
}

const SweepRow& sweep_row_recommended(const SweepResult& result) {
  const auto it = std::find_if(result.rows.begin(), result.rows.end(),
                               [&](const SweepRow& r) { return r.k == result.recommendation.k; });
  KSEG_EXPECTS(it != result.rows.end(), DataError, "sweep: the recommended k is not among the rows");
  return *it;
}

SweepProducts sweep_segments(const SweepRequest& request, std::ostream& notices) {
  sweep_request_validate(request);
  const InputOptions& input = request.input;
  const SchemaOptions schema_options = schema_options_make(input.id_column, input.weight_column, input.columns,
                                                           input.delimiter, request.device.threads, request.prep);
  SweepProducts p;
  p.input =
      input_prepare(input, schema_options, pipeline_options_make(request.scale, request.prep), request.quiet, notices);
  p.result = sweep_compute(request, p.input, p.labels, notices);
  const SweepRow& chosen = sweep_row_recommended(p.result);
  p.source = "kseg sweep " + (input.table ? std::string("the table") : input.path) + " --k " + request.k_range +
             ": segments of the recommended k = " + std::to_string(chosen.k) + " (kseg fit --k " +
             std::to_string(chosen.k) + " --seed " + std::to_string(chosen.best_seed) +
             (request.hierarchy ? " --hierarchy --split " + request.split : "") + " reproduces them)";
  p.explain = request.explain;
  return p;
}

void sweep_products_write(const SweepProducts& products, OutputSet& set, std::ostream& listing, bool quiet) {
  const SweepResult& result = products.result;
  const std::string dir = set.path() + "/", shown = set.dir() + "/";
  sweep_csv_write(dir + "sweep.csv", result);
  AtomicFile json(dir + "sweep.json");
  json.write(sweep_to_json(result).dump(2) + "\n");
  json.commit();
  if (!quiet)
    listing << "kseg: sweep of " << result.rows.size() << " k in " << number_short(result.seconds_total) << " s\n  "
            << shown << "sweep.csv\n  " << shown << "sweep.json\n";
  ExplainOutputs o;
  o.dir = set.path();
  o.shown_dir = set.dir();
  o.source = products.source;
  o.table = &products.input.table;
  o.pipeline = &products.input.pipeline;
  o.labels = products.labels.data();
  o.k = sweep_row_recommended(result).k;
  o.sweep = &result;
  o.names_file = false;
  explain_outputs_write(o, products.explain, listing, quiet);
  set.publish();
}

void sweep_products_write(const SweepProducts& products, const std::string& out_dir, std::ostream& listing,
                          bool quiet) {
  OutputSet set(out_dir);
  sweep_products_write(products, set, listing, quiet);
}

}  // namespace kseg
