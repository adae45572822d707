// kseg update --model M INPUT --out DIR: flags onto an UpdateRequest, the update (app/model_update.hpp), the
// summary lines.
#include <CLI/CLI.hpp>
#include <ostream>

#include "app/model_update.hpp"
#include "cli/commands.hpp"

namespace kseg {

void update_command_register(CLI::App& app, UpdateRequest& request) {
  MiniBatchEpochsParams& params = request.params;
  app.add_option("INPUT", request.input.path,
                 "New users: CSV (plain, .gz, .zst), Parquet or .npy with the model's feature columns")
      ->required();
  app.add_option("--model", request.model, "model.json to update (written by kseg fit or kseg update)")->required();
  app.add_option("--out", request.out_dir, "Output directory: model.json, centroids.csv, summary.json")
      ->capture_default_str();
  app.add_option("--batch-size", params.step.batch_size, "Rows per mini-batch")->capture_default_str();
  app.add_option("--epochs", params.epochs, "Passes over the input")->capture_default_str();
  app.add_option("--reassignment-ratio", params.step.reassignment_ratio,
                 "Centres that saw less than this × the largest centre's weight jump to random rows; 0 = never")
      ->capture_default_str();
  app.add_option(
         "--memory", params.memory,
         "Weight of the model's past: counts start at memory × its segment weights (a weighted fit's weight sums, else "
         "sizes; 0: new data only)")
      ->capture_default_str();
  app.add_option("--seed", params.step.seed, "Random seed (row order, reassignment)")->capture_default_str();
  app.add_option("--delimiter", request.input.delimiter, "CSV field separator")->capture_default_str();
  device_options_register(app, request.device);
  app.add_flag("--quiet", request.quiet, "Only errors on stderr");
}

int update_command_run(const UpdateRequest& request, std::ostream& out, std::ostream& err) {
  const UpdateProducts products = model_update_run(request, err);
  if (request.quiet) return 0;
  const int epochs = request.params.epochs;
  const std::string shown = request.out_dir + "/";
  out << "kseg: updated " << products.model.n_clusters << " segments with " << products.rows << " users"
      << (products.weight_column.empty() ? std::string() : " weighted by " + products.weight_column) << " (" << epochs
      << " epoch" << (epochs > 1 ? "s" : "") << ", " << products.ids["new_ids"].size() << " centres reassigned)\n  "
      << shown << "model.json\n  " << shown << "centroids.csv\n  " << shown << "summary.json\n";
  return 0;
}

}  // namespace kseg
