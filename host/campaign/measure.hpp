// kseg measure: how a campaign did in each segment. Users of an outcomes file (id, group, metrics) are joined by id
// to a segments file (id, segment); per segment, per variant against control and overall, each metric's rates or
// means, their difference with intervals, p-values adjusted across segments, CUPED, the bootstrap, sample-ratio
// checks, the heterogeneity of the effect between segments and the minimum detectable effect.
// Assumes randomised assignment of independent users (see README, "Measuring campaigns").
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/campaign/heterogeneity.hpp"
#include "host/campaign/proportion_intervals.hpp"
#include "host/campaign/srm_check.hpp"

namespace kseg {

struct MeasureRequest {
  std::string outcomes;                // CSV, one row per user: id, group, metrics (required)
  std::string segments;                // segments.csv of kseg fit/assign: id, segment (required)
  std::string id_column;               // outcomes' id column; "" → "id", else "user_id"
  std::string group_column = "group";  // the variant each user was assigned
  std::string control = "control";     // the group every other variant is compared with
  std::vector<std::string> metrics;    // outcome columns; empty → every column not named by another option
  std::string pre_metric;              // pre-campaign covariate for CUPED; "" → none
  std::string weight_column;           // frequency weight per user (≥ 0); "" → every user counts 1
  std::string split;                   // intended shares "50/50" (control first, then variants A→Z); "" → none
  int bootstrap = 0;                   // resamples for the bootstrap interval of amounts; 0 → none
  uint64_t seed = 42;                  // the bootstrap's seed
  double alpha = 0.05;                 // level of the intervals and of the significance flags
  double power = 0.8;                  // power at which the minimum detectable effect is computed
  char delimiter = ',';                // of both files
};

// One segment (or "all"), one variant against control, one metric.
struct MeasureRow {
  int32_t segment = -1;  // segment id; −1 = all users
  std::string variant;
  std::string metric;
  bool rate = false;                                // 0/1 metric (rates, Wilson/Newcombe); else amounts (means, Welch)
  double n_control = 0.0, n_variant = 0.0;          // users (Σ weights)
  double control_value = 0.0, variant_value = 0.0;  // rate or mean per user
  Interval control_ci, variant_ci;                  // Wilson (rates) or t (means) intervals
  double difference = 0.0;                          // variant − control
  Interval ci;                                      // Newcombe (rates) or Welch (means)
  double se = 0.0;                  // of the difference: unpooled (rates) or Welch's (means); for Cochran's Q
  double relative_lift = 0.0;       // difference / control value (NaN when that is 0)
  double p_value = 0.0;             // two-proportion z (rates) or Welch t (means), two-sided
  double p_bh = 0.0, p_holm = 0.0;  // adjusted across the segments (not for "all": equal to p_value)
  bool significant = false;         // p_bh < alpha
  Interval bootstrap_ci;            // percentile bootstrap of the difference; NaN when not run
  double mde = 0.0;                 // minimum detectable absolute difference at these sizes
  double mde_relative = 0.0;        // mde / control value
  // CUPED, when a pre-metric was given (NaN otherwise):
  double cuped_theta = 0.0, cuped_difference = 0.0, cuped_p = 0.0, cuped_p_bh = 0.0, variance_reduction = 0.0;
  Interval cuped_ci;
};

struct SegmentSplit {
  int32_t segment = -1;        // −1 = all users
  std::vector<double> counts;  // users per group, in MeasureProducts::groups order
  SrmResult srm;
};

// Cochran's Q over the segments for one variant and metric.
struct MetricHeterogeneity {
  std::string variant, metric;
  Heterogeneity test;
};

struct MeasureProducts {
  MeasureRequest request;
  std::vector<std::string> groups;  // control first, then the variants A→Z
  std::vector<double> shares;       // the intended split (request.split) or the overall observed split
  bool split_given = false;
  std::vector<std::string> metrics;  // as measured
  std::vector<bool> metric_is_rate;
  std::vector<int32_t> segments;         // ascending
  std::map<int32_t, std::string> names;  // segment names from profiles.json beside the segments, where known
  int64_t outcomes_rows = 0, segments_rows = 0, joined = 0;
  int64_t outcomes_only = 0;         // in the outcomes file, not in the segments file (not measured)
  int64_t segments_only = 0;         // in the segments file, not in the outcomes file
  std::vector<SegmentSplit> splits;  // all users first, then each segment
  std::vector<MeasureRow> rows;      // per variant, per metric: all users, then each segment
  std::vector<MetricHeterogeneity> heterogeneity;
};

// Reads, joins and measures. UsageError for bad options (alpha, power, split); DataError naming file:line:column
// for missing columns, repeated ids, non-numeric or negative cells, a missing control group, no users in common.
MeasureProducts campaign_measure(const MeasureRequest& request);

// measure.csv: one line per MeasureRow, header first; numbers as the shortest round-trip text, NaN empty.
std::string measure_csv(const MeasureProducts& products);
// measure.json: the settings, the join counts, the splits and SRM checks, the rows and the heterogeneity tests.
nlohmann::json measure_json(const MeasureProducts& products);

// The report.html files the campaign section goes into: beside the segments file and in out_dir, those that exist.
std::vector<std::string> measure_reports_present(const MeasureProducts& products, const std::string& out_dir);

// Writes out_dir/measure.csv and out_dir/measure.json (atomically) and draws the campaign section into each
// report of measure_reports_present. Returns the paths written.
std::vector<std::string> measure_write(const MeasureProducts& products, const std::string& out_dir);

}  // namespace kseg
