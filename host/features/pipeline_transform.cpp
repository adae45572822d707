// Applying the learned preparation, and mapping centroids back to the user's terms.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "host/error.hpp"
#include "host/features/log1p_counts.hpp"
#include "host/features/pipeline.hpp"

namespace kseg {
namespace {

const TableColumn& column_require(const Table& table,
                                  const std::unordered_map<std::string_view, const TableColumn*>& by_name,
                                  const std::string& name) {
  const auto found = by_name.find(name);
  KSEG_EXPECTS(found != by_name.end(), DataError,
               table.path + ": column \"" + name + "\" is required by the model but missing (or read as another role)");
  return *found->second;
}

// The last step of every numeric value, in double: centred, scaled, weighted.
inline float numeric_standardize(double v, double center, double scale, double weight) {
  return static_cast<float>((v - center) / scale * weight);
}

// Shared by fit and assign, in double, so both give the same float for the same cell (log1p_of: log1p_table()).
float numeric_prepare(const NumericStep& s, float raw, const std::array<double, kLog1pTableSize>& log1p_of) {
  double v = std::isnan(raw) ? s.impute_value : (s.is_date ? s.as_of_days - raw : double(raw));
  if (s.log1p) v = log1p_nonnegative(std::max(v, 0.0), log1p_of);
  return numeric_standardize(v, s.center, s.scale, s.weight);
}

}  // namespace

void FeaturePipeline::names_build() {
  feature_names_.clear();
  for (int step : order_) {
    if (step >= 0) {
      const NumericStep& s = numeric_[step];
      if (s.dropped) continue;
      feature_names_.push_back(s.name);
      if (s.indicator) feature_names_.push_back(s.name + "=missing");
    } else {
      const CategoricalStep& s = categorical_[-1 - step];
      if (s.dropped) continue;
      for (const std::string& level : s.levels) feature_names_.push_back(s.name + "=" + level);
      if (s.has_other) feature_names_.push_back(s.name + "=" + kOtherLevel);
    }
  }
}

std::vector<std::string> FeaturePipeline::input_columns() const {
  std::vector<std::string> names;
  for (int step : order_) {
    const bool dropped = step >= 0 ? numeric_[step].dropped : categorical_[-1 - step].dropped;
    if (!dropped) names.push_back(step >= 0 ? numeric_[step].name : categorical_[-1 - step].name);
  }
  return names;
}

namespace {

// One step of transform, resolved against a table: its column, its first output column and, for a categorical
// column, where each of the table's level codes goes.
struct StepPlan {
  const NumericStep* numeric = nullptr;  // else categorical
  const CategoricalStep* categorical = nullptr;
  const TableColumn* column = nullptr;  // categorical: the table column
  const float* values = nullptr;        // numeric: value of row i at values[i * stride]
  int64_t stride = 1;
  int64_t offset = 0;  // first output column
  int width = 0;       // categorical: block width
  std::vector<int> code_position;
  std::vector<char> unseen;  // per table code: a level fit never saw
  int missing_position = -1;
  float one = 1.0f;
};

StepPlan categorical_plan(const CategoricalStep& s, const TableColumn& c, const std::string& path) {
  KSEG_EXPECTS(c.is_categorical(), DataError, path + ": column \"" + s.name + "\" must be categorical");
  StepPlan plan;
  plan.categorical = &s;
  plan.column = &c;
  // Table level code → block position; unknown texts go to (other), or to no column when fit saw no rare levels.
  plan.width = static_cast<int>(s.levels.size()) + (s.has_other ? 1 : 0);
  const int other = s.has_other ? plan.width - 1 : -1;
  std::unordered_map<std::string, int> position;
  for (size_t l = 0; l < s.levels.size(); ++l) position[s.levels[l]] = static_cast<int>(l);
  for (const std::string& level : s.merged) position[level] = other;
  plan.code_position.resize(c.levels.size());
  plan.unseen.assign(c.levels.size(), 0);
  for (size_t l = 0; l < c.levels.size(); ++l) {
    auto it = position.find(c.levels[l]);
    plan.code_position[l] = it != position.end() ? it->second : other;
    plan.unseen[l] = it == position.end();
  }
  auto missing_it = position.find(kMissingLevel);
  plan.missing_position = missing_it != position.end() ? missing_it->second : other;
  plan.one = static_cast<float>(s.dummy_value);
  return plan;
}

// Rows [begin, end) of one step into the row-major output (d floats per row).
void step_apply(const StepPlan& p, int64_t begin, int64_t end, int64_t d, float* out) {
  if (p.numeric != nullptr) {
    const NumericStep& s = *p.numeric;
    const std::array<double, kLog1pTableSize>& log1p_of = log1p_table();
    for (int64_t i = begin; i < end; ++i) {
      const float v = p.values[i * p.stride];
      float* row = out + i * d + p.offset;
      row[0] = numeric_prepare(s, v, log1p_of);
      if (s.indicator) row[1] = std::isnan(v) ? 1.0f : 0.0f;
    }
    return;
  }
  const int32_t* codes = p.column->codes.data();
  for (int64_t i = begin; i < end; ++i) {
    float* row = out + i * d + p.offset;
    for (int l = 0; l < p.width; ++l) row[l] = 0.0f;
    const int32_t code = codes[i];
    const int q = code < 0 ? p.missing_position : p.code_position[code];
    if (q >= 0) row[q] = p.one;
  }
}

// Row blocks, every step per block: each output row is written while it is in cache (a step per pass over the
// whole matrix would move every cache line of it once per input column).
void plans_apply(const std::vector<StepPlan>& plans, int64_t n, int64_t d, float* out) {
  constexpr int64_t kBlockRows = 1024;
  const int64_t blocks = (n + kBlockRows - 1) / kBlockRows;
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t begin = b * kBlockRows, end = std::min(n, begin + kBlockRows);
    for (const StepPlan& p : plans) step_apply(p, begin, end, d, out);
  }
}

// Whether every step is a plain number (no log, date or indicator) read from the input column of its own output
// position: then a row of the output is the row of the input, value by value.
bool plans_identity_numeric(const std::vector<StepPlan>& plans, const float* rows, int64_t width, int64_t d) {
  if (static_cast<int64_t>(plans.size()) != d || width != d) return false;
  for (int64_t t = 0; t < d; ++t) {
    const StepPlan& p = plans[t];
    if (p.numeric == nullptr || p.numeric->log1p || p.numeric->is_date || p.numeric->indicator || p.offset != t ||
        p.values != rows + t || p.stride != width)
      return false;
  }
  return true;
}

// numeric_prepare of plain numbers (no date, no log: impute, then numeric_standardize) over whole rows in one
// contiguous loop per row, which the compiler vectorises (the division too:
// IEEE division gives the same bits in a vector as one value at a time, so fit and assign still agree).
void rows_numeric_apply(const std::vector<StepPlan>& plans, const float* rows, int64_t n, float* out) {
  const int64_t d = static_cast<int64_t>(plans.size());
  std::vector<double> impute(d), center(d), scale(d), weight(d);
  for (int64_t t = 0; t < d; ++t) {
    impute[t] = plans[t].numeric->impute_value;
    center[t] = plans[t].numeric->center;
    scale[t] = plans[t].numeric->scale;
    weight[t] = plans[t].numeric->weight;
  }
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const float* in = rows + i * d;
    float* row = out + i * d;
#pragma omp simd
    for (int64_t t = 0; t < d; ++t) {
      const double v = std::isnan(in[t]) ? impute[t] : static_cast<double>(in[t]);
      row[t] = numeric_standardize(v, center[t], scale[t], weight[t]);
    }
  }
}

}  // namespace

void FeaturePipeline::transform(const Table& table, float* out, TransformCounters* counters) const {
  const int64_t n = table.n_rows;
  std::vector<StepPlan> plans;
  int64_t offset = 0;
  const auto by_name = columns_by_name(table);
  for (int step : order_) {
    if (step >= 0) {
      const NumericStep& s = numeric_[step];
      if (s.dropped) continue;
      StepPlan plan;
      plan.numeric = &s;
      plan.values = column_require(table, by_name, s.name).values.data();
      plan.offset = offset;
      plans.push_back(std::move(plan));
      offset += s.indicator ? 2 : 1;
      continue;
    }
    const CategoricalStep& s = categorical_[-1 - step];
    if (s.dropped) continue;
    plans.push_back(categorical_plan(s, column_require(table, by_name, s.name), table.path));
    plans.back().offset = offset;
    offset += plans.back().width;
  }
  plans_apply(plans, n, n_features(), out);
  if (counters == nullptr) return;
  for (const StepPlan& p : plans) {
    if (p.categorical == nullptr) continue;
    int64_t unseen_rows = 0;
    const int32_t* codes = p.column->codes.data();
#pragma omp parallel for schedule(static) reduction(+ : unseen_rows)
    for (int64_t i = 0; i < n; ++i) unseen_rows += codes[i] >= 0 && p.unseen[codes[i]];
    if (unseen_rows > 0) counters->unseen_levels[p.categorical->name] += unseen_rows;
  }
}

void FeaturePipeline::transform_rows(const float* rows, int64_t n, const std::vector<std::string>& names,
                                     const std::string& path, float* out) const {
  const int64_t width = static_cast<int64_t>(names.size());
  std::vector<StepPlan> plans;
  int64_t offset = 0;
  std::unordered_map<std::string_view, int64_t> column_of;  // the first of a repeated name, as a search finds
  for (int64_t c = 0; c < width; ++c) column_of.emplace(names[static_cast<size_t>(c)], c);
  for (int step : order_) {
    const bool numeric = step >= 0;
    const std::string& name = numeric ? numeric_[step].name : categorical_[-1 - step].name;
    if (numeric ? numeric_[step].dropped : categorical_[-1 - step].dropped) continue;
    const auto found = column_of.find(name);
    const int64_t column = found == column_of.end() ? width : found->second;
    KSEG_EXPECTS(column < width, DataError, path + ": column \"" + name + "\" is required by the model but missing");
    KSEG_EXPECTS(numeric, DataError,
                 path + ": column \"" + name + "\" must be categorical; this input holds numbers only");
    StepPlan plan;
    plan.numeric = &numeric_[step];
    plan.values = rows + column;
    plan.stride = width;
    plan.offset = offset;
    plans.push_back(std::move(plan));
    offset += numeric_[step].indicator ? 2 : 1;
  }
  if (plans_identity_numeric(plans, rows, width, n_features())) return rows_numeric_apply(plans, rows, n, out);
  plans_apply(plans, n, n_features(), out);
}

std::vector<std::string> FeaturePipeline::centroids_header() const { return feature_names_; }

std::vector<double> FeaturePipeline::centroid_original(const float* prepared) const {
  std::vector<double> out;
  size_t t = 0;
  for (int step : order_) {
    if (step >= 0) {
      const NumericStep& s = numeric_[step];
      if (s.dropped) continue;
      double v = s.weight > 0.0 ? prepared[t] / s.weight * s.scale + s.center : s.center;
      if (s.log1p) v = std::expm1(v);
      out.push_back(v);  // a date feature stays in "days before as_of"
      if (s.indicator) out.push_back(prepared[t + 1]);
      t += s.indicator ? 2 : 1;
      continue;
    }
    const CategoricalStep& s = categorical_[-1 - step];
    if (s.dropped) continue;
    const size_t width = s.levels.size() + (s.has_other ? 1 : 0);
    for (size_t l = 0; l < width; ++l) out.push_back(s.dummy_value > 0.0 ? prepared[t + l] / s.dummy_value : 0.0);
    t += width;
  }
  return out;
}

}  // namespace kseg
