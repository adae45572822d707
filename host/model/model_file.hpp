// The model file: everything assign needs to score new users exactly as fit did. Versioned JSON.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "host/features/pipeline.hpp"
#include "host/model/drift_reference.hpp"
#include "host/model/segment_tree.hpp"

namespace kseg {

// Bump on any change that an older kseg could misread. Version 2 adds stable segment ids; a model whose ids are
// 0..k−1 in centroid order is still written as version 1, which every kseg reads alike. Version 3 adds the tree of
// a --hierarchy fit (an older kseg would assign its users to the nearest leaf instead of walking the tree, so it
// must refuse); flat models keep version 1 or 2.
constexpr int kModelFormatVersion = 3;

// Stable segment identities (what campaigns refer to), kept across refits by matching new segments to old ones.
struct SegmentIdentity {
  std::vector<int64_t> ids;        // one per centroid row: distinct, 0 <= id <= INT32_MAX
  std::vector<std::string> names;  // one per centroid row: user-given name, "" when unnamed
  int64_t next_id = 0;             // smallest id never given out (> every id ever used): new segments start here

  // ids 0..k−1, no names, next_id k: what a fresh fit gives.
  static SegmentIdentity sequential(int64_t k);
  bool is_sequential() const;
};

struct Model {
  FeaturePipeline pipeline;
  std::string id_column;         // id column name at fit ("" when rows were numbered)
  std::vector<float> centroids;  // k × d in the prepared space
  int64_t n_clusters = 0;
  nlohmann::json fit;                       // how it was fitted: seed, inertia, rows, ... (informational)
  SegmentIdentity segments;                 // stable ids and names; sequential when the file has none
  std::optional<DriftReference> reference;  // training statistics for kseg drift (absent in older files)
  std::optional<SegmentTree> tree;          // --hierarchy fits: the bisecting tree; its leaves are the centroids
};

// Atomic write (temporary file + rename).
void model_save(const std::string& path, const Model& model);
// The text model_save writes (model.json, ending in a newline).
std::string model_to_text(const Model& model);

// Validates format name and version (refuses newer versions), sizes, finite values. DataError naming the file.
Model model_load(const std::string& path);
// The same checks on model.json's text; path names it in messages.
Model model_from_text(const std::string& text, const std::string& path);

}  // namespace kseg
