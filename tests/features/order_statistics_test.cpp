// Order statistics by radix selection against a full sort (std::sort, then indexing), and quantiles against the
// textbook formula on the sorted values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "host/features/log1p_counts.hpp"
#include "host/features/order_statistics.hpp"

namespace kseg {
namespace {

std::vector<size_t> positions_spread(size_t n) {
  std::vector<size_t> positions = {0, n - 1, n / 2, n / 2, (n - 1) / 3, n / 10, n - 1 - n / 7};
  for (int b = 1; b < 10; ++b) positions.push_back(static_cast<size_t>(std::floor(b / 10.0 * double(n - 1))));
  return positions;
}

void expect_matches_sort(const std::vector<double>& values, const char* what) {
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const std::vector<size_t> positions = positions_spread(values.size());
  const std::vector<double> got = order_statistics(values, positions);
  ASSERT_EQ(got.size(), positions.size());
  for (size_t i = 0; i < positions.size(); ++i)
    EXPECT_EQ(got[i], sorted[positions[i]]) << what << ": n " << values.size() << ", position " << positions[i];
}

TEST(OrderStatistics, MatchFullSortAcrossShapes) {
  std::mt19937_64 rng(17);
  // Sizes below and above the direct-selection threshold (2^15), so both paths and several radix levels run.
  for (size_t n : {size_t{1}, size_t{2}, size_t{7}, size_t{1000}, size_t{40000}, size_t{300001}}) {
    std::normal_distribution<double> normal(0.0, 1e3);
    std::vector<double> spread(n), ties(n), narrow(n), mixed(n);
    std::uniform_int_distribution<int> small(-3, 20);
    for (size_t i = 0; i < n; ++i) {
      spread[i] = normal(rng);
      ties[i] = small(rng);                                        // few distinct values, many repeats
      narrow[i] = 1e6 + static_cast<double>(rng() % 1000) * 1e-7;  // one 16-bit prefix: the next bits decide
      mixed[i] = (i % 3 == 0) ? -std::ldexp(1.0, static_cast<int>(rng() % 60)) : std::ldexp(1.0, -int(rng() % 60));
    }
    expect_matches_sort(spread, "normal");
    expect_matches_sort(ties, "small integers");
    expect_matches_sort(narrow, "narrow range");
    expect_matches_sort(mixed, "signs and magnitudes");
  }
}

TEST(OrderStatistics, ZerosOfBothSignsCountAsEqual) {
  std::vector<double> values = {-0.0, 1.0, 0.0, -1.0, -0.0, 0.0};
  const std::vector<double> got = order_statistics(values, {0, 1, 4, 5});
  EXPECT_EQ(got[0], -1.0);
  EXPECT_EQ(got[1], 0.0);  // -0.0 == 0.0
  EXPECT_EQ(got[2], 0.0);
  EXPECT_EQ(got[3], 1.0);
}

TEST(OrderStatistics, QuantilesInterpolateLikeNumpy) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> uniform(-50.0, 50.0);
  for (size_t n : {size_t{1}, size_t{2}, size_t{5}, size_t{100000}}) {
    std::vector<double> values(n);
    for (double& v : values) v = std::round(uniform(rng) * 4.0) / 4.0;
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const std::vector<double> qs = {0.0, 0.25, 0.5, 0.75, 1.0, 0.1};
    const std::vector<double> got = quantiles_linear(values, qs);
    for (size_t i = 0; i < qs.size(); ++i) {
      // numpy.quantile(method="linear"): h = q(n − 1), a = x[⌊h⌋], result a + (h − ⌊h⌋)(x[⌊h⌋ + 1] − a).
      const double h = qs[i] * double(n - 1);
      const size_t lo = static_cast<size_t>(h);
      const double a = sorted[lo], b = sorted[std::min(lo + 1, n - 1)];
      EXPECT_EQ(got[i], lo + 1 >= n ? a : a + (h - double(lo)) * (b - a)) << "n " << n << ", q " << qs[i];
    }
  }
  EXPECT_EQ(quantiles_linear({1.0, 2.0, 3.0, 4.0}, {0.5})[0], 2.5);
  EXPECT_EQ(quantiles_linear({10.0, 0.0}, {0.25})[0], 2.5);
}

// FloatOrder reads a float column with gaps in place: its order statistics must be those of the present values
// sorted, ascending and descending, across shapes that exercise one and many 16-bit prefixes, and columns of few
// values (up to 2^15, sorted on a copy) on both sides of that bound.
TEST(FloatOrder, MatchesSortOfPresentValues) {
  std::mt19937_64 rng(23);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (size_t n : {size_t{1}, size_t{3}, size_t{1000}, size_t{32768}, size_t{32769}, size_t{200003}}) {
    std::normal_distribution<float> normal(0.0f, 1e3f);
    std::uniform_int_distribution<int> small(-3, 20);
    std::vector<std::vector<float>> shapes(4, std::vector<float>(n));
    for (size_t i = 0; i < n; ++i) {
      shapes[0][i] = normal(rng);
      shapes[1][i] = static_cast<float>(small(rng));
      shapes[2][i] = 1000.0f + static_cast<float>(rng() % 64) * 0.0001f;  // few prefixes: the low bits decide
      shapes[3][i] =
          (i % 3 == 0) ? -std::ldexp(1.0f, static_cast<int>(rng() % 60)) : std::ldexp(1.0f, -int(rng() % 60));
      if (i % 7 == 3 && n > 1)
        for (auto& shape : shapes) shape[i] = nan;
    }
    for (const std::vector<float>& column : shapes) {
      std::vector<double> present;
      for (float v : column)
        if (!std::isnan(v)) present.push_back(v);
      std::sort(present.begin(), present.end());
      const FloatOrder order(column.data(), column.size());
      ASSERT_EQ(order.size(), present.size());
      const std::vector<size_t> positions = positions_spread(present.size());
      const std::vector<double> up = order.at(positions), down = order.at(positions, true);
      for (size_t i = 0; i < positions.size(); ++i) {
        EXPECT_EQ(up[i], present[positions[i]]) << "n " << n << ", position " << positions[i];
        EXPECT_EQ(down[i], present[present.size() - 1 - positions[i]]) << "n " << n << ", position " << positions[i];
      }
    }
  }
}

TEST(FloatOrder, ZerosOfBothSignsAndAllMissing) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> zeros = {-0.0f, 2.0f, 0.0f, nan, -1.0f};
  const FloatOrder order(zeros.data(), zeros.size());
  EXPECT_EQ(order.size(), 4u);
  const std::vector<double> got = order.at({0, 1, 2, 3});
  EXPECT_EQ(got, (std::vector<double>{-1.0, 0.0, 0.0, 2.0}));
  EXPECT_FALSE(std::signbit(got[1]) || std::signbit(got[2]));
  // The same over 2^16 values (counted by prefix, not sorted on a copy): zeros of both signs come back as 0.0.
  std::vector<float> many(1 << 16);
  for (size_t i = 0; i < many.size(); ++i) many[i] = i % 2 == 0 ? -0.0f : 0.0f;
  const std::vector<double> middle = FloatOrder(many.data(), many.size()).at({0, many.size() / 2, many.size() - 1});
  for (double v : middle) EXPECT_TRUE(v == 0.0 && !std::signbit(v));
  const std::vector<float> missing = {nan, nan};
  EXPECT_EQ(FloatOrder(missing.data(), missing.size()).size(), 0u);
}

// The table gives exactly std::log1p's double for whole numbers, and everything else goes to std::log1p itself.
TEST(Log1pTable, EqualsLog1pBitForBit) {
  const auto& table = log1p_table();
  for (int i = 0; i < kLog1pTableSize + 10; ++i) {
    // Hidden from the optimiser, so that the reference is the library's log1p at run time, not the compiler's (which
    // is correctly rounded where the library's is not always, e.g. at 2).
    const double v = double_opaque(static_cast<double>(i));
    EXPECT_EQ(log1p_nonnegative(v, table), std::log1p(v)) << v;
    EXPECT_EQ(log1p_nonnegative(v + 0.5, table), std::log1p(v + 0.5)) << v + 0.5;
  }
  EXPECT_TRUE(std::signbit(log1p_nonnegative(-0.0, table)));  // as std::log1p(-0.0)
  EXPECT_FALSE(std::signbit(log1p_nonnegative(0.0, table)));
  EXPECT_EQ(log1p_nonnegative(1e30, table), std::log1p(1e30));
}

}  // namespace
}  // namespace kseg
