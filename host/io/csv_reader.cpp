#include "host/io/csv_reader.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <utility>

#include <fast_float/fast_float.h>

#include "host/error.hpp"
#include "host/io/csv_parse.hpp"
#include "host/io/csv_stream.hpp"
#include "host/io/short_decimal.hpp"
#include "host/io/text_encoding.hpp"

namespace kseg {

namespace {

// Scans at most this much input at a time when counting records, to bound the span buffer.
constexpr size_t count_scan_bytes = size_t{64} << 20;

}  // namespace

// Decompressed bytes read at first: the header is the first record of the window, which ends at a record boundary.
constexpr size_t kHeaderBytes = size_t{1} << 16;

CsvReader::CsvReader(std::string path, CsvOptions options) : path_(std::move(path)), options_(options) {
  format_ = input_format_detect(path_);
  if (format_ == InputFormat::other_compressed) input_format_check_supported(path_);  // throws, naming it
  if (format_ == InputFormat::csv_gzip || format_ == InputFormat::csv_zstd) {
    stream_header_parse();
    return;
  }
  format_ = InputFormat::csv;  // anything else is read as text (a damaged file fails as CSV, where it fails)
  file_.emplace(path_, /*sequential=*/true);
  header_parse(source());
}

CsvSource CsvReader::source() const {
  KSEG_EXPECTS(file_.has_value(), DataError, path_ + ": a compressed file has no mapped bytes");
  return {file_->data(), file_->size(), path_, options_.delimiter, delimiter_hint_};
}

void CsvReader::stream_header_parse() {
  CsvStreamWindow window(decompress_stream_open(path_, format_));
  const size_t cut = window.fill(0, kHeaderBytes, path_, 1);
  header_parse(CsvSource{window.data(), cut, path_, options_.delimiter, {}});
}

// A carriage return not followed by a line feed in the header record means lines end with CR alone (classic Mac OS):
// the whole file would read as one record.
void CsvReader::header_line_ends_check(const CsvSource& src, const CsvRecordSpan& rec) const {
  for (int64_t i = rec.begin; i < rec.end; ++i)
    if (src.data[i] == '\r' && (i + 1 >= static_cast<int64_t>(src.size) || src.data[i + 1] != '\n'))
      throw DataError(location_format(path_, rec.line, 0,
                                      "the lines end with a carriage return alone (classic Mac OS line endings); "
                                      "convert them to LF, e.g. tr '\\r' '\\n' < " +
                                          path_ + " > converted.csv"));
}

// Column names end up in model.json, which holds UTF-8 only, and in output headers: no control bytes either.
void CsvReader::header_name_check(const std::string& name, int64_t line, int column) const {
  const std::string problem = name_text_problem(name, path_);
  if (!problem.empty()) throw DataError(location_format(path_, line, column, "column name " + problem));
}

// src: the file's first bytes, ending at a record boundary (or the whole file).
void CsvReader::header_parse(const CsvSource& src) {
  size_t begin = 0;
  text_bom_check(std::string_view(src.data, std::min<size_t>(src.size, 4)), path_);
  if (src.size >= 3 && std::string_view(src.data, 3) == "\xEF\xBB\xBF") begin = 3;  // UTF-8 byte order mark
  std::vector<CsvRecordSpan> records;
  const CsvScanResult scan = csv_records_scan(src, begin, src.size, 1, 1, records);
  if (records.empty()) throw DataError(location_format(path_, 0, 0, "is empty: a header row is required"));
  const CsvRecordSpan& rec = records.front();
  header_line_ends_check(src, rec);
  std::vector<CsvFieldSpan> fields(static_cast<size_t>(csv_record_split(src, rec, nullptr, 0)));
  csv_record_split(src, rec, fields.data(), static_cast<int>(fields.size()));

  std::unordered_map<std::string, int> seen;
  for (size_t c = 0; c < fields.size(); ++c) {
    const std::string_view raw(src.data + rec.begin + fields[c].offset, fields[c].size_flags & CsvFieldSpan::size_mask);
    std::string name =
        (fields[c].size_flags & CsvFieldSpan::quoted_bit) != 0 ? csv_field_unescape(raw) : std::string(raw);
    const int column = static_cast<int>(c) + 1;
    header_name_check(name, rec.line, column);
    if (blanks_trim(name).empty()) {
      throw DataError(location_format(path_, rec.line, column, "empty column name; every column needs a name"));
    }
    const auto [it, inserted] = seen.emplace(name, column);
    if (!inserted) {
      throw DataError(location_format(
          path_, rec.line, column,
          "duplicate column name \"" + name + "\" (also column " + std::to_string(it->second) + "); rename one"));
    }
    header_.push_back(std::move(name));
  }
  data_begin_ = scan.next;
  data_line_ = scan.next_line;
  delimiter_hint_find(src, scan);
}

// A header read as one field that holds another common delimiter was most likely split with the wrong one: a
// ';'-separated file read with ',' (or the reverse). When the first data record splits by that delimiter into as
// many fields as the header, no one-column file looks like that: refused. Otherwise the hint is kept for the first
// row that fails to split (e.g. on a decimal comma). header_scan: where the header record ended.
void CsvReader::delimiter_hint_find(const CsvSource& src, const CsvScanResult& header_scan) {
  if (header_.size() != 1) return;
  const std::string& name = header_.front();
  for (const char d : {';', ',', '\t', '|'}) {
    if (d == options_.delimiter || name.find(d) == std::string::npos) continue;
    const std::string spelled = d == '\t' ? "tab" : "'" + std::string(1, d) + "'";  // --delimiter takes "tab"
    const std::string advice = "the file looks " + spelled + "-separated: add --delimiter " + spelled;
    delimiter_hint_ = "; the file looks " + spelled + "-separated (its header is one field holding " +
                      (d == '\t' ? "a tab" : spelled) + "): add --delimiter " + spelled;
    CsvSource by_d = src;
    by_d.delimiter = d;
    std::vector<CsvRecordSpan> records;
    if (header_scan.next < src.size)
      csv_records_scan(by_d, header_scan.next, src.size, 1, header_scan.next_line, records);
    const auto header_fields = static_cast<int>(std::count(name.begin(), name.end(), d)) + 1;
    bool same = false;
    try {
      same = !records.empty() && csv_record_split(by_d, records.front(), nullptr, 0) == header_fields;
    } catch (const DataError&) {  // not even well-formed with d: the hint is all there is to say
    }
    if (same)
      throw DataError(location_format(path_, 1, 1,
                                      "the header is one column " + text_quote(name) + " and line " +
                                          std::to_string(records.front().line) + " splits by " + spelled +
                                          " into as many fields: " + advice));
    return;
  }
}

int64_t CsvReader::records_count() {
  if (records_count_) return *records_count_;
  if (compressed()) {
    batches_for_each(size_t{16} << 20, 0, [](const CsvRecordBatch&) {});
    return *records_count_;
  }
  const CsvSource src = source();
  std::vector<CsvRecordSpan> records;
  int64_t count = 0;
  size_t pos = data_begin_;
  int64_t line = data_line_;
  while (pos < src.size) {
    records.clear();
    const CsvScanResult scan = csv_records_scan(src, pos, src.size, count_scan_bytes, line, records);
    // A quote left open never tokenises: splitting the record reports where it opened.
    if (scan.quote_open) csv_record_split(src, records.back(), nullptr, 0);
    count += static_cast<int64_t>(records.size());
    pos = scan.next;
    line = scan.next_line;
  }
  records_count_ = count;
  return count;
}

void CsvReader::batches_for_each(size_t batch_bytes, int n_threads,
                                 const std::function<void(const CsvRecordBatch&)>& fn) {
  int64_t records = 0;
  const size_t end = compressed() ? SIZE_MAX : file_->size();
  range_for_each(data_begin_, end, data_line_, 0, batch_bytes, n_threads, [&](const CsvRecordBatch& batch) {
    records += batch.n_records;
    fn(batch);
  });
  records_count_ = records;
}

void CsvReader::range_for_each(size_t begin, size_t end, int64_t line, int64_t first_record, size_t batch_bytes,
                               int n_threads, const std::function<void(const CsvRecordBatch&)>& fn) const {
  if (n_threads <= 0) n_threads = omp_get_max_threads();
  const int n_fields = static_cast<int>(header_.size());
  if (compressed()) {
    CsvStreamWindow window(decompress_stream_open(path_, format_));
    CsvStreamPass pass;
    pass.data_begin = static_cast<int64_t>(data_begin_);
    pass.data_line = data_line_;
    pass.range_begin = static_cast<int64_t>(begin);
    pass.range_end = end >= static_cast<size_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(end);
    pass.first_record = first_record;
    csv_stream_for_each(window, CsvSource{nullptr, 0, path_, options_.delimiter, delimiter_hint_}, pass, batch_bytes,
                        n_fields, n_threads, fn);
    return;
  }
  const CsvSource src = source();
  CsvRecordBatch batch;  // reused: its buffers keep their capacity from batch to batch
  size_t pos = begin;
  while (pos < end) {
    const CsvScanResult scan = csv_range_parse(src, pos, end, batch_bytes, line, n_fields, n_threads, batch);
    batch.first_record = first_record;
    batch.input_bytes_read = static_cast<int64_t>(scan.next);
    if (batch.n_records > 0) fn(batch);
    // The batch's values have been copied out (numbers, levels, ids): its bytes need not stay resident, so a file
    // read once costs page cache, not the process's memory.
    file_->pages_release(pos, scan.next);
    first_record += batch.n_records;
    pos = scan.next;
    line = scan.next_line;
  }
}

int64_t CsvReader::decompressed_size() {
  if (!compressed()) return static_cast<int64_t>(file_->size());
  if (!decompressed_size_) {
    const std::unique_ptr<DecompressStream> in = decompress_stream_open(path_, format_);
    std::vector<char> buffer(size_t{1} << 20);
    int64_t size = 0;
    for (size_t got; (got = in->read(buffer.data(), buffer.size())) > 0;) size += static_cast<int64_t>(got);
    decompressed_size_ = size;
  }
  return *decompressed_size_;
}

CsvNumber csv_number_classify(std::string_view text, float& value) {
  text = blanks_trim(text);
  if (text.empty()) return CsvNumber::text;
  if (short_decimal_parse(text, value)) return CsvNumber::finite;
  const char* end = text.data() + text.size();
  const fast_float::from_chars_result result = fast_float::from_chars(text.data(), end, value);
  if (result.ptr != end || (result.ec != std::errc() && result.ec != std::errc::result_out_of_range))
    return CsvNumber::text;
  return result.ec == std::errc() && std::isfinite(value) ? CsvNumber::finite : CsvNumber::non_finite;
}

bool csv_float_try_parse(std::string_view text, float& value) {
  return csv_number_classify(text, value) == CsvNumber::finite;
}

std::string csv_number_problem(std::string_view text) {
  const std::string_view trimmed = blanks_trim(text);
  if (trimmed.empty()) return "empty value";
  const std::string quoted = text_quote(text);
  float value = 0.0f;
  const char* end = trimmed.data() + trimmed.size();
  const fast_float::from_chars_result result = fast_float::from_chars(trimmed.data(), end, value);
  if (result.ptr != end || (result.ec != std::errc() && result.ec != std::errc::result_out_of_range))
    return quoted + " is not a number";
  if (std::isnan(value) || trimmed.find_first_of("iI") != std::string_view::npos)
    return quoted + " is not a finite number (NaN and infinity are not allowed)";
  if (result.ec == std::errc::result_out_of_range || std::isinf(value))
    return quoted + " is outside the float range (float overflow)";
  return "";
}

float csv_float_parse(std::string_view text, const std::string& file, int64_t line, int column,
                      const std::string& column_name) {
  float value = 0.0f;
  if (csv_float_try_parse(text, value)) return value;
  throw DataError(location_format(file, line, column, "column \"" + column_name + "\": " + csv_number_problem(text)));
}

}  // namespace kseg
