// A projection scan of CSV event logs: the records of a window of the file are parsed straight from its bytes, in
// parallel chunks, reading only the fields the build needs (user, time, amount, text columns) and keeping no offsets
// of the others (the general tokenizer stores every field's, and finds the records in a serial pass first). It takes
// records without quotes only: a chunk stops at the first record holding a quote, or that it cannot take as it is
// (a ragged record, a bad time or amount, a refused id of an event after --as-of), and the tokenizer then reads the
// file from that record on (one batch), so quoted fields, embedded line breaks and every error message stay exactly
// those of the tokenizer. Internal to host/events.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "host/data/missing_values.hpp"
#include "host/events/event_fold.hpp"
#include "host/events/event_time.hpp"
#include "host/events/profile_build.hpp"
#include "host/io/csv_parse.hpp"
#include "host/io/mapped_file.hpp"

namespace kseg {

// How the scan cuts the log. Tests shrink window_records to cross many windows and chunks in a small log.
struct EventScanParams {
  // Records parsed, then folded, per window (about: a chunk holds at most 1.5 times its share). Default kFoldRows.
  int64_t window_records = kFoldRows;
  // false: the tokenizer reads the whole log (the reference the scan is tested against). Default true.
  bool enabled = true;
};

// An amount cell as profile-build reads it: a finite number within ±kAmountLimit (blanks around it allowed), or
// missing (empty, or a spelling of missing); false for anything else (amount_problem says why). Short decimals
// ("55.45", "-3") are read without fast_float, with the same value (see the .cpp).
bool event_amount_parse(std::string_view text, const MissingValues& missing, double& amount);

// Where a window's scan ended.
struct EventScanWindow {
  size_t next = 0;        // the record boundary after the records parsed
  int64_t next_line = 0;  // its physical line
  int64_t records = 0;    // records parsed (kept in the buckets or left out after as_of_day)
  bool fallback = false;  // stopped at a record the scan does not take: the tokenizer reads from next
};

class EventScanner {
 public:
  // src: file's bytes (src.data = file.data(), src.size = file.size()) with the log's delimiter and name; n_fields:
  // the header's.
  EventScanner(const ProfileBuildRequest& req, const LogColumns& cols, const MappedFile& file, const CsvSource& src,
               int n_fields, int threads, int32_t as_of_day, const EventScanParams& params);
  EventScanner(const EventScanner&) = delete;
  EventScanner& operator=(const EventScanner&) = delete;

  // Parses the window starting at begin (a record boundary on physical line `line`, before src.size; its first
  // record is record first_record of the log) into p's buckets, returning the counts of the records parsed in facts.
  // Record r of the window (EventRow::record) is record r % stride of chunk r / stride. The pages of the bytes
  // [release_from, begin), folded already, leave the resident set meanwhile (MappedFile::pages_release).
  EventScanWindow window_parse(size_t release_from, size_t begin, int64_t line, int64_t first_record, ParsedBatch& p,
                               ChunkFacts& facts);

  // Field j of window record r: 0 the user id, 1 + k text column k.
  std::string_view field(int64_t r, size_t j) const {
    const Span& s = spans_[static_cast<size_t>(r) * n_spans_ + j];
    return {src_.data + window_begin_ + s.offset, s.size};
  }
  // Asks for the cache line of window record r's spans, then (once they are in cache) for its text values' bytes.
  void spans_prefetch(int64_t r) const { __builtin_prefetch(spans_.get() + static_cast<size_t>(r) * n_spans_); }
  void text_bytes_prefetch(int64_t r) const {
    const Span* s = spans_.get() + static_cast<size_t>(r) * n_spans_;
    for (size_t j = 1; j < n_spans_; ++j) __builtin_prefetch(src_.data + window_begin_ + s[j].offset);
  }
  // Window record r's place in the log.
  int64_t record(int64_t r) const {
    const int64_t c = r / stride_;
    return first_record_ + chunk_base_[static_cast<size_t>(c)] + (r - c * stride_);
  }
  // Window record r's physical line (for an error).
  int64_t line(int64_t r) const;

 private:
  enum class Stop { none, full, other };
  struct Span {       // no initialisers: the spans are allocated, not cleared (pages are touched as records fill them)
    uint32_t offset;  // from the window's first byte
    uint32_t size;
  };
  struct Chunk {
    size_t stop = 0;  // where it stopped (Stop::none: its end)
    Stop why = Stop::none;
    int64_t records = 0;
    int64_t lines = 0;  // line feeds before stop
    ChunkFacts facts;
  };
  void chunks_plan(size_t begin);
  void chunk_scan(int c, ParsedBatch& p);
  struct RecordPlaces;
  bool record_take(const RecordPlaces& fields, int64_t r, ParsedBatch& p, std::vector<EventRow>* buckets,
                   ChunkFacts& facts, EventDateCache& dates);

  const ProfileBuildRequest& req_;
  const LogColumns& cols_;
  const MappedFile& file_;
  CsvSource src_;
  int n_fields_ = 0, n_chunks_ = 0;
  int threads_ = 1;
  int32_t as_of_day_ = INT32_MAX;
  size_t n_spans_ = 1;
  int64_t stride_ = 1;               // records a chunk holds at most
  double record_bytes_ = 0.0;        // bytes per record, as last seen (sizes the chunks)
  std::vector<size_t> chunk_begin_;  // n_chunks + 1 record boundaries
  std::vector<Chunk> chunks_;
  std::vector<int64_t> chunk_base_;  // records before each chunk in the window
  // n_chunks × stride × n_spans; a user id's span is set only for an id longer than an EventRow holds.
  std::unique_ptr<Span[]> spans_;
  size_t window_begin_ = 0;
  int64_t window_line_ = 0, first_record_ = 0;
  std::atomic<size_t> stop_at_{SIZE_MAX};  // the earliest stop of a chunk: later chunks give up
};

// The fold's view of the window an EventScanner parsed last (see event_fold.hpp).
struct ScanEvents {
  const EventScanner& scan;
  const LogColumns& cols;
  const ProfileBuildRequest& req;
  std::string_view user(int64_t r) const { return scan.field(r, 0); }
  std::string_view text(int64_t r, size_t k) const { return scan.field(r, 1 + k); }
  void text_places_prefetch(int64_t r) const { scan.spans_prefetch(r); }
  void text_bytes_prefetch(int64_t r) const { scan.text_bytes_prefetch(r); }
  int64_t record(int64_t r) const { return scan.record(r); }
  std::exception_ptr user_error(int64_t r, const std::string& problem) const;
};

// events_aggregate (one process) with the scan's parameters: for tests.
EventAggregate events_aggregate_scanned(const ProfileBuildRequest& request, int32_t as_of_day,
                                        const EventScanParams& params);

}  // namespace kseg
