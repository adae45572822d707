// Learning the preparation from a table.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <utility>

#include "host/comm/byte_pack.hpp"
#include "host/data/schema.hpp"
#include "host/error.hpp"
#include "host/features/log1p_counts.hpp"
#include "host/features/order_statistics.hpp"
#include "host/features/pipeline.hpp"

namespace kseg {
namespace {

double feature_weight(const PipelineOptions& o, const std::string& name) {
  auto it = o.feature_weights.find(name);
  return it == o.feature_weights.end() ? 1.0 : it->second;
}

// Center and scale of the (imputed, logged) values by the chosen rule; scale 0 means constant. sum: Σ v in order.
void scale_learn(const std::vector<double>& v, double sum, ScaleMode mode, NumericStep& step) {
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
  const double mean = sum / static_cast<double>(v.size());
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

// The statistics of the present values (raw, or days before as_of for a date) that the steps need: their mean, the
// skewness and the minimum, in row order as one sequential sum would give them, and the median by selection on the
// column itself (FloatOrder: no copy of the column).
struct PresentStatistics {
  size_t count = 0;
  double mean = 0.0, skew = 0.0, minimum = 0.0, median = 0.0;
};

PresentStatistics present_statistics(const TableColumn& column, bool is_date, double as_of_days, bool median) {
  PresentStatistics st;
  const float* raw = column.values.data();
  const size_t n = column.values.size();
  const FloatOrder order(raw, n);
  st.count = order.size();
  if (st.count == 0) return st;
  const auto value = [&](float v) { return is_date ? as_of_days - v : double(v); };
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i)
    if (!std::isnan(raw[i])) sum += value(raw[i]);
  st.mean = sum / static_cast<double>(st.count);
  double m2 = 0.0, m3 = 0.0;
  st.minimum = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(raw[i])) continue;
    const double x = value(raw[i]);
    m2 += (x - st.mean) * (x - st.mean);
    m3 += (x - st.mean) * (x - st.mean) * (x - st.mean);
    st.minimum = std::min(st.minimum, x);
  }
  m2 /= static_cast<double>(st.count);
  m3 /= static_cast<double>(st.count);
  st.skew = m2 > 0.0 ? m3 / std::pow(m2, 1.5) : 0.0;
  if (median)  // a date's values descend as the raw days ascend
    st.median = quantiles_linear(st.count, {0.5}, [&](const std::vector<size_t>& positions) {
      std::vector<double> at = order.at(positions, is_date);
      for (double& v : at) v = value(static_cast<float>(v));
      return at;
    })[0];
  return st;
}

// values: a buffer of at least column.values.size() doubles, which takes the prepared values.
NumericStep numeric_learn(const TableColumn& column, const PipelineOptions& o, double as_of_days,
                          std::vector<double>& values) {
  NumericStep step;
  step.name = column.name;
  step.weight = feature_weight(o, column.name);
  step.is_date = column.role == ColumnRole::date;
  step.as_of_days = as_of_days;
  const PresentStatistics present =
      present_statistics(column, step.is_date, as_of_days, o.impute == ImputeMode::median);
  step.imputed = static_cast<int64_t>(column.values.size() - present.count);
  if (present.count == 0) {
    step.dropped = true;
    step.note = "every value is missing";
    return step;
  }
  step.impute_value = o.impute == ImputeMode::median ? present.median
                      : o.impute == ImputeMode::mean ? present.mean
                                                     : 0.0;
  step.indicator = o.missing_indicators && step.imputed > 0;
  step.skew = present.skew;
  const double minimum = present.minimum;
  const bool named = std::find(o.log_columns.begin(), o.log_columns.end(), column.name) != o.log_columns.end();
  KSEG_EXPECTS(!named || minimum >= 0.0, UsageError,
               "--log " + column.name + ": the column has negative values (minimum " + std::to_string(minimum) + ")");
  step.log1p = named || (o.log_auto && minimum >= 0.0 && step.skew > kLogSkew);
  // The prepared values, for the scale's statistics.
  const std::array<double, kLog1pTableSize>& log1p_of = log1p_table();
  values.resize(column.values.size());
  double sum = 0.0;  // their mean's sum, added up in the same order as a pass of its own would
  for (size_t i = 0; i < column.values.size(); ++i) {
    double v = std::isnan(column.values[i]) ? step.impute_value
                                            : (step.is_date ? as_of_days - column.values[i] : column.values[i]);
    values[i] = step.log1p ? log1p_nonnegative(std::max(v, 0.0), log1p_of) : v;
    sum += values[i];
  }
  scale_learn(values, sum, o.scale, step);
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

// Every numeric and date column's step, in table order. One process: the columns are independent and learned on all
// threads, one column per thread (each step is computed by the same sequential code, so the result does not depend
// on the threads; a column in flight costs one buffer of n doubles). Across processes each column is gathered in
// turn, collectively.
std::vector<NumericStep> numeric_steps_learn(const Table& table, const PipelineOptions& o, double as_of,
                                             const Communicator& comm) {
  std::vector<const TableColumn*> columns;
  for (const TableColumn& c : table.columns)
    if (c.role == ColumnRole::numeric || c.role == ColumnRole::date) columns.push_back(&c);
  std::vector<NumericStep> steps(columns.size());
  if (comm.size() > 1) {
    std::vector<double> buffer;
    for (size_t j = 0; j < columns.size(); ++j)
      steps[j] = numeric_learn(column_gather(*columns[j], comm), o, as_of, buffer);
    return steps;
  }
  // The buffers are allocated here, on the calling thread, so that freeing them returns the memory to the main heap
  // (memory_release_to_system) rather than leaving it in another thread's malloc arena.
  const int threads = std::max(1, std::min(omp_get_max_threads(), static_cast<int>(columns.size())));
  std::vector<std::vector<double>> buffers(static_cast<size_t>(threads));
  for (std::vector<double>& buffer : buffers) buffer.reserve(static_cast<size_t>(table.n_rows));
  std::vector<std::exception_ptr> errors(columns.size());
  const auto count = static_cast<int64_t>(columns.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int64_t j = 0; j < count; ++j) {
    try {
      steps[j] = numeric_learn(*columns[j], o, as_of, buffers[static_cast<size_t>(omp_get_thread_num())]);
    } catch (...) {
      errors[j] = std::current_exception();
    }
  }
  for (const std::exception_ptr& error : errors)  // the first column's error, as a serial loop would throw it
    if (error) std::rethrow_exception(error);
  return steps;
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
  p.numeric_ = numeric_steps_learn(table, options, as_of, comm);
  int numeric_index = 0;
  for (const TableColumn& c : table.columns) {
    if (c.role == ColumnRole::numeric || c.role == ColumnRole::date) {
      p.order_.push_back(numeric_index++);
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
