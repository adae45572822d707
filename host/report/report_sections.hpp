// Sections that other commands draw into report.html between two comment markers (kseg compare's migration,
// kseg measure's campaign): found, replaced or inserted, and carried over when `kseg report` or `kseg profile`
// rewrite the page.
#pragma once

#include <iosfwd>
#include <string>

namespace kseg {

struct MarkedSection {
  const char* begin;  // e.g. "<!-- kseg:campaign -->"
  const char* end;    // e.g. "<!-- /kseg:campaign -->"
  const char* name;   // e.g. "campaign", for messages
};

// The section, markers included; "" when the page has none. DataError naming where for a begin marker without end.
std::string marked_section_find(const std::string& html, const MarkedSection& marks, const std::string& where);

// The page with the section replaced by section (or, in a page without one, inserted before </main>).
// DataError naming where when the page is not a kseg report.
std::string marked_section_replace(const std::string& html, const MarkedSection& marks, const std::string& section,
                                   const std::string& where);

// The section of the report at path, to carry into a page that replaces it: "" when there is no such file or
// section; a damaged section is dropped with a notice on `notices` (unless quiet).
std::string marked_section_kept(const std::string& path, const MarkedSection& marks, bool quiet, std::ostream& notices);

// Reads the report at path, replaces the section and writes the page atomically (temporary file + rename) to target,
// or back to path when target is empty (a command publishing a staged output set writes into its staging copy).
void report_section_write(const std::string& path, const MarkedSection& marks, const std::string& section,
                          const std::string& target = "");

}  // namespace kseg
