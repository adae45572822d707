// The CSV parsing core, separate from the reader so that a caller (e.g. one MPI rank) can parse any byte range
// that starts at a record boundary: a sequential quote-aware scan finds records, then they are tokenised in parallel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "host/io/csv_record_batch.hpp"

namespace kseg {

// The bytes being parsed and how to name them in errors.
struct CsvSource {
  const char* data = nullptr;  // the whole file
  size_t size = 0;
  std::string_view file;  // path used in error messages
  char delimiter = ',';
  std::string_view field_count_hint;  // appended to a field-count error, e.g. the delimiter the header suggests
};

// Where a scan stopped: the next record boundary and its physical line.
struct CsvScanResult {
  size_t next = 0;
  int64_t next_line = 0;
  bool quote_open = false;  // a quote was still open at `end`: the last record found is malformed
};

// Appends the records of [begin, end) to out, begin being a record boundary on physical line `line`; stops after the
// first record that reaches begin + max_bytes (at least one record when any remains). Blank lines are skipped.
CsvScanResult csv_records_scan(const CsvSource& src, size_t begin, size_t end, size_t max_bytes, int64_t line,
                               std::vector<CsvRecordSpan>& out);

// Splits one record into fields, writing the first max_fields spans to out; returns the number of fields found.
// Throws DataError at file:line:field for an unterminated quote, a stray quote or text after a closing quote.
int csv_record_split(const CsvSource& src, const CsvRecordSpan& rec, CsvFieldSpan* out, int max_fields);

// text without the spaces and tabs around it: the blanks a cell may carry around a number or a missing-value
// spelling.
inline std::string_view blanks_trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The text of a quoted raw field: surrounding quotes removed, "" -> ".
std::string csv_field_unescape(std::string_view raw);

// Parses records from [begin, end) into batch (reset first, first_record left to the caller) as csv_records_scan
// delimits them, tokenising with n_threads OpenMP threads. Throws DataError for malformed or ragged records.
CsvScanResult csv_range_parse(const CsvSource& src, size_t begin, size_t end, size_t max_bytes, int64_t line,
                              int n_fields, int n_threads, CsvRecordBatch& batch);

// Quote characters and line feeds in [begin, end): with an exclusive prefix of these counts over the pieces of a
// file, each piece knows whether it starts inside a quoted field (an odd number of quotes before it) and on which
// physical line, without one process scanning the whole file (RFC 4180: quotes only open, close or double up).
struct CsvByteCounts {
  int64_t quotes = 0;
  int64_t newlines = 0;
};
CsvByteCounts csv_bytes_count(const CsvSource& src, size_t begin, size_t end);

// The first record boundary at or after pos (a byte that follows a line feed outside quotes), given whether pos lies
// inside a quoted field; src.size when none. Adds the line feeds between pos and the boundary to newlines.
size_t csv_boundary_next(const CsvSource& src, size_t pos, bool in_quotes, int64_t& newlines);

}  // namespace kseg
