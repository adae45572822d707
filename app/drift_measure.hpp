// kseg drift as a call: new users measured against the training population a model recorded (per-feature PSI, the
// segment mix, the mean distance to the centroid), in bounded memory, and whether to refit.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>

#include "app/options.hpp"
#include "host/dynamics/drift_report.hpp"
#include "host/model/model_file.hpp"

namespace kseg {

struct DriftRequest {
  // The new users: input.path (CSV, .csv.gz, .csv.zst, .npy or Parquet) and input.delimiter, or input.table. The model
  // names the id, weight and feature columns: id_column, weight_column and columns stay empty (model_input_check).
  InputOptions input;
  std::string model;             // model.json written by kseg fit (or kseg update), with training statistics
  std::string out;               // the full report as JSON; "" = none
  DriftThresholds thresholds;    // psi (0.25) and distance (0.2): positive numbers
  int64_t batch_rows = 1 << 20;  // .npy rows read per batch; at least 1
  DeviceOptions device;
  bool quiet = false;  // no notices
  // The model already in memory (the Python package's), used instead of reading model, which then only names it.
  std::shared_ptr<const Model> model_loaded;
};

// Every check of the request's values, before any work (UsageError naming the option).
void drift_request_validate(const DriftRequest& request);

struct DriftProducts {
  DriftReport report;
  DriftThresholds thresholds;  // the thresholds the report was judged by
};

// Validates and measures request.input against request.model. Notices (weights the model was fitted with that
// the input lacks, the CPU fallback of --device auto) go to notices unless request.quiet. DataError when the model
// holds no training statistics, the input no users, or its weights sum to 0.
DriftProducts drift_measure(const DriftRequest& request, std::ostream& notices);

// The report as JSON (bins, shares, reasons) at path.
void drift_products_write(const DriftProducts& products, const std::string& path);

}  // namespace kseg
