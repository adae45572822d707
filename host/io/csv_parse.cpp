#include "host/io/csv_parse.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <iterator>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "host/error.hpp"

namespace kseg {

namespace {

const char* byte_find(const char* begin, const char* end, char c) {
  const void* p = std::memchr(begin, c, static_cast<size_t>(end - begin));
  return p == nullptr ? end : static_cast<const char*>(p);
}

// Throws a DataError at the physical line of `at` (inside record rec) and 1-based field number `field`.
[[noreturn]] void record_error_throw(const CsvSource& src, const CsvRecordSpan& rec, const char* at, int field,
                                     const std::string& message) {
  const char* begin = src.data + rec.begin;
  const int64_t line = rec.line + std::count(begin, at, '\n');
  throw DataError(location_format(std::string(src.file), line, field, message));
}

// Moves p past the quoted field opening at `open`; returns the field's flags. Throws for a quote left open.
uint32_t quoted_field_skip(const CsvSource& src, const CsvRecordSpan& rec, const char* open, const char*& p,
                           int field) {
  const char* end = src.data + rec.end;
  uint32_t flags = CsvFieldSpan::quoted_bit;
  p = open + 1;
  for (;;) {
    const char* q = byte_find(p, end, '"');
    if (q == end)
      record_error_throw(src, rec, open, field, "unterminated quoted field: the quote opened here is never closed");
    if (q + 1 < end && q[1] == '"') {
      flags |= CsvFieldSpan::escaped_bit;
      p = q + 2;
      continue;
    }
    p = q + 1;
    return flags;
  }
}

}  // namespace

std::string_view CsvRecordBatch::escaped_text(int64_t index) const {
  const auto it = std::lower_bound(escaped.begin(), escaped.end(), index,
                                   [](const CsvEscapedField& e, int64_t i) { return e.index < i; });
  return it->text;
}

CsvScanResult csv_records_scan(const CsvSource& src, size_t begin, size_t end, size_t max_bytes, int64_t line,
                               std::vector<CsvRecordSpan>& out) {
  const char* const data = src.data;
  const char* const stop = data + end;
  const size_t n_before = out.size();
  size_t pos = begin;
  bool quote_open = false;
  while (pos < end && !quote_open && (out.size() == n_before || pos - begin < max_bytes)) {
    const CsvRecordSpan record{static_cast<int64_t>(pos), 0, line};
    const char* p = data + pos;
    const char* nl = byte_find(p, stop, '\n');
    // Skip quoted sections: a newline inside quotes does not end the record but does start a physical line.
    for (const char* q = byte_find(p, nl, '"'); q != nl; q = byte_find(p, nl, '"')) {
      const char* close = byte_find(q + 1, stop, '"');
      if (close == stop) {
        quote_open = true;
        nl = stop;
        break;
      }
      p = close + 1;
      if (close > nl) {
        line += std::count(nl, close, '\n');
        nl = byte_find(p, stop, '\n');
      }
    }
    const char* record_end = nl;
    if (nl != stop) ++line;
    pos = nl == stop ? end : static_cast<size_t>(nl - data) + 1;
    if (!quote_open && record_end > data + record.begin && record_end[-1] == '\r') --record_end;
    if (record_end == data + record.begin) continue;  // a blank line is not a record
    // Line breaks inside quotes: its fields may start on later lines.
    const bool multi_line = line - (nl != stop ? 1 : 0) != record.line;
    out.push_back({record.begin, record_end - data, record.line, multi_line});
  }
  return {pos, line, quote_open};
}

namespace {

// The fields of a record without quotes (nearly every record of a typical export): delimiters are found 16 bytes at a
// time. Returns the number of fields as csv_record_split does, or -1 when the record holds a quote or a field too
// long for a span, which the general loop then parses (and reports).
int unquoted_record_split(const char* begin, const char* end, char delimiter, CsvFieldSpan* out, int max_fields) {
  int n = 0;
  const char* field = begin;
  const auto field_end = [&](const char* at) {
    const auto size = static_cast<size_t>(at - field);
    if (size > CsvFieldSpan::size_mask) return false;
    if (n < max_fields) out[n] = {static_cast<uint32_t>(field - begin), static_cast<uint32_t>(size)};
    ++n;
    field = at + 1;
    return true;
  };
  const char* p = begin;
#if defined(__SSE2__)
  const __m128i delimiters = _mm_set1_epi8(delimiter), quotes = _mm_set1_epi8('"');
  for (; end - p >= 16; p += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, quotes)) != 0) return -1;
    for (auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, delimiters))); mask != 0;
         mask &= mask - 1)
      if (!field_end(p + __builtin_ctz(mask))) return -1;
  }
#endif
  for (; p < end; ++p) {
    if (*p == '"') return -1;
    if (*p == delimiter && !field_end(p)) return -1;
  }
  return field_end(end) ? n : -1;
}

}  // namespace

int csv_record_split(const CsvSource& src, const CsvRecordSpan& rec, CsvFieldSpan* out, int max_fields) {
  const char* const begin = src.data + rec.begin;
  const char* const end = src.data + rec.end;
  const char delimiter = src.delimiter;
  if (end - begin > static_cast<ptrdiff_t>(UINT32_MAX)) {
    record_error_throw(src, rec, begin, 1, "record longer than 4 GiB; is a quote left open?");
  }
  if (delimiter != '"') {
    const int fields = unquoted_record_split(begin, end, delimiter, out, max_fields);
    if (fields >= 0) return fields;
  }
  int n = 0;
  for (const char* p = begin;; ++p) {
    const char* field = p;
    uint32_t flags = 0;
    if (p < end && *p == '"') {
      flags = quoted_field_skip(src, rec, field, p, n + 1);
      if (p < end && *p != delimiter) {
        record_error_throw(src, rec, p, n + 1,
                           std::string("unexpected character '") + *p +
                               "' after a closing quote; a quoted field must end at a delimiter");
      }
    } else {
      while (p < end && *p != delimiter) {
        if (*p == '"') {
          record_error_throw(src, rec, p, n + 1,
                             "quote inside an unquoted field; quote the whole field and double the inner quotes");
        }
        ++p;
      }
    }
    const auto size = static_cast<uint32_t>(p - field);
    if (size > CsvFieldSpan::size_mask) record_error_throw(src, rec, field, n + 1, "field longer than 1 GiB");
    if (n < max_fields) out[n] = {static_cast<uint32_t>(field - begin), size | flags};
    ++n;
    if (p == end) return n;
  }
}

std::string csv_field_unescape(std::string_view raw) {
  std::string text;
  text.reserve(raw.size());
  for (size_t i = 1; i + 1 < raw.size(); ++i) {
    text += raw[i];
    if (raw[i] == '"') ++i;  // the second quote of a "" pair
  }
  return text;
}

namespace {

// Tokenises records [r_begin, r_end) of batch, collecting the unescaped text of fields that contained "".
void records_split(const CsvSource& src, int n_fields, int64_t r_begin, int64_t r_end, CsvRecordBatch& batch,
                   std::vector<CsvEscapedField>& escaped) {
  for (int64_t r = r_begin; r < r_end; ++r) {
    const CsvRecordSpan& rec = batch.records[static_cast<size_t>(r)];
    CsvFieldSpan* fields = batch.fields.data() + r * n_fields;
    const int found = csv_record_split(src, rec, fields, n_fields);
    if (found != n_fields) {
      // Point at the first field out of place: the first extra one, or the first missing one.
      const std::string message = "expected " + std::to_string(n_fields) + " fields, found " + std::to_string(found) +
                                  std::string(src.field_count_hint);
      throw DataError(location_format(std::string(src.file), rec.line, std::min(found, n_fields) + 1, message));
    }
    for (int c = 0; c < n_fields; ++c) {
      if ((fields[c].size_flags & CsvFieldSpan::escaped_bit) == 0) continue;
      const std::string_view raw(src.data + rec.begin + fields[c].offset,
                                 fields[c].size_flags & CsvFieldSpan::size_mask);
      escaped.push_back({r * n_fields + c, csv_field_unescape(raw)});
    }
  }
}

}  // namespace

CsvScanResult csv_range_parse(const CsvSource& src, size_t begin, size_t end, size_t max_bytes, int64_t line,
                              int n_fields, int n_threads, CsvRecordBatch& batch) {
  batch.records.clear();
  batch.escaped.clear();
  const CsvScanResult scan = csv_records_scan(src, begin, end, max_bytes, line, batch.records);
  const auto n = static_cast<int64_t>(batch.records.size());
  batch.data = src.data;
  batch.n_records = n;
  batch.n_fields = n_fields;
  batch.fields.resize(static_cast<size_t>(n * n_fields));

  // A few chunks per thread balance records of uneven length; errors are kept per chunk so the first is reported.
  n_threads = std::max(1, n_threads);
  const int64_t n_chunks = std::min<int64_t>(n, int64_t{n_threads} * 4);
  std::vector<std::vector<CsvEscapedField>> escaped(static_cast<size_t>(n_chunks));
  std::vector<std::exception_ptr> errors(static_cast<size_t>(n_chunks));
#pragma omp parallel for num_threads(n_threads) schedule(dynamic, 1)
  for (int64_t c = 0; c < n_chunks; ++c) {
    try {
      records_split(src, n_fields, c * n / n_chunks, (c + 1) * n / n_chunks, batch, escaped[static_cast<size_t>(c)]);
    } catch (...) {
      errors[static_cast<size_t>(c)] = std::current_exception();
    }
  }
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  for (std::vector<CsvEscapedField>& chunk : escaped) {
    std::move(chunk.begin(), chunk.end(), std::back_inserter(batch.escaped));
  }
  return scan;
}

CsvByteCounts csv_bytes_count(const CsvSource& src, size_t begin, size_t end) {
  CsvByteCounts counts;
  const char* const data = src.data;
  for (size_t i = begin; i < end; ++i) {  // vectorised by the compiler: two compares per byte
    counts.quotes += data[i] == '"';
    counts.newlines += data[i] == '\n';
  }
  return counts;
}

size_t csv_boundary_next(const CsvSource& src, size_t pos, bool in_quotes, int64_t& newlines) {
  if (pos == 0 || pos >= src.size) return std::min(pos, src.size);
  if (!in_quotes && src.data[pos - 1] == '\n') return pos;  // pos already starts a record
  for (size_t i = pos; i < src.size; ++i) {
    const char c = src.data[i];
    if (c == '"') in_quotes = !in_quotes;
    if (c != '\n') continue;
    ++newlines;
    if (!in_quotes) return i + 1;
  }
  return src.size;
}

}  // namespace kseg
