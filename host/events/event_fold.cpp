#include "host/events/event_fold.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fast_float/fast_float.h>

#include "host/error.hpp"
#include "host/io/csv_parse.hpp"
#include "host/io/text_encoding.hpp"

namespace kseg {

namespace {

int column_find(const std::vector<std::string>& header, const std::string& name, const std::string& option,
                const std::string& path) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it != header.end()) return static_cast<int>(it - header.begin());
  std::string names;
  for (const std::string& h : header) names += (names.empty() ? "" : ", ") + h;
  throw UsageError(option + ": no column \"" + name + "\" in " + path + " (columns: " + names + ")");
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
  const bool totals = !part.run_totals.empty();
  for (size_t i = 0; i < part.runs.size(); ++i) {
    const DayRun& r = part.runs[i];
    days[static_cast<size_t>(next[static_cast<size_t>(r.slot)]++)] =
        totals ? DayTotals{r.day, part.run_totals[i].events, part.run_totals[i].amount} : DayTotals{r.day, 0, 0.0};
  }
  part.runs.release();
  part.run_totals.release();
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

// Without day totals: the active days of the users whose runs' days went back (the others have theirs, the number
// of their runs, in UserTotals::run already), from their runs' days grouped by user (4 bytes a run), sorted and
// counted once each. Frees the runs first: they are the largest thing left from the fold.
void active_days_count(EventPartition& part) {
  if (part.users_gathered == 0) {  // every user's days rose (a log in time order): their counts are their days
    part.runs.release();
    return;
  }
  PageArray<UserTotals>& totals = part.totals;
  const size_t n_users = totals.size();
  std::vector<int64_t> begin(n_users + 1, 0);
  for (const DayRun& r : part.runs)
    if (totals[static_cast<size_t>(r.slot)].run == kDaysGather) ++begin[static_cast<size_t>(r.slot) + 1];
  for (size_t u = 0; u < n_users; ++u) begin[u + 1] += begin[u];
  std::vector<int32_t> days(static_cast<size_t>(begin[n_users]));
  for (const DayRun& r : part.runs)
    if (totals[static_cast<size_t>(r.slot)].run == kDaysGather) days[static_cast<size_t>(begin[r.slot]++)] = r.day;
  part.runs.release();
  for (size_t u = 0; u < n_users; ++u) {  // begin[u] is now the end of user u's days
    if (totals[u].run != kDaysGather) continue;
    const auto from = days.begin() + (u == 0 ? 0 : begin[u - 1]), to = days.begin() + begin[u];
    std::sort(from, to);
    totals[u].run = static_cast<uint32_t>(std::unique(from, to) - from);
  }
}

}  // namespace

std::string user_id_missing_problem(std::string_view user) {
  return "user id " + text_quote(user) +
         " is a missing-value spelling (NA, NULL, None, ...): give every event its user id or drop the row";
}

std::string amount_problem(std::string_view text) {
  const std::string_view t = blanks_trim(text);
  double v = 0.0;
  const fast_float::from_chars_result res = fast_float::from_chars(t.data(), t.data() + t.size(), v);
  if (res.ec == std::errc() && res.ptr == t.data() + t.size() && std::isfinite(v) && std::fabs(v) > kAmountLimit)
    return text_quote(text) + " is beyond ±1e15, the largest amount profile-build adds up (sums of larger ones " +
           "could overflow): check the column's unit, or the cell";
  return text_quote(text) +
         " is not a finite number; write amounts like 12.5 or -3 (refund), or leave the cell empty or NA";
}

std::string amount_value_problem(double amount) {
  if (std::isinf(amount)) return "an infinite amount; write amounts as finite numbers, or null";
  char text[32];
  std::snprintf(text, sizeof(text), "%.17g", amount);
  return std::string(text) + " is beyond ±1e15, the largest amount profile-build adds up (sums of larger ones could " +
         "overflow): check the column's unit, or the cell";
}

std::string user_id_problem(std::string_view user, const MissingValues& missing) {
  if (user.find_first_not_of(" \t") == std::string_view::npos) return "empty user id";
  if (missing.missing(user)) return user_id_missing_problem(user);
  return {};
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
  c.day_totals = r.families.windows;
  c.time_habits = r.families.time;
  return c;
}

void ParsedBatch::prepare(int64_t n_chunks, int64_t n, size_t n_text) {
  text_hash.resize(static_cast<size_t>(n) * n_text);
  const auto used = static_cast<size_t>(n_chunks * kEventPartitions);
  if (buckets.size() < used) buckets.resize(used);
  // A chunk's share of a partition (of a fold range: at most kFoldRows of the n records), with a margin: the buckets
  // then take their size once in the first batch (users hash evenly), not by doubling (each doubling a copy and new
  // pages for the kernel to clear).
  const auto share = static_cast<size_t>(std::min(n, kFoldRows) / std::max<int64_t>(1, used)),
             room = share + share / 4 + 16;
  for (size_t c = 0; c < used; ++c)
    if (buckets[c].capacity() < room) buckets[c].reserve(room);
  for (size_t c = used; c < buckets.size(); ++c) buckets[c].clear();
}

void partitions_prepare(EventAggregate& agg, const LogColumns& cols) {
  agg.partitions.resize(kEventPartitions);
  for (EventPartition& part : agg.partitions) {
    part.values.resize(cols.text.size());
    part.value_keys.resize(cols.text.size());
    part.value_counts.resize(cols.text.size());
    part.last.resize(cols.n_last);
    part.day_totals = cols.day_totals;
  }
}

void users_reserve(EventPartition& part, size_t events) {
  const size_t runs = part.runs.size() + events;
  if (runs > part.runs.capacity()) {
    const size_t room = std::max(runs, 2 * part.runs.capacity());
    part.runs.reserve(room);
    if (part.day_totals) part.run_totals.reserve(room);
  }
  const size_t need = part.totals.size() + events;
  if (need <= part.totals.capacity()) return;
  const size_t room = std::max(need, 2 * part.totals.capacity());
  part.totals.reserve(room);
  part.first_record.reserve(room);
  part.users.reserve(room);
  for (std::vector<LastValue>& last : part.last) last.reserve(room);
}

void facts_add(EventAggregate& agg, const ChunkFacts& f, int64_t records) {
  agg.amounts_missing += f.missing_amounts;
  agg.events_after_as_of += f.after_as_of;
  agg.any_time_of_day = agg.any_time_of_day || f.any_time;
  agg.max_day = std::max(agg.max_day, f.max_day);
  agg.events_read += records;
}

void aggregate_finish(EventAggregate& agg, int threads) {
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (int q = 0; q < kEventPartitions; ++q) {
    EventPartition& part = agg.partitions[q];
    part.day_totals ? days_gather(part) : active_days_count(part);
  }
}

void aggregate_counts_combine(EventAggregate& agg, const Communicator& comm) {
  int64_t counts[4] = {agg.events_read, agg.events_after_as_of, agg.amounts_missing, agg.any_time_of_day ? 1 : 0};
  comm.sum_all(counts, 4);
  agg.events_read = counts[0];
  agg.events_after_as_of = counts[1];
  agg.amounts_missing = counts[2];
  agg.any_time_of_day = counts[3] > 0;
  agg.max_day = static_cast<int32_t>(comm.max_all(static_cast<double>(agg.max_day)));
}

}  // namespace kseg
