// Comparing two segmentations as a call: who moved between two segment files of (mostly) the same users —
// migration counts and shares, adjusted Rand index, the segment mix's PSI — and the migration chart drawn into the
// reports beside them. The kseg compare command, the Python package and C++ callers all run this.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "host/dynamics/segments_compare.hpp"

namespace kseg {

class OutputSet;

struct CompareRequest {
  std::string before;               // the earlier segments file (id,segment[,distance])
  std::string after;                // the later one, same ids where the users are the same
  std::string out_dir = "compare";  // where compare_products_write puts the set (front ends' default)
  char delimiter = ',';             // CSV field separator of both files
  bool quiet = false;               // no notices
};

// Every check of a request that needs no data, before any work (UsageError).
void compare_request_validate(const CompareRequest& request);

struct CompareProducts {
  SegmentComparison comparison;
  std::string before, after;  // the two files, as the request gave them (shown in compare.json and the chart)
};

// Validates, reads both files and compares them (DataError naming file:line for a malformed file).
CompareProducts segment_files_compare(const CompareRequest& request);

// migration.csv, migration_shares.csv, segment_psi.csv and compare.json staged in set and published at once; the
// migration chart drawn into the report.html files that exist in set's directory (as part of the set) and beside
// the later segments file (after the publish), with segment names from the profiles.json beside either file.
// Returns the reports drawn into; notices (unreadable names) on notices unless quiet.
std::vector<std::string> compare_products_write(const CompareProducts& products, OutputSet& set, std::ostream& notices,
                                                bool quiet);

}  // namespace kseg
