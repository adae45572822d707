#include "host/events/event_scan.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include <fast_float/fast_float.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "host/error.hpp"
#include "host/events/event_time.hpp"
#include "host/io/short_decimal.hpp"

namespace kseg {

namespace {

// Bit i set: byte at + i is the delimiter, a line feed or a quote. Reads 64 bytes; near the end of the data the
// bytes past it read as zeros (a zero byte is none of the three: the scan refuses a zero delimiter).
uint64_t structurals_find(const char* data, size_t size, size_t at, char delimiter) {
  alignas(16) char tail[64];
  const char* p = data + at;
  if (size - at < 64) {
    std::memset(tail, 0, sizeof(tail));
    std::memcpy(tail, p, size - at);
    p = tail;
  }
  uint64_t mask = 0;
#if defined(__SSE2__)
  const __m128i d = _mm_set1_epi8(delimiter), n = _mm_set1_epi8('\n'), q = _mm_set1_epi8('"');
  for (int k = 0; k < 4; ++k) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, d), _mm_cmpeq_epi8(b, n)), _mm_cmpeq_epi8(b, q));
    mask |= uint64_t{static_cast<uint32_t>(_mm_movemask_epi8(hit))} << (16 * k);
  }
#else
  for (int i = 0; i < 64; ++i) mask |= uint64_t{p[i] == delimiter || p[i] == '\n' || p[i] == '"'} << i;
#endif
  return mask;
}

// The first record boundary (a byte after a line feed) at or after at; size when none.
size_t line_start_next(const char* data, size_t size, size_t at) {
  if (at >= size) return size;
  if (at == 0 || data[at - 1] == '\n') return at;
  const void* nl = std::memchr(data + at, '\n', size - at);
  return nl == nullptr ? size : static_cast<size_t>(static_cast<const char*>(nl) - data) + 1;
}

// Windows (from the first record to the last byte read) over this many bytes go to the tokenizer: a span's offsets
// are 32-bit, and a field over 1 GiB is the tokenizer's error to report.
constexpr size_t kWindowBytesMax = size_t{1} << 30;

// The bits set in x. In SWAR steps, inline: a portable build has no POPCNT instruction, and __builtin_popcountll
// called libgcc once per 64 bytes (1.4% of a build).
inline int bits_count(uint64_t x) {
  x -= (x >> 1) & 0x5555555555555555ull;
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
  return static_cast<int>((x * 0x0101010101010101ull) >> 56);
}

// Appends the places of mask's bits (base + bit, from a chunk's first byte) to out[n...], 8 at a time without a
// branch per place (a block of 64 bytes rarely holds more than 8 structurals): the writes past the count are
// overwritten by the next block's. out needs room for 64 more than n. Bit 63 guards the emptied mask (its trailing
// zeros are then defined; the place written is past the count).
inline void places_append(uint64_t mask, uint32_t base, uint32_t* out, size_t& n) {
  constexpr uint64_t kGuard = uint64_t{1} << 63;
  const int count = bits_count(mask);
  uint32_t* o = out + n;
  for (int done = 0; done < count; done += 8, o += 8)
    for (int k = 0; k < 8; ++k) {
      o[k] = base + static_cast<uint32_t>(__builtin_ctzll(mask | kGuard));
      mask &= mask - 1;
    }
  n += static_cast<size_t>(count);
}

}  // namespace

bool event_amount_parse(std::string_view text, const MissingValues& missing, double& amount) {
  if (short_decimal_parse(text, amount)) return true;  // under 10^15: 15 digits at most
  const std::string_view t = blanks_trim(text);
  amount = std::numeric_limits<double>::quiet_NaN();
  if (t.empty()) return true;
  double v = 0.0;
  const fast_float::from_chars_result res = fast_float::from_chars(t.data(), t.data() + t.size(), v);
  if (res.ec == std::errc() && res.ptr == t.data() + t.size() && std::isfinite(v)) {
    amount = v;
    return std::fabs(v) <= kAmountLimit;
  }
  return missing.missing(t);
}

EventScanner::EventScanner(const ProfileBuildRequest& req, const LogColumns& cols, const MappedFile& file,
                           const CsvSource& src, int n_fields, int threads, int32_t as_of_day,
                           const EventScanParams& params)
    : req_(req),
      cols_(cols),
      file_(file),
      src_(src),
      n_fields_(n_fields),
      threads_(std::max(1, threads)),
      as_of_day_(as_of_day) {
  // One chunk per thread would leave a thread idle behind a slow chunk; four balance them (as the tokenizer does).
  n_chunks_ = threads_ == 1 ? 1 : threads_ * 4;
  n_spans_ = 1 + cols.text.size();
  // A record takes at least n_fields bytes (its delimiters and line feed): a small file needs no larger chunks.
  const auto file_records = static_cast<int64_t>(src.size / static_cast<size_t>(std::max(1, n_fields)) + 1);
  stride_ = std::max<int64_t>(1, std::min(params.window_records, file_records) * 3 / 2 / n_chunks_);
  chunk_begin_.resize(static_cast<size_t>(n_chunks_) + 1);
  chunks_.resize(static_cast<size_t>(n_chunks_));
  chunk_base_.resize(static_cast<size_t>(n_chunks_) + 1);
  spans_.reset(new Span[static_cast<size_t>(n_chunks_ * stride_) * n_spans_]);
}

// Cuts [begin, ...) into chunks of about two thirds of stride records each (so a chunk rarely fills up), at line
// starts. The first window sizes its records from the line feeds of its first 64 KB.
void EventScanner::chunks_plan(size_t begin) {
  if (record_bytes_ <= 0.0) {
    const size_t sample = std::min<size_t>(src_.size - begin, 1 << 16);
    const auto lines = std::count(src_.data + begin, src_.data + begin + sample, '\n');
    record_bytes_ = static_cast<double>(sample) / static_cast<double>(std::max<int64_t>(1, lines));
  }
  const auto chunk_bytes = static_cast<size_t>(std::max(64.0, record_bytes_ * static_cast<double>(stride_) * 2 / 3));
  chunk_begin_[0] = begin;
  for (size_t c = 1; c <= static_cast<size_t>(n_chunks_); ++c)
    chunk_begin_[c] = line_start_next(src_.data, src_.size, std::min(src_.size, chunk_begin_[c - 1] + chunk_bytes));
}

EventScanWindow EventScanner::window_parse(size_t release_from, size_t begin, int64_t line, int64_t first_record,
                                           ParsedBatch& p, ChunkFacts& facts) {
  chunks_plan(begin);
  window_begin_ = begin;
  window_line_ = line;
  first_record_ = first_record;
  if (chunk_begin_.back() - begin > kWindowBytesMax) return {begin, line, 0, true};
  p.prepare(n_chunks_, n_chunks_ * stride_, cols_.text.size());
  stop_at_.store(SIZE_MAX);
  // One thread hands the pages of the bytes before the window back while the others start scanning (a serial
  // madvise between the windows left the other threads waiting).
#pragma omp parallel num_threads(threads_)
  {
#pragma omp single nowait
    file_.pages_release(release_from, begin);
#pragma omp for schedule(dynamic, 1)
    for (int c = 0; c < n_chunks_; ++c) chunk_scan(c, p);
  }
  // The window ends at the first chunk that stopped; the chunks after it are dropped.
  EventScanWindow w{chunk_begin_.back(), line, 0, false};
  int last = n_chunks_ - 1;
  for (int c = 0; c < n_chunks_; ++c)
    if (chunks_[static_cast<size_t>(c)].why != Stop::none) {
      last = c;
      break;
    }
  facts = ChunkFacts{};
  for (int c = 0; c <= last; ++c) {
    const Chunk& k = chunks_[static_cast<size_t>(c)];
    chunk_base_[static_cast<size_t>(c)] = w.records;
    w.records += k.records;
    w.next_line += k.lines;
    facts.missing_amounts += k.facts.missing_amounts;
    facts.after_as_of += k.facts.after_as_of;
    facts.any_time = facts.any_time || k.facts.any_time;
    facts.max_day = std::max(facts.max_day, k.facts.max_day);
    if (k.why != Stop::none) {
      w.next = k.stop;
      w.fallback = k.why == Stop::other;
    }
  }
  for (size_t b = static_cast<size_t>(last + 1) * kEventPartitions; b < p.buckets.size(); ++b) p.buckets[b].clear();
  if (w.records > 0) record_bytes_ = static_cast<double>(w.next - begin) / static_cast<double>(w.records);
  return w;
}

// Where the fields of one record lie: field 0 from the record's first byte, field k after place k - 1 (a delimiter),
// each up to the next place; the last one's carriage return before its line feed dropped.
struct EventScanner::RecordPlaces {
  size_t chunk_begin;
  size_t record;       // the record's first byte
  const uint32_t* at;  // its n_fields places (from chunk_begin): n_fields - 1 delimiters, then its line feed
  size_t line_end;     // the byte after its last field (its carriage return dropped)
  size_t begin(int k) const { return k == 0 ? record : chunk_begin + at[k - 1] + 1; }
  size_t end(int k, int n_fields) const { return k + 1 == n_fields ? line_end : chunk_begin + at[k]; }
};

// Scans chunk c in two stages per group of 16 blocks of 64 bytes: first the places of the group's delimiters, line
// feeds and quotes, found 64 bytes at a time as a bit mask; then its records, n_fields places each, checked at once
// (n_fields - 1 delimiters, then a line feed). Stages apart, neither branches per character: the scan one byte at a
// time mispredicted once or twice a record. A carriage return before a line feed is dropped, a blank line is not a
// record. Stops at a record holding a quote or of another shape, or that record_take refuses (Stop::other), when the
// chunk holds stride records (Stop::full), or gives up when an earlier chunk stopped (its records would be dropped).
void EventScanner::chunk_scan(int c, ParsedBatch& p) {
  constexpr size_t kGroupBytes = 16 * 64;
  const char* const data = src_.data;
  const char delimiter = src_.delimiter;
  const auto n_fields = static_cast<size_t>(n_fields_);
  const size_t begin = chunk_begin_[static_cast<size_t>(c)], end = chunk_begin_[static_cast<size_t>(c) + 1];
  std::vector<EventRow>* buckets = p.buckets.data() + static_cast<size_t>(c) * kEventPartitions;
  for (int q = 0; q < kEventPartitions; ++q) buckets[q].clear();
  // The unfinished record's places (fewer than n_fields) carried over, then a group's.
  std::vector<uint32_t> places(n_fields + kGroupBytes + 64);
  size_t n = 0;
  size_t record = begin;
  // On this thread's stack until the chunk ends: the chunks side by side would share cache lines.
  Chunk chunk;
  chunk.stop = end;
  EventDateCache dates;
  const auto stop = [&](Stop why) {
    chunk.stop = record;
    chunk.why = why;
    size_t seen = stop_at_.load(std::memory_order_relaxed);
    while (record < seen && !stop_at_.compare_exchange_weak(seen, record, std::memory_order_relaxed)) {
    }
  };
  // The record at `record` whose places are at[0, n_fields), its line feed (or the chunk's end) at line_end; false
  // when the chunk stops there.
  const auto record_end = [&](const uint32_t* at, size_t line_end) {
    if (line_end > record && data[line_end - 1] == '\r') --line_end;
    if (chunk.records == stride_) {
      stop(Stop::full);
      return false;
    }
    if (!record_take(RecordPlaces{begin, record, at, line_end}, c * stride_ + chunk.records, p, buckets, chunk.facts,
                     dates)) {
      stop(Stop::other);
      return false;
    }
    ++chunk.records;
    return true;
  };
  // Takes the records whose places are all found; false when the chunk stops.
  const auto records_take = [&] {
    size_t j = 0;
    for (; j < n; ++chunk.lines) {
      const size_t first = begin + places[j];
      if (data[first] == '\n' && (first == record || (first == record + 1 && data[record] == '\r'))) {
        record = first + 1;  // a blank line
        ++j;
        continue;
      }
      if (n - j < n_fields) break;
      const uint32_t* at = places.data() + j;
      const size_t line_feed = begin + at[n_fields - 1];
      bool shape = data[line_feed] == '\n';
      for (size_t k = 0; k + 1 < n_fields; ++k) shape &= data[begin + at[k]] == delimiter;
      if (!shape) {  // a quote, or a ragged record: the tokenizer's
        stop(Stop::other);
        return false;
      }
      if (!record_end(at, line_feed)) return false;
      record = line_feed + 1;
      j += n_fields;
    }
    std::copy(places.begin() + static_cast<ptrdiff_t>(j), places.begin() + static_cast<ptrdiff_t>(n), places.begin());
    n -= j;
    return true;
  };
  const auto scan = [&] {
    for (size_t group = begin; group < end; group += kGroupBytes) {
      if (stop_at_.load(std::memory_order_relaxed) < begin) return stop(Stop::other);  // dropped in any case
      const size_t group_end = std::min(end, group + kGroupBytes);
      for (size_t at = group; at < group_end; at += 64) {
        uint64_t mask = structurals_find(data, src_.size, at, delimiter);
        if (group_end - at < 64) mask &= (uint64_t{1} << (group_end - at)) - 1;
        places_append(mask, static_cast<uint32_t>(at - begin), places.data(), n);
      }
      if (!records_take()) return;
    }
    if (record == end) return;
    // The file's last record, without a line feed: n_fields - 1 delimiters (or a blank line) up to the end.
    bool shape = n + 1 == n_fields;
    for (size_t k = 0; shape && k < n; ++k) shape = data[begin + places[k]] == delimiter;
    if (n == 0 && (end == record || (end == record + 1 && data[record] == '\r'))) return;
    if (!shape) return stop(Stop::other);
    record_end(places.data(), end);
  };
  scan();
  chunks_[static_cast<size_t>(c)] = chunk;
}

// Parses one record whose fields lie at `fields` as record r of the window into its bucket; false (nothing kept)
// when the tokenizer must read it: a bad time or amount, or a refused id of an event left out.
bool EventScanner::record_take(const RecordPlaces& fields, int64_t r, ParsedBatch& p, std::vector<EventRow>* buckets,
                               ChunkFacts& facts, EventDateCache& dates) {
  const auto text = [&](int c) {
    const size_t b = fields.begin(c);
    return std::string_view(src_.data + b, fields.end(c, n_fields_) - b);
  };
  EventTime t;
  if (!event_time_parse(text(cols_.time), t, dates)) return false;
  double amount = std::numeric_limits<double>::quiet_NaN();
  // The short decimals of most cells as one word; anything else through event_amount_parse (blanks, spellings of
  // missing, fast_float).
  if (cols_.amount >= 0 && !short_decimal_parse(text(cols_.amount), src_.data + src_.size, amount) &&
      !event_amount_parse(text(cols_.amount), p.missing, amount))
    return false;
  const std::string_view user = text(cols_.user);
  if (t.utc_day > as_of_day_) {
    if (!user_id_problem(user, p.missing).empty()) return false;
    ++facts.after_as_of;
    return true;
  }
  facts.count(amount, t, cols_.amount >= 0);
  EventRow& row = ChunkFacts::row_add(text_hash(user), buckets);
  row.amount = amount;
  row.record = static_cast<int32_t>(r);
  row.time_set(t);
  row.id_set(user, src_.data + src_.size);
  // The fold reads an id from the file only when the row cannot hold it; text columns always.
  Span* span = spans_.get() + static_cast<size_t>(r) * n_spans_;
  if (user.size() > kIdInline)
    span[0] = {static_cast<uint32_t>(fields.begin(cols_.user) - window_begin_), static_cast<uint32_t>(user.size())};
  const size_t n_text = cols_.text.size();
  for (size_t k = 0; k < n_text; ++k) {
    const int c = cols_.text[k];
    const std::string_view value = text(c);
    span[1 + k] = {static_cast<uint32_t>(value.data() - src_.data - window_begin_),
                   static_cast<uint32_t>(value.size())};
    p.text_hash[static_cast<size_t>(r) * n_text + k] = text_hash(value);
  }
  return true;
}

int64_t EventScanner::line(int64_t r) const {
  const int64_t c = r / stride_, local = r - c * stride_;
  int64_t line = window_line_;
  for (int64_t k = 0; k < c; ++k) line += chunks_[static_cast<size_t>(k)].lines;
  // Chunk c's lines up to its record `local` (a blank line is not a record), as chunk_scan counted them.
  const char* p = src_.data + chunk_begin_[static_cast<size_t>(c)];
  const char* const end = src_.data + chunk_begin_[static_cast<size_t>(c) + 1];
  for (int64_t seen = 0; p < end; ++line) {
    const void* found = std::memchr(p, '\n', static_cast<size_t>(end - p));
    const char* const nl = found == nullptr ? end : static_cast<const char*>(found);
    const char* const last = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
    if (last != p && seen++ == local) return line;
    p = nl + 1;
  }
  return line;  // not reached: record r lies in chunk c
}

std::exception_ptr ScanEvents::user_error(int64_t r, const std::string& problem) const {
  return std::make_exception_ptr(DataError(
      location_format(req.events_path, scan.line(r), cols.user + 1, "column \"" + req.user_column + "\": " + problem)));
}

}  // namespace kseg
