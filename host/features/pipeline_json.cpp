// The preparation as JSON inside model.json, and the option names.
#include <algorithm>
#include <cfloat>
#include <cmath>

#include "host/error.hpp"
#include "host/features/pipeline.hpp"

namespace kseg {

ScaleMode scale_mode_parse(const std::string& text) {
  if (text == "zscore") return ScaleMode::zscore;
  if (text == "robust") return ScaleMode::robust;
  if (text == "minmax") return ScaleMode::minmax;
  if (text == "none") return ScaleMode::none;
  throw UsageError("--scale: unknown mode \"" + text + "\" (use zscore, robust, minmax or none)");
}

std::string scale_mode_name(ScaleMode mode) {
  switch (mode) {
    case ScaleMode::zscore:
      return "zscore";
    case ScaleMode::robust:
      return "robust";
    case ScaleMode::minmax:
      return "minmax";
    case ScaleMode::none:
      return "none";
  }
  return "?";
}

ImputeMode impute_mode_parse(const std::string& text) {
  if (text == "median") return ImputeMode::median;
  if (text == "mean") return ImputeMode::mean;
  if (text == "zero") return ImputeMode::zero;
  throw UsageError("--impute: unknown mode \"" + text + "\" (use median, mean or zero)");
}

std::string impute_mode_name(ImputeMode mode) {
  return mode == ImputeMode::median ? "median" : mode == ImputeMode::mean ? "mean" : "zero";
}

nlohmann::json FeaturePipeline::to_json() const {
  nlohmann::json columns = nlohmann::json::array();
  for (int step : order_) {
    if (step >= 0) {
      const NumericStep& s = numeric_[step];
      columns.push_back({{"name", s.name},
                         {"kind", s.is_date ? "date" : "numeric"},
                         {"as_of_days", s.as_of_days},
                         {"impute_value", s.impute_value},
                         {"imputed", s.imputed},
                         {"log1p", s.log1p},
                         {"skew", s.skew},
                         {"center", s.center},
                         {"scale", s.scale},
                         {"weight", s.weight},
                         {"indicator", s.indicator},
                         {"dropped", s.dropped},
                         {"note", s.note}});
    } else {
      const CategoricalStep& s = categorical_[-1 - step];
      columns.push_back({{"name", s.name},
                         {"kind", "categorical"},
                         {"levels", s.levels},
                         {"has_other", s.has_other},
                         {"merged_levels", s.merged_levels},
                         {"merged", s.merged},
                         {"dummy_value", s.dummy_value},
                         {"weight", s.weight},
                         {"dropped", s.dropped},
                         {"note", s.note}});
    }
  }
  return {{"scale", scale_mode_name(scale_)},
          {"na_values", missing_.spellings()},
          {"columns", columns},
          {"features", feature_names_}};
}

namespace {

// Finite and within float range: prepared values are floats, so anything larger is a damaged model.
bool finite(double v) { return std::isfinite(v) && std::abs(v) <= FLT_MAX; }

NumericStep numeric_from_json(const nlohmann::json& j) {
  NumericStep s;
  s.name = j.at("name").get<std::string>();
  s.is_date = j.at("kind").get<std::string>() == "date";
  s.as_of_days = j.at("as_of_days").get<double>();
  s.impute_value = j.at("impute_value").get<double>();
  s.imputed = j.at("imputed").get<int64_t>();
  s.log1p = j.at("log1p").get<bool>();
  s.skew = j.at("skew").get<double>();
  s.center = j.at("center").get<double>();
  s.scale = j.at("scale").get<double>();
  s.weight = j.at("weight").get<double>();
  s.indicator = j.at("indicator").get<bool>();
  s.dropped = j.at("dropped").get<bool>();
  s.note = j.value("note", "");
  KSEG_EXPECTS(finite(s.as_of_days) && finite(s.impute_value) && finite(s.center) && finite(s.scale) &&
                   finite(s.weight) && s.scale > 0.0 && s.weight >= 0.0,
               DataError, "column \"" + s.name + "\": center, scale, weight must be finite with scale > 0");
  // weight / scale multiplies every value: beyond 1e15 prepared values and their squares overflow float.
  KSEG_EXPECTS(s.weight / s.scale <= 1e15 && std::abs(s.center) <= 1e30, DataError,
               "column \"" + s.name + "\": its scale, weight or center (" + "scale " + std::to_string(s.scale) + ", " +
                   std::to_string(s.weight) + ", " + std::to_string(s.center) +
                   ") overflows float arithmetic: weight / scale must be at most 1e15 (damaged model)");
  return s;
}

CategoricalStep categorical_from_json(const nlohmann::json& j) {
  CategoricalStep s;
  s.name = j.at("name").get<std::string>();
  s.levels = j.at("levels").get<std::vector<std::string>>();
  s.has_other = j.at("has_other").get<bool>();
  s.merged_levels = j.at("merged_levels").get<int64_t>();
  s.merged = j.at("merged").get<std::vector<std::string>>();
  s.dummy_value = j.at("dummy_value").get<double>();
  s.weight = j.at("weight").get<double>();
  s.dropped = j.at("dropped").get<bool>();
  s.note = j.value("note", "");
  KSEG_EXPECTS(finite(s.dummy_value) && s.dummy_value >= 0.0 && (s.dropped || !s.levels.empty()), DataError,
               "column \"" + s.name + "\": invalid one-hot block");
  return s;
}

}  // namespace

FeaturePipeline FeaturePipeline::from_json(const nlohmann::json& j, const std::string& where) {
  try {
    FeaturePipeline p;
    p.scale_ = scale_mode_parse(j.at("scale").get<std::string>());
    if (j.contains("na_values")) p.missing_ = MissingValues(j.at("na_values").get<std::vector<std::string>>());
    for (const nlohmann::json& c : j.at("columns")) {
      const std::string kind = c.at("kind").get<std::string>();
      if (kind == "categorical") {
        p.order_.push_back(-1 - static_cast<int>(p.categorical_.size()));
        p.categorical_.push_back(categorical_from_json(c));
      } else {
        KSEG_EXPECTS(kind == "numeric" || kind == "date", DataError, "unknown column kind \"" + kind + "\"");
        p.order_.push_back(static_cast<int>(p.numeric_.size()));
        p.numeric_.push_back(numeric_from_json(c));
      }
    }
    p.names_build();
    KSEG_EXPECTS(p.n_features() > 0, DataError, "no features");
    std::vector<std::string> sorted = p.feature_names_;
    std::sort(sorted.begin(), sorted.end());
    KSEG_EXPECTS(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(), DataError,
                 "duplicate feature names");
    KSEG_EXPECTS(j.at("features").get<std::vector<std::string>>() == p.feature_names_, DataError,
                 "the feature list disagrees with the columns");
    return p;
  } catch (const std::exception& e) {
    throw DataError(where + ": damaged preparation section: " + e.what());
  }
}

}  // namespace kseg
