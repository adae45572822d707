// kseg assign: flags onto an AssignRequest, the workflow (app/segments_assign.hpp), the summary lines.
#include <CLI/CLI.hpp>
#include <ostream>

#include "app/segments_assign.hpp"
#include "cli/commands.hpp"
#include "host/features/pipeline.hpp"

namespace kseg {

void assign_command_register(CLI::App& app, AssignRequest& request) {
  app.add_option(
         "INPUT", request.input.path,
         "Users to score: CSV (plain, .gz, .zst), Parquet (file or directory) or .npy with the model's feature columns")
      ->required();
  app.add_option("--model", request.model, "model.json written by kseg fit")->required();
  app.add_option("--out", request.out, "Output segments file (id,segment,distance)")->capture_default_str();
  app.add_option("--out-format", request.out_format, "csv or parquet (default: parquet for an --out named *.parquet)");
  app.add_option("--delimiter", request.input.delimiter, "CSV field separator")->capture_default_str();
  app.add_option("--batch-rows", request.batch_rows, ".npy rows scored per batch (bounds memory)")
      ->capture_default_str();
  app.add_option("--assign", request.assign_mode,
                 "Tree models (fit --hierarchy): tree walks from the root to the nearer child at each split, as the "
                 "tree was built; nearest-leaf takes the nearest segment centroid (the two can differ)")
      ->capture_default_str();
  device_options_register(app, request.device);
  app.add_flag("--quiet", request.quiet, "Only errors on stderr");
}

int assign_command_run(const AssignRequest& request, std::ostream& out, std::ostream& err, const Communicator& comm) {
  const AssignSummary summary = segments_assign(request, err, comm);
  if (request.quiet) return 0;
  for (const auto& [column, rows] : summary.unseen_levels)
    err << "kseg: column \"" << column << "\": " << rows << " users had a level unseen at fit, scored as "
        << kOtherLevel << "\n";
  out << "kseg: scored " << summary.rows << " users against " << request.model << "\n  " << summary.out << "\n";
  return 0;
}

}  // namespace kseg
