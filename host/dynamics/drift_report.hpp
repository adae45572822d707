// kseg drift's findings: per-feature PSI of new users against the training statistics in the model, the change of
// the mean distance to the assigned centroid, the shift of the segment mix, and whether to refit.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/model/drift_reference.hpp"
#include "host/model/model_file.hpp"

namespace kseg {

struct DriftThresholds {
  double psi = 0.25;      // a feature's PSI, or the segment mix's, at or above it → refit
  double distance = 0.2;  // relative rise of the mean distance to the centroid at or above it → refit
};

struct FeatureDrift {
  std::string name;
  bool categorical = false;
  std::vector<std::string> bins;  // "missing", "<= 3", "(3, 7]", "> 40"; or the levels
  std::vector<double> expected;   // training shares
  std::vector<double> actual;     // new users' shares
  double psi = 0.0;
  std::string flag;  // stable, moderate, major
};

// What the new users were measured on, filled while streaming them.
struct DriftObservation {
  int64_t rows = 0;
  std::string weight_column;           // the input's weight column the rows were counted by; "" = unweighted
  double weight = 0.0;                 // Σ sample weight (the rows when unweighted)
  double distance_sum = 0.0;           // Σ weight × Euclidean distance to the assigned centroid
  std::vector<double> segment_counts;  // rows per centroid row of the model (unweighted, as the fit's sizes)
};

struct DriftReport {
  int64_t rows = 0;
  std::string weight_column;           // the weights the shares and the mean distance used; "" when unweighted
  std::vector<FeatureDrift> features;  // in the preparation's column order
  double mean_distance_fit = 0.0, mean_distance_new = 0.0;
  double mean_distance_change = 0.0;  // new / fit − 1
  std::vector<int64_t> segment_ids;   // stable ids, parallel to the shares
  std::vector<double> segment_expected, segment_actual;
  double segment_psi = 0.0;
  bool refit = false;
  std::vector<std::string> reasons;  // why refit, in words (empty when not)
};

// counts: DriftCounter::counts() over the same rows as seen.
DriftReport drift_report_make(const Model& model, const std::vector<std::vector<double>>& counts,
                              const DriftObservation& seen, const DriftThresholds& thresholds);

nlohmann::json drift_report_json(const DriftReport& report, const DriftThresholds& thresholds);

}  // namespace kseg
