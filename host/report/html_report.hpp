// report.html: one self-contained page (inline CSS and SVG; no scripts, fonts or network) that explains the
// segments: sizes, a segments × features heatmap, a card per segment, the fairness audit, the sweep's curves, and
// the migration from an earlier segmentation when kseg compare wrote one (host/report/migration_report.hpp).
#pragma once

#include <string>

#include "host/report/k_sweep.hpp"
#include "host/report/profiles.hpp"

namespace kseg {

struct ReportInput {
  std::string source;                  // what produced it, e.g. "kseg fit users.csv --k 6"
  const Profiles* profiles = nullptr;  // the segments (required)
  const SweepResult* sweep = nullptr;  // the sweep, when one ran
  std::string migration = {};          // kseg compare's section, markers included (kept across rewrites); "" = none
  std::string tree = {};               // a --hierarchy fit's tree section (host/report/tree_report.hpp); "" = none
};

// The page as XHTML-style text: every element closed, attributes quoted, text escaped. Deterministic.
// Cells holding profile numbers carry data-segment, data-feature and data-value (the shortest round-trip double,
// as in profiles.csv), so the page can be checked against the files.
std::string report_html(const ReportInput& input);

// Writes report_html atomically.
void report_write(const std::string& path, const ReportInput& input);

}  // namespace kseg
