// The per-user fold shared by every kind of event input (CSV text, Parquet columns): each input turns its records
// into EventRows, sorted into buckets by user partition in file order; the fold below then adds each partition's
// events to its users' totals. An input supplies a Source with
//   std::string_view user(int64_t r)          the user id of record r of the batch (ids longer than kIdInline),
//   std::string_view text(int64_t r, size_t k) the k-th text column (category, --last, --mode) of record r,
//   int64_t record(int64_t r)                  record r's place in the log (the order of first appearance),
// so the same code folds every input and the outputs agree byte for byte. Internal to host/events.
#pragma once

#include <omp.h>

#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "host/comm/communicator.hpp"
#include "host/error.hpp"
#include "host/events/event_aggregate.hpp"
#include "host/events/event_time.hpp"

namespace kseg {

constexpr size_t kIdInline = 19;  // user ids up to this long travel with their event (an EventRow is 64 bytes)

// Events parsed, then folded, at most at a time: bounds the buckets' memory (64 MB) and keeps a record's index in a
// batch within an int32. (Smaller ranges, whose rows would stay in cache from parse to fold, were measured slower on
// the loaded 2-core machine: each range costs two more OpenMP barriers.)
constexpr int64_t kFoldRows = 1 << 20;

// Where the columns the build reads are in the log (for Parquet: their index in the request's column list).
struct LogColumns {
  int user = -1, time = -1, amount = -1;
  std::vector<int> text;  // category (when set), --last columns, --mode columns
  bool has_category = false;
  bool category_spend = false;  // sum the positive amounts per user and category
  bool day_totals = false;      // keep each user-day's events and amount (the windows family), not the day alone
  size_t n_last = 0;
  bool counted(size_t k) const { return (has_category && k == 0) || k >= (has_category ? 1 : 0) + n_last; }
};

// The columns of request found in header; UsageError naming the option and the log's columns for a missing one.
LogColumns log_columns_find(const ProfileBuildRequest& r, const std::vector<std::string>& header);

// Why a user id spelled as a missing value (NA, NULL, None, ...) is refused: read as an id it would make one "user"
// of every event whose id was lost, with their orders summed.
std::string user_id_missing_problem(std::string_view user);

// One parsed event, copied into its partition's bucket so the fold reads its events sequentially.
struct EventRow {
  uint64_t user_hash = 0;
  double amount = 0.0;  // NaN: no amount
  EventTime time;
  int32_t record = 0;   // index in the batch
  uint8_t id_size = 0;  // bytes of the user id held in id; kIdInline + 1: longer, read it from the source
  char id[kIdInline] = {};
  void id_set(std::string_view user) {
    id_size = static_cast<uint8_t>(std::min(user.size(), kIdInline + 1));
    if (user.size() <= kIdInline) std::memcpy(id, user.data(), user.size());
  }
};
static_assert(sizeof(EventRow) == 64, "one cache line per parsed event");

// The partition of a user: the top 6 bits of its mixed hash (64 partitions).
inline int partition_of(uint64_t user_hash) { return static_cast<int>(key_mix(user_hash) >> 58); }

// The rank that folds partition q under MPI.
inline int partition_owner(int q, int ranks) { return q % ranks; }

// The parsed events of one batch: chunk c's events of partition q in buckets[c * kEventPartitions + q], in file
// order (the vectors keep their capacity from batch to batch).
struct ParsedBatch {
  std::vector<std::vector<EventRow>> buckets;
  std::vector<uint64_t> text_hash;          // n × text columns, by record
  std::vector<std::vector<int32_t>> slots;  // per partition: the user slot of each of its events in the batch
  // Makes room for n_chunks chunks of a batch of n records with n_text text columns.
  void prepare(int64_t n_chunks, int64_t n, size_t n_text);
};

// What one chunk of records found besides the parsed values.
struct ChunkFacts {
  int64_t missing_amounts = 0, after_as_of = 0;
  bool any_time = false;
  int32_t max_day = INT32_MIN;
  // Keeps row in its partition's bucket (of buckets[0..kEventPartitions)) unless its day is after as_of_day.
  void keep(const EventRow& row, int32_t as_of_day, bool amount_column, std::vector<EventRow>* buckets) {
    const EventTime& t = row.time;
    if (t.utc_day > as_of_day) {
      ++after_as_of;
      return;
    }
    missing_amounts += amount_column && std::isnan(row.amount);
    any_time = any_time || t.local_minute >= 0;
    max_day = std::max(max_day, t.utc_day);
    buckets[partition_of(row.user_hash)].push_back(row);
  }
};

// Runs fn(c) for chunks c = 0..n_chunks-1 on `threads` threads; rethrows the first error in chunk order (the first
// bad record in file order). Returns the chunks' facts combined.
template <class Fn>
ChunkFacts chunks_run(int64_t n_chunks, int threads, Fn fn) {
  std::vector<ChunkFacts> facts(static_cast<size_t>(n_chunks));
  std::vector<std::exception_ptr> errors(static_cast<size_t>(n_chunks));
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (int64_t c = 0; c < n_chunks; ++c) {
    try {
      ChunkFacts local;  // on this thread's stack: the chunks' facts side by side would share cache lines
      fn(c, local);
      facts[static_cast<size_t>(c)] = local;
    } catch (...) {
      errors[static_cast<size_t>(c)] = std::current_exception();
    }
  }
  for (const std::exception_ptr& e : errors)
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

// Partitions with their text tables for the columns.
void partitions_prepare(EventAggregate& agg, const LogColumns& cols);
void facts_add(EventAggregate& agg, const ChunkFacts& f, int64_t records);
// After the last batch: every partition's day runs gathered by user (see EventPartition::days).
void aggregate_finish(EventAggregate& agg, int threads);
// Under MPI: the counts of the log and its latest day summed (maximised) over the ranks.
void aggregate_counts_combine(EventAggregate& agg, const Communicator& comm);

// The user slot of row (inserting the user, with its first record, when new).
template <class Source>
int32_t user_resolve(EventPartition& part, const Source& src, const EventRow& row) {
  const std::string_view id = row.id_size <= kIdInline ? std::string_view(row.id, row.id_size) : src.user(row.record);
  const int32_t slot = part.users.find_or_insert(id, row.user_hash);
  if (static_cast<size_t>(slot) == part.totals.size()) {
    part.totals.emplace_back();
    part.first_record.push_back(src.record(row.record));
    for (std::vector<LastValue>& last : part.last) last.emplace_back();
  }
  return slot;
}

// The text columns of row (category, --last, --mode) into its partition.
template <class Source>
void event_text_fold(EventPartition& part, const LogColumns& cols, const Source& src, const ParsedBatch& p,
                     const EventRow& row, int32_t slot) {
  const int64_t r = row.record;
  const size_t n_text = cols.text.size();
  const uint64_t user_key = static_cast<uint64_t>(slot) << 32;
  for (size_t k = 0; k < n_text; ++k) {
    const std::string_view value = src.text(r, k);
    const bool category = k == 0 && cols.has_category;
    if (value.empty() && !category) continue;  // an empty category still counts (in "(other)")
    const int32_t code = part.values[k].find_or_insert(value, p.text_hash[static_cast<size_t>(r) * n_text + k]);
    if (cols.counted(k)) {
      const int32_t v = part.value_keys[k].find_or_insert(user_key | static_cast<uint32_t>(code));
      if (static_cast<size_t>(v) == part.value_counts[k].size()) part.value_counts[k].push_back(0);
      ++part.value_counts[k][static_cast<size_t>(v)];
      if (category && cols.category_spend) {
        if (static_cast<size_t>(v) == part.category_spend.size()) part.category_spend.push_back(0.0);
        if (row.amount > 0.0) part.category_spend[static_cast<size_t>(v)] += row.amount;
      }
    } else {
      LastValue& last = part.last[k - (cols.has_category ? 1 : 0)][static_cast<size_t>(slot)];
      if (row.time.utc_seconds >= last.utc_seconds) last = {row.time.utc_seconds, src.record(r), code};
    }
  }
}

// Folds row, whose user is in `slot`, into the user's totals and day runs.
inline void event_totals_fold(EventPartition& part, const EventRow& row, int32_t slot, bool day_totals) {
  UserTotals& u = part.totals[static_cast<size_t>(slot)];
  const EventTime& t = row.time;
  const double amount = row.amount;
  u.first_day = u.events == 0 ? t.utc_day : std::min(u.first_day, t.utc_day);
  u.last_day = u.events == 0 ? t.utc_day : std::max(u.last_day, t.utc_day);
  if (u.events == UINT32_MAX) throw DataError("a user has more than 4294967295 events; profile-build counts fewer");
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
  if (t.local_minute >= 0) ++u.day_part[t.local_minute / 360];
  if (u.run < 0 || u.run_day != t.utc_day) {
    u.run = static_cast<int32_t>(part.runs.size());
    u.run_day = t.utc_day;
    part.runs.push_back({slot, t.utc_day});
    if (day_totals) part.run_totals.emplace_back();
  }
  if (day_totals) {
    DayRunTotals& day = part.run_totals[static_cast<size_t>(u.run)];
    ++day.events;
    if (has_amount) day.amount += amount;
  }
}

// Folds partition q's events of the batch, in file order, in two sweeps that prefetch ahead: the users' slots (the
// hash-table probes), then the events (each user's totals). Most of the time goes to cache misses on these tables,
// which the prefetches overlap.
template <class Source>
void partition_fold(EventPartition& part, const LogColumns& cols, const Source& src, ParsedBatch& p, int q) {
  constexpr size_t kAhead = 8;
  std::vector<int32_t>& slots = p.slots[static_cast<size_t>(q)];
  const bool text = !cols.text.empty();
  for (size_t c = static_cast<size_t>(q); c < p.buckets.size(); c += kEventPartitions) {
    const std::vector<EventRow>& rows = p.buckets[c];
    const size_t n = rows.size();
    slots.resize(n);
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) part.users.prefetch(rows[i + kAhead].user_hash);
      slots[i] = user_resolve(part, src, rows[i]);
    }
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) __builtin_prefetch(part.totals.data() + slots[i + kAhead], 1);
      event_totals_fold(part, rows[i], slots[i], cols.day_totals);
      if (text) event_text_fold(part, cols, src, p, rows[i], slots[i]);
    }
  }
}

// Folds the parsed batch: each partition (its buckets in chunk order: file order) on one thread.
template <class Source>
void batch_fold(const LogColumns& cols, const Source& src, int threads, ParsedBatch& p, EventAggregate& agg) {
  p.slots.resize(kEventPartitions);
  std::vector<std::exception_ptr> errors(kEventPartitions);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (int q = 0; q < kEventPartitions; ++q) {
    try {
      partition_fold(agg.partitions[q], cols, src, p, q);
    } catch (...) {
      errors[static_cast<size_t>(q)] = std::current_exception();
    }
  }
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace kseg
