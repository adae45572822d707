#include "host/events/event_aggregate.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <limits>
#include <system_error>

#include "host/data/missing_values.hpp"
#include "host/error.hpp"
#include "host/events/event_columns.hpp"
#include "host/events/event_fold.hpp"
#include "host/events/event_scan.hpp"
#include "host/events/event_time.hpp"
#include "host/io/csv_reader.hpp"
#include "host/io/csv_slice.hpp"
#include "host/io/mapped_file.hpp"
#include "host/io/text_encoding.hpp"
#include "host/parquet/columnar_events.hpp"

namespace kseg {

namespace {

// CSV bytes tokenised per batch: about a million events of a typical log, one fold range (kFoldRows). Batches of
// 16 MB cost 5-15% more CPU (each batch has three OpenMP regions and a serial record scan, and a fold range of a
// third of the events reuses fewer lines of the user tables); 128 MB saved no more and held 110 MB more tokens.
constexpr size_t kEventBatchBytes = 48u << 20;

DataError cell_problem(const std::string& path, const CsvRecordBatch& b, int64_t r, int c, const std::string& column,
                       const std::string& problem) {
  return DataError(location_format(path, b.field_line(r, c), c + 1, "column \"" + column + "\": " + problem));
}

[[noreturn]] void cell_error(const std::string& path, const CsvRecordBatch& b, int64_t r, int c,
                             const std::string& column, const std::string& problem) {
  throw cell_problem(path, b, r, c, column, problem);
}

// A batch of CSV records as the fold reads it (see event_fold.hpp).
struct CsvEvents {
  const CsvRecordBatch& b;
  const LogColumns& cols;
  const ProfileBuildRequest& req;
  // The place in the log of the batch's records, by record (events received from other ranks); none: the batch's
  // first_record + r.
  const int64_t* record_of = nullptr;
  std::string_view user(int64_t r) const { return b.field(r, cols.user); }
  std::string_view text(int64_t r, size_t k) const { return b.field(r, cols.text[k]); }
  int64_t record(int64_t r) const { return record_of ? record_of[r] : b.first_record + r; }
  std::exception_ptr user_error(int64_t r, const std::string& problem) const {
    return std::make_exception_ptr(cell_problem(req.events_path, b, r, cols.user, req.user_column, problem));
  }
};

// An empty amount or a missing-value spelling (NA, NULL, N/A, nan, ...; the defaults of --na-values elsewhere) is a
// missing amount; it is looked up only for a cell that is not a finite number, so good cells cost nothing more.
double amount_parse(std::string_view text, const MissingValues& missing, const std::string& path,
                    const CsvRecordBatch& b, int64_t r, int c, const std::string& column) {
  double v = 0.0;
  if (!event_amount_parse(text, missing, v)) cell_error(path, b, r, c, column, amount_problem(text));
  return v;
}

// Record r into its partition's bucket (or left out, after as_of_day); throws its first bad cell. The user id is
// checked here when check_ids (routing under MPI) or when the event is left out; else the fold checks each new
// user's id once.
void record_parse(const ProfileBuildRequest& req, const LogColumns& cols, const CsvRecordBatch& b, int64_t r,
                  int32_t as_of_day, bool check_ids, ParsedBatch& p, std::vector<EventRow>* buckets, ChunkFacts& facts,
                  EventDateCache& dates) {
  const std::string_view user = b.field(r, cols.user);
  if (check_ids) {
    const std::string problem = user_id_problem(user, p.missing);
    if (!problem.empty()) cell_error(req.events_path, b, r, cols.user, req.user_column, problem);
  }
  EventTime t;
  const std::string_view when = b.field(r, cols.time);
  if (!event_time_parse(when, t, dates))
    cell_error(req.events_path, b, r, cols.time, req.time_column,
               "\"" + std::string(when) +
                   "\" is not an ISO 8601 date or timestamp (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM])");
  EventRow row;
  row.amount = cols.amount < 0 ? std::numeric_limits<double>::quiet_NaN()
                               : amount_parse(b.field(r, cols.amount), p.missing, req.events_path, b, r, cols.amount,
                                              req.amount_column);
  if (t.utc_day > as_of_day) {
    const std::string problem = user_id_problem(user, p.missing);
    if (!problem.empty()) cell_error(req.events_path, b, r, cols.user, req.user_column, problem);
    ++facts.after_as_of;
    return;
  }
  row.record = static_cast<int32_t>(r);
  row.time_set(t);
  row.id_set(user);
  const size_t n_text = cols.text.size();
  for (size_t k = 0; k < n_text; ++k) p.text_hash[r * n_text + k] = text_hash(b.field(r, cols.text[k]));
  facts.keep(row, t, text_hash(user), cols.amount >= 0, buckets);
}

// Records [begin, end) into the chunk's buckets; stops at the first bad record, kept in facts.failure (an id error
// before any other of its record's).
void records_parse(const ProfileBuildRequest& req, const LogColumns& cols, const CsvRecordBatch& b, int64_t begin,
                   int64_t end, int32_t as_of_day, bool check_ids, ParsedBatch& p, std::vector<EventRow>* buckets,
                   ChunkFacts& facts) {
  for (int q = 0; q < kEventPartitions; ++q) buckets[q].clear();
  int64_t r = begin;
  EventDateCache dates;
  try {
    for (; r < end; ++r) record_parse(req, cols, b, r, as_of_day, check_ids, p, buckets, facts, dates);
  } catch (const DataError&) {
    const std::string problem = user_id_problem(b.field(r, cols.user), p.missing);
    facts.failure.take(r, problem.empty() ? std::current_exception() : CsvEvents{b, cols, req}.user_error(r, problem));
  }
}

// Parses one batch in parallel chunks, each sorting its events into partition buckets (in file order); returns what
// the chunks found.
ChunkFacts batch_parse(const ProfileBuildRequest& req, const LogColumns& cols, const CsvRecordBatch& b, int64_t begin,
                       int64_t end, int threads, int32_t as_of_day, bool check_ids, ParsedBatch& p) {
  const int64_t n = end - begin;
  const int64_t n_chunks = std::max<int64_t>(1, std::min<int64_t>(n, int64_t{threads} * 4));
  p.prepare(n_chunks, b.n_records, cols.text.size());
  return chunks_run(n_chunks, threads, [&](int64_t c, ChunkFacts& facts) {
    records_parse(req, cols, b, begin + c * n / n_chunks, begin + (c + 1) * n / n_chunks, as_of_day, check_ids, p,
                  p.buckets.data() + c * kEventPartitions, facts);
  });
}

// Appends the kept events of a parsed batch to the pieces for their partitions' ranks: per event its place in the log
// (int64), the size of its record (uint32) and the record's bytes as in the file. Within a partition, the events stay
// in file order.
void events_route(const CsvRecordBatch& b, const ParsedBatch& p, int ranks, std::vector<std::string>& to_rank) {
  for (int q = 0; q < kEventPartitions; ++q) {
    std::string& out = to_rank[static_cast<size_t>(partition_owner(q, ranks))];
    for (size_t c = static_cast<size_t>(q); c < p.buckets.size(); c += kEventPartitions)
      for (const EventRow& row : p.buckets[c]) {
        const CsvRecordSpan& span = b.records[static_cast<size_t>(row.record)];
        const int64_t record = b.first_record + row.record;
        const auto size = static_cast<uint32_t>(span.end - span.begin);
        out.append(reinterpret_cast<const char*>(&record), sizeof(record));
        out.append(reinterpret_cast<const char*>(&size), sizeof(size));
        out.append(b.data + span.begin, size);
      }
  }
}

// Folds the events another rank (or this one) routed here: their records are laid out as CSV text again (one per
// line), parsed in batches as the log was, and folded with their places in the log. Events come in the order of the
// source ranks, whose byte ranges follow each other in the file, so each partition sees its events in file order.
void events_received_fold(const ProfileBuildRequest& req, const LogColumns& cols, int n_fields, std::string_view in,
                          int threads, ParsedBatch& p, EventAggregate& agg) {
  std::string text;
  std::vector<int64_t> records;
  for (size_t at = 0; at < in.size();) {
    int64_t record = 0;
    uint32_t size = 0;
    std::memcpy(&record, in.data() + at, sizeof(record));
    std::memcpy(&size, in.data() + at + sizeof(record), sizeof(size));
    at += sizeof(record) + sizeof(size);
    text.append(in.data() + at, size).push_back('\n');
    records.push_back(record);
    at += size;
  }
  const CsvSource src{text.data(), text.size(), req.events_path, req.delimiter, {}};
  CsvRecordBatch batch;
  int64_t line = 1, first = 0;
  for (size_t at = 0; at < text.size();) {
    const CsvScanResult scan = csv_range_parse(src, at, text.size(), kEventBatchBytes, line, n_fields, threads, batch);
    batch.first_record = first;
    for (int64_t a = 0; a < batch.n_records; a += kFoldRows) {
      const int64_t e = std::min(batch.n_records, a + kFoldRows);
      const ChunkFacts facts = batch_parse(req, cols, batch, a, e, threads, INT32_MAX, false, p);
      batch_fold(cols, CsvEvents{batch, cols, req, records.data() + first}, threads, p, agg, facts.failure);
    }
    first += batch.n_records;
    at = scan.next;
    line = scan.next_line;
  }
}

// Under MPI: each rank parses the records of its share of the log's bytes (checking every cell, so errors name the
// file's lines), routes each kept event to the rank that owns its user's partition, then folds what it receives.
// The counts of the log (events read, left out, missing amounts, latest day) are summed over the ranks.
void events_aggregate_ranks(const ProfileBuildRequest& req, const LogColumns& cols, CsvReader& reader,
                            int32_t as_of_day, int threads, const Communicator& comm, EventAggregate& agg) {
  const CsvByteRange range = csv_range_split(reader, comm);
  std::vector<std::string> to_rank(static_cast<size_t>(comm.size()));
  ParsedBatch parsed;
  // A record's place in the log is only compared, never counted: rank r's records are numbered from r · 2^40 up,
  // which keeps file order without counting the records before each range.
  const int64_t first_record = int64_t{comm.rank()} << 40;
  reader.range_for_each(
      range.begin, range.end, range.line, first_record, kEventBatchBytes, threads, [&](const CsvRecordBatch& batch) {
        for (int64_t a = 0; a < batch.n_records; a += kFoldRows) {
          const int64_t e = std::min(batch.n_records, a + kFoldRows);
          const ChunkFacts facts = batch_parse(req, cols, batch, a, e, threads, as_of_day, true, parsed);
          facts.failure.rethrow();
          facts_add(agg, facts, e - a);
          events_route(batch, parsed, comm.size(), to_rank);
        }
        progress_reading_report(req.progress, agg.events_read, -1, 0, false);  // this rank's events
      });
  const std::vector<std::string> received = comm.exchange_bytes(to_rank);
  to_rank = {};
  for (const std::string& piece : received)
    events_received_fold(req, cols, static_cast<int>(reader.header().size()), piece, threads, parsed, agg);
  aggregate_counts_combine(agg, comm);
}

// A tokenised batch parsed and folded, kFoldRows records at a time.
void batch_aggregate(const ProfileBuildRequest& req, const LogColumns& cols, const CsvRecordBatch& batch, int threads,
                     int32_t as_of_day, ParsedBatch& parsed, EventAggregate& agg) {
  for (int64_t a = 0; a < batch.n_records; a += kFoldRows) {
    const int64_t e = std::min(batch.n_records, a + kFoldRows);
    const ChunkFacts facts = batch_parse(req, cols, batch, a, e, threads, as_of_day, false, parsed);
    facts_add(agg, facts, e - a);
    batch_fold(cols, CsvEvents{batch, cols, req}, threads, parsed, agg, facts.failure);
  }
}

// The scan can read the delimiter: it is none of the bytes it looks for besides (and not a zero: see
// structurals_find).
bool scan_delimiter_is(char delimiter) {
  return delimiter != '"' && delimiter != '\n' && delimiter != '\r' && delimiter != '\0';
}

// One process, a plain file: windows of records parsed by the projection scan (event_scan.hpp) and folded; from a
// record the scan does not take, one batch of the tokenizer, then the scan again. Each window's and batch's bytes
// leave the resident set once folded (the file is mapped once more for that: the reader keeps its own mapping); the
// last window's stay until the file is unmapped.
void events_scan_aggregate(const ProfileBuildRequest& req, const LogColumns& cols, const CsvReader& reader,
                           int32_t as_of_day, int threads, const EventScanParams& params, EventAggregate& agg) {
  const MappedFile file(req.events_path, /*sequential=*/true);
  CsvSource src = reader.source();
  src.data = file.data();
  src.size = file.size();
  const int n_fields = static_cast<int>(reader.header().size());
  EventScanner scanner(req, cols, file, src, n_fields, threads, as_of_day, params);
  ParsedBatch parsed;
  CsvRecordBatch batch;
  size_t pos = reader.data_begin(), released = 0;  // bytes before `released` have left the resident set
  int64_t line = reader.data_line(), first = 0;
  while (pos < src.size) {
    EventScanWindow w{pos, line, 0, true};
    if (params.enabled) {
      ChunkFacts facts;
      w = scanner.window_parse(released, pos, line, first, parsed, facts);
      released = pos;
      if (w.records > 0) {
        facts_add(agg, facts, w.records);
        batch_fold(cols, ScanEvents{scanner, cols, req}, threads, parsed, agg, RecordFailure{});
      }
    }
    first += w.records;
    pos = w.next;
    line = w.next_line;
    progress_reading_report(req.progress, agg.events_read, static_cast<int64_t>(pos), static_cast<int64_t>(src.size),
                            false);
    if (!w.fallback || pos >= src.size) continue;
    const CsvScanResult scan = csv_range_parse(src, pos, src.size, kEventBatchBytes, line, n_fields, threads, batch);
    batch.first_record = first;
    batch_aggregate(req, cols, batch, threads, as_of_day, parsed, agg);
    file.pages_release(released, scan.next);
    released = scan.next;
    first += batch.n_records;
    pos = scan.next;
    line = scan.next_line;
    progress_reading_report(req.progress, agg.events_read, static_cast<int64_t>(pos), static_cast<int64_t>(src.size),
                            false);
  }
}

EventAggregate events_csv_aggregate(const ProfileBuildRequest& request, int32_t as_of_day, const Communicator& comm,
                                    const EventScanParams& params) {
  CsvReader reader(request.events_path, CsvOptions{request.delimiter});
  const LogColumns cols = log_columns_find(request, reader.header());
  EventAggregate agg;
  partitions_prepare(agg, cols);
  const int threads = request.threads > 0 ? request.threads : omp_get_max_threads();
  if (comm.size() > 1) {
    events_aggregate_ranks(request, cols, reader, as_of_day, threads, comm, agg);
  } else if (!reader.compressed() && scan_delimiter_is(request.delimiter)) {
    events_scan_aggregate(request, cols, reader, as_of_day, threads, params, agg);
  } else {
    ParsedBatch parsed;
    std::error_code ec;  // -1 when its size is not known: the progress lines name no share
    const auto bytes_total = static_cast<int64_t>(std::filesystem::file_size(request.events_path, ec));
    reader.batches_for_each(kEventBatchBytes, threads, [&](const CsvRecordBatch& batch) {
      batch_aggregate(request, cols, batch, threads, as_of_day, parsed, agg);
      progress_reading_report(request.progress, agg.events_read, batch.input_bytes_read, bytes_total, false);
    });
  }
  aggregate_finish(agg, threads);
  return agg;
}

}  // namespace

EventAggregate events_aggregate(const ProfileBuildRequest& request, int32_t as_of_day, const Communicator& comm) {
  if (request.events_stream || columnar_events_input_is(request.events_path))
    return events_columns_aggregate(request, as_of_day, comm);
  return events_csv_aggregate(request, as_of_day, comm, EventScanParams{});
}

EventAggregate events_aggregate_scanned(const ProfileBuildRequest& request, int32_t as_of_day,
                                        const EventScanParams& params) {
  return events_csv_aggregate(request, as_of_day, single_process(), params);
}

}  // namespace kseg
