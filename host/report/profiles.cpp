#include "host/report/profiles.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>

#include "host/error.hpp"
#include "host/report/personas.hpp"

namespace kseg {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio(double value, double population) { return population != 0.0 ? value / population : kNaN; }

// Weighted means of a numeric column per segment and overall (missing cells left out), and the population sd.
struct MeanSums {
  std::vector<double> w, wx;  // per segment
  double all_w = 0.0, all_wx = 0.0, all_sq = 0.0;
};

MeanSums mean_sums(const std::vector<float>& values, const NumericStep* step, const float* weights,
                   const int32_t* labels, int64_t n, int64_t k) {
  MeanSums s;
  s.w.assign(static_cast<size_t>(k), 0.0);
  s.wx.assign(static_cast<size_t>(k), 0.0);
  const auto value_of = [&](int64_t i) {
    return step && step->is_date ? step->as_of_days - double(values[i]) : double(values[i]);
  };
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(values[i])) continue;
    const double w = weights ? weights[i] : 1.0;
    s.w[labels[i]] += w;
    s.wx[labels[i]] += w * value_of(i);
  }
  for (int64_t c = 0; c < k; ++c) {
    s.all_w += s.w[c];
    s.all_wx += s.wx[c];
  }
  const double mean = s.all_w > 0.0 ? s.all_wx / s.all_w : 0.0;
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(values[i])) continue;
    const double diff = value_of(i) - mean;
    s.all_sq += (weights ? weights[i] : 1.0) * diff * diff;
  }
  return s;
}

// One column's stats, per segment (out[c]: segment c's, in the order they join its features or audit rows).
using ColumnStats = std::vector<std::vector<FeatureStat>>;

void means_add(const TableColumn& column, const NumericStep* step, const float* weights, const int32_t* labels,
               int64_t n, ColumnStats& segments, bool audit, const ProfileOptions& o) {
  const int64_t k = static_cast<int64_t>(segments.size());
  const MeanSums s = mean_sums(column.values, step, weights, labels, n, k);
  const double population = s.all_w > 0.0 ? s.all_wx / s.all_w : kNaN;
  const double sd = s.all_w > 0.0 ? std::sqrt(s.all_sq / s.all_w) : 0.0;
  for (int64_t c = 0; c < k; ++c) {
    FeatureStat f;
    f.column = column.name;
    f.is_date = step && step->is_date;
    f.value = s.w[c] > 0.0 ? s.wx[c] / s.w[c] : kNaN;
    f.population = population;
    f.index = ratio(f.value, population);
    f.std_diff = sd > 0.0 && !std::isnan(f.value) ? (f.value - population) / sd : 0.0;
    f.flagged = audit && std::fabs(f.std_diff) >= o.audit_std_diff;
    segments[c].push_back(f);
  }
}

// Level texts for a categorical column and the level index of each code (−1 → missing).
struct LevelMap {
  std::vector<std::string> levels;
  std::vector<int> of_code;  // code → level index
  int missing = -1;          // level index of missing cells
};

int level_find_or_add(LevelMap& m, const std::string& text) {
  const auto it = std::find(m.levels.begin(), m.levels.end(), text);
  if (it != m.levels.end()) return static_cast<int>(it - m.levels.begin());
  m.levels.push_back(text);
  return static_cast<int>(m.levels.size()) - 1;
}

// A feature column: the pipeline's kept levels, then (other) for merged or unseen levels.
LevelMap level_map_feature(const TableColumn& column, const CategoricalStep& step) {
  LevelMap m;
  m.levels = step.levels;
  if (step.has_other) level_find_or_add(m, kOtherLevel);
  for (const std::string& text : column.levels) {
    const bool kept = std::find(step.levels.begin(), step.levels.end(), text) != step.levels.end();
    m.of_code.push_back(level_find_or_add(m, kept ? text : kOtherLevel));
  }
  if (column.missing > 0) m.missing = level_find_or_add(m, kMissingLevel);
  return m;
}

// An audit column: every level as read, then (missing).
LevelMap level_map_audit(const TableColumn& column) {
  LevelMap m;
  for (const std::string& text : column.levels) m.of_code.push_back(level_find_or_add(m, text));
  if (column.missing > 0) m.missing = level_find_or_add(m, kMissingLevel);
  return m;
}

void shares_add(const TableColumn& column, const LevelMap& map, const float* weights, const int32_t* labels, int64_t n,
                ColumnStats& segments, bool audit, const ProfileOptions& o) {
  const int64_t k = static_cast<int64_t>(segments.size());
  const size_t width = map.levels.size();
  std::vector<double> w(static_cast<size_t>(k) * width, 0.0);
  std::vector<double> all(width, 0.0);
  for (int64_t i = 0; i < n; ++i) {
    const int32_t code = column.codes[i];
    const int level = code < 0 ? map.missing : map.of_code[code];
    w[labels[i] * width + level] += weights ? weights[i] : 1.0;
  }
  double total = 0.0;
  for (int64_t c = 0; c < k; ++c)
    for (size_t l = 0; l < width; ++l) all[l] += w[c * width + l];
  for (double v : all) total += v;
  std::vector<size_t> order(width);  // audit groups largest first; feature levels in the pipeline's order
  for (size_t l = 0; l < width; ++l) order[l] = l;
  if (audit) std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return all[a] > all[b]; });
  for (int64_t c = 0; c < k; ++c) {
    double seg = 0.0;
    for (size_t l = 0; l < width; ++l) seg += w[c * width + l];
    for (size_t l : order) {
      FeatureStat f;
      f.kind = StatKind::level_share;
      f.column = column.name;
      f.level = map.levels[l];
      f.value = seg > 0.0 ? w[c * width + l] / seg : kNaN;
      f.population = total > 0.0 ? all[l] / total : 0.0;
      f.index = ratio(f.value, f.population);
      const double sd = std::sqrt(f.population * (1.0 - f.population));
      f.std_diff = sd > 0.0 && !std::isnan(f.value) ? (f.value - f.population) / sd : 0.0;
      f.flagged = audit && !std::isnan(f.value) && std::fabs(f.value - f.population) >= o.audit_min_diff &&
                  (f.index < o.audit_ratio || f.index > 1.0 / o.audit_ratio);
      segments[c].push_back(f);
    }
  }
}

// The strongest stat of each column, columns ordered by |standardised difference| (ties: input order).
std::vector<int> top_features(const std::vector<FeatureStat>& features, int count) {
  std::vector<int> best;
  for (size_t i = 0; i < features.size(); ++i) {
    if (!best.empty() && features[best.back()].column == features[i].column) {
      const double a = std::fabs(features[i].std_diff), b = std::fabs(features[best.back()].std_diff);
      const bool tie = std::fabs(a - b) <= 1e-12 * std::max(a, b);  // ties (to rounding): the level above
      if ((a > b && !tie) || (tie && features[i].std_diff > 0.0)) best.back() = static_cast<int>(i);
    } else {
      best.push_back(static_cast<int>(i));
    }
  }
  std::stable_sort(best.begin(), best.end(),
                   [&](int a, int b) { return std::fabs(features[a].std_diff) > std::fabs(features[b].std_diff); });
  if (static_cast<int>(best.size()) > count) best.resize(static_cast<size_t>(count));
  return best;
}

// A column of the profiles and how it is summarised: an audit column (means or shares of every level), a numeric
// feature (means) or a categorical feature (shares of the pipeline's levels), in table order.
struct ProfileColumn {
  const TableColumn* column = nullptr;
  bool audit = false;
  const NumericStep* numeric = nullptr;          // a numeric feature's step
  const CategoricalStep* categorical = nullptr;  // a categorical feature's step
};

std::vector<ProfileColumn> profile_columns(const Table& table, const FeaturePipeline& pipeline) {
  // The kept steps by name, found once (a search of the steps per column was quadratic in the columns).
  std::unordered_map<std::string_view, std::vector<const NumericStep*>> numeric;
  std::unordered_map<std::string_view, std::vector<const CategoricalStep*>> categorical;
  for (const NumericStep& step : pipeline.numeric())
    if (!step.dropped) numeric[step.name].push_back(&step);
  for (const CategoricalStep& step : pipeline.categorical())
    if (!step.dropped) categorical[step.name].push_back(&step);
  std::vector<ProfileColumn> columns;
  for (const TableColumn& column : table.columns) {
    if (column.role == ColumnRole::audit) {
      columns.push_back({&column, true, nullptr, nullptr});
      continue;
    }
    if (!column.is_categorical()) {
      if (const auto found = numeric.find(column.name); found != numeric.end())
        for (const NumericStep* step : found->second) columns.push_back({&column, false, step, nullptr});
    } else if (const auto found = categorical.find(column.name); found != categorical.end()) {
      for (const CategoricalStep* step : found->second) columns.push_back({&column, false, nullptr, step});
    }
  }
  return columns;
}

}  // namespace

std::string feature_label(const FeatureStat& stat) {
  return stat.kind == StatKind::mean ? stat.column : stat.column + "=" + stat.level;
}

Profiles profiles_compute(const Table& table, const FeaturePipeline& pipeline, const int32_t* labels, int64_t k,
                          const ProfileOptions& options, const std::vector<int64_t>& segment_ids) {
  KSEG_EXPECTS(k >= 1, DataError, "profiles: need at least one segment");
  KSEG_EXPECTS(segment_ids.empty() || static_cast<int64_t>(segment_ids.size()) == k, DataError,
               "profiles: expected one segment id per centroid");
  const int64_t n = table.n_rows;
  for (int64_t i = 0; i < n; ++i)
    KSEG_EXPECTS(labels[i] >= 0 && labels[i] < k, DataError,
                 "profiles: segment " + std::to_string(labels[i]) + " of row " + std::to_string(i + 1) +
                     " is outside 0.." + std::to_string(k - 1));
  const TableColumn* weight_column = table.weight_column();
  const float* weights = weight_column ? weight_column->values.data() : nullptr;
  Profiles p;
  p.n_rows = n;
  p.weighted = weights != nullptr;
  p.options = options;
  p.segments.resize(static_cast<size_t>(k));
  for (int64_t c = 0; c < k; ++c)
    p.segments[c].segment = static_cast<int32_t>(segment_ids.empty() ? c : segment_ids[c]);
  for (int64_t i = 0; i < n; ++i) {
    const double w = weights ? weights[i] : 1.0;
    ++p.segments[labels[i]].size;
    p.segments[labels[i]].weight += w;
    p.total_weight += w;
  }
  for (SegmentProfile& s : p.segments) s.share = p.total_weight > 0.0 ? s.weight / p.total_weight : 0.0;

  // The columns' stats are independent: computed on all threads, each into its slot (by the same sequential code, so
  // the result does not depend on the threads), then joined to the segments in column order.
  const std::vector<ProfileColumn> columns = profile_columns(table, pipeline);
  std::vector<ColumnStats> stats(columns.size(), ColumnStats(static_cast<size_t>(k)));
  const auto count = static_cast<int64_t>(columns.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t j = 0; j < count; ++j) {
    const ProfileColumn& c = columns[j];
    if (c.categorical != nullptr) {
      shares_add(*c.column, level_map_feature(*c.column, *c.categorical), weights, labels, n, stats[j], false, options);
    } else if (c.audit && c.column->is_categorical()) {
      shares_add(*c.column, level_map_audit(*c.column), weights, labels, n, stats[j], true, options);
    } else {
      means_add(*c.column, c.numeric, weights, labels, n, stats[j], c.audit, options);
    }
  }
  for (size_t j = 0; j < columns.size(); ++j) {
    if (columns[j].audit) p.audit_columns.push_back(columns[j].column->name);
    for (int64_t c = 0; c < k; ++c) {
      std::vector<FeatureStat>& into = columns[j].audit ? p.segments[c].audit : p.segments[c].features;
      into.insert(into.end(), stats[j][c].begin(), stats[j][c].end());
    }
  }
  for (SegmentProfile& s : p.segments) s.top = top_features(s.features, options.top_features);
  personas_make(p);
  return p;
}

void profiles_names_apply(Profiles& profiles, const std::vector<std::pair<int32_t, std::string>>& names) {
  for (const auto& [segment, name] : names) {
    const int32_t wanted = segment;  // C++17 lambdas cannot capture structured bindings (clang refuses)
    auto it = std::find_if(profiles.segments.begin(), profiles.segments.end(),
                           [&](const SegmentProfile& s) { return s.segment == wanted; });
    std::string known;
    for (const SegmentProfile& s : profiles.segments) known += (known.empty() ? "" : ", ") + std::to_string(s.segment);
    KSEG_EXPECTS(it != profiles.segments.end(), DataError,
                 "names file: segment " + std::to_string(segment) + " does not exist (segments: " + known + ")");
    it->name = name;
  }
}

}  // namespace kseg
