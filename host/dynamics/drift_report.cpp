#include "host/dynamics/drift_report.hpp"

#include <algorithm>
#include <cstdio>

#include "host/dynamics/population_stability.hpp"
#include "host/error.hpp"

namespace kseg {
namespace {

std::string number_text(double v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.6g", v);
  return text;
}

std::vector<std::string> bin_names(const FeatureReference& f) {
  if (f.categorical) return f.levels;
  std::vector<std::string> names = {"missing"};
  for (size_t b = 0; b <= f.edges.size(); ++b) {
    if (f.edges.empty()) {
      names.push_back("all");
    } else if (b == 0) {
      names.push_back("<= " + number_text(f.edges[0]));
    } else if (b == f.edges.size()) {
      names.push_back("> " + number_text(f.edges.back()));
    } else {
      names.push_back("(" + number_text(f.edges[b - 1]) + ", " + number_text(f.edges[b]) + "]");
    }
  }
  return names;
}

// The fit's segment sizes from the model (informational "fit" section), as shares; equal shares without them.
std::vector<double> fit_segment_shares(const Model& model) {
  std::vector<double> sizes(static_cast<size_t>(model.n_clusters), 1.0);
  const nlohmann::json stored = model.fit.is_object() ? model.fit.value("segment_sizes", nlohmann::json()) : nullptr;
  if (stored.is_array() && static_cast<int64_t>(stored.size()) == model.n_clusters)
    for (size_t j = 0; j < sizes.size(); ++j) sizes[j] = stored[j].is_number() ? stored[j].get<double>() : 0.0;
  return shares_of(sizes);
}

}  // namespace

DriftReport drift_report_make(const Model& model, const std::vector<std::vector<double>>& counts,
                              const DriftObservation& seen, const DriftThresholds& thresholds) {
  KSEG_EXPECTS(model.reference.has_value(), DataError, "drift: the model has no training statistics");
  const DriftReference& reference = *model.reference;
  KSEG_EXPECTS(counts.size() == reference.features.size() &&
                   static_cast<int64_t>(seen.segment_counts.size()) == model.n_clusters && seen.rows > 0 &&
                   seen.weight > 0.0,
               DataError, "drift: the observation does not fit the model");
  DriftReport r;
  r.rows = seen.rows;
  r.weight_column = seen.weight_column;
  for (size_t f = 0; f < counts.size(); ++f) {
    const FeatureReference& ref = reference.features[f];
    FeatureDrift drift;
    drift.name = ref.name;
    drift.categorical = ref.categorical;
    drift.bins = bin_names(ref);
    drift.expected = ref.shares;
    drift.actual = shares_of(counts[f]);
    drift.psi = psi(drift.expected, drift.actual);
    drift.flag = psi_flag(drift.psi);
    if (drift.psi >= thresholds.psi)
      r.reasons.push_back("feature \"" + drift.name + "\" PSI " + number_text(drift.psi) +
                          " >= " + number_text(thresholds.psi));
    r.features.push_back(std::move(drift));
  }
  r.mean_distance_fit = reference.mean_distance;
  r.mean_distance_new = seen.distance_sum / seen.weight;
  r.mean_distance_change = r.mean_distance_fit > 0.0 ? r.mean_distance_new / r.mean_distance_fit - 1.0 : 0.0;
  if (r.mean_distance_change >= thresholds.distance)
    r.reasons.push_back("mean distance to the centroid rose " + number_text(100.0 * r.mean_distance_change) +
                        "% (threshold " + number_text(100.0 * thresholds.distance) + "%)");
  r.segment_ids = model.segments.ids;
  r.segment_expected = fit_segment_shares(model);
  r.segment_actual = shares_of(seen.segment_counts);
  r.segment_psi = psi(r.segment_expected, r.segment_actual);
  if (r.segment_psi >= thresholds.psi)
    r.reasons.push_back("segment mix PSI " + number_text(r.segment_psi) + " >= " + number_text(thresholds.psi));
  r.refit = !r.reasons.empty();
  return r;
}

nlohmann::json drift_report_json(const DriftReport& r, const DriftThresholds& thresholds) {
  nlohmann::json features = nlohmann::json::array();
  for (const FeatureDrift& f : r.features)
    features.push_back({{"name", f.name},
                        {"kind", f.categorical ? "categorical" : "numeric"},
                        {"psi", f.psi},
                        {"flag", f.flag},
                        {"bins", f.bins},
                        {"training_shares", f.expected},
                        {"new_shares", f.actual}});
  nlohmann::json segments = nlohmann::json::array();
  for (size_t j = 0; j < r.segment_ids.size(); ++j)
    segments.push_back({{"segment", r.segment_ids[j]},
                        {"training_share", r.segment_expected[j]},
                        {"new_share", r.segment_actual[j]},
                        {"psi", psi_term(r.segment_expected[j], r.segment_actual[j])}});
  return {{"rows", r.rows},
          {"weight_column", r.weight_column},
          {"features", features},
          {"mean_distance",
           {{"fit", r.mean_distance_fit}, {"new", r.mean_distance_new}, {"change", r.mean_distance_change}}},
          {"segments", segments},
          {"segment_psi", r.segment_psi},
          {"thresholds", {{"psi", thresholds.psi}, {"distance", thresholds.distance}}},
          {"refit_recommended", r.refit},
          {"reasons", r.reasons}};
}

}  // namespace kseg
