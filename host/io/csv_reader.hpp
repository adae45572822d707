// A fast RFC 4180 CSV reader delivering records in batches tokenised in parallel: over a memory-mapped file, or over
// the decompressed stream of a gzip or Zstandard file (detected by its magic bytes, whatever its name).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/io/csv_parse.hpp"
#include "host/io/csv_record_batch.hpp"
#include "host/io/input_format.hpp"
#include "host/io/mapped_file.hpp"

namespace kseg {

struct CsvOptions {
  char delimiter = ',';  // field separator; default ','
};

class CsvReader {
 public:
  // Opens path (maps a plain file; starts decompressing a gzip or Zstandard one) and parses the header row
  // (required). Throws DataError for an unreadable or empty file, for empty, whitespace-only or duplicate column
  // names, for a truncated or corrupt compressed stream, and for a compression kseg does not read (bzip2, xz, zip).
  explicit CsvReader(std::string path, CsvOptions options = {});

  const std::string& path() const { return path_; }
  // Unescaped column names.
  const std::vector<std::string>& header() const { return header_; }
  // Number of data records (quote-aware, blank lines excluded); counted once, then cached (a compressed file is
  // decompressed and parsed for it: prefer counting the batches of a pass that is needed anyway).
  int64_t records_count();
  // Calls fn for consecutive batches covering the whole file in order, each about batch_bytes of input (cut at record
  // boundaries); within a batch, records are tokenised with n_threads OpenMP threads (<= 0: OpenMP's default).
  // A file without data records makes no call. Throws DataError for malformed or ragged records.
  void batches_for_each(size_t batch_bytes, int n_threads, const std::function<void(const CsvRecordBatch&)>& fn);
  // The same over the records that start in [begin, end) (a record boundary on physical line `line`, e.g. one
  // process's range from csv_range_split); batch.first_record counts from first_record. A compressed file is
  // decompressed from its start (positions count decompressed bytes): its records are those from the first record
  // boundary at or after begin up to the first at or after end, and `line` is not needed (the lines are counted).
  void range_for_each(size_t begin, size_t end, int64_t line, int64_t first_record, size_t batch_bytes, int n_threads,
                      const std::function<void(const CsvRecordBatch&)>& fn) const;

  // A gzip or Zstandard file: read as a stream, so source() is unavailable and a byte range needs decompressed_size().
  bool compressed() const { return format_ != InputFormat::csv; }
  // The decompressed size in bytes (a compressed file is decompressed once to count them, then cached).
  int64_t decompressed_size();
  // The mapped bytes of a plain file (not for compressed files).
  CsvSource source() const;
  size_t data_begin() const { return data_begin_; }  // first byte after the header record
  int64_t data_line() const { return data_line_; }   // physical line of data_begin()

 private:
  void header_parse(const CsvSource& src);
  void stream_header_parse();
  void header_line_ends_check(const CsvSource& src, const CsvRecordSpan& header) const;
  void header_name_check(const std::string& name, int64_t line, int column) const;
  void delimiter_hint_find(const CsvSource& src, const CsvScanResult& header_scan);

  std::string path_;
  CsvOptions options_;
  InputFormat format_ = InputFormat::csv;
  std::optional<MappedFile> file_;  // a plain file; none for a compressed one
  std::optional<int64_t> decompressed_size_;
  std::vector<std::string> header_;
  std::string delimiter_hint_;  // for a one-field header holding another common delimiter: which to use
  size_t data_begin_ = 0;       // first byte after the header record
  int64_t data_line_ = 0;       // physical line of data_begin_
  std::optional<int64_t> records_count_;
};

// Parses a numeric cell with fast_float (leading/trailing spaces allowed). Throws DataError located at
// file:line:column naming the column, e.g. `users.csv:17:3: column "orders": "abc" is not a number`.
// Rejects empty cells ("empty value"), NaN/Inf, and values outside float range (float overflow).
float csv_float_parse(std::string_view text, const std::string& file, int64_t line, int column,
                      const std::string& column_name);
// What a cell holds: a finite float; a number that is not one (nan, inf, or beyond float range such as 1e400); text.
enum class CsvNumber { finite, non_finite, text };
CsvNumber csv_number_classify(std::string_view text, float& value);
// The same without throwing: returns false when text is not a finite float (used for schema inference).
bool csv_float_try_parse(std::string_view text, float& value);
// Why text is not a finite float, for a message: "empty value", "\"abc\" is not a number", "\"inf\" is not a finite
// number (...)", "\"1e400\" is outside the float range (float overflow)"; "" when it is one.
std::string csv_number_problem(std::string_view text);

}  // namespace kseg
