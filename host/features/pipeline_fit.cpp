// Learning the preparation from a table.
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "host/comm/byte_pack.hpp"
#include "host/data/schema.hpp"
#include "host/error.hpp"
#include "host/features/order_statistics.hpp"
#include "host/features/pipeline.hpp"

namespace kseg {
namespace {

double feature_weight(const PipelineOptions& o, const std::string& name) {
  auto it = o.feature_weights.find(name);
  return it == o.feature_weights.end() ? 1.0 : it->second;
}

double mean_of(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double skewness(const std::vector<double>& v) {
  const double mean = mean_of(v);
  double m2 = 0.0, m3 = 0.0;
  for (double x : v) {
    m2 += (x - mean) * (x - mean);
    m3 += (x - mean) * (x - mean) * (x - mean);
  }
  m2 /= static_cast<double>(v.size());
  m3 /= static_cast<double>(v.size());
  return m2 > 0.0 ? m3 / std::pow(m2, 1.5) : 0.0;
}

// Center and scale of the (imputed, logged) values by the chosen rule; scale 0 means constant.
void scale_learn(const std::vector<double>& v, ScaleMode mode, NumericStep& step) {
  if (mode == ScaleMode::none) {
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    step.scale = *hi > *lo ? 1.0 : 0.0;
    return;
  }
  if (mode == ScaleMode::minmax) {
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    step.center = *lo;
    step.scale = *hi - *lo;
    return;
  }
  const double mean = mean_of(v);
  double m2 = 0.0;
  for (double x : v) m2 += (x - mean) * (x - mean);
  const double sd = std::sqrt(m2 / static_cast<double>(v.size()));
  step.center = mean;
  step.scale = sd > 1e-7 * (1.0 + std::abs(mean)) ? sd : 0.0;
  if (mode == ScaleMode::robust && step.scale > 0.0) {
    const std::vector<double> q = quantiles_linear(v, {0.5, 0.75, 0.25});
    step.center = q[0];
    const double iqr = q[1] - q[2];
    if (iqr > 0.0) step.scale = iqr;  // a column with most values equal falls back to the standard deviation
  }
}

NumericStep numeric_learn(const TableColumn& column, const PipelineOptions& o, double as_of_days) {
  NumericStep step;
  step.name = column.name;
  step.weight = feature_weight(o, column.name);
  step.is_date = column.role == ColumnRole::date;
  step.as_of_days = as_of_days;
  std::vector<double> present;
  present.reserve(column.values.size());
  for (float v : column.values)
    if (!std::isnan(v)) present.push_back(step.is_date ? as_of_days - v : v);
  step.imputed = static_cast<int64_t>(column.values.size() - present.size());
  if (present.empty()) {
    step.dropped = true;
    step.note = "every value is missing";
    return step;
  }
  step.impute_value = o.impute == ImputeMode::median ? quantiles_linear(present, {0.5})[0]
                      : o.impute == ImputeMode::mean ? mean_of(present)
                                                     : 0.0;
  step.indicator = o.missing_indicators && step.imputed > 0;
  step.skew = skewness(present);
  const double minimum = *std::min_element(present.begin(), present.end());
  const bool named = std::find(o.log_columns.begin(), o.log_columns.end(), column.name) != o.log_columns.end();
  KSEG_EXPECTS(!named || minimum >= 0.0, UsageError,
               "--log " + column.name + ": the column has negative values (minimum " + std::to_string(minimum) + ")");
  step.log1p = named || (o.log_auto && minimum >= 0.0 && step.skew > kLogSkew);
  // The present values are not read again: their buffer (reserved for every row) takes the prepared values, so a
  // column costs one buffer of n doubles.
  std::vector<double> values = std::move(present);
  values.resize(column.values.size());
  for (size_t i = 0; i < column.values.size(); ++i) {
    double v = std::isnan(column.values[i]) ? step.impute_value
                                            : (step.is_date ? as_of_days - column.values[i] : column.values[i]);
    values[i] = step.log1p ? std::log1p(std::max(v, 0.0)) : v;
  }
  scale_learn(values, o.scale, step);
  if (step.scale == 0.0) {
    step.dropped = true;
    step.note = "constant column";
    step.scale = 1.0;
  }
  return step;
}

// The values of a numeric column over every rank, in rank order (= row order); the column itself for one process.
TableColumn column_gather(const TableColumn& column, const Communicator& comm) {
  TableColumn all{column.name, column.role};
  for (const std::string& part : comm.allgather_bytes(values_bytes(column.values))) {
    ByteUnpacker in(part);
    in.get_values_append(all.values, in.remaining() / sizeof(float));
  }
  return all;
}

CategoricalStep categorical_learn(const TableColumn& column, const PipelineOptions& o, const Communicator& comm) {
  CategoricalStep step;
  step.name = column.name;
  step.weight = feature_weight(o, column.name);
  // Level counts, then missing cells and rows: summed over ranks (the levels are the same list on every rank).
  std::vector<int64_t> counts(column.levels.size() + 2, 0);
  for (int32_t code : column.codes)
    if (code >= 0) ++counts[code];
  counts[column.levels.size()] = column.missing;
  counts[column.levels.size() + 1] = static_cast<int64_t>(column.codes.size());
  comm.sum_all(counts.data(), counts.size());
  const int64_t missing = counts[column.levels.size()];
  const int64_t rows = counts[column.levels.size() + 1];
  counts.resize(column.levels.size());
  std::vector<std::pair<int64_t, std::string>> ranked;  // (count, level), most frequent first, then by text
  for (size_t l = 0; l < counts.size(); ++l) ranked.emplace_back(counts[l], column.levels[l]);
  if (missing > 0) ranked.emplace_back(missing, kMissingLevel);
  std::sort(ranked.begin(), ranked.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  double sum_sq = 0.0, other = 0.0;
  const double n = static_cast<double>(rows);
  for (size_t i = 0; i < ranked.size(); ++i) {
    const double share = static_cast<double>(ranked[i].first) / n;
    if (static_cast<int>(i) < o.max_levels) {
      step.levels.push_back(ranked[i].second);
      sum_sq += share * share;
    } else {
      other += share;
      ++step.merged_levels;
      step.merged.push_back(ranked[i].second);
    }
  }
  step.has_other = step.merged_levels > 0;
  sum_sq += other * other;
  if (step.has_other)
    step.note = std::to_string(step.merged_levels) + " rare levels merged into " + kOtherLevel + " (--max-levels " +
                std::to_string(o.max_levels) + ")";
  // Total variance of the one-hot block is 1 − Σ share²; scaling its "1" to 1/sqrt of that gives the block unit
  // variance, the same as one z-scored numeric column.
  if (1.0 - sum_sq < 1e-12) {
    step.dropped = true;
    step.note = "a single level";
    return step;
  }
  step.dummy_value = step.weight / std::sqrt(1.0 - sum_sq);
  return step;
}

double as_of_resolve(const Table& table, const PipelineOptions& o, const Communicator& comm) {
  if (!o.as_of.empty()) {
    float days = 0.0f;
    KSEG_EXPECTS(iso_date_parse(o.as_of, days), UsageError, "--as-of: \"" + o.as_of + "\" is not a YYYY-MM-DD date");
    return days;
  }
  double latest = -std::numeric_limits<double>::infinity();
  for (const TableColumn& c : table.columns)
    if (c.role == ColumnRole::date)
      for (float v : c.values)
        if (!std::isnan(v)) latest = std::max(latest, double(v));
  if (comm.size() > 1)
    for (double v : comm.allgather(latest)) latest = std::max(latest, v);
  return std::isfinite(latest) ? latest : 0.0;
}

}  // namespace

FeaturePipeline FeaturePipeline::fit(const Table& table, const PipelineOptions& options, const Communicator& comm) {
  for (const auto& [name, weight] : options.feature_weights) {
    const TableColumn* c = table.column_find(name);
    KSEG_EXPECTS(
        c && (c->role == ColumnRole::numeric || c->role == ColumnRole::date || c->role == ColumnRole::categorical),
        UsageError, "--feature-weight: \"" + name + "\" is not a feature column");
    KSEG_EXPECTS(weight >= 0.0 && std::isfinite(weight), UsageError, "--feature-weight: weights must be >= 0");
  }
  for (const std::string& name : options.log_columns) {
    const TableColumn* c = table.column_find(name);
    KSEG_EXPECTS(c && c->role == ColumnRole::numeric, UsageError, "--log: \"" + name + "\" is not a numeric feature");
  }
  KSEG_EXPECTS(options.max_levels >= 1, UsageError, "--max-levels must be at least 1");
  FeaturePipeline p;
  p.scale_ = options.scale;
  p.missing_ = table.missing;
  const double as_of = as_of_resolve(table, options, comm);
  for (const TableColumn& c : table.columns) {
    if (c.role == ColumnRole::numeric || c.role == ColumnRole::date) {
      p.order_.push_back(static_cast<int>(p.numeric_.size()));
      p.numeric_.push_back(comm.size() == 1 ? numeric_learn(c, options, as_of)
                                            : numeric_learn(column_gather(c, comm), options, as_of));
    } else if (c.role == ColumnRole::categorical) {
      p.order_.push_back(-1 - static_cast<int>(p.categorical_.size()));
      p.categorical_.push_back(categorical_learn(c, options, comm));
    }
  }
  p.names_build();
  // An in-memory table (the Python package's, named "the table") has no file for kseg schema to read.
  const std::string hint =
      table.path == "the table" ? "check the columns' types and roles" : "see kseg schema " + table.path;
  KSEG_EXPECTS(p.n_features() > 0, DataError,
               table.path + ": no usable feature columns (all constant, missing or excluded); " + hint);
  return p;
}

}  // namespace kseg
