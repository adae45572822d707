// Stable segment ids across refits: old centroids are carried into the new preparation's space, and new segments
// are matched to old ones by the Hungarian method (minimum total centroid distance). Matched segments keep their
// old id and name; unmatched new segments get fresh ids; old ids left without a segment are retired.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "host/features/pipeline.hpp"
#include "host/model/model_file.hpp"

namespace kseg {

// An old model's centroids (k × from.n_features(), prepared by `from`) in the space prepared by `to`: each numeric
// feature back to original units through the old centre, scale, weight and log1p (dates shifted by the change of
// the as-of date), then forward through the new ones; one-hot blocks as level shares, re-weighted by the new block
// (levels merged into (other) by the new preparation go there). A feature the old model lacks takes fill[t], the
// same for every old centroid, so it does not sway the matching (kseg fit uses 0: the new preparation's centre).
// DataError when the two preparations share no column.
std::vector<float> centroids_reprepare(const FeaturePipeline& from, const std::vector<float>& centroids, int64_t k,
                                       const FeaturePipeline& to, const std::vector<double>& fill);

struct MatchedSegment {
  int64_t index = 0;      // row of the new centroids
  int64_t id = 0;         // the old id it keeps
  std::string name;       // and its name
  double distance = 0.0;  // Euclidean distance between the new and the old centroid, new prepared space
};

struct SegmentMatching {
  SegmentIdentity identity;                              // ids and names for the new centroids, next_id advanced
  std::vector<MatchedSegment> matched;                   // in new centroid order
  std::vector<int64_t> new_ids;                          // ids given to new segments, ascending
  std::vector<std::pair<int64_t, std::string>> retired;  // old (id, name) with no new segment, ascending id
  double total_distance = 0.0;                           // Σ distance over matched pairs (what was minimised)
};

// new_centroids: k_new × d; old_centroids: k_old × d in the same space; old.ids.size() == k_old.
SegmentMatching segments_match(const std::vector<float>& new_centroids, int64_t k_new,
                               const std::vector<float>& old_centroids, int64_t k_old, int64_t d,
                               const SegmentIdentity& old);

// The "matching" section of summary.json.
nlohmann::json segment_matching_json(const SegmentMatching& matching, const std::string& against);

}  // namespace kseg
