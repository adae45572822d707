// PageArray: values survive growth by remapping, moves hand the mapping over, release frees it.
#include "host/events/page_array.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace kseg {
namespace {

struct Pair {
  int32_t a = 7;
  int32_t b = -1;
};

TEST(PageArray, ValuesSurviveGrowthAcrossManyPages) {
  PageArray<int64_t> values;
  EXPECT_TRUE(values.empty());
  // 3 million values: the mapping grows (and may move) about 12 times from one page.
  for (int64_t i = 0; i < 3000000; ++i) values.push_back(i * 3 - 5);
  ASSERT_EQ(values.size(), 3000000u);
  EXPECT_GE(values.capacity(), values.size());
  int64_t mismatches = 0;
  for (int64_t i = 0; i < 3000000; ++i) mismatches += values[static_cast<size_t>(i)] != i * 3 - 5;
  EXPECT_EQ(mismatches, 0);
  int64_t sum = 0;
  for (const int64_t v : values) sum += v;
  EXPECT_EQ(sum, 3 * (int64_t{2999999} * 3000000 / 2) - 5 * int64_t{3000000});
}

TEST(PageArray, EmplaceValueInitialisesAndReserveKeepsValues) {
  PageArray<Pair> pairs;
  pairs.emplace_back().b = 4;
  pairs.reserve(100000);
  EXPECT_GE(pairs.capacity(), 100000u);
  const Pair& second = pairs.emplace_back();
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].a, 7);
  EXPECT_EQ(pairs[0].b, 4);
  EXPECT_EQ(second.a, 7);  // the default member initialisers, not zeros
  EXPECT_EQ(second.b, -1);
}

TEST(PageArray, MoveHandsTheMappingOverAndReleaseEmpties) {
  PageArray<int32_t> a;
  for (int32_t i = 0; i < 5000; ++i) a.push_back(i);
  const int32_t* data = a.data();
  PageArray<int32_t> b(std::move(a));
  EXPECT_EQ(b.data(), data);
  EXPECT_EQ(b.size(), 5000u);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): a moved-from PageArray is empty
  EXPECT_EQ(a.data(), nullptr);
  PageArray<int32_t> c;
  c.push_back(1);
  c = std::move(b);
  EXPECT_EQ(c.size(), 5000u);
  EXPECT_EQ(c[4999], 4999);
  c.release();
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(c.capacity(), 0u);
  c.push_back(3);  // usable again after release
  EXPECT_EQ(c[0], 3);
}

TEST(PageArray, ResizeZeroedKeepsValuesAndAddsZerosAcrossRemaps) {
  PageArray<int64_t> values;
  for (int64_t i = 1; i <= 100; ++i) values.push_back(i);
  values.append(std::vector<int64_t>{-1, -2}.data(), 2);
  int64_t wrong = 0;
  // Within the first page, then across remaps (the mapping grows and may move), then a smaller size (no change).
  for (const size_t n : {size_t{300}, size_t{5000}, size_t{2000000}, size_t{1000}}) {
    values.resize_zeroed(n);
    ASSERT_EQ(values.size(), std::max<size_t>(n, 2000000 * (n == 1000)));
    for (size_t i = 0; i < values.size(); ++i) {
      const int64_t want = i < 100 ? static_cast<int64_t>(i) + 1 : i == 100 ? -1 : i == 101 ? -2 : 0;
      wrong += values[i] != want;
    }
  }
  EXPECT_EQ(wrong, 0);
  values[1999999] = 7;  // the added pages are writable
  values.push_back(8);
  EXPECT_EQ(values[1999999], 7);
  EXPECT_EQ(values[2000000], 8);
}

}  // namespace
}  // namespace kseg
