#include "host/features/pipeline.hpp"

#include <cmath>

#include "host/error.hpp"

namespace kseg {

ScaleMode scale_mode_parse(const std::string& text) {
  if (text == "zscore") return ScaleMode::zscore;
  if (text == "none") return ScaleMode::none;
  throw UsageError("--scale: unknown mode \"" + text + "\" (use zscore or none)");
}

std::string scale_mode_name(ScaleMode mode) { return mode == ScaleMode::zscore ? "zscore" : "none"; }

FeaturePipeline::FeaturePipeline(ScaleMode mode, std::vector<FeatureTransform> features)
    : mode_(mode), features_(std::move(features)) {}

FeaturePipeline FeaturePipeline::fit(const std::vector<std::string>& names, const float* raw, int64_t n,
                                     ScaleMode mode) {
  const int64_t d = static_cast<int64_t>(names.size());
  std::vector<FeatureTransform> features(static_cast<size_t>(d));
  for (int64_t t = 0; t < d; ++t) features[t].name = names[t];
  if (mode == ScaleMode::zscore && n > 0) {
    std::vector<double> mean(static_cast<size_t>(d), 0.0), m2(static_cast<size_t>(d), 0.0);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t t = 0; t < d; ++t) mean[t] += raw[i * d + t];
    for (double& m : mean) m /= static_cast<double>(n);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t t = 0; t < d; ++t) m2[t] += (raw[i * d + t] - mean[t]) * (raw[i * d + t] - mean[t]);
    for (int64_t t = 0; t < d; ++t) {
      const double sd = std::sqrt(m2[t] / static_cast<double>(n));
      features[t].center = mean[t];
      // Below float resolution of the mean the column is constant in practice.
      features[t].scale = sd > 1e-7 * (1.0 + std::abs(mean[t])) ? sd : 1.0;
    }
  }
  return FeaturePipeline(mode, std::move(features));
}

void FeaturePipeline::transform(const float* raw, int64_t n, float* out) const {
  const int64_t d = n_features();
  std::vector<float> center(static_cast<size_t>(d)), inv_scale(static_cast<size_t>(d));
  for (int64_t t = 0; t < d; ++t) {
    center[t] = static_cast<float>(features_[t].center);
    inv_scale[t] = static_cast<float>(1.0 / features_[t].scale);
  }
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t t = 0; t < d; ++t) out[i * d + t] = (raw[i * d + t] - center[t]) * inv_scale[t];
}

std::vector<double> FeaturePipeline::inverse(const float* prepared) const {
  std::vector<double> row(features_.size());
  for (size_t t = 0; t < features_.size(); ++t) row[t] = prepared[t] * features_[t].scale + features_[t].center;
  return row;
}

std::vector<std::string> FeaturePipeline::names() const {
  std::vector<std::string> out;
  for (const FeatureTransform& f : features_) out.push_back(f.name);
  return out;
}

nlohmann::json FeaturePipeline::to_json() const {
  nlohmann::json features = nlohmann::json::array();
  for (const FeatureTransform& f : features_)
    features.push_back({{"name", f.name}, {"kind", "numeric"}, {"center", f.center}, {"scale", f.scale}});
  return {{"scale", scale_mode_name(mode_)}, {"features", features}};
}

FeaturePipeline FeaturePipeline::from_json(const nlohmann::json& j, const std::string& where) {
  try {
    const ScaleMode mode = scale_mode_parse(j.at("scale").get<std::string>());
    std::vector<FeatureTransform> features;
    for (const nlohmann::json& f : j.at("features")) {
      FeatureTransform t{f.at("name").get<std::string>(), f.at("center").get<double>(), f.at("scale").get<double>()};
      KSEG_EXPECTS(f.at("kind").get<std::string>() == "numeric", DataError, "feature \"" + t.name + "\": unknown kind");
      KSEG_EXPECTS(std::isfinite(t.center) && std::isfinite(t.scale) && t.scale > 0.0, DataError,
                   "feature \"" + t.name + "\": center and scale must be finite, scale > 0");
      features.push_back(t);
    }
    KSEG_EXPECTS(!features.empty(), DataError, "no features");
    return FeaturePipeline(mode, std::move(features));
  } catch (const nlohmann::json::exception& e) {
    throw DataError(where + ": damaged preparation section: " + e.what());
  } catch (const std::exception& e) {
    throw DataError(where + ": damaged preparation section: " + e.what());
  }
}

}  // namespace kseg
