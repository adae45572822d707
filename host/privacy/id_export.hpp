// How ids leave kseg: as read, or as keyed pseudonyms; and where warnings about them (duplicates) go.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

namespace kseg {

struct IdExport {
  bool hash_ids = false;             // --hash-ids: replace every exported id by a keyed pseudonym; default off
  std::string hash_key_file;         // --hash-key-file: file holding the key (else KSEG_HASH_KEY); default none
  std::string hash_key;              // the key bytes, resolved from the file or the environment; never from argv
  std::ostream* warnings = nullptr;  // duplicate / non-UTF-8 id warnings at commit; nullptr: not reported
  bool csv_safe = false;  // --csv-safe-ids: ids a spreadsheet would run as formulas written as text; default off
};

// Whether a spreadsheet opening the CSV would take the id for a formula: it starts with =, +, -, @, a tab or a CR
// (OWASP, "CSV Injection").
inline bool id_formula_like(std::string_view value) {
  return !value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' ||
                            value[0] == '\t' || value[0] == '\r');
}

// The id as OWASP recommends for CSV exports: a single quote in front (spreadsheets show the text, run nothing),
// the whole field quoted with quotes doubled.
inline void id_csv_safe_append(std::string_view value, std::string& out) {
  out += "\"'";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace kseg
