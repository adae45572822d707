#include "host/events/profile_gather.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
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

}  // namespace

void profile_rows_gather(ProfileTable& t, std::vector<int64_t>& first_records, const Communicator& comm) {
  if (comm.size() == 1) return;
  ProfileTable all;  // rank 0: every rank's rows, in rank order
  std::vector<int64_t> keys;
  all.numeric.resize(t.numeric.size());
  all.categorical.resize(t.categorical.size());
  comm.root_collect(rows_pack(t, first_records), [&](int, std::string_view piece) {
    for (Unpacker in{piece}; in.at < piece.size();) {
      keys.push_back(in.value<int64_t>());
      all.ids.push_back(in.text());
      for (std::vector<double>& column : all.numeric) column.push_back(in.value<double>());
      for (std::vector<std::string>& column : all.categorical) column.push_back(in.text());
    }
  });
  std::vector<size_t> order(keys.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
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
