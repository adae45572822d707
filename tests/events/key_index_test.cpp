// StringIndex: every text keeps its index through the in-place doublings, whatever its hash, including hashes that
// pile into one cluster and clusters that wrap from the table's last slot to its first (the rebuild path).
#include "host/events/key_index.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace kseg {
namespace {

// Inserts n texts (some over the slot's inline size) with hash_of(i), then checks that each finds its own index
// again, that at() gives its text back, and that a text not inserted is added as the next index.
void round_trip(int n, const std::function<uint64_t(int)>& hash_of) {
  StringIndex index;
  std::vector<std::string> texts;
  for (int i = 0; i < n; ++i) {
    texts.push_back(i % 7 == 0 ? "a long user id over sixteen bytes #" + std::to_string(i) : "u" + std::to_string(i));
    ASSERT_EQ(index.find_or_insert(texts.back(), hash_of(i)), i) << "inserting " << texts.back();
    ASSERT_EQ(index.find_or_insert(texts.back(), hash_of(i)), i) << "finding the text just inserted";
  }
  ASSERT_EQ(index.size(), static_cast<size_t>(n));
  int lost = 0, wrong_text = 0;
  for (int i = 0; i < n; ++i) {
    lost += index.find_or_insert(texts[static_cast<size_t>(i)], hash_of(i)) != i;
    wrong_text += index.at(static_cast<size_t>(i)) != texts[static_cast<size_t>(i)];
  }
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(wrong_text, 0);
  EXPECT_EQ(index.find_or_insert("not inserted", hash_of(0)), n);
}

TEST(StringIndex, TextsKeepTheirIndexThroughGrowth) {
  round_trip(200000, [](int i) { return text_hash("u" + std::to_string(i)); });
}

TEST(StringIndex, CollidingAndClusteredHashes) {
  // Eight texts per hash: full collisions, compared by text.
  round_trip(50000, [](int i) { return key_mix(static_cast<uint64_t>(i / 8)); });
  // Runs of consecutive slots: long clusters that move half up, half not, at each doubling.
  round_trip(50000, [](int i) { return static_cast<uint64_t>(i) * 3; });
}

TEST(StringIndex, ClustersThatWrapAroundTheTableEnd) {
  // Hashes whose low bits are all ones: every table's last slot is their home, so their cluster wraps to slot 0 and
  // the doubling meets a probe passing the end (the rebuild), at every size.
  round_trip(20000, [](int i) { return ~uint64_t{0} - static_cast<uint64_t>(i % 3); });
  std::mt19937_64 rng(11);
  std::vector<uint64_t> hashes(30000);
  for (uint64_t& h : hashes) h = rng() | (rng() % 2 == 0 ? 0xFFFFull : 0);  // half near every table's end
  round_trip(30000, [&](int i) { return hashes[static_cast<size_t>(i)]; });
}

}  // namespace
}  // namespace kseg
