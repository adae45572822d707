// Feature preparation learned by fit, stored in the model and replayed by assign: prepared = (raw − center) / scale.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace kseg {

enum class ScaleMode { zscore, none };

ScaleMode scale_mode_parse(const std::string& text);  // "zscore" | "none"; UsageError otherwise
std::string scale_mode_name(ScaleMode mode);

struct FeatureTransform {
  std::string name;     // input column name
  double center = 0.0;  // subtracted first (the mean for zscore)
  double scale = 1.0;   // then divided by (the population standard deviation; 1 for a constant column)
};

class FeaturePipeline {
 public:
  FeaturePipeline() = default;
  FeaturePipeline(ScaleMode mode, std::vector<FeatureTransform> features);

  // Learns centers and scales from raw (n × names.size(), original units), unweighted as scikit-learn's
  // StandardScaler. A constant column gets scale 1, so it maps to 0 instead of dividing by zero.
  static FeaturePipeline fit(const std::vector<std::string>& names, const float* raw, int64_t n, ScaleMode mode);

  // raw (n × d) → out (n × d); out may equal raw (in place).
  void transform(const float* raw, int64_t n, float* out) const;
  // One prepared row back to original units.
  std::vector<double> inverse(const float* prepared) const;

  nlohmann::json to_json() const;
  // Validates every field; throws DataError prefixed with `where` (the model path) when something is off.
  static FeaturePipeline from_json(const nlohmann::json& j, const std::string& where);

  const std::vector<FeatureTransform>& features() const { return features_; }
  std::vector<std::string> names() const;
  int64_t n_features() const { return static_cast<int64_t>(features_.size()); }
  ScaleMode scale_mode() const { return mode_; }

 private:
  ScaleMode mode_ = ScaleMode::zscore;
  std::vector<FeatureTransform> features_;
};

}  // namespace kseg
