// kseg fit: the flags of a FitRequest; the workflow is fit_segments (app/fit_segments.hpp).
#include <CLI/CLI.hpp>
#include <ostream>

#include "app/fit_segments.hpp"
#include "app/input_schema.hpp"
#include "cli/commands.hpp"

namespace kseg {
namespace {

// --seed, --n-init, --max-iter, --tol, --init (--k is registered first, with --out).
void kmeans_options_register(CLI::App& app, KMeansOptions& kmeans) {
  app.add_option("--seed", kmeans.seed, "Random seed; the same seed gives the same segments")->capture_default_str();
  app.add_option("--n-init", kmeans.n_init, "Restarts; the lowest inertia wins")->capture_default_str();
  app.add_option("--max-iter", kmeans.max_iter, "Lloyd iterations per restart, at most")->capture_default_str();
  app.add_option("--tol", kmeans.tol,
                 "Stop when the squared centroid shift sum is <= tol × mean feature variance (prepared space); "
                 "0 runs until no label changes")
      ->capture_default_str();
  app.add_option("--init", kmeans.init,
                 "k-means++, k-means|| (parallel: 5 rounds sampling 2k rows each, then k-means++ on the candidates), "
                 "random, or FILE.npy with k × d centroids in original units")
      ->capture_default_str();
}

void refresh_options_register(CLI::App& app, FitRequest& request) {
  app.add_option("--warm-start", request.warm_start,
                 "OLD/model.json: start from its centroids (in the new preparation) and keep its segment ids");
  app.add_option("--match-ids", request.match_ids,
                 "OLD/model.json: after a fresh fit, give segments the ids of the nearest old ones (Hungarian)");
  app.add_option("--segment-names", request.segment_names, "CSV with columns segment,name: names kept in model.json");
}

void structure_options_register(CLI::App& app, FitRequest& request) {
  app.add_flag("--hierarchy", request.hierarchy,
               "Bisecting K-means: split one segment in two at a time until --k leaves; writes tree.json");
  app.add_option("--split", request.split,
                 "With --hierarchy, the leaf split next: largest-inertia (scikit-learn's biggest_inertia) or largest")
      ->capture_default_str();
  app.add_flag("--with-path", request.with_path,
               "With --hierarchy, a path column in segments.csv: the tree's node ids from the root (0/1/4)");
  app.add_option("--min-size", request.min_size,
                 "Dissolve segments with fewer users (weighted fits: less weight) and refit; k may end lower");
  app.add_option("--min-share", request.min_share, "Like --min-size, as a share of all users (e.g. 0.02)");
}

}  // namespace

void fit_command_register(CLI::App& app, FitRequest& request, bool& dry_run) {
  app.add_option("INPUT", request.input.path,
                 "User profiles: CSV (plain, .gz, .zst) with a header, Parquet (file or directory), or a 2-D .npy")
      ->required();
  app.add_option("--k", request.kmeans.k, "Number of segments")->required();
  app.add_option("--out", request.out_dir, "Output directory")->capture_default_str();
  kmeans_options_register(app, request.kmeans);
  InputOptions& input = request.input;
  table_options_register(app, input.id_column, input.weight_column, input.columns, request.scale);
  preparation_options_register(app, request.prep);
  app.add_flag("--dry-run", dry_run, "Print the inferred schema and stop");
  app.add_option("--delimiter", input.delimiter, "CSV field separator")->capture_default_str();
  device_options_register(app, request.device);
  app.add_flag("--quiet", request.quiet, "Only errors on stderr");
  refresh_options_register(app, request);
  structure_options_register(app, request);
  app.add_flag("--out-parts", request.out_parts,
               "Under MPI each rank writes its rows as OUT/segments.parts/segments.part-R-of-N.csv instead of rank 0 "
               "writing segments.csv (one process: one part)");
  app.add_option("--out-format", request.out_format, "segments and centroids as csv or parquet")->capture_default_str();
}

int fit_command_run(const FitRequest& request, bool dry_run, std::ostream& out, std::ostream& err,
                    const Communicator& comm) {
  fit_request_validate(request);
  if (dry_run) {
    schema_print(input_schema({request.input, request.prep, request.device.threads}, comm), out);
    return 0;
  }
  // Opened before the work, so that an unwritable --out fails early.
  FitOutputDir dir(request.out_dir, comm);
  const FitProducts products = fit_segments(request, err, comm);
  fit_products_write(products, dir, out, comm);
  return 0;
}

}  // namespace kseg
