// Segment profiles: who is in each segment, in the input's own units, against the whole population. Computed from
// the table's raw values (not the centroids), the labels, and the pipeline (which columns are features, the kept
// categorical levels). Shares and means are weighted by the sample weight when there is a weight column.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/data/table.hpp"
#include "host/features/pipeline.hpp"

namespace kseg {

struct ProfileOptions {
  int top_features = 5;           // distinguishing features listed per segment (one per column)
  double persona_std_diff = 0.5;  // |standardised difference| a feature needs to enter a persona name
  int persona_terms = 3;          // features in a persona name, at most
  double audit_ratio = 0.8;       // audit flag: group share / population share below this or above 1 / this
  double audit_min_diff = 0.02;   // ... and differing by at least this many share points (0.02 = 2 points)
  double audit_std_diff = 0.25;   // audit flag for a numeric audit column: |standardised difference| >= this
};

enum class StatKind { mean, level_share };

// One numeric feature's mean or one categorical level's share, in one segment, against the population.
struct FeatureStat {
  StatKind kind = StatKind::mean;
  std::string column;       // input column
  std::string level;        // categorical level ("" for a mean)
  bool is_date = false;     // a date column: values are days before the reference date
  double value = 0.0;       // segment mean (original units, missing cells left out) or level share
  double population = 0.0;  // the same over all rows
  double index = 0.0;       // value / population; NaN when the population value is 0
  double std_diff = 0.0;    // (value − population) / population sd; for a share p: / sqrt(p(1 − p)); 0 when sd = 0
  bool flagged = false;     // audit rows only: beyond the audit threshold
};

struct SegmentProfile {
  int32_t segment = 0;                // segment id, as in segments.csv
  int64_t size = 0;                   // rows
  double weight = 0.0;                // Σ sample weight (= size when unweighted)
  double share = 0.0;                 // weight / total weight
  std::vector<FeatureStat> features;  // same columns/levels, same order, in every segment
  std::vector<int> top;               // indices into features, strongest first, one per column
  std::vector<FeatureStat> audit;     // audit columns, when any
  std::string persona;                // generated short name, deterministic
  std::string name;                   // the names file's name, else the persona
  std::string description;            // one sentence, generated
};

struct Profiles {
  int64_t n_rows = 0;
  double total_weight = 0.0;
  bool weighted = false;
  ProfileOptions options;
  std::vector<std::string> audit_columns;
  std::vector<SegmentProfile> segments;  // one per segment 0 .. k − 1 (empty segments included, size 0)
  // A bisecting tree's parent nodes below the root, each the profile of all its users (segment = the tree node id;
  // host/report/tree_profiles.hpp); empty for flat segmentations.
  std::vector<SegmentProfile> tree_parents;
};

// labels: n_rows centroid indices in [0, k) (DataError otherwise). segment_ids: the segment id of each centroid (the
// model's stable ids; empty: 0..k−1). Computes sizes, shares, means, level shares, indexes, standardised
// differences, top features, audit rows with flags, personas and descriptions.
Profiles profiles_compute(const Table& table, const FeaturePipeline& pipeline, const int32_t* labels, int64_t k,
                          const ProfileOptions& options = {}, const std::vector<int64_t>& segment_ids = {});

// Replaces segment names by those of a names file's entries (segment id → name); others keep their persona.
// DataError for a segment id that is not one of the profiles' segments.
void profiles_names_apply(Profiles& profiles, const std::vector<std::pair<int32_t, std::string>>& names);

// "device=ios" for a level, the column name for a mean.
std::string feature_label(const FeatureStat& stat);

}  // namespace kseg
