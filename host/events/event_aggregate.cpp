#include "host/events/event_aggregate.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>

#include <fast_float/fast_float.h>

#include "host/error.hpp"
#include "host/events/event_time.hpp"
#include "host/io/csv_reader.hpp"
#include "host/io/csv_slice.hpp"

namespace kseg {

namespace {

constexpr size_t kEventBatchBytes = 16u << 20;
constexpr size_t kIdInline = 22;  // user ids up to this long travel with their event

// Where the columns the build reads are in the log.
struct LogColumns {
  int user = -1, time = -1, amount = -1;
  std::vector<int> text;  // category (when set), --last columns, --mode columns
  bool has_category = false;
  bool category_spend = false;  // sum the positive amounts per user and category
  size_t n_last = 0;
  bool counted(size_t k) const { return (has_category && k == 0) || k >= (has_category ? 1 : 0) + n_last; }
  bool last(size_t k) const { return !counted(k); }
};

int column_find(const std::vector<std::string>& header, const std::string& name, const std::string& option,
                const std::string& path) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it != header.end()) return static_cast<int>(it - header.begin());
  std::string names;
  for (const std::string& h : header) names += (names.empty() ? "" : ", ") + h;
  throw UsageError(option + ": no column \"" + name + "\" in " + path + " (columns: " + names + ")");
}

LogColumns log_columns_find(const ProfileBuildRequest& r, const std::vector<std::string>& header) {
  LogColumns c;
  c.user = column_find(header, r.user_column, "--user-column", r.events_path);
  c.time = column_find(header, r.time_column, "--time-column", r.events_path);
  if (!r.amount_column.empty()) c.amount = column_find(header, r.amount_column, "--amount-column", r.events_path);
  if (!r.category_column.empty()) {
    c.has_category = true;
    c.text.push_back(column_find(header, r.category_column, "--category-column", r.events_path));
  }
  for (const std::string& name : r.last_columns) c.text.push_back(column_find(header, name, "--last", r.events_path));
  for (const std::string& name : r.mode_columns) c.text.push_back(column_find(header, name, "--mode", r.events_path));
  c.n_last = r.last_columns.size();
  c.category_spend = c.has_category && r.category_share_amount && c.amount >= 0;
  return c;
}

std::string_view blanks_trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// One parsed event, copied into its partition's run so the fold reads its events sequentially rather than
// jumping around the batch (the cache misses on the file's bytes were a fifth of the time).
struct EventRow {
  uint64_t user_hash = 0;
  double amount = 0.0;  // NaN: no amount
  int64_t record = 0;   // index in the batch
  EventTime time;
  uint8_t id_size = 0;  // bytes of the user id held in id; kIdInline + 1: longer, read it from the batch
  char id[kIdInline] = {};
};

// The parsed events of one batch: chunk c's events of partition q in buckets[c * kEventPartitions + q], in file
// order (the vectors keep their capacity from batch to batch).
struct ParsedBatch {
  std::vector<std::vector<EventRow>> buckets;
  std::vector<uint64_t> text_hash;          // n × text columns, by record
  std::vector<std::vector<int32_t>> slots;  // per partition: the user slot of each of its events in the batch
  // The place in the log of the batch's records, by record (events received from other ranks); none: the batch's
  // first_record + r.
  const int64_t* record_of = nullptr;
  int64_t record(const CsvRecordBatch& b, int64_t r) const { return record_of ? record_of[r] : b.first_record + r; }
};

// What one chunk of records found besides the parsed values.
struct ChunkFacts {
  int64_t missing_amounts = 0, after_as_of = 0;
  bool any_time = false;
  int32_t max_day = INT32_MIN;
};

[[noreturn]] void cell_error(const std::string& path, const CsvRecordBatch& b, int64_t r, int c,
                             const std::string& column, const std::string& problem) {
  throw DataError(location_format(path, b.field_line(r, c), c + 1, "column \"" + column + "\": " + problem));
}

double amount_parse(std::string_view text, const std::string& path, const CsvRecordBatch& b, int64_t r, int c,
                    const std::string& column) {
  const std::string_view t = blanks_trim(text);
  if (t.empty()) return std::numeric_limits<double>::quiet_NaN();
  double v = 0.0;
  const fast_float::from_chars_result res = fast_float::from_chars(t.data(), t.data() + t.size(), v);
  if (res.ec != std::errc() || res.ptr != t.data() + t.size() || !std::isfinite(v))
    cell_error(path, b, r, c, column,
               "\"" + std::string(text) +
                   "\" is not a finite number; write amounts like 12.5 or -3 (refund), or "
                   "leave the cell empty");
  return v;
}

void records_parse(const ProfileBuildRequest& req, const LogColumns& cols, const CsvRecordBatch& b, int64_t begin,
                   int64_t end, int32_t as_of_day, ParsedBatch& p, std::vector<EventRow>* buckets, ChunkFacts& facts) {
  const size_t n_text = cols.text.size();
  for (int q = 0; q < kEventPartitions; ++q) buckets[q].clear();
  for (int64_t r = begin; r < end; ++r) {
    const std::string_view user = b.field(r, cols.user);
    if (blanks_trim(user).empty()) cell_error(req.events_path, b, r, cols.user, req.user_column, "empty user id");
    EventRow row;
    row.user_hash = text_hash(user);
    row.record = r;
    row.id_size = static_cast<uint8_t>(std::min(user.size(), kIdInline + 1));
    if (user.size() <= kIdInline) std::memcpy(row.id, user.data(), user.size());
    const std::string_view when = b.field(r, cols.time);
    EventTime& t = row.time;
    if (!event_time_parse(when, t))
      cell_error(req.events_path, b, r, cols.time, req.time_column,
                 "\"" + std::string(when) +
                     "\" is not an ISO 8601 date or timestamp (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM])");
    row.amount = cols.amount < 0
                     ? std::numeric_limits<double>::quiet_NaN()
                     : amount_parse(b.field(r, cols.amount), req.events_path, b, r, cols.amount, req.amount_column);
    for (size_t k = 0; k < n_text; ++k) p.text_hash[r * n_text + k] = text_hash(b.field(r, cols.text[k]));
    if (t.utc_day > as_of_day) {
      ++facts.after_as_of;
      continue;
    }
    facts.missing_amounts += cols.amount >= 0 && std::isnan(row.amount);
    facts.any_time = facts.any_time || t.local_minute >= 0;
    facts.max_day = std::max(facts.max_day, t.utc_day);
    buckets[key_mix(row.user_hash) >> 58].push_back(row);  // 64 partitions: the top 6 bits
  }
}

// The user slot of row (inserting the user, with its first record, when new).
int32_t user_resolve(EventPartition& part, const LogColumns& cols, const CsvRecordBatch& b, const ParsedBatch& p,
                     const EventRow& row) {
  const std::string_view id =
      row.id_size <= kIdInline ? std::string_view(row.id, row.id_size) : b.field(row.record, cols.user);
  const int32_t slot = part.users.find_or_insert(id, row.user_hash);
  if (static_cast<size_t>(slot) == part.totals.size()) {
    part.totals.push_back({});
    part.totals.back().first_record = p.record(b, row.record);
    for (std::vector<LastValue>& last : part.last) last.emplace_back();
  }
  return slot;
}

// Folds row, whose user is in `slot`, into its partition.
void event_fold(EventPartition& part, const LogColumns& cols, const CsvRecordBatch& b, const ParsedBatch& p,
                const EventRow& row, int32_t slot) {
  const int64_t r = row.record;
  const size_t n_text = cols.text.size();
  UserTotals& u = part.totals[static_cast<size_t>(slot)];
  const EventTime& t = row.time;
  const double amount = row.amount;
  u.first_day = u.events == 0 ? t.utc_day : std::min(u.first_day, t.utc_day);
  u.last_day = u.events == 0 ? t.utc_day : std::max(u.last_day, t.utc_day);
  ++u.events;
  const bool has_amount = !std::isnan(amount);
  if (has_amount) {
    u.amount_max = u.amount_events == 0 ? amount : std::max(u.amount_max, amount);
    ++u.amount_events;
    u.amount_sum += amount;
    u.refunds += amount < 0.0;
  }
  const int weekday = weekday_of(t.local_day);
  u.weekend += weekday == 0 || weekday == 6;
  if (t.local_minute >= 0) {
    ++u.timed;
    ++u.day_part[t.local_minute / 360];
  }
  const uint64_t user_key = static_cast<uint64_t>(slot) << 32;
  if (u.run < 0 || u.run_day != t.utc_day) {
    u.run = static_cast<int32_t>(part.runs.size());
    u.run_day = t.utc_day;
    part.runs.push_back({slot, {t.utc_day, 0, 0.0}});
  }
  DayTotals& day = part.runs[static_cast<size_t>(u.run)].totals;
  ++day.events;
  if (has_amount) day.amount += amount;
  for (size_t k = 0; k < n_text; ++k) {
    const std::string_view value = b.field(r, cols.text[k]);
    const bool category = k == 0 && cols.has_category;
    if (value.empty() && !category) continue;  // an empty category still counts (in "(other)")
    const int32_t code = part.values[k].find_or_insert(value, p.text_hash[r * n_text + k]);
    if (cols.counted(k)) {
      const int32_t v = part.value_keys[k].find_or_insert(user_key | static_cast<uint32_t>(code));
      if (static_cast<size_t>(v) == part.value_counts[k].size()) part.value_counts[k].push_back(0);
      ++part.value_counts[k][static_cast<size_t>(v)];
      if (category && cols.category_spend) {
        if (static_cast<size_t>(v) == part.category_spend.size()) part.category_spend.push_back(0.0);
        if (amount > 0.0) part.category_spend[static_cast<size_t>(v)] += amount;
      }
    } else {
      LastValue& last = part.last[k - (cols.has_category ? 1 : 0)][static_cast<size_t>(slot)];
      if (t.utc_seconds >= last.utc_seconds) last = {t.utc_seconds, p.record(b, r), code};
    }
  }
}

// Folds partition q's events of the batch, in file order, in two sweeps that prefetch ahead: the users' slots (the
// hash-table probes), then the events (each user's totals). Most of the time goes to cache misses on these tables,
// which the prefetches overlap.
void partition_fold(EventPartition& part, const LogColumns& cols, const CsvRecordBatch& b, ParsedBatch& p, int q) {
  constexpr size_t kAhead = 8;
  std::vector<int32_t>& slots = p.slots[static_cast<size_t>(q)];
  for (size_t c = static_cast<size_t>(q); c < p.buckets.size(); c += kEventPartitions) {
    const std::vector<EventRow>& rows = p.buckets[c];
    const size_t n = rows.size();
    slots.resize(n);
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) part.users.prefetch(rows[i + kAhead].user_hash);
      slots[i] = user_resolve(part, cols, b, p, rows[i]);
    }
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) __builtin_prefetch(part.totals.data() + slots[i + kAhead]);
      event_fold(part, cols, b, p, rows[i], slots[i]);
    }
  }
}

// Parses one batch in parallel chunks, each sorting its events into partition buckets (in file order); returns what
// the chunks found.
ChunkFacts batch_parse(const ProfileBuildRequest& req, const LogColumns& cols, const CsvRecordBatch& b, int threads,
                       int32_t as_of_day, ParsedBatch& p) {
  const int64_t n = b.n_records;
  p.text_hash.resize(static_cast<size_t>(n) * cols.text.size());
  const int64_t n_chunks = std::max<int64_t>(1, std::min<int64_t>(n, int64_t{threads} * 4));
  if (p.buckets.size() < static_cast<size_t>(n_chunks * kEventPartitions))
    p.buckets.resize(static_cast<size_t>(n_chunks * kEventPartitions));
  for (size_t c = static_cast<size_t>(n_chunks * kEventPartitions); c < p.buckets.size(); ++c) p.buckets[c].clear();
  std::vector<ChunkFacts> facts(static_cast<size_t>(n_chunks));
  std::vector<std::exception_ptr> errors(static_cast<size_t>(n_chunks));
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (int64_t c = 0; c < n_chunks; ++c) {
    try {
      records_parse(req, cols, b, c * n / n_chunks, (c + 1) * n / n_chunks, as_of_day, p,
                    p.buckets.data() + c * kEventPartitions, facts[c]);
    } catch (...) {
      errors[static_cast<size_t>(c)] = std::current_exception();
    }
  }
  for (const std::exception_ptr& e : errors)  // the first bad record in file order
    if (e) std::rethrow_exception(e);
  ChunkFacts all;
  for (const ChunkFacts& f : facts) {
    all.missing_amounts += f.missing_amounts;
    all.after_as_of += f.after_as_of;
    all.any_time = all.any_time || f.any_time;
    all.max_day = std::max(all.max_day, f.max_day);
  }
  return all;
}

void facts_add(EventAggregate& agg, const ChunkFacts& f, int64_t records) {
  agg.amounts_missing += f.missing_amounts;
  agg.events_after_as_of += f.after_as_of;
  agg.any_time_of_day = agg.any_time_of_day || f.any_time;
  agg.max_day = std::max(agg.max_day, f.max_day);
  agg.events_read += records;
}

// Folds the parsed batch: each partition (its buckets in chunk order: file order) on one thread.
void batch_fold(const LogColumns& cols, const CsvRecordBatch& b, int threads, ParsedBatch& p, EventAggregate& agg) {
  p.slots.resize(kEventPartitions);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (int q = 0; q < kEventPartitions; ++q) partition_fold(agg.partitions[q], cols, b, p, q);
}

bool day_before(const DayTotals& a, const DayTotals& b) { return a.day < b.day; }

// Gathers a partition's day runs by user: each user's days ascending, the runs of one day added in the order of
// `runs` (file order), so the sums do not depend on the thread count.
void days_gather(EventPartition& part) {
  const size_t n_users = part.totals.size();
  std::vector<int64_t> begin(n_users + 1, 0);
  for (const DayRun& r : part.runs) ++begin[static_cast<size_t>(r.slot) + 1];
  for (size_t u = 0; u < n_users; ++u) begin[u + 1] += begin[u];
  std::vector<DayTotals> days(part.runs.size());
  std::vector<int64_t> next(begin.begin(), begin.end() - 1);
  for (const DayRun& r : part.runs) days[static_cast<size_t>(next[static_cast<size_t>(r.slot)]++)] = r.totals;
  std::vector<DayRun>().swap(part.runs);
  part.day_begin.assign(n_users + 1, 0);
  size_t out = 0;  // merged days are written over the runs already read
  for (size_t u = 0; u < n_users; ++u) {
    const auto first = days.begin() + begin[u], last = days.begin() + begin[u + 1];
    if (!std::is_sorted(first, last, day_before)) std::stable_sort(first, last, day_before);
    part.day_begin[u] = static_cast<int64_t>(out);
    for (auto it = first; it != last; ++it) {
      if (out > static_cast<size_t>(part.day_begin[u]) && days[out - 1].day == it->day) {
        days[out - 1].events += it->events;
        days[out - 1].amount += it->amount;
      } else {
        days[out++] = *it;
      }
    }
  }
  part.day_begin[n_users] = static_cast<int64_t>(out);
  days.resize(out);
  days.shrink_to_fit();
  part.days = std::move(days);
}

// The rank that folds partition q under MPI.
int partition_owner(int q, int ranks) { return q % ranks; }

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
  const CsvSource src{text.data(), text.size(), req.events_path, req.delimiter};
  CsvRecordBatch batch;
  int64_t line = 1, first = 0;
  for (size_t at = 0; at < text.size();) {
    const CsvScanResult scan = csv_range_parse(src, at, text.size(), kEventBatchBytes, line, n_fields, threads, batch);
    batch.first_record = first;
    p.record_of = records.data() + first;
    batch_parse(req, cols, batch, threads, INT32_MAX, p);
    batch_fold(cols, batch, threads, p, agg);
    first += batch.n_records;
    at = scan.next;
    line = scan.next_line;
  }
  p.record_of = nullptr;
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
  reader.range_for_each(range.begin, range.end, range.line, first_record, kEventBatchBytes, threads,
                        [&](const CsvRecordBatch& batch) {
                          facts_add(agg, batch_parse(req, cols, batch, threads, as_of_day, parsed), batch.n_records);
                          events_route(batch, parsed, comm.size(), to_rank);
                        });
  const std::vector<std::string> received = comm.exchange_bytes(to_rank);
  to_rank = {};
  for (const std::string& piece : received)
    events_received_fold(req, cols, static_cast<int>(reader.header().size()), piece, threads, parsed, agg);
  int64_t counts[4] = {agg.events_read, agg.events_after_as_of, agg.amounts_missing, agg.any_time_of_day ? 1 : 0};
  comm.sum_all(counts, 4);
  agg.events_read = counts[0];
  agg.events_after_as_of = counts[1];
  agg.amounts_missing = counts[2];
  agg.any_time_of_day = counts[3] > 0;
  agg.max_day = static_cast<int32_t>(comm.max_all(static_cast<double>(agg.max_day)));
}

}  // namespace

EventAggregate events_aggregate(const ProfileBuildRequest& request, int32_t as_of_day, const Communicator& comm) {
  CsvReader reader(request.events_path, CsvOptions{request.delimiter});
  const LogColumns cols = log_columns_find(request, reader.header());
  EventAggregate agg;
  agg.partitions.resize(kEventPartitions);
  for (EventPartition& part : agg.partitions) {
    part.values.resize(cols.text.size());
    part.value_keys.resize(cols.text.size());
    part.value_counts.resize(cols.text.size());
    part.last.resize(cols.n_last);
  }
  const int threads = request.threads > 0 ? request.threads : omp_get_max_threads();
  if (comm.size() > 1) {
    events_aggregate_ranks(request, cols, reader, as_of_day, threads, comm, agg);
  } else {
    ParsedBatch parsed;
    reader.batches_for_each(kEventBatchBytes, threads, [&](const CsvRecordBatch& batch) {
      facts_add(agg, batch_parse(request, cols, batch, threads, as_of_day, parsed), batch.n_records);
      batch_fold(cols, batch, threads, parsed, agg);
    });
  }
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (int q = 0; q < kEventPartitions; ++q) days_gather(agg.partitions[q]);
  return agg;
}

}  // namespace kseg
