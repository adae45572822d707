#include "host/events/profile_features.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <unordered_map>

#include "host/events/rfm_segments.hpp"

namespace kseg {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Users in the order of their first event in the log, and where each lives.
struct UserOrder {
  std::vector<const UserTotals*> totals;     // per output row
  std::vector<int64_t> first_record;         // per output row
  std::vector<std::vector<int64_t>> row_of;  // [partition][slot] → output row
};

UserOrder users_order(const EventAggregate& agg) {
  struct Ref {
    int64_t first_record;
    int part;
    int32_t slot;
  };
  std::vector<Ref> refs;
  for (int p = 0; p < kEventPartitions; ++p)
    for (size_t s = 0; s < agg.partitions[p].totals.size(); ++s)
      refs.push_back({agg.partitions[p].first_record[s], p, static_cast<int32_t>(s)});
  std::sort(refs.begin(), refs.end(), [](const Ref& a, const Ref& b) { return a.first_record < b.first_record; });
  UserOrder order;
  order.row_of.resize(kEventPartitions);
  for (int p = 0; p < kEventPartitions; ++p) order.row_of[p].resize(agg.partitions[p].totals.size());
  for (size_t i = 0; i < refs.size(); ++i) {
    order.totals.push_back(&agg.partitions[refs[i].part].totals[refs[i].slot]);
    order.first_record.push_back(refs[i].first_record);
    order.row_of[refs[i].part][refs[i].slot] = static_cast<int64_t>(i);
  }
  return order;
}

std::vector<double>& column_add(ProfileTable& table, const std::string& name, size_t n, double fill = 0.0) {
  table.numeric_names.push_back(name);
  table.numeric.emplace_back(n, fill);
  return table.numeric.back();
}

// Calls fn(row, day totals) for every user-day of the log.
template <typename Fn>
void user_days_for_each(const EventAggregate& agg, const UserOrder& order, Fn fn) {
  for (int p = 0; p < kEventPartitions; ++p) {
    const EventPartition& part = agg.partitions[p];
    for (size_t slot = 0; slot < part.totals.size(); ++slot)
      for (int64_t d = part.day_begin[slot]; d < part.day_begin[slot + 1]; ++d)
        fn(order.row_of[p][slot], part.days[static_cast<size_t>(d)]);
  }
}

void rfm_add(const EventAggregate& agg, const UserOrder& order, bool amounts, int32_t as_of, ProfileTable& t) {
  const size_t n = order.totals.size();
  std::vector<double> active(n, 0.0);
  user_days_for_each(agg, order, [&](int64_t row, const DayTotals&) { active[row] += 1.0; });
  std::vector<double>& recency = column_add(t, "recency_days", n);
  std::vector<double>& frequency = column_add(t, "frequency", n);
  column_add(t, "active_days", n) = active;
  std::vector<double>& tenure = column_add(t, "tenure_days", n);
  std::vector<double>& gap = column_add(t, "interpurchase_days", n);
  for (size_t i = 0; i < n; ++i) {
    const UserTotals& u = *order.totals[i];
    recency[i] = as_of - u.last_day;
    frequency[i] = static_cast<double>(u.events);
    tenure[i] = as_of - u.first_day;
    // The mean gap between consecutive active days telescopes to (last − first) / (active days − 1).
    gap[i] = active[i] > 1.0 ? (u.last_day - u.first_day) / (active[i] - 1.0) : kNaN;
  }
  if (!amounts) return;
  std::vector<double>& total = column_add(t, "monetary_total", n);
  std::vector<double>& mean = column_add(t, "monetary_mean", n);
  std::vector<double>& max = column_add(t, "monetary_max", n);
  std::vector<double>& refunds = column_add(t, "refunds", n);
  for (size_t i = 0; i < n; ++i) {
    const UserTotals& u = *order.totals[i];
    total[i] = u.amount_sum;
    mean[i] = u.amount_events > 0 ? u.amount_sum / static_cast<double>(u.amount_events) : kNaN;
    max[i] = u.amount_events > 0 ? u.amount_max : kNaN;
    refunds[i] = static_cast<double>(u.refunds);
  }
}

void windows_add(const EventAggregate& agg, const UserOrder& order, const std::vector<int>& windows, bool amounts,
                 int32_t as_of, ProfileTable& t) {
  const size_t n = order.totals.size();
  std::vector<std::vector<double>> events(windows.size(), std::vector<double>(n)), amount = events;
  std::vector<double> recent(n), prior(n);
  user_days_for_each(agg, order, [&](int64_t row, const DayTotals& d) {
    const int64_t age = int64_t{as_of} - d.day;  // 0 on the reference day
    for (size_t w = 0; w < windows.size(); ++w)
      if (age < windows[w]) {
        events[w][row] += static_cast<double>(d.events);
        amount[w][row] += d.amount;
      }
    if (age < 30) recent[row] += static_cast<double>(d.events);
    if (age >= 30 && age < 60) prior[row] += static_cast<double>(d.events);
  });
  for (size_t w = 0; w < windows.size(); ++w) {
    const std::string days = std::to_string(windows[w]) + "d";
    column_add(t, "events_" + days, n) = events[w];
    if (amounts) column_add(t, "amount_" + days, n) = amount[w];
  }
  std::vector<double>& trend = column_add(t, "trend_30d", n);
  for (size_t i = 0; i < n; ++i)
    trend[i] = recent[i] + prior[i] > 0.0 ? (recent[i] - prior[i]) / (recent[i] + prior[i]) : 0.0;
}

// Shares of events per category, or with s.category_share_amount of spend (positive amounts; empty for a user
// without any). "(other)" holds the rest, events without a category included, so a user's shares add up to 1.
void categories_add(const EventAggregate& agg, const UserOrder& order, const ProfileBuildRequest& s, ProfileTable& t) {
  const std::vector<std::string>& categories = s.categories;
  const size_t n = order.totals.size(), n_cat = categories.size();
  const bool spend = s.category_share_amount;
  std::unordered_map<std::string_view, size_t> column_of;
  for (size_t c = 0; c < n_cat; ++c) column_of.emplace(categories[c], c);
  std::vector<std::vector<double>> sums(n_cat + 1, std::vector<double>(n));
  std::vector<double> total(n);
  for (int p = 0; p < kEventPartitions; ++p) {
    const EventPartition& part = agg.partitions[p];
    std::vector<size_t> column(part.values[0].size());  // partition code → column (n_cat = other)
    for (size_t code = 0; code < column.size(); ++code) {
      const auto it = column_of.find(part.values[0].at(code));
      column[code] = it == column_of.end() ? n_cat : it->second;
    }
    for (size_t v = 0; v < part.value_counts[0].size(); ++v) {
      const uint64_t key = part.value_keys[0].key(v);
      const int64_t row = order.row_of[p][key >> 32];
      const double x = spend ? part.category_spend[v] : static_cast<double>(part.value_counts[0][v]);
      sums[column[key & 0xFFFFFFFFu]][row] += x;
      total[row] += x;
    }
  }
  for (size_t c = 0; c <= n_cat; ++c) {
    std::vector<double>& share = column_add(t, "share_" + (c < n_cat ? categories[c] : std::string("(other)")), n);
    for (size_t i = 0; i < n; ++i) share[i] = total[i] > 0.0 ? sums[c][i] / total[i] : kNaN;
  }
}

void time_add(const UserOrder& order, bool time_of_day, ProfileTable& t) {
  const size_t n = order.totals.size();
  std::vector<double>& weekend = column_add(t, "weekend_share", n);
  for (size_t i = 0; i < n; ++i)
    weekend[i] = static_cast<double>(order.totals[i]->weekend) / static_cast<double>(order.totals[i]->events);
  if (!time_of_day) return;
  const char* names[4] = {"night_share", "morning_share", "afternoon_share", "evening_share"};
  for (int q = 0; q < 4; ++q) {
    std::vector<double>& share = column_add(t, names[q], n);
    for (size_t i = 0; i < n; ++i) {
      const UserTotals& u = *order.totals[i];
      share[i] = u.timed() > 0 ? static_cast<double>(u.day_part[q]) / static_cast<double>(u.timed()) : kNaN;
    }
  }
}

// --last and --mode columns: text column k of the partitions (after the category column, when there is one).
void text_columns_add(const EventAggregate& agg, const UserOrder& order, const ProfileBuildRequest& s,
                      ProfileTable& t) {
  const size_t n = order.totals.size();
  const size_t first = s.category_column.empty() ? 0 : 1;
  for (size_t l = 0; l < s.last_columns.size(); ++l) {
    t.categorical_names.push_back("last_" + s.last_columns[l]);
    std::vector<std::string>& out = t.categorical.emplace_back(n);
    for (int p = 0; p < kEventPartitions; ++p) {
      const EventPartition& part = agg.partitions[p];
      for (size_t slot = 0; slot < part.last[l].size(); ++slot)
        if (part.last[l][slot].code >= 0)
          out[order.row_of[p][slot]] = part.values[first + l].at(part.last[l][slot].code);
    }
  }
  for (size_t m = 0; m < s.mode_columns.size(); ++m) {
    const size_t k = first + s.last_columns.size() + m;
    t.categorical_names.push_back("mode_" + s.mode_columns[m]);
    std::vector<std::string>& out = t.categorical.emplace_back(n);
    std::vector<int64_t> best(n, 0);
    for (int p = 0; p < kEventPartitions; ++p) {
      const EventPartition& part = agg.partitions[p];
      for (size_t v = 0; v < part.value_counts[k].size(); ++v) {
        const uint64_t key = part.value_keys[k].key(v);
        const int64_t row = order.row_of[p][key >> 32], count = part.value_counts[k][v];
        const std::string_view value = part.values[k].at(key & 0xFFFFFFFFu);
        // Ties go to the smallest value (byte order), whatever the order of the events.
        if (count > best[row] || (count == best[row] && value < out[row])) {
          best[row] = count;
          out[row] = std::string(value);
        }
      }
    }
  }
}

void rfm_scores_add(bool amounts, ProfileTable& t) {
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
  for (size_t i = 0; i < n; ++i) {
    rs[i] = r[i];
    fs[i] = f[i];
    if (ms != nullptr) (*ms)[i] = m[i];
    names[i] = rfm_segment_name(r[i], rfm_fm_score(f[i], m[i]));
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
  if (s.rfm_scores) rfm_scores_add(!s.amount_column.empty(), t);
}

ProfileTable profile_table_build(const EventAggregate& agg, const ProfileBuildRequest& s, int32_t as_of_day,
                                 std::vector<int64_t>& first_records) {
  const UserOrder order = users_order(agg);
  first_records = order.first_record;
  ProfileTable t;
  t.id_name = s.user_column;
  t.ids.reserve(order.totals.size());
  std::vector<std::string> ids(order.totals.size());
  for (int p = 0; p < kEventPartitions; ++p)
    for (size_t slot = 0; slot < agg.partitions[p].totals.size(); ++slot)
      ids[order.row_of[p][slot]] = std::string(agg.partitions[p].users.at(slot));
  t.ids = std::move(ids);
  const bool amounts = !s.amount_column.empty();
  if (s.families.rfm) rfm_add(agg, order, amounts, as_of_day, t);
  if (s.families.windows) windows_add(agg, order, s.windows, amounts, as_of_day, t);
  if (s.families.categories) categories_add(agg, order, s, t);
  if (s.families.time) time_add(order, s.time_of_day == 1, t);
  text_columns_add(agg, order, s, t);
  return t;
}

}  // namespace kseg
