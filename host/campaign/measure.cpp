#include "host/campaign/measure.hpp"

#include <cmath>
#include <filesystem>
#include <limits>

#include "host/campaign/bootstrap.hpp"
#include "host/campaign/cuped.hpp"
#include "host/campaign/distributions.hpp"
#include "host/campaign/measure_data.hpp"
#include "host/campaign/multiple_testing.hpp"
#include "host/campaign/power.hpp"
#include "host/campaign/welch_t.hpp"
#include "host/error.hpp"
#include "host/output/segment_files.hpp"
#include "host/report/profiles_io.hpp"

namespace kseg {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One group's users of one comparison: outcome, pre-metric and weight.
struct GroupValues {
  std::vector<double> y, x, w;
};

GroupValues group_values(const CampaignData& d, size_t metric, int32_t group, int32_t segment) {
  GroupValues g;
  for (size_t i = 0; i < d.group.size(); ++i) {
    if (d.group[i] != group || (segment >= 0 && d.segment[i] != segment)) continue;
    g.y.push_back(d.values[metric][i]);
    if (!d.pre.empty()) g.x.push_back(d.pre[i]);
    if (!d.weight.empty()) g.w.push_back(d.weight[i]);
  }
  return g;
}

double ratio(double a, double b) { return b != 0.0 ? a / b : kNaN; }

// The t interval of one group's mean.
Interval mean_interval(const MeanSummary& s, double alpha) {
  if (!(s.n > 1.0)) return {kNaN, kNaN};
  const double half = t_quantile(1.0 - alpha / 2.0, s.n - 1.0) * std::sqrt(s.variance / s.n);
  return {s.mean - half, s.mean + half};
}

void rate_compare(const MeasureRequest& r, const MeanSummary& s1, const MeanSummary& s0, MeasureRow& row) {
  const double x1 = s1.n > 0.0 ? s1.mean * s1.n : 0.0, x0 = s0.n > 0.0 ? s0.mean * s0.n : 0.0;
  row.control_ci = wilson_interval(x0, s0.n, r.alpha);
  row.variant_ci = wilson_interval(x1, s1.n, r.alpha);
  row.ci = newcombe_interval(x1, s1.n, x0, s0.n, r.alpha);
  row.p_value = two_proportion_z_test(x1, s1.n, x0, s0.n).p_value;
  const double p1 = s1.mean, p0 = s0.mean;
  row.se = std::sqrt(p1 * (1.0 - p1) / s1.n + p0 * (1.0 - p0) / s0.n);
  row.mde = mde_proportion(row.control_value, s1.n, s0.n, r.alpha, r.power);
}

void mean_compare(const MeasureRequest& r, const MeanSummary& s1, const MeanSummary& s0, const GroupValues& g1,
                  const GroupValues& g0, MeasureRow& row) {
  row.control_ci = mean_interval(s0, r.alpha);
  row.variant_ci = mean_interval(s1, r.alpha);
  const WelchResult welch = welch_compare(s1, s0, r.alpha);
  row.ci = welch.ci;
  row.p_value = welch.p_value;
  row.se = welch.se;
  row.mde = mde_mean(s1.variance, s1.n, s0.variance, s0.n, r.alpha, r.power);
  if (r.bootstrap > 0)
    row.bootstrap_ci = bootstrap_mean_difference(g1.y, g1.w, g0.y, g0.w, {r.bootstrap, r.seed, r.alpha});
}

// CUPED: θ over both groups together, then Welch's comparison of the adjusted outcomes.
void cuped_compare(const MeasureRequest& r, const GroupValues& g1, const GroupValues& g0, MeasureRow& row) {
  std::vector<double> y = g1.y, x = g1.x, w = g1.w;
  y.insert(y.end(), g0.y.begin(), g0.y.end());
  x.insert(x.end(), g0.x.begin(), g0.x.end());
  w.insert(w.end(), g0.w.begin(), g0.w.end());
  row.cuped_theta = cuped_theta(y, x, w);
  const std::vector<double> adjusted = cuped_adjust(y, x, w, row.cuped_theta);
  const std::vector<double> a1(adjusted.begin(), adjusted.begin() + static_cast<std::ptrdiff_t>(g1.y.size()));
  const std::vector<double> a0(adjusted.begin() + static_cast<std::ptrdiff_t>(g1.y.size()), adjusted.end());
  const MeanSummary s1 = mean_summary(g1.y, g1.w), s0 = mean_summary(g0.y, g0.w);
  const WelchResult raw = welch_compare(s1, s0, r.alpha);
  const WelchResult adj = welch_compare(mean_summary(a1, g1.w), mean_summary(a0, g0.w), r.alpha);
  row.cuped_difference = adj.difference;
  row.cuped_ci = adj.ci;
  row.cuped_p = adj.p_value;
  row.variance_reduction = cuped_variance_reduction(raw.se, adj.se);
}

MeasureRow row_measure(const MeasureRequest& r, const CampaignData& d, size_t metric, int32_t variant,
                       int32_t segment) {
  MeasureRow row;
  row.segment = segment < 0 ? -1 : d.segment_ids[static_cast<size_t>(segment)];
  row.variant = d.groups[static_cast<size_t>(variant)];
  row.metric = d.metrics[metric];
  row.rate = d.metric_is_rate[metric];
  const GroupValues g1 = group_values(d, metric, variant, segment), g0 = group_values(d, metric, 0, segment);
  const MeanSummary s1 = mean_summary(g1.y, g1.w), s0 = mean_summary(g0.y, g0.w);
  row.n_variant = s1.n;
  row.n_control = s0.n;
  row.variant_value = s1.mean;
  row.control_value = s0.mean;
  row.difference = s1.mean - s0.mean;
  row.relative_lift = ratio(row.difference, s0.mean);
  row.bootstrap_ci = row.cuped_ci = {kNaN, kNaN};
  row.cuped_theta = row.cuped_difference = row.cuped_p = row.cuped_p_bh = row.variance_reduction = kNaN;
  if (row.rate) {
    rate_compare(r, s1, s0, row);
  } else {
    mean_compare(r, s1, s0, g1, g0, row);
  }
  row.mde_relative = ratio(row.mde, s0.mean);
  if (!d.pre.empty()) cuped_compare(r, g1, g0, row);
  row.p_bh = row.p_holm = row.p_value;
  row.significant = row.p_value < r.alpha;
  return row;
}

// Adjusts the segment rows [first, first + count) of one variant and metric across the segments.
void rows_adjust(std::vector<MeasureRow>& rows, size_t first, size_t count, double alpha) {
  std::vector<double> p, cuped;
  for (size_t i = first; i < first + count; ++i) {
    p.push_back(rows[i].p_value);
    cuped.push_back(rows[i].cuped_p);
  }
  const std::vector<double> bh = benjamini_hochberg_adjust(p), holm = holm_adjust(p);
  const std::vector<double> cuped_bh = benjamini_hochberg_adjust(cuped);
  for (size_t s = 0; s < count; ++s) {
    MeasureRow& row = rows[first + s];
    row.p_bh = bh[s];
    row.p_holm = holm[s];
    row.cuped_p_bh = cuped_bh[s];
    row.significant = row.p_bh < alpha;
  }
}

void request_check(const MeasureRequest& r) {
  KSEG_EXPECTS(r.alpha > 0.0 && r.alpha < 1.0, UsageError, "--alpha must lie in (0, 1), e.g. 0.05");
  KSEG_EXPECTS(r.power > 0.0 && r.power < 1.0, UsageError, "--power must lie in (0, 1), e.g. 0.8");
  KSEG_EXPECTS(r.bootstrap >= 0 && r.bootstrap <= 1000000, UsageError, "--bootstrap must lie in [0, 1000000]");
  KSEG_EXPECTS(!r.group_column.empty(), UsageError, "--group-column must name a column");
  KSEG_EXPECTS(!r.control.empty(), UsageError, "--control must name a group");
}

std::vector<SegmentSplit> splits_check(const CampaignData& d, const std::vector<double>& shares) {
  std::vector<SegmentSplit> splits(d.segment_ids.size() + 1);
  for (size_t s = 0; s < splits.size(); ++s) {
    splits[s].segment = s == 0 ? -1 : d.segment_ids[s - 1];
    splits[s].counts.assign(d.groups.size(), 0.0);
  }
  for (size_t i = 0; i < d.group.size(); ++i) {
    const double w = d.weight.empty() ? 1.0 : d.weight[i];
    splits[0].counts[static_cast<size_t>(d.group[i])] += w;
    splits[static_cast<size_t>(d.segment[i]) + 1].counts[static_cast<size_t>(d.group[i])] += w;
  }
  for (SegmentSplit& split : splits) split.srm = srm_check(split.counts, shares);
  return splits;
}

// Segment names from the profiles.json beside the segments file, where there is a readable one (else none).
std::map<int32_t, std::string> names_beside(const std::string& segments) {
  std::map<int32_t, std::string> names;
  const std::string path = (std::filesystem::path(segments).parent_path() / "profiles.json").string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return names;
  try {
    for (const SegmentProfile& s : profiles_from_json(json_read(path), path).segments) names.emplace(s.segment, s.name);
  } catch (const DataError&) {
    names.clear();  // names are a courtesy: segments stay numbered
  }
  return names;
}

}  // namespace

MeasureProducts campaign_measure(const MeasureRequest& request) {
  request_check(request);
  CampaignData d = campaign_data_read(request);
  MeasureProducts p;
  p.request = request;
  p.groups = d.groups;
  p.metrics = d.metrics;
  p.metric_is_rate = d.metric_is_rate;
  p.segments = d.segment_ids;
  p.names = names_beside(request.segments);
  p.outcomes_rows = d.outcomes_rows;
  p.segments_rows = d.segments_rows;
  p.joined = static_cast<int64_t>(d.segment.size());
  p.outcomes_only = d.outcomes_only;
  p.segments_only = d.segments_only;
  p.split_given = !request.split.empty();
  if (p.split_given) {
    p.shares = split_parse(request.split, d.groups);
  } else {  // the overall observed split: the segments are checked against it, all users cannot be
    p.shares = splits_check(d, std::vector<double>(d.groups.size(), 1.0))[0].counts;
  }
  p.splits = splits_check(d, p.shares);
  if (!p.split_given) p.splits[0].srm = SrmResult{0.0, p.splits[0].srm.df, kNaN, false};
  for (int32_t variant = 1; variant < static_cast<int32_t>(d.groups.size()); ++variant) {
    for (size_t m = 0; m < d.metrics.size(); ++m) {
      p.rows.push_back(row_measure(request, d, m, variant, -1));
      const size_t first = p.rows.size();
      std::vector<double> effects, errors;
      for (int32_t s = 0; s < static_cast<int32_t>(d.segment_ids.size()); ++s) {
        p.rows.push_back(row_measure(request, d, m, variant, s));
        const MeasureRow& row = p.rows.back();
        effects.push_back(row.difference);
        errors.push_back(row.se);
      }
      rows_adjust(p.rows, first, d.segment_ids.size(), request.alpha);
      p.heterogeneity.push_back(
          {d.groups[static_cast<size_t>(variant)], d.metrics[m], heterogeneity_test(effects, errors)});
    }
  }
  return p;
}

}  // namespace kseg
