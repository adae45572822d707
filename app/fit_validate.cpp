// fit_request_validate: every option of a fit, checked once before any work or write.
#include <cmath>
#include <filesystem>

#include "app/backend_select.hpp"
#include "app/explain_outputs.hpp"
#include "app/fit_init.hpp"
#include "app/fit_segments.hpp"
#include "host/parquet/parquet_output.hpp"
#include "app/option_limits.hpp"
#include "app/prepare_input.hpp"
#include "host/error.hpp"
#include "host/io/input_file.hpp"
#include "host/kmeans/bisecting_fit.hpp"

namespace kseg {
namespace {

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::exists(a, ec) && std::filesystem::exists(b, ec) && std::filesystem::equivalent(a, b, ec);
}

// Every file a fit may write into out_dir.
const std::vector<std::string> kFitOutputs = {"segments.csv", "centroids.csv",    "model.json",        "summary.json",
                                              "profiles.csv", "profiles.json",    "segment_names.csv", "report.html",
                                              "tree.json",    "segments.parquet", "centroids.parquet"};

// A fit replaces the files it writes: refuse an out_dir whose outputs include the input.
void fit_paths_check(const FitRequest& request) {
  for (const std::string& name : kFitOutputs) {
    const std::string output = (std::filesystem::path(request.out_dir) / name).string();
    KSEG_EXPECTS(!same_file(request.input.path, output), UsageError,
                 "--out " + request.out_dir + ": fit would overwrite its input " + request.input.path + " with its " +
                     name + "; choose another --out");
  }
}

// The files read besides the input: present, regular and not oversized, before any work.
void fit_files_check(const FitRequest& request) {
  for (const auto& [option, path] : {std::pair<const char*, const std::string&>{"--warm-start", request.warm_start},
                                     {"--match-ids", request.match_ids},
                                     {"--segment-names", request.segment_names}})
    if (!path.empty())
      input_file_check(path, option,
                       std::string(option) == "--segment-names" ? kNamesFileMaxBytes : kModelFileMaxBytes);
  if (init_is_file(request.kmeans.init)) input_file_check(request.kmeans.init, "--init");
}

// --warm-start, --match-ids, --hierarchy, --min-size and --with-path: the combinations that contradict each other.
void fit_combinations_check(const FitRequest& r) {
  KSEG_EXPECTS(r.warm_start.empty() || r.match_ids.empty(), UsageError,
               "--warm-start already matches ids against its model: give --warm-start or --match-ids, not both");
  KSEG_EXPECTS(r.warm_start.empty() || r.kmeans.init == "k-means++", UsageError,
               "--warm-start starts from the old centroids: it cannot be combined with --init");
  KSEG_EXPECTS(r.warm_start.empty() || r.kmeans.n_init == 1, UsageError,
               "--warm-start has one starting point: --n-init must be 1");
  split_strategy_parse(r.split);
  min_size_params_validate({r.min_size, r.min_share});
  KSEG_EXPECTS(
      !r.hierarchy || r.warm_start.empty(), UsageError,
      "--hierarchy builds its tree afresh: use --match-ids OLD/model.json to keep segment ids, not --warm-start");
  KSEG_EXPECTS(!r.with_path || (r.hierarchy && !r.out_parts), UsageError,
               "--with-path needs --hierarchy (the path is the tree's) and one segments.csv (not --out-parts)");
  out_format_check(r.out_format);
  KSEG_EXPECTS(r.out_format == "csv" || !r.out_parts, UsageError,
               "--out-parts writes CSV parts: use it with --out-format csv");
}

}  // namespace

void fit_request_validate(const FitRequest& request) {
  fit_paths_check(request);
  const KMeansOptions& kmeans = request.kmeans;
  KSEG_EXPECTS(kmeans.k >= 1, UsageError, "--k must be at least 1 (got " + std::to_string(kmeans.k) + ")");
  KSEG_EXPECTS(kmeans.n_init >= 1, UsageError, "--n-init must be at least 1");
  KSEG_EXPECTS(kmeans.max_iter >= 1, UsageError, "--max-iter must be at least 1");
  count_limit_check(kmeans.n_init, kNInitMax, "--n-init");
  count_limit_check(kmeans.max_iter, kMaxIterMax, "--max-iter");
  const InputOptions& in = request.input;
  const PreparationOptions& prep = request.prep;
  column_roles_validate({in.id_column, in.weight_column, in.columns, prep.categorical, prep.numeric, prep.dates,
                         prep.ignore, prep.audit});
  profile_options_make(request.explain);
  fit_files_check(request);
  init_validate(kmeans.init);
  KSEG_EXPECTS(kmeans.tol >= 0.0 && std::isfinite(kmeans.tol), UsageError, "--tol must be a finite number >= 0");
  pipeline_options_make(request.scale, prep);  // --scale, --impute, --feature-weight
  device_options_validate(request.device);
  fit_combinations_check(request);
}

}  // namespace kseg
