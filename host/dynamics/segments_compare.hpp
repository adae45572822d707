// What changed between two segment files (`id,segment[,distance]`, as fit and assign write them), joined on id:
// the migration matrix, who changed segment, the adjusted Rand index, per-segment population stability, and the
// users who appeared or disappeared.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace kseg {

// One segment file in memory: ids (unquoted text) and segment ids, in file order.
struct SegmentAssignments {
  std::string path;
  std::vector<std::string> ids;
  std::vector<int32_t> segments;
};

// Reads `id,segment[,...]` (header required, columns found by name). DataError located at file:line for a segment
// that is not an integer in [0, 2^31) or an id that repeats an earlier one (the join would be ambiguous).
SegmentAssignments segment_assignments_read(const std::string& path, char delimiter = ',');

struct SegmentShift {
  int32_t segment = 0;
  int64_t old_users = 0, new_users = 0;
  double old_share = 0.0, new_share = 0.0;  // of all users in each file
  double psi = 0.0;                         // (new − old)·ln(new / old), shares floored at kPsiFloor
  std::string flag;                         // stable (< 0.1), moderate (< 0.25), major
};

struct SegmentComparison {
  std::vector<int32_t> old_segments;  // rows of the migration matrix, ascending
  std::vector<int32_t> new_segments;  // its columns, ascending
  // (old_segments.size() + 1) × (new_segments.size() + 1), row-major: users per (old, new) segment; the last column
  // counts users who disappeared (only in the old file), the last row users who appeared (only in the new file).
  std::vector<int64_t> migration;
  int64_t old_users = 0, new_users = 0, both = 0;  // rows in each file, ids in both
  int64_t changed = 0;                             // in both with a different segment id
  int64_t appeared = 0, disappeared = 0;
  double changed_share = 0.0;        // changed / both
  double ari = 0.0;                  // adjusted Rand index over the users in both
  std::vector<SegmentShift> shifts;  // every segment of either file, ascending
  double psi_total = 0.0;            // Σ of the per-segment terms: PSI of the segment distribution
};

SegmentComparison segments_compare(const SegmentAssignments& before, const SegmentAssignments& after);

// migration.csv: `old_segment,<new id>...,disappeared,total`, then an `appeared` row; counts, or with shares each
// row divided by its total.
std::string migration_csv(const SegmentComparison& c, bool shares);
// segment_psi.csv: segment,old_users,new_users,old_share,new_share,psi,flag
std::string segment_psi_csv(const SegmentComparison& c);
nlohmann::json segment_comparison_json(const SegmentComparison& c, const std::string& before, const std::string& after);

}  // namespace kseg
