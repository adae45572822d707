// The per-user fold shared by every kind of event input (CSV text, Parquet columns): each input turns its records
// into EventRows, sorted into buckets by user partition in file order; the fold below then adds each partition's
// events to its users' totals. An input supplies a Source with
//   std::string_view user(int64_t r)          the user id of record r of the batch (ids longer than kIdInline),
//   std::string_view text(int64_t r, size_t k) the k-th text column (category, --last, --mode) of record r,
//   int64_t record(int64_t r)                  record r's place in the log (the order of first appearance),
//   std::exception_ptr user_error(int64_t r, const std::string& problem)   the error refusing record r's user id,
// and optionally text_places_prefetch / text_bytes_prefetch (see TextAhead),
// so the same code folds every input and the outputs agree byte for byte. Internal to host/events.
#pragma once

#include <omp.h>

#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "host/comm/communicator.hpp"
#include "host/data/missing_values.hpp"
#include "host/data/summable_limit.hpp"
#include "host/error.hpp"
#include "host/events/event_aggregate.hpp"
#include "host/events/event_time.hpp"

namespace kseg {

constexpr size_t kIdInline = 11;  // user ids up to this long travel with their event (an EventRow is 32 bytes)

// Events parsed, then folded, at most at a time: bounds the buckets' memory (32 MB) and keeps a record's index in a
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
  bool time_habits = false;     // count weekend and part-of-day events (the time family)
  size_t n_last = 0;
  bool counted(size_t k) const { return (has_category && k == 0) || k >= (has_category ? 1 : 0) + n_last; }
  bool any_counted() const { return has_category || text.size() > n_last; }  // a category or a --mode column
};

// The columns of request found in header; UsageError naming the option and the log's columns for a missing one.
LogColumns log_columns_find(const ProfileBuildRequest& r, const std::vector<std::string>& header);

// Why a user id spelled as a missing value (NA, NULL, None, ...) is refused: read as an id it would make one "user"
// of every event whose id was lost, with their orders summed.
std::string user_id_missing_problem(std::string_view user);

// The largest amount (in magnitude) an event may carry (see summable_limit.hpp).
constexpr double kAmountLimit = kSummableLimit;

// Why an amount cell is refused: its text is not a finite number, or it is beyond kAmountLimit.
std::string amount_problem(std::string_view text);

// The same for an amount read as a number from a columnar log (infinite, or beyond kAmountLimit).
std::string amount_value_problem(double amount);

// Why a user id is refused (blank, or a missing-value spelling); empty when it is a valid id.
std::string user_id_problem(std::string_view user, const MissingValues& missing);

// One parsed event, copied into its partition's bucket so the fold reads its events sequentially. Half a cache line:
// the buckets are written once and read once per event, and were a fifth of the parse at 64 bytes. The user's hash
// is not kept (the fold computes it again from the id, which costs less than carrying 8 more bytes); the time is
// its UTC day plus a packed clock (see clock_pack), from which the fold reads what the families need.
struct EventRow {
  double amount = 0.0;  // NaN: no amount
  int32_t record = 0;   // index in the batch
  int32_t utc_day = 0;
  uint32_t clock = 0;   // clock_pack of the time
  uint8_t id_size = 0;  // bytes of the user id held in id; kIdInline + 1: longer, read it from the source
  char id[kIdInline] = {};
  void id_set(std::string_view user) {
    id_size = static_cast<uint8_t>(std::min(user.size(), kIdInline + 1));
    if (user.size() <= kIdInline) std::memcpy(id, user.data(), user.size());
  }
  // The same, for an id inside a buffer readable up to readable_end: an id the row holds is then copied as kIdInline
  // bytes, a fixed size (no memcpy call per event); the bytes after the id are the buffer's, and the row ignores
  // those past id_size.
  void id_set(std::string_view user, const char* readable_end) {
    if (user.size() > kIdInline || user.data() + kIdInline > readable_end) return id_set(user);
    id_size = static_cast<uint8_t>(user.size());
    std::memcpy(id, user.data(), kIdInline);
  }
  void time_set(const EventTime& t) {
    utc_day = t.utc_day;
    // seconds of the UTC day (17 bits), local minute + 1 (11 bits), local day - UTC day + 8 (4 bits: zone offsets
    // reach ±99:59, under ±5 days)
    clock = static_cast<uint32_t>(t.utc_seconds - int64_t{t.utc_day} * 86400) |
            static_cast<uint32_t>(t.local_minute + 1) << 17 | static_cast<uint32_t>(t.local_day - t.utc_day + 8) << 28;
  }
  int64_t utc_seconds() const { return int64_t{utc_day} * 86400 + (clock & 0x1FFFF); }
  int local_minute() const { return static_cast<int>((clock >> 17) & 0x7FF) - 1; }
  int32_t local_day() const { return utc_day + static_cast<int32_t>(clock >> 28) - 8; }
  EventTime time() const { return {utc_seconds(), utc_day, local_day(), static_cast<int16_t>(local_minute())}; }
};
static_assert(sizeof(EventRow) == 32, "half a cache line per parsed event");

// The partition of a user: the top 6 bits of its hash (64 partitions; text_hash's bits are mixed, and the users
// table of a partition picks slots with the low bits).
inline int partition_of(uint64_t user_hash) { return static_cast<int>(user_hash >> 58); }

// The rank that folds partition q under MPI.
inline int partition_owner(int q, int ranks) { return q % ranks; }

// The first bad record of a batch (by its index in the batch) and its error; parse and fold each find some, and the
// one reported is the first in file order, whichever step found it.
struct RecordFailure {
  int64_t record = INT64_MAX;
  std::exception_ptr error;
  void take(int64_t r, std::exception_ptr e) {
    if (r < record) {
      record = r;
      error = std::move(e);
    }
  }
  void take(const RecordFailure& f) {
    if (f.error) take(f.record, f.error);
  }
  void rethrow() const {
    if (error) std::rethrow_exception(error);
  }
};

// The parsed events of one batch: chunk c's events of partition q in buckets[c * kEventPartitions + q], in file
// order (the vectors keep their capacity from batch to batch).
struct ParsedBatch {
  std::vector<std::vector<EventRow>> buckets;
  std::vector<uint64_t> text_hash;  // n × text columns, by record
  // Per partition, for the bucket being folded: the user hash and slot of each event.
  std::vector<std::vector<uint64_t>> hashes;
  std::vector<std::vector<int32_t>> slots;
  std::vector<std::vector<int32_t>> codes;  // n × text columns: the codes of the events' text values
  // Checks each new user's id while folding (the parse checks only events it leaves out, or all when routing).
  MissingValues missing = MissingValues::defaults();
  // Makes room for n_chunks chunks of a batch of n records with n_text text columns.
  void prepare(int64_t n_chunks, int64_t n, size_t n_text);
};

// What one chunk of records found besides the parsed values.
struct ChunkFacts {
  int64_t missing_amounts = 0, after_as_of = 0;
  bool any_time = false;
  int32_t max_day = INT32_MIN;
  RecordFailure failure;  // the chunk's first bad record (the chunk stops there)
  // Counts the facts of an event kept (its row's amount and time t).
  void count(double amount, const EventTime& t, bool amount_column) {
    missing_amounts += amount_column && std::isnan(amount);
    any_time = any_time || t.local_minute >= 0;
    max_day = std::max(max_day, t.utc_day);
  }
  // Keeps row, of a user with hash user_hash, in its partition's bucket (of buckets[0..kEventPartitions)).
  void keep(const EventRow& row, const EventTime& t, uint64_t user_hash, bool amount_column,
            std::vector<EventRow>* buckets) {
    count(row.amount, t, amount_column);
    row_add(user_hash, buckets) = row;
  }
  // A new row at the end of the bucket of a user with hash user_hash, to be filled in place: a row built apart and
  // copied in was read back (16 bytes at a time) before its narrower stores had landed, a stall on every event.
  static EventRow& row_add(uint64_t user_hash, std::vector<EventRow>* buckets) {
    std::vector<EventRow>& bucket = buckets[partition_of(user_hash)];
    EventRow& row = bucket.emplace_back();
    // The bucket's next cache line, asked for now: 64 buckets are written at once, and a store to a line not yet
    // in cache waited for it (over half the time of a Parquet parse). A prefetch past the capacity is harmless (the
    // address is computed in integers: no pointer arithmetic past the end).
    __builtin_prefetch(reinterpret_cast<const void*>(reinterpret_cast<uintptr_t>(&row + 1) + 64), 1);
    return row;
  }
};

// Runs fn(c, facts) for chunks c = 0..n_chunks-1 on `threads` threads. Returns the chunks' facts combined; their
// failures are combined, not thrown (the fold of the batch may find an earlier bad record).
template <class Fn>
ChunkFacts chunks_run(int64_t n_chunks, int threads, Fn fn) {
  std::vector<ChunkFacts> facts(static_cast<size_t>(n_chunks));
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (int64_t c = 0; c < n_chunks; ++c) {
    ChunkFacts local;  // on this thread's stack: the chunks' facts side by side would share cache lines
    try {
      fn(c, local);
    } catch (...) {
      local.failure.take(-1, std::current_exception());  // not a bad record (out of memory, ...): first
    }
    facts[static_cast<size_t>(c)] = local;
  }
  ChunkFacts all;
  for (const ChunkFacts& f : facts) {
    all.missing_amounts += f.missing_amounts;
    all.after_as_of += f.after_as_of;
    all.any_time = all.any_time || f.any_time;
    all.max_day = std::max(all.max_day, f.max_day);
    all.failure.take(f.failure);
  }
  return all;
}

// Partitions with their text tables for the columns.
void partitions_prepare(EventAggregate& agg, const LogColumns& cols);
void facts_add(EventAggregate& agg, const ChunkFacts& f, int64_t records);
// After the last batch: every partition's day runs gathered by user (see EventPartition::days), or without day
// totals, the active days of the users whose days went back counted from their runs (UserTotals::run).
void aggregate_finish(EventAggregate& agg, int threads);
// Under MPI: the counts of the log and its latest day summed (maximised) over the ranks.
void aggregate_counts_combine(EventAggregate& agg, const Communicator& comm);

// Makes room in part's per-user arrays and its day runs for `events` more users and runs (the batch's events of the
// partition: a bound on both), at least doubling when they grow: the arrays then rarely move, and a move costs a
// flush of every thread's TLB. The room beyond the values is never written, so it costs address space, not memory.
// (The users table grows by doubling in that room, since its slots are all written: sized from the events, a log of
// few users would write tables of thousands of empty slots.)
void users_reserve(EventPartition& part, size_t events);

// The user id of row.
template <class Source>
std::string_view row_user(const Source& src, const EventRow& row) {
  return row.id_size <= kIdInline ? std::string_view(row.id, row.id_size) : src.user(row.record);
}

// Adds the user of row, whose id was just inserted in part.users (out of the per-event path: users are few); false
// (with failure set) when its id is refused.
template <class Source>
__attribute__((noinline)) bool user_add(EventPartition& part, const Source& src, const MissingValues& missing,
                                        const EventRow& row, std::string_view id, RecordFailure& failure) {
  const std::string problem = user_id_problem(id, missing);
  if (!problem.empty()) {
    failure.take(row.record, src.user_error(row.record, problem));
    return false;
  }
  part.totals.emplace_back();
  part.first_record.push_back(src.record(row.record));
  for (std::vector<LastValue>& last : part.last) last.emplace_back();
  return true;
}

// The user slot of row, whose user id hashes to hash (inserting the user, with its first record, when new). A new
// user's id is checked here, once per user rather than once per event: false (with failure set) when it is refused.
template <class Source>
bool user_resolve(EventPartition& part, const Source& src, const MissingValues& missing, const EventRow& row,
                  uint64_t hash, int32_t& slot, RecordFailure& failure) {
  const std::string_view id = row_user(src, row);
  slot = part.users.find_or_insert(id, hash);
  return static_cast<size_t>(slot) < part.totals.size() || user_add(part, src, missing, row, id, failure);
}

// Optional hooks of a Source that ask for the cache lines of record r's text values ahead of the fold: where its
// places are kept (text_places_prefetch), then, once those are in cache, its bytes (text_bytes_prefetch). A Source
// without them is folded without asking.
template <class Source, class = void>
struct TextAhead {
  static void places(const Source&, int64_t) {}
  static void bytes(const Source&, int64_t) {}
};
template <class Source>
struct TextAhead<Source, std::void_t<decltype(std::declval<const Source&>().text_places_prefetch(int64_t{}))>> {
  static void places(const Source& src, int64_t r) { src.text_places_prefetch(r); }
  static void bytes(const Source& src, int64_t r) { src.text_bytes_prefetch(r); }
};

// The codes of row's text values (category, --last, --mode) in its partition's value tables, interning new values;
// -1 for an empty value the fold skips (an empty category still counts, in "(other)").
template <class Source>
void text_codes_find(EventPartition& part, const LogColumns& cols, const Source& src, const ParsedBatch& p,
                     const EventRow& row, int32_t* codes) {
  const int64_t r = row.record;
  const size_t n_text = cols.text.size();
  for (size_t k = 0; k < n_text; ++k) {
    const std::string_view value = src.text(r, k);
    const bool category = k == 0 && cols.has_category;
    codes[k] = value.empty() && !category
                   ? -1
                   : part.values[k].find_or_insert(value, p.text_hash[static_cast<size_t>(r) * n_text + k]);
  }
}

// Whether text column k of cols sums each user's positive amounts per value (the category with category spend).
inline bool spend_summed(const LogColumns& cols, size_t k) {
  return k == 0 && cols.has_category && cols.category_spend;
}

// Asks for the lines where the user-value keys of a row of user `slot` with these codes will be looked up.
inline void text_keys_prefetch(const EventPartition& part, const LogColumns& cols, int32_t slot, const int32_t* codes) {
  const uint64_t user_key = static_cast<uint64_t>(slot) << 32;
  for (size_t k = 0; k < cols.text.size(); ++k)
    if (codes[k] >= 0 && cols.counted(k)) part.value_keys[k].prefetch(user_key | static_cast<uint32_t>(codes[k]));
}

// The user-value entries of row's counted text values (category, --mode): codes[k] becomes the entry's index in
// value_keys[k], whose count (and spend) a new entry starts at 0. In file order: entries are numbered as they come.
inline void text_keys_find(EventPartition& part, const LogColumns& cols, int32_t slot, int32_t* codes) {
  const uint64_t user_key = static_cast<uint64_t>(slot) << 32;
  for (size_t k = 0; k < cols.text.size(); ++k) {
    if (codes[k] < 0 || !cols.counted(k)) continue;
    const int32_t v = part.value_keys[k].find_or_insert(user_key | static_cast<uint32_t>(codes[k]));
    if (static_cast<size_t>(v) == part.value_counts[k].size()) {
      part.value_counts[k].push_back(0);
      if (spend_summed(cols, k)) part.category_spend.push_back(0.0);
    }
    codes[k] = v;
  }
}

// Asks for the lines the text fold of a row of user `slot` will touch (entries: from text_keys_find).
inline void text_fold_prefetch(const EventPartition& part, const LogColumns& cols, int32_t slot,
                               const int32_t* entries) {
  for (size_t k = 0; k < cols.text.size(); ++k) {
    if (entries[k] < 0) continue;
    if (cols.counted(k)) {
      __builtin_prefetch(part.value_counts[k].data() + entries[k], 1);
      if (spend_summed(cols, k)) __builtin_prefetch(part.category_spend.data() + entries[k], 1);
    } else {
      __builtin_prefetch(part.last[k - (cols.has_category ? 1 : 0)].data() + slot, 1);
    }
  }
}

// The text values of row into the user's counts and latest values: entries[k] is a counted column's user-value entry
// (text_keys_find), another column's value code (text_codes_find); -1 for none.
template <class Source>
void event_text_fold(EventPartition& part, const LogColumns& cols, const Source& src, const EventRow& row, int32_t slot,
                     const int32_t* entries) {
  for (size_t k = 0; k < cols.text.size(); ++k) {
    const int32_t e = entries[k];
    if (e < 0) continue;
    if (cols.counted(k)) {
      ++part.value_counts[k][static_cast<size_t>(e)];
      if (spend_summed(cols, k) && row.amount > 0.0) part.category_spend[static_cast<size_t>(e)] += row.amount;
    } else {
      LastValue& last = part.last[k - (cols.has_category ? 1 : 0)][static_cast<size_t>(slot)];
      const int64_t seconds = row.utc_seconds();
      if (seconds >= last.utc_seconds) last = {seconds, src.record(row.record), e};
    }
  }
}

// Folds row, whose user is in `slot`, into the user's totals and day runs. The weekend and part-of-day counts only
// with kTimeHabits, the day runs' totals only with kDayTotals (an RFM build reads neither).
template <bool kTimeHabits, bool kDayTotals>
void event_totals_fold(EventPartition& part, const EventRow& row, int32_t slot) {
  UserTotals& u = part.totals[static_cast<size_t>(slot)];
  const int32_t day = row.utc_day;
  const double amount = row.amount;
  u.first_day = u.events == 0 ? day : std::min(u.first_day, day);
  u.last_day = u.events == 0 ? day : std::max(u.last_day, day);
  if (u.events == UINT32_MAX) throw DataError("a user has more than 4294967295 events; profile-build counts fewer");
  ++u.events;
  const bool has_amount = !std::isnan(amount);
  if (has_amount) {
    u.amount_max = u.amount_events == 0 ? amount : std::max(u.amount_max, amount);
    ++u.amount_events;
    u.amount_sum += amount;
    u.refunds += amount < 0.0;
  }
  if (kTimeHabits) {
    const int weekday = weekday_of(row.local_day());
    u.weekend += weekday == 0 || weekday == 6;
    const int minute = row.local_minute();
    if (minute >= 0) ++u.day_part[minute / 360];
  }
  if (u.run == 0 || u.run_day != day) {  // a new run
    u.run_day = day;
    part.runs.push_back({slot, day});
    if (kDayTotals) {
      u.run = static_cast<uint32_t>(part.runs.size());
      part.run_totals.emplace_back();
    } else {
      // Its days still rise while the new run's day is the latest (last_day was just updated); a count that would
      // reach kDaysGather is gathered too.
      const uint32_t run = u.run != kDaysGather && day == u.last_day ? u.run + 1 : kDaysGather;
      part.users_gathered += u.run != kDaysGather && run == kDaysGather;
      u.run = run;
    }
  }
  if (kDayTotals) {
    DayRunTotals& totals = part.run_totals[static_cast<size_t>(u.run - 1)];
    ++totals.events;
    if (has_amount) totals.amount += amount;
  }
}

// Folds partition q's events of the batch, in file order, in sweeps: the users' hashes, their slots (the hash-table
// probes, prefetched ahead), with text columns the codes of their values (each record's text places and bytes
// prefetched ahead: the records of a partition lie all over the batch, and these misses were half of a build with
// a category), with counted ones their user-value entries (the key table's lines prefetched ahead), then the events
// (each user's totals, text counts and latest values, prefetched ahead). Most of the time goes to cache misses on
// these tables, which the prefetches overlap. Stops at the first refused user id.
template <bool kTimeHabits, bool kDayTotals, class Source>
void partition_fold(EventPartition& part, const LogColumns& cols, const Source& src, ParsedBatch& p, int q,
                    RecordFailure& failure) {
  constexpr size_t kAhead = 16;
  std::vector<uint64_t>& hashes = p.hashes[static_cast<size_t>(q)];
  std::vector<int32_t>& slots = p.slots[static_cast<size_t>(q)];
  std::vector<int32_t>& codes = p.codes[static_cast<size_t>(q)];
  const size_t n_text = cols.text.size();
  size_t events = 0;
  for (size_t c = static_cast<size_t>(q); c < p.buckets.size(); c += kEventPartitions) events += p.buckets[c].size();
  users_reserve(part, events);
  for (size_t c = static_cast<size_t>(q); c < p.buckets.size(); c += kEventPartitions) {
    const std::vector<EventRow>& rows = p.buckets[c];
    const size_t n = rows.size();
    hashes.resize(n);
    slots.resize(n);
    for (size_t i = 0; i < n; ++i) hashes[i] = text_hash(row_user(src, rows[i]));
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) part.users.prefetch(hashes[i + kAhead]);
      if (!user_resolve(part, src, p.missing, rows[i], hashes[i], slots[i], failure)) return;
    }
    codes.resize(n * n_text);
    if (n_text > 0)
      for (size_t i = 0; i < n; ++i) {
        if (i + 2 * kAhead < n) {
          const int64_t r = rows[i + 2 * kAhead].record;
          TextAhead<Source>::places(src, r);
          __builtin_prefetch(p.text_hash.data() + static_cast<size_t>(r) * n_text);
        }
        if (i + kAhead < n) TextAhead<Source>::bytes(src, rows[i + kAhead].record);
        text_codes_find(part, cols, src, p, rows[i], codes.data() + i * n_text);
      }
    if (cols.any_counted())
      for (size_t i = 0; i < n; ++i) {
        if (i + kAhead < n) text_keys_prefetch(part, cols, slots[i + kAhead], codes.data() + (i + kAhead) * n_text);
        text_keys_find(part, cols, slots[i], codes.data() + i * n_text);
      }
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) {
        __builtin_prefetch(part.totals.data() + slots[i + kAhead], 1);
        if (n_text > 0) text_fold_prefetch(part, cols, slots[i + kAhead], codes.data() + (i + kAhead) * n_text);
      }
      event_totals_fold<kTimeHabits, kDayTotals>(part, rows[i], slots[i]);
      if (n_text > 0) event_text_fold(part, cols, src, rows[i], slots[i], codes.data() + i * n_text);
    }
  }
}

// Folds the parsed batch: each partition (its buckets in chunk order: file order) on one thread. Then throws the
// first bad record in file order among parsed (the parse's) and the fold's.
template <class Source>
void batch_fold(const LogColumns& cols, const Source& src, int threads, ParsedBatch& p, EventAggregate& agg,
                const RecordFailure& parsed) {
  p.hashes.resize(kEventPartitions);
  p.slots.resize(kEventPartitions);
  p.codes.resize(kEventPartitions);
  std::vector<RecordFailure> failures(kEventPartitions);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (int q = 0; q < kEventPartitions; ++q) {
    RecordFailure& failure = failures[static_cast<size_t>(q)];
    try {
      EventPartition& part = agg.partitions[q];
      if (cols.time_habits)
        cols.day_totals ? partition_fold<true, true>(part, cols, src, p, q, failure)
                        : partition_fold<true, false>(part, cols, src, p, q, failure);
      else
        cols.day_totals ? partition_fold<false, true>(part, cols, src, p, q, failure)
                        : partition_fold<false, false>(part, cols, src, p, q, failure);
    } catch (...) {
      failure.take(-1, std::current_exception());
    }
  }
  RecordFailure first = parsed;
  for (const RecordFailure& f : failures) first.take(f);
  first.rethrow();
}

}  // namespace kseg
