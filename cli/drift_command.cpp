// kseg drift --model M NEW_INPUT: flags onto a DriftRequest, the measurement (app/drift_measure.hpp), the report.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ostream>

#include "app/drift_measure.hpp"
#include "cli/commands.hpp"

namespace kseg {
namespace {

void report_print(const DriftReport& r, std::ostream& out) {
  char line[200];
  std::snprintf(
      line, sizeof(line), "kseg: %lld users%s%s; PSI per feature (stable < 0.1 <= moderate < 0.25 <= major):\n",
      static_cast<long long>(r.rows), r.weight_column.empty() ? "" : ", weighted by ", r.weight_column.c_str());
  out << line;
  for (const FeatureDrift& f : r.features) {
    std::snprintf(line, sizeof(line), "  %-28s %8.4f  %s\n", f.name.c_str(), f.psi, f.flag.c_str());
    out << line;
  }
  std::snprintf(line, sizeof(line), "  segment mix PSI %.4f; mean distance to centroid %.4g -> %.4g (%+.1f%%)\n",
                r.segment_psi, r.mean_distance_fit, r.mean_distance_new, 100.0 * r.mean_distance_change);
  out << line;
  if (!r.refit) {
    out << "kseg: no threshold crossed: the model still describes these users\n";
    return;
  }
  out << "kseg: refit recommended:\n";
  for (const std::string& reason : r.reasons) out << "  " << reason << "\n";
}

}  // namespace

void drift_command_register(CLI::App& app, DriftRequest& request) {
  app.add_option("INPUT", request.input.path,
                 "New users: CSV (plain, .gz, .zst), Parquet or .npy with the model's feature columns")
      ->required();
  app.add_option("--model", request.model, "model.json written by kseg fit")->required();
  app.add_option("--out", request.out, "Write the full report (bins, shares, reasons) to this JSON file");
  app.add_option("--psi-threshold", request.thresholds.psi,
                 "PSI of a feature or of the segment mix that calls for a refit")
      ->capture_default_str();
  app.add_option("--distance-threshold", request.thresholds.distance,
                 "Relative rise of the mean distance to the centroid that calls for a refit")
      ->capture_default_str();
  app.add_option("--delimiter", request.input.delimiter, "CSV field separator")->capture_default_str();
  app.add_option("--batch-rows", request.batch_rows, ".npy rows read per batch (bounds memory)")->capture_default_str();
  device_options_register(app, request.device);
  app.add_flag("--quiet", request.quiet, "Only errors on stderr (the report still goes to --out)");
}

int drift_command_run(const DriftRequest& request, std::ostream& out, std::ostream& err) {
  const DriftProducts products = drift_measure(request, err);
  if (!request.out.empty()) drift_products_write(products, request.out);
  if (!request.quiet) {
    report_print(products.report, out);
    if (!request.out.empty()) out << "  " << request.out << "\n";
  }
  return 0;
}

}  // namespace kseg
