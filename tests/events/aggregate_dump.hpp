// An event aggregate as bytes, to compare two aggregations of one log bit for bit (the CSV scan against the
// tokenizer: tests/events/event_scan_test.cpp, tests/fuzz/event_scan_fuzz.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/events/event_aggregate.hpp"

namespace kseg::test {

template <class T>
inline void bytes_add(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(v));
}

// Everything an aggregate holds, as bytes (doubles bit for bit), partition by partition.
inline std::string aggregate_dump(const EventAggregate& agg) {
  std::string out;
  bytes_add(out, agg.events_read);
  bytes_add(out, agg.events_after_as_of);
  bytes_add(out, agg.amounts_missing);
  bytes_add(out, agg.any_time_of_day);
  bytes_add(out, agg.max_day);
  for (const EventPartition& part : agg.partitions) {
    out += "|users:";
    for (size_t u = 0; u < part.users.size(); ++u) out.append(part.users.at(u)).push_back(',');
    for (const UserTotals& t : part.totals) bytes_add(out, t);
    for (const int64_t r : part.first_record) bytes_add(out, r);
    for (const int64_t b : part.day_begin) bytes_add(out, b);
    for (const DayTotals& d : part.days) bytes_add(out, d);
    for (const StringIndex& values : part.values)
      for (size_t v = 0; v < values.size(); ++v) out.append(values.at(v)).push_back(',');
    for (const KeyIndex& keys : part.value_keys)
      for (size_t k = 0; k < keys.size(); ++k) bytes_add(out, keys.key(k));
    for (const std::vector<int64_t>& counts : part.value_counts)
      for (const int64_t c : counts) bytes_add(out, c);
    for (const double s : part.category_spend) bytes_add(out, s);
    for (const std::vector<LastValue>& last : part.last)
      for (const LastValue& l : last) {
        bytes_add(out, l.utc_seconds);
        bytes_add(out, l.record);
        bytes_add(out, l.code);
      }
  }
  return out;
}

}  // namespace kseg::test
