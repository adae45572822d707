#include "host/events/profile_gather.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <queue>
#include <string>
#include <string_view>
#include <type_traits>

namespace kseg {

namespace {

void text_put(std::string& out, std::string_view text) {
  const uint64_t size = text.size();
  out.append(reinterpret_cast<const char*>(&size), sizeof(size)).append(text);
}

// Reads back what rows_pack wrote, in order.
struct Unpacker {
  std::string_view in;
  size_t at = 0;
  template <typename T>
  T value() {
    T v{};
    std::memcpy(&v, in.data() + at, sizeof(T));
    at += sizeof(T);
    return v;
  }
  std::string text() {
    const auto size = static_cast<size_t>(value<uint64_t>());
    std::string t(in.substr(at, size));
    at += size;
    return t;
  }
};

// Per row: first record, id, numeric values (their bits), categorical texts.
std::string rows_pack(const ProfileTable& t, const std::vector<int64_t>& first_records) {
  std::string out;
  for (size_t i = 0; i < t.ids.size(); ++i) {
    out.append(reinterpret_cast<const char*>(&first_records[i]), sizeof(int64_t));
    text_put(out, t.ids[i]);
    for (const std::vector<double>& column : t.numeric) out.append(reinterpret_cast<const char*>(&column[i]), 8);
    for (const std::vector<std::string>& column : t.categorical) text_put(out, column[i]);
  }
  return out;
}

// The rows' places in first-record order: a merge of the ranks' runs (run r: rows [begin[r], begin[r + 1]), each in
// first-record order already, as profile_table_build orders a rank's users): n · log(ranks) steps, not a sort's
// n · log(n) comparisons with a cache miss each.
std::vector<size_t> runs_merge(const std::vector<int64_t>& keys, const std::vector<size_t>& begin) {
  using Head = std::pair<int64_t, size_t>;  // (key, run)
  std::priority_queue<Head, std::vector<Head>, std::greater<Head>> heads;
  std::vector<size_t> at(begin.begin(), begin.end() - 1);
  for (size_t r = 0; r + 1 < begin.size(); ++r)
    if (at[r] < begin[r + 1]) heads.push({keys[at[r]], r});
  std::vector<size_t> order;
  order.reserve(keys.size());
  while (!heads.empty()) {
    const size_t r = heads.top().second;
    heads.pop();
    order.push_back(at[r]++);
    if (at[r] < begin[r + 1]) heads.push({keys[at[r]], r});
  }
  return order;
}

}  // namespace

void profile_rows_gather(ProfileTable& t, std::vector<int64_t>& first_records, const Communicator& comm) {
  if (comm.size() == 1) return;
  ProfileTable all;  // rank 0: every rank's rows, in rank order
  std::vector<int64_t> keys;
  std::vector<size_t> run_begin;  // where each rank's rows start
  all.numeric.resize(t.numeric.size());
  all.categorical.resize(t.categorical.size());
  comm.root_collect(rows_pack(t, first_records), [&](int, std::string_view piece) {
    run_begin.push_back(keys.size());
    for (Unpacker in{piece}; in.at < piece.size();) {
      keys.push_back(in.value<int64_t>());
      all.ids.push_back(in.text());
      for (std::vector<double>& column : all.numeric) column.push_back(in.value<double>());
      for (std::vector<std::string>& column : all.categorical) column.push_back(in.text());
    }
  });
  run_begin.push_back(keys.size());
  const std::vector<size_t> order = runs_merge(keys, run_begin);
  const auto permute = [&](auto& column) {
    std::remove_reference_t<decltype(column)> sorted(column.size());
    for (size_t i = 0; i < order.size(); ++i) sorted[i] = std::move(column[order[i]]);
    column = std::move(sorted);
  };
  permute(all.ids);
  permute(keys);
  for (std::vector<double>& column : all.numeric) permute(column);
  for (std::vector<std::string>& column : all.categorical) permute(column);
  t.ids = std::move(all.ids);
  for (size_t c = 0; c < t.numeric.size(); ++c) t.numeric[c] = std::move(all.numeric[c]);
  for (size_t c = 0; c < t.categorical.size(); ++c) t.categorical[c] = std::move(all.categorical[c]);
  first_records = std::move(keys);
}

}  // namespace kseg
