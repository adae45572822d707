// kseg sweep: maps the flags onto a SweepRequest, runs the sweep (app/sweep_segments.hpp), prints its table and
// writes its output set.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <ostream>

#include "app/sweep_segments.hpp"
#include "cli/commands.hpp"
#include "host/io/output_set.hpp"

namespace kseg {
namespace {

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

void sweep_command_register(CLI::App& app, SweepRequest& args) {
  app.add_option("INPUT", args.input.path,
                 "User profiles: CSV (plain, .gz, .zst) with a header, Parquet (file or directory), or a 2-D .npy")
      ->required();
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
  table_options_register(app, args.input.id_column, args.input.weight_column, args.input.columns, args.scale);
  preparation_options_register(app, args.prep);
  app.add_option("--delimiter", args.input.delimiter, "CSV field separator")->capture_default_str();
  device_options_register(app, args.device);
  explain_options_register(app, args.explain);
  app.add_flag("--hierarchy", args.hierarchy,
               "One bisecting K-means tree per seed, grown to the largest k and cut at every k (as fit --hierarchy)");
  app.add_option("--split", args.split, "With --hierarchy: largest-inertia or largest, as kseg fit --split")
      ->capture_default_str();
  app.add_flag("--quiet", args.quiet, "Only errors on stderr");
}

int sweep_command_run(const SweepRequest& request, std::ostream& out, std::ostream& err) {
  sweep_request_validate(request);
  OutputSet set(request.out_dir);  // made before the long work: an unwritable --out fails early
  const SweepProducts products = sweep_segments(request, err);
  table_print(products.result, out);
  sweep_products_write(products, set, out, request.quiet);
  return 0;
}

}  // namespace kseg
