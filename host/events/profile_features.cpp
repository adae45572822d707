#include "host/events/profile_features.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "host/error.hpp"
#include "host/events/rfm_segments.hpp"

namespace kseg {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Users in the order of their first event in the log, and where each lives.
struct UserOrder {
  std::vector<int64_t> first_record;         // per output row
  std::vector<int32_t> part;                 // per output row: its partition
  std::vector<int32_t> slot;                 // per output row: its slot there
  std::vector<std::vector<int64_t>> row_of;  // [partition][slot] → output row (only when asked for)
  const UserTotals& totals(const EventAggregate& agg, size_t row) const {
    return agg.partitions[static_cast<size_t>(part[row])].totals[static_cast<size_t>(slot[row])];
  }
};

// A user's first record, partition and slot; sorted by the first record (distinct: one event, one user).
struct UserRef {
  uint64_t key = 0;  // first record − the smallest first record
  int32_t part = 0;
  int32_t slot = 0;
};

// Least significant digit first radix sort on key, in as few passes of at most 13 bits as the largest key needs (two
// for a log of up to 67 million events): linear, where std::sort's comparisons cost a cache miss each on a million
// users.
void refs_sort(std::vector<UserRef>& refs) {
  uint64_t largest = 0;
  for (const UserRef& r : refs) largest = std::max(largest, r.key);
  int bits = 0;
  while (bits < 64 && (largest >> bits) != 0) ++bits;
  const int passes = (bits + 12) / 13, width = passes > 0 ? (bits + passes - 1) / passes : 0;
  const uint64_t mask = (uint64_t{1} << width) - 1;
  std::vector<UserRef> other(refs.size());
  std::vector<size_t> at;
  for (int pass = 0; pass < passes; ++pass) {
    const int shift = pass * width;
    at.assign(static_cast<size_t>(mask) + 2, 0);
    for (const UserRef& r : refs) ++at[((r.key >> shift) & mask) + 1];
    for (size_t b = 1; b < at.size(); ++b) at[b] += at[b - 1];
    for (const UserRef& r : refs) other[at[(r.key >> shift) & mask]++] = r;
    refs.swap(other);
  }
}

// with_rows: also row_of (the builders that go through the partitions' entries need it).
UserOrder users_order(const EventAggregate& agg, bool with_rows) {
  size_t n = 0;
  int64_t smallest = std::numeric_limits<int64_t>::max();
  for (const EventPartition& part : agg.partitions) {
    n += part.totals.size();
    for (size_t s = 0; s < part.totals.size(); ++s) smallest = std::min(smallest, part.first_record[s]);
  }
  std::vector<UserRef> refs;
  refs.reserve(n);
  for (int p = 0; p < kEventPartitions; ++p)
    for (size_t s = 0; s < agg.partitions[p].totals.size(); ++s)
      refs.push_back({static_cast<uint64_t>(agg.partitions[p].first_record[s] - smallest), p, static_cast<int32_t>(s)});
  refs_sort(refs);
  UserOrder order;
  order.first_record.resize(n);
  order.part.resize(n);
  order.slot.resize(n);
  for (size_t i = 0; i < n; ++i) {
    order.first_record[i] = static_cast<int64_t>(refs[i].key) + smallest;
    order.part[i] = refs[i].part;
    order.slot[i] = refs[i].slot;
  }
  if (!with_rows) return order;
  order.row_of.resize(kEventPartitions);
  for (int p = 0; p < kEventPartitions; ++p) order.row_of[p].resize(agg.partitions[p].totals.size());
  for (size_t i = 0; i < n; ++i) order.row_of[refs[i].part][refs[i].slot] = static_cast<int64_t>(i);
  return order;
}

std::vector<double>& column_add(ProfileTable& table, const std::string& name, size_t n, double fill = 0.0) {
  table.numeric_names.push_back(name);
  table.numeric.emplace_back(n, fill);
  return table.numeric.back();
}

// Row i's days: days[begin, end) of its partition, ascending.
struct DayRange {
  const DayTotals* begin;
  const DayTotals* end;
};

DayRange user_days(const EventAggregate& agg, const UserOrder& order, size_t row) {
  const EventPartition& part = agg.partitions[static_cast<size_t>(order.part[row])];
  const auto slot = static_cast<size_t>(order.slot[row]);
  return {part.days.data() + part.day_begin[slot], part.days.data() + part.day_begin[slot + 1]};
}

// The columns below are filled row by row, rows split over the threads: each row reads its user's totals and days
// (64 partitions read forward at once) and writes its own cells, in the same order of additions as one thread.
void rfm_add(const EventAggregate& agg, const UserOrder& order, bool amounts, int32_t as_of, int threads,
             ProfileTable& t) {
  const size_t n = order.part.size();
  std::vector<double>& recency = column_add(t, "recency_days", n);
  std::vector<double>& frequency = column_add(t, "frequency", n);
  std::vector<double>& active = column_add(t, "active_days", n);
  std::vector<double>& tenure = column_add(t, "tenure_days", n);
  std::vector<double>& gap = column_add(t, "interpurchase_days", n);
  std::vector<double>* total = amounts ? &column_add(t, "monetary_total", n) : nullptr;
  std::vector<double>* mean = amounts ? &column_add(t, "monetary_mean", n) : nullptr;
  std::vector<double>* max = amounts ? &column_add(t, "monetary_max", n) : nullptr;
  std::vector<double>* refunds = amounts ? &column_add(t, "refunds", n) : nullptr;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (size_t i = 0; i < n; ++i) {
    const UserTotals& u = order.totals(agg, i);
    recency[i] = as_of - u.last_day;
    frequency[i] = static_cast<double>(u.events);
    if (agg.partitions[static_cast<size_t>(order.part[i])].day_totals) {
      const DayRange days = user_days(agg, order, i);
      active[i] = static_cast<double>(days.end - days.begin);
    } else {
      active[i] = u.run;  // aggregate_finish counted them there
    }
    tenure[i] = as_of - u.first_day;
    // The mean gap between consecutive active days telescopes to (last − first) / (active days − 1).
    gap[i] = active[i] > 1.0 ? (u.last_day - u.first_day) / (active[i] - 1.0) : kNaN;
    if (!amounts) continue;
    (*total)[i] = u.amount_sum;
    (*mean)[i] = u.amount_events > 0 ? u.amount_sum / static_cast<double>(u.amount_events) : kNaN;
    (*max)[i] = u.amount_events > 0 ? u.amount_max : kNaN;
    (*refunds)[i] = static_cast<double>(u.refunds);
  }
}

void windows_add(const EventAggregate& agg, const UserOrder& order, const std::vector<int>& windows, bool amounts,
                 int32_t as_of, int threads, ProfileTable& t) {
  const size_t n = order.part.size(), n_windows = windows.size();
  std::vector<std::vector<double>*> events(n_windows), amount(n_windows, nullptr);
  for (size_t w = 0; w < n_windows; ++w) {
    const std::string days = std::to_string(windows[w]) + "d";
    events[w] = &column_add(t, "events_" + days, n);
    if (amounts) amount[w] = &column_add(t, "amount_" + days, n);
  }
  std::vector<double>& trend = column_add(t, "trend_30d", n);
#pragma omp parallel num_threads(threads)
  {
    std::vector<double> sums(2 * n_windows);  // a user's events, then amounts, per window: summed here, stored once
#pragma omp for schedule(static)
    for (size_t i = 0; i < n; ++i) {
      double recent = 0.0, prior = 0.0;
      std::fill(sums.begin(), sums.end(), 0.0);
      const DayRange days = user_days(agg, order, i);
      for (const DayTotals* d = days.begin; d != days.end; ++d) {
        const int64_t age = int64_t{as_of} - d->day;  // 0 on the reference day
        for (size_t w = 0; w < n_windows; ++w)
          if (age < windows[w]) {
            sums[w] += static_cast<double>(d->events);
            sums[n_windows + w] += d->amount;
          }
        if (age < 30) recent += static_cast<double>(d->events);
        if (age >= 30 && age < 60) prior += static_cast<double>(d->events);
      }
      for (size_t w = 0; w < n_windows; ++w) {
        (*events[w])[i] = sums[w];
        if (amounts) (*amount[w])[i] = sums[n_windows + w];
      }
      trend[i] = recent + prior > 0.0 ? (recent - prior) / (recent + prior) : 0.0;
    }
  }
}

// Shares of events per category, or with s.category_share_amount of spend (positive amounts; empty for a user
// without any). "(other)" holds the rest, events without a category included, so a user's shares add up to 1.
// A user lives in one partition, so the partitions are summed in parallel (into the share columns, then divided by
// the user's total in place); each user's sums take its entries in the partition's order, as one thread does.
void categories_add(const EventAggregate& agg, const UserOrder& order, const ProfileBuildRequest& s, int threads,
                    ProfileTable& t) {
  const std::vector<std::string>& categories = s.categories;
  const size_t n = order.part.size(), n_cat = categories.size();
  const bool spend = s.category_share_amount;
  std::unordered_map<std::string_view, size_t> column_of;
  for (size_t c = 0; c < n_cat; ++c) column_of.emplace(categories[c], c);
  std::vector<double*> sums(n_cat + 1);  // per category, then (other): the share columns
  for (size_t c = 0; c <= n_cat; ++c)
    sums[c] = column_add(t, "share_" + (c < n_cat ? categories[c] : std::string("(other)")), n).data();
  std::vector<double> total(n);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (int p = 0; p < kEventPartitions; ++p) {
    const EventPartition& part = agg.partitions[p];
    std::vector<size_t> column(part.values[0].size());  // partition code → column (n_cat = other)
    for (size_t code = 0; code < column.size(); ++code) {
      const auto it = column_of.find(part.values[0].at(code));
      column[code] = it == column_of.end() ? n_cat : it->second;
    }
    for (size_t v = 0; v < part.value_counts[0].size(); ++v) {
      const uint64_t key = part.value_keys[0].key(v);
      const auto row = static_cast<size_t>(order.row_of[p][key >> 32]);
      const double x = spend ? part.category_spend[v] : static_cast<double>(part.value_counts[0][v]);
      sums[column[key & 0xFFFFFFFFu]][row] += x;
      total[row] += x;
    }
  }
#pragma omp parallel for num_threads(threads) schedule(static)
  for (size_t i = 0; i < n; ++i)
    for (size_t c = 0; c <= n_cat; ++c) sums[c][i] = total[i] > 0.0 ? sums[c][i] / total[i] : kNaN;
}

void time_add(const EventAggregate& agg, const UserOrder& order, bool time_of_day, int threads, ProfileTable& t) {
  const size_t n = order.part.size();
  std::vector<double>& weekend = column_add(t, "weekend_share", n);
  std::vector<double>* shares[4] = {};
  const char* names[4] = {"night_share", "morning_share", "afternoon_share", "evening_share"};
  if (time_of_day)
    for (int q = 0; q < 4; ++q) shares[q] = &column_add(t, names[q], n);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (size_t i = 0; i < n; ++i) {
    const UserTotals& u = order.totals(agg, i);
    weekend[i] = static_cast<double>(u.weekend) / static_cast<double>(u.events);
    if (!time_of_day) continue;
    for (int q = 0; q < 4; ++q)
      (*shares[q])[i] = u.timed() > 0 ? static_cast<double>(u.day_part[q]) / static_cast<double>(u.timed()) : kNaN;
  }
}

// --last and --mode columns: text column k of the partitions (after the category column, when there is one).
void text_columns_add(const EventAggregate& agg, const UserOrder& order, const ProfileBuildRequest& s, int threads,
                      ProfileTable& t) {
  const size_t n = order.part.size();
  const size_t first = s.category_column.empty() ? 0 : 1;
  for (size_t l = 0; l < s.last_columns.size(); ++l) {
    t.categorical_names.push_back("last_" + s.last_columns[l]);
    std::vector<std::string>& out = t.categorical.emplace_back(n);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (size_t i = 0; i < n; ++i) {
      const EventPartition& part = agg.partitions[static_cast<size_t>(order.part[i])];
      const LastValue& last = part.last[l][static_cast<size_t>(order.slot[i])];
      if (last.code >= 0) out[i] = part.values[first + l].at(last.code);
    }
  }
  for (size_t m = 0; m < s.mode_columns.size(); ++m) {
    const size_t k = first + s.last_columns.size() + m;
    t.categorical_names.push_back("mode_" + s.mode_columns[m]);
    std::vector<std::string>& out = t.categorical.emplace_back(n);
    std::vector<int64_t> best(n, 0);
    std::vector<std::string_view> best_value(n);  // into the partitions' interned values
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (int p = 0; p < kEventPartitions; ++p) {  // a user lives in one partition: no row is shared
      const EventPartition& part = agg.partitions[p];
      for (size_t v = 0; v < part.value_counts[k].size(); ++v) {
        const uint64_t key = part.value_keys[k].key(v);
        const int64_t row = order.row_of[p][key >> 32], count = part.value_counts[k][v];
        const std::string_view value = part.values[k].at(key & 0xFFFFFFFFu);
        // Ties go to the smallest value (byte order), whatever the order of the events.
        if (count > best[row] || (count == best[row] && value < best_value[row])) {
          best[row] = count;
          best_value[row] = value;
        }
      }
    }
#pragma omp parallel for num_threads(threads) schedule(static)
    for (size_t i = 0; i < n; ++i) out[i] = best_value[i];
  }
}

void rfm_scores_add(bool amounts, int threads, ProfileTable& t) {
  const auto column = [&](const std::string& name) -> const std::vector<double>& {
    return t.numeric[std::find(t.numeric_names.begin(), t.numeric_names.end(), name) - t.numeric_names.begin()];
  };
  const std::vector<int> r = quintile_scores(column("recency_days"), true);
  const std::vector<int> f = quintile_scores(column("frequency"), false);
  const std::vector<int> m = amounts ? quintile_scores(column("monetary_total"), false) : std::vector<int>(r.size());
  const size_t n = r.size();
  std::vector<double>& rs = column_add(t, "rfm_r", n);
  std::vector<double>& fs = column_add(t, "rfm_f", n);
  std::vector<double>* ms = amounts ? &column_add(t, "rfm_m", n) : nullptr;
  t.categorical_names.push_back("rfm_segment");
  std::vector<std::string>& names = t.categorical.emplace_back(n);
  std::string segment[5][5];  // [R − 1][FM − 1]
  for (int score_r = 1; score_r <= 5; ++score_r)
    for (int fm = 1; fm <= 5; ++fm) segment[score_r - 1][fm - 1] = rfm_segment_name(score_r, fm);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (size_t i = 0; i < n; ++i) {
    rs[i] = r[i];
    fs[i] = f[i];
    if (ms != nullptr) (*ms)[i] = m[i];
    names[i] = segment[r[i] - 1][rfm_fm_score(f[i], m[i]) - 1];
  }
}

}  // namespace

std::vector<std::string> categories_choose(const EventAggregate& agg, int max_categories, const Communicator& comm) {
  std::map<std::string, int64_t> totals;
  for (const EventPartition& part : agg.partitions)
    for (size_t v = 0; v < part.value_counts[0].size(); ++v)
      totals[std::string(part.values[0].at(part.value_keys[0].key(v) & 0xFFFFFFFFu))] += part.value_counts[0][v];
  if (comm.size() > 1) {  // every rank's counts, as (count, size, name) records; integer sums: exact in any order
    std::string mine;
    for (const auto& [name, count] : totals) {
      const uint64_t size = name.size();
      mine.append(reinterpret_cast<const char*>(&count), 8).append(reinterpret_cast<const char*>(&size), 8);
      mine += name;
    }
    totals.clear();
    for (const std::string& piece : comm.allgather_bytes(mine))
      for (size_t at = 0; at < piece.size();) {
        int64_t count = 0;
        uint64_t size = 0;
        std::memcpy(&count, piece.data() + at, 8);
        std::memcpy(&size, piece.data() + at + 8, 8);
        totals[piece.substr(at + 16, size)] += count;
        at += 16 + size;
      }
  }
  std::vector<std::pair<int64_t, std::string>> ranked;
  for (auto& [name, count] : totals)
    if (name != "(other)" && !name.empty()) ranked.emplace_back(-count, name);
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> chosen;
  for (size_t i = 0; i < ranked.size() && static_cast<int>(i) < max_categories; ++i) chosen.push_back(ranked[i].second);
  return chosen;
}

void profile_scores_add(const ProfileBuildRequest& s, ProfileTable& t) {
  if (s.rfm_scores) rfm_scores_add(!s.amount_column.empty(), s.threads > 0 ? s.threads : omp_get_max_threads(), t);
}

ProfileTable profile_table_build(const EventAggregate& agg, const ProfileBuildRequest& s, int32_t as_of_day,
                                 std::vector<int64_t>& first_records) {
  const int threads = s.threads > 0 ? s.threads : omp_get_max_threads();
  UserOrder order = users_order(agg, s.families.categories || !s.mode_columns.empty());
  ProfileTable t;
  t.id_name = s.user_column;
  const size_t n = order.part.size();
  t.ids.resize(n);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (size_t i = 0; i < n; ++i)
    t.ids[i] = agg.partitions[static_cast<size_t>(order.part[i])].users.at(static_cast<size_t>(order.slot[i]));
  const bool amounts = !s.amount_column.empty();
  if (s.families.rfm) rfm_add(agg, order, amounts, as_of_day, threads, t);
  if (s.families.windows) windows_add(agg, order, s.windows, amounts, as_of_day, threads, t);
  if (s.families.categories) categories_add(agg, order, s, threads, t);
  if (s.families.time) time_add(agg, order, s.time_of_day == 1, threads, t);
  text_columns_add(agg, order, s, threads, t);
  first_records = std::move(order.first_record);
  return t;
}

void profile_column_names_check(const ProfileTable& t) {
  std::set<std::string> seen{t.id_name};
  for (const auto* names : {&t.numeric_names, &t.categorical_names})
    for (const std::string& name : *names)
      KSEG_EXPECTS(seen.insert(name).second, UsageError,
                   "the profile would have two columns named \"" + name +
                       "\" (the user id column, a feature, or the categories of a spec): rename the log's column or "
                       "drop the repeat");
}

}  // namespace kseg
