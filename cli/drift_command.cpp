// kseg drift --model M NEW_INPUT: has the population moved away from the one the model was fitted on?
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <memory>
#include <ostream>

#include "cli/commands.hpp"
#include "app/model_input.hpp"
#include "host/dynamics/drift_report.hpp"
#include "host/error.hpp"
#include "host/output/segment_files.hpp"

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

void drift_command_register(CLI::App& app, DriftArgs& args) {
  app.add_option("INPUT", args.input, "New users: CSV with the model's feature columns, or a .npy")->required();
  app.add_option("--model", args.model, "model.json written by kseg fit")->required();
  app.add_option("--out", args.out, "Write the full report (bins, shares, reasons) to this JSON file");
  app.add_option("--psi-threshold", args.psi_threshold, "PSI of a feature or of the segment mix that calls for a refit")
      ->capture_default_str();
  app.add_option("--distance-threshold", args.distance_threshold,
                 "Relative rise of the mean distance to the centroid that calls for a refit")
      ->capture_default_str();
  app.add_option("--delimiter", args.delimiter, "CSV field separator")->capture_default_str();
  app.add_option("--batch-rows", args.batch_rows, ".npy rows read per batch (bounds memory)")->capture_default_str();
  device_options_register(app, args.device);
  app.add_flag("--quiet", args.quiet, "Only errors on stderr (the report still goes to --out)");
}

int drift_command_run(const DriftArgs& args, std::ostream& out, std::ostream& err) {
  device_options_validate(args.device);
  KSEG_EXPECTS(args.psi_threshold > 0.0 && std::isfinite(args.psi_threshold), UsageError,
               "--psi-threshold must be a positive number");
  KSEG_EXPECTS(args.distance_threshold > 0.0 && std::isfinite(args.distance_threshold), UsageError,
               "--distance-threshold must be a positive number");
  const Model model = model_load(args.model);
  KSEG_EXPECTS(model.reference.has_value(), DataError,
               args.model +
                   ": the model holds no training statistics (fitted by an older kseg): refit it with "
                   "this kseg to measure drift");
  DriftCounter counter(*model.reference, model.pipeline);
  DriftObservation seen;
  seen.segment_counts.assign(static_cast<size_t>(model.n_clusters), 0.0);
  std::vector<float> x, distances;
  std::vector<int32_t> labels;
  // A weighted fit's statistics are weighted: the new users are weighted by the same column when they have it.
  const ModelInputOptions options{args.model, args.delimiter, args.device.threads, args.batch_rows,
                                  model.reference->weight_column};
  bool unweighted_noted = false;
  model_input_for_each(model, args.input, options, [&](const Table& table, const IdColumn&, int64_t) {
    const TableColumn* weights = table.weight_column();
    if (weights) seen.weight_column = weights->name;
    if (!weights && !options.weight_column.empty() && !unweighted_noted && !args.quiet) {
      err << "kseg: notice: the model was fitted with weights \"" << options.weight_column << "\" but " << args.input
          << " has no such column: its users count once each\n";
      unweighted_noted = true;
    }
    counter.add(table);
    const int64_t n = table.n_rows;
    const int64_t d = model.pipeline.n_features();
    x.resize(static_cast<size_t>(n * d));
    model.pipeline.transform(table, x.data());
    const DataView view{x.data(), nullptr, n, d};
    std::unique_ptr<Backend> backend = backend_create(view, args.device, args.quiet || seen.rows > 0, err);
    backend->assign(model.centroids.data(), model.n_clusters);
    labels.resize(static_cast<size_t>(n));
    distances.resize(static_cast<size_t>(n));
    backend->labels_get(labels.data());
    backend->distances_get(distances.data());
    for (int64_t i = 0; i < n; ++i) {
      const double w = weights ? static_cast<double>(weights->values[i]) : 1.0;
      seen.weight += w;
      seen.distance_sum += w * std::sqrt(static_cast<double>(distances[i]));
      seen.segment_counts[labels[i]] += 1.0;
    }
    seen.rows += n;
  });
  KSEG_EXPECTS(seen.rows > 0, DataError, args.input + ": no users to measure");
  KSEG_EXPECTS(seen.weight > 0.0, DataError,
               args.input + ": column \"" + seen.weight_column +
                   "\": the weights sum to 0; at least one row needs a positive weight");
  const DriftThresholds thresholds{args.psi_threshold, args.distance_threshold};
  const DriftReport report = drift_report_make(model, counter.counts(), seen, thresholds);
  if (!args.out.empty()) json_write(args.out, drift_report_json(report, thresholds));
  if (!args.quiet) {
    report_print(report, out);
    if (!args.out.empty()) out << "  " << args.out << "\n";
  }
  return 0;
}

}  // namespace kseg
