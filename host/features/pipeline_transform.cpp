// Applying the learned preparation, and mapping centroids back to the user's terms.
#include <omp.h>

#include <cmath>
#include <unordered_map>

#include "host/error.hpp"
#include "host/features/pipeline.hpp"

namespace kseg {
namespace {

const TableColumn& column_require(const Table& table, const std::string& name) {
  const TableColumn* c = table.column_find(name);
  KSEG_EXPECTS(c != nullptr, DataError,
               table.path + ": column \"" + name + "\" is required by the model but missing (or read as another role)");
  return *c;
}

// Shared by fit and assign, in double, so both give the same float for the same cell.
float numeric_prepare(const NumericStep& s, float raw) {
  double v = std::isnan(raw) ? s.impute_value : (s.is_date ? s.as_of_days - raw : double(raw));
  if (s.log1p) v = std::log1p(std::max(v, 0.0));
  return static_cast<float>((v - s.center) / s.scale * s.weight);
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

void FeaturePipeline::transform(const Table& table, float* out, TransformCounters* counters) const {
  const int64_t n = table.n_rows;
  const int64_t d = n_features();
  int64_t offset = 0;  // first output column of the current step
  for (int step : order_) {
    if (step >= 0) {
      const NumericStep& s = numeric_[step];
      if (s.dropped) continue;
      const TableColumn& c = column_require(table, s.name);
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < n; ++i) {
        out[i * d + offset] = numeric_prepare(s, c.values[i]);
        if (s.indicator) out[i * d + offset + 1] = std::isnan(c.values[i]) ? 1.0f : 0.0f;
      }
      offset += s.indicator ? 2 : 1;
      continue;
    }
    const CategoricalStep& s = categorical_[-1 - step];
    if (s.dropped) continue;
    const TableColumn& c = column_require(table, s.name);
    KSEG_EXPECTS(c.is_categorical(), DataError, table.path + ": column \"" + s.name + "\" must be categorical");
    // Table level code → block position; unknown texts go to (other), or to no column when fit saw no rare levels.
    const int width = static_cast<int>(s.levels.size()) + (s.has_other ? 1 : 0);
    const int other = s.has_other ? width - 1 : -1;
    std::unordered_map<std::string, int> position;
    for (size_t l = 0; l < s.levels.size(); ++l) position[s.levels[l]] = static_cast<int>(l);
    for (const std::string& level : s.merged) position[level] = other;
    std::vector<int> code_position(c.levels.size());
    std::vector<bool> unseen(c.levels.size(), false);
    for (size_t l = 0; l < c.levels.size(); ++l) {
      auto it = position.find(c.levels[l]);
      code_position[l] = it != position.end() ? it->second : other;
      unseen[l] = it == position.end();
    }
    auto missing_it = position.find(kMissingLevel);
    const int missing_position = missing_it != position.end() ? missing_it->second : other;
    const float one = static_cast<float>(s.dummy_value);
    int64_t unseen_rows = 0;
#pragma omp parallel for schedule(static) reduction(+ : unseen_rows)
    for (int64_t i = 0; i < n; ++i) {
      float* row = out + i * d + offset;
      for (int l = 0; l < width; ++l) row[l] = 0.0f;
      const int32_t code = c.codes[i];
      const int p = code < 0 ? missing_position : code_position[code];
      if (p >= 0) row[p] = one;
      unseen_rows += code >= 0 && unseen[code];
    }
    if (counters && unseen_rows > 0) counters->unseen_levels[s.name] += unseen_rows;
    offset += width;
  }
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
