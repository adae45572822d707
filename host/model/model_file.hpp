// The model file: everything assign needs to score new users exactly as fit did. Versioned JSON.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/features/pipeline.hpp"

namespace kseg {

constexpr int kModelFormatVersion = 1;  // bump on any change that an older kseg could misread

struct Model {
  FeaturePipeline pipeline;
  std::string id_column;         // id column name at fit ("" when rows were numbered)
  std::vector<float> centroids;  // k × d in the prepared space
  int64_t n_clusters = 0;
  nlohmann::json fit;  // how it was fitted: seed, inertia, rows, ... (informational)
};

// Atomic write (temporary file + rename).
void model_save(const std::string& path, const Model& model);

// Validates format name and version (refuses newer versions), sizes, finite values. DataError naming the file.
Model model_load(const std::string& path);

}  // namespace kseg
