// report.html's migration section (kseg compare): who moved between two segmentations, as a heatmap of old × new
// segments shaded by the share of each old segment, with the headline numbers and each segment's PSI. The section
// sits between two comment markers, so a later compare replaces it and `kseg report` keeps it.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>

#include "host/dynamics/segments_compare.hpp"

namespace kseg {

extern const char* const kMigrationBegin;  // "<!-- kseg:migration -->"
extern const char* const kMigrationEnd;    // "<!-- /kseg:migration -->"

struct MigrationInput {
  const SegmentComparison* comparison = nullptr;  // required
  std::map<int32_t, std::string> names;           // segment id → name, where known
  std::string before, after;                      // the two segment files, as given to kseg compare
};

// The heatmap: a row per old segment plus "appeared", a column per new segment plus "disappeared"; every cell a
// <rect> with data-old, data-new, data-count and data-share (of its row), its share and count written in it.
std::string svg_migration_heatmap(const MigrationInput& input);

// The whole section, markers included. Deterministic.
std::string migration_section_html(const MigrationInput& input);

// A report page's migration section, markers included; "" when it has none. DataError naming where for a begin
// marker without its end.
std::string migration_section_find(const std::string& html, const std::string& where);

// The migration section of the report at path, to carry into a page that replaces it: "" when there is no such file
// or section; a damaged section is dropped with a notice on `notices` (unless quiet).
std::string migration_section_kept(const std::string& path, bool quiet, std::ostream& notices);

// The page with its migration section replaced by section (or, in a page without one, inserted before </main>).
// DataError naming where when the page is not a kseg report.
std::string migration_section_replace(const std::string& html, const std::string& section, const std::string& where);

// Reads the report at path, replaces its migration section and writes it back atomically (temporary file + rename),
// or to target when given (a staged output set).
void report_migration_write(const std::string& path, const std::string& section, const std::string& target = "");

}  // namespace kseg
