// Rewriting report.html as a call: from a directory's profiles.json (and sweep.json, and the tree of a --hierarchy
// model.json beside them), e.g. after renaming segments in a names file. Reads no user data. The kseg report
// command, the Python package and C++ callers all run this.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "host/report/k_sweep.hpp"
#include "host/report/profiles.hpp"

namespace kseg {

struct ReportRequest {
  std::string dir;            // holds profiles.json (the --out of kseg fit, sweep or profile)
  std::string sweep;          // sweep.json, or a directory holding one ("" = dir/sweep.json where it exists)
  std::string segment_names;  // CSV segment,name replacing the names in profiles.json, "" = none
  std::string out;            // the report to write ("" = dir/report.html)
  bool quiet = false;         // no notices, no listing
};

// Every check of a request that needs no data, before any work (UsageError).
void report_request_validate(const ReportRequest& request);

struct ReportProducts {
  Profiles profiles;                 // from profiles.json, renamed by segment_names
  std::optional<SweepResult> sweep;  // from sweep.json, where there is one
  std::string tree_section;          // the tree of a --hierarchy model.json in dir, as HTML ("" = none)
  std::string source;                // what produced the report, shown in it
  std::string target;                // the report's path
};

// Validates and reads what the report shows: DataError when dir has no profiles.json or --sweep does not exist.
ReportProducts report_contents_load(const ReportRequest& request);

// Writes products.target atomically, keeping the migration section (kseg compare's) and campaign section (kseg
// measure's) of the report it replaces; notices about those on notices unless quiet.
void report_products_write(const ReportProducts& products, std::ostream& notices, bool quiet);

}  // namespace kseg
