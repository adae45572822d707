// A batch of tokenised CSV records: views into the mapped file, so a batch costs 8 bytes per field, not a copy.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kseg {

// Where one record lies in the file. [begin, end) excludes the line terminator (LF or CRLF).
struct CsvRecordSpan {
  int64_t begin = 0;
  int64_t end = 0;
  int64_t line = 0;         // 1-based physical line where the record starts
  bool multi_line = false;  // a quoted field holds a line break: its fields start on later lines
};

// Where one field lies inside its record, packed because a batch holds millions of them.
struct CsvFieldSpan {
  static constexpr uint32_t quoted_bit = 1u << 30;   // the field is enclosed in quotes
  static constexpr uint32_t escaped_bit = 1u << 31;  // quoted and contains "" (unescaped text is stored apart)
  static constexpr uint32_t size_mask = quoted_bit - 1;
  uint32_t offset = 0;      // first raw byte, counted from the record's begin
  uint32_t size_flags = 0;  // raw size in bytes | quoted_bit | escaped_bit
};

// The unescaped text of a field that contained "", at flat index r * n_fields + c of its batch.
struct CsvEscapedField {
  int64_t index = 0;
  std::string text;
};

// A batch of consecutive data records (header excluded).
struct CsvRecordBatch {
  int64_t first_record = 0;  // 0-based index of the first record of the batch among all data records
  int64_t n_records = 0;
  int n_fields = 0;  // = header().size()
  // Bytes of the input file read through this batch (progress lines): a plain file's offset after its last record;
  // the compressed bytes a gzip or Zstandard file's decompression has read (a little ahead of the batch).
  int64_t input_bytes_read = 0;

  // Unescaped text: surrounding quotes removed, "" -> ".
  std::string_view field(int64_t r, int c) const {
    const CsvFieldSpan& f = fields[static_cast<size_t>(r * n_fields + c)];
    if ((f.size_flags & CsvFieldSpan::escaped_bit) != 0) return escaped_text(r * n_fields + c);
    std::string_view raw = field_raw(r, c);
    if ((f.size_flags & CsvFieldSpan::quoted_bit) != 0) raw = raw.substr(1, raw.size() - 2);
    return raw;
  }
  // The bytes exactly as in the file (quotes kept), to pass ids through byte for byte.
  std::string_view field_raw(int64_t r, int c) const {
    const CsvFieldSpan& f = fields[static_cast<size_t>(r * n_fields + c)];
    return {data + records[static_cast<size_t>(r)].begin + f.offset, f.size_flags & CsvFieldSpan::size_mask};
  }
  // 1-based physical line number where record r starts (the header is line 1).
  int64_t line(int64_t r) const { return records[static_cast<size_t>(r)].line; }
  // 1-based physical line where field c of record r starts: later than line(r) when an earlier quoted field of the
  // record holds line breaks (for error messages).
  int64_t field_line(int64_t r, int c) const {
    // Counted only in a record of several lines: a count per cell made wide tables quadratic in their columns.
    if (!records[static_cast<size_t>(r)].multi_line) return line(r);
    const char* begin = data + records[static_cast<size_t>(r)].begin;
    const CsvFieldSpan& f = fields[static_cast<size_t>(r * n_fields + c)];
    return line(r) + std::count(begin, begin + f.offset, '\n');
  }

  // Storage, filled by csv_range_parse.
  const char* data = nullptr;            // the mapped file
  std::vector<CsvRecordSpan> records;    // n_records
  std::vector<CsvFieldSpan> fields;      // n_records × n_fields, record-major
  std::vector<CsvEscapedField> escaped;  // sorted by index

 private:
  std::string_view escaped_text(int64_t index) const;
};

}  // namespace kseg
