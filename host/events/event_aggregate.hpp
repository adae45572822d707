// Reading an event log and aggregating it per user: records are parsed in parallel batches, routed to a fixed
// number of user partitions by a hash of the user id, and each partition folds its events in file order. The
// result is therefore the same for any thread count (floating-point sums included).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/comm/communicator.hpp"
#include "host/events/key_index.hpp"
#include "host/events/page_array.hpp"
#include "host/events/profile_build.hpp"

namespace kseg {

// Users are spread over this many partitions (fixed, so results do not depend on the thread count).
constexpr int kEventPartitions = 64;

// One user's running totals: one cache line, the only line of user state each event touches besides the probe of
// the user table (two or three lines before, which cost a fifth of the fold in misses). Counts are 32-bit: up to
// 4,294,967,295 events per user (more is refused with a DataError).
struct alignas(64) UserTotals {
  double amount_sum = 0.0;  // net: refunds subtract
  double amount_max = 0.0;  // largest amount (valid when amount_events > 0)
  int32_t first_day = 0;    // UTC days
  int32_t last_day = 0;
  // The user's day runs (0: none yet). With day totals (the windows family): 1 + the index of its latest run in
  // EventPartition::runs. Without: while its runs' days rose strictly (a log in time order), their number, which is
  // its active days; kDaysGather once a run went back (its days are then gathered from the runs), and after
  // aggregate_finish its active days in every case.
  uint32_t run = 0;
  int32_t run_day = 0;  // the day of its latest run
  uint32_t events = 0;
  uint32_t amount_events = 0;  // events with an amount
  uint32_t refunds = 0;        // events with a negative amount
  uint32_t weekend = 0;        // events on a Saturday or Sunday (local date as written)
  uint32_t day_part[4] = {};   // timed events at night [0,6), morning [6,12), afternoon [12,18), evening [18,24)
  // Events whose time has a time of day.
  uint64_t timed() const { return uint64_t{day_part[0]} + day_part[1] + day_part[2] + day_part[3]; }
};
static_assert(sizeof(UserTotals) == 64, "one cache line per user");

// UserTotals::run of a user (without day totals) whose days did not rise run after run.
constexpr uint32_t kDaysGather = UINT32_MAX;

// Events and amount of one user on one day (32-bit count: a user has at most UINT32_MAX events).
struct DayTotals {
  int32_t day = 0;  // UTC day
  uint32_t events = 0;
  double amount = 0.0;
};
static_assert(sizeof(DayTotals) == 16, "one per active day of every user, kept through the table build");

// Consecutive events of one user (in the partition's file order) on one day.
struct DayRun {
  int32_t slot = 0;
  int32_t day = 0;  // UTC day
};

// Their count and amount, kept only for the windows family (RFM needs the days alone: 8 bytes per run, not 32).
struct DayRunTotals {
  double amount = 0.0;
  uint32_t events = 0;
};

// --last: the user's most recent non-empty value (ties in time: the later record).
struct LastValue {
  int64_t utc_seconds = INT64_MIN;
  int64_t record = -1;
  int32_t code = -1;
};

// The users whose id hashes to one partition.
struct EventPartition {
  StringIndex users;
  // Per user slot (PageArray: these grow with the users, and the runs with the events, without copies).
  PageArray<UserTotals> totals;
  PageArray<int64_t> first_record;  // its first event's index in the log (the output order)
  // While folding: a user's events on one day are added to its latest run when they fall on that run's day, else
  // they open a run (appended: no hash probe, memory grows with the changes of day, not with events).
  PageArray<DayRun> runs;
  PageArray<DayRunTotals> run_totals;  // parallel to runs when day totals are kept, else empty
  bool day_totals = false;             // day totals kept (the windows family)
  int64_t users_gathered = 0;          // without day totals: users whose days went back (UserTotals::run)
  // Then (aggregate_finish; the runs are freed). With day totals: every user's days, ascending, runs of the same day
  // added in file order; user slot s holds days[day_begin[s] .. day_begin[s + 1]). Without (RFM alone): both stay
  // empty, and each user's active days are in UserTotals::run.
  std::vector<int64_t> day_begin;
  std::vector<DayTotals> days;
  // Text columns (category, then --last, then --mode columns): values interned per partition.
  std::vector<StringIndex> values;
  // Counted text columns (category and --mode): (slot << 32) | code → index into value_counts.
  std::vector<KeyIndex> value_keys;
  std::vector<std::vector<int64_t>> value_counts;
  // With category_share_amount: per value_keys[0] entry, the sum of the positive amounts (spend). The category
  // column also counts events with an empty category (code of ""), so a user's entries cover all its spend.
  std::vector<double> category_spend;
  std::vector<std::vector<LastValue>> last;  // per --last column, per user slot
};

struct EventAggregate {
  std::vector<EventPartition> partitions;
  int64_t events_read = 0;
  int64_t events_after_as_of = 0;
  int64_t amounts_missing = 0;
  bool any_time_of_day = false;
  int32_t max_day = INT32_MIN;  // latest UTC day among the events kept
};

// Text columns in EventPartition::values order: the category column (when set), then request.last_columns, then
// request.mode_columns. counted: category and mode columns.
struct TextColumns {
  std::vector<int> positions;  // field index in the log
  bool has_category = false;
  size_t first_last = 0, first_mode = 0;
};

// Reads request.events_path and aggregates its events; events whose UTC day is after as_of_day are left out
// (as_of_day = INT32_MAX keeps all). Throws as profile_build documents. Under MPI (comm.size() > 1) each rank reads
// its share of the log and holds the partitions q with q % ranks == rank, every user's events folded on one rank in
// file order (so its totals are those of one process); the counts and the latest day are those of the whole log.
EventAggregate events_aggregate(const ProfileBuildRequest& request, int32_t as_of_day,
                                const Communicator& comm = single_process());

}  // namespace kseg
