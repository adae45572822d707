// The Hungarian assignment: known answers, rectangular shapes, and brute force on random small matrices.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "host/dynamics/hungarian.hpp"
#include "host/error.hpp"

namespace kseg {
namespace {

double total_cost(const std::vector<double>& cost, int64_t cols, const std::vector<int64_t>& column) {
  double total = 0.0;
  for (size_t i = 0; i < column.size(); ++i)
    if (column[i] >= 0) total += cost[i * cols + column[i]];
  return total;
}

// Smallest total over every way to match min(rows, cols) pairs (rows ≤ cols here; transposed otherwise).
double brute_force(const std::vector<double>& cost, int64_t rows, int64_t cols) {
  const bool flip = rows > cols;
  const int64_t r = flip ? cols : rows, c = flip ? rows : cols;
  std::vector<int64_t> perm(static_cast<size_t>(c));
  std::iota(perm.begin(), perm.end(), 0);
  double best = 1e300;
  do {
    double total = 0.0;
    for (int64_t i = 0; i < r; ++i) total += flip ? cost[perm[i] * cols + i] : cost[i * cols + perm[i]];
    best = std::min(best, total);
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

TEST(Hungarian, KnownSquareAnswer) {
  // Row by row, the cheapest free column gives 1 + 2 + 2 as well; the optimum is unique.
  const std::vector<double> cost = {4, 1, 3,  //
                                    2, 0, 5,  //
                                    3, 2, 2};
  const std::vector<int64_t> column = hungarian_assign(cost, 3, 3);
  EXPECT_EQ(column, (std::vector<int64_t>{1, 0, 2}));  // 1 + 2 + 2 = 5
  EXPECT_DOUBLE_EQ(total_cost(cost, 3, column), 5.0);
}

TEST(Hungarian, BeatsGreedy) {
  // Greedy on the smallest cell takes (0,0)=1 and is then forced to (1,1)=100: 101. Optimal: 2 + 3 = 5.
  const std::vector<double> cost = {1, 2,  //
                                    3, 100};
  EXPECT_EQ(hungarian_assign(cost, 2, 2), (std::vector<int64_t>{1, 0}));
}

TEST(Hungarian, MoreRowsThanColumnsLeavesTheCostliestRowsOut) {
  const std::vector<double> cost = {5, 9,  //
                                    1, 8,  //
                                    7, 2};
  EXPECT_EQ(hungarian_assign(cost, 3, 2), (std::vector<int64_t>{-1, 0, 1}));
}

TEST(Hungarian, MoreColumnsThanRows) {
  const std::vector<double> cost = {5, 1, 9,  //
                                    4, 2, 3};
  EXPECT_EQ(hungarian_assign(cost, 2, 3), (std::vector<int64_t>{1, 2}));
}

TEST(Hungarian, EdgeSizes) {
  EXPECT_EQ(hungarian_assign({7.0}, 1, 1), (std::vector<int64_t>{0}));
  EXPECT_EQ(hungarian_assign({}, 0, 3), (std::vector<int64_t>{}));
  EXPECT_EQ(hungarian_assign({}, 2, 0), (std::vector<int64_t>{-1, -1}));
  const std::vector<double> ties(16, 1.0);  // all equal: any perfect matching, deterministic
  std::vector<int64_t> column = hungarian_assign(ties, 4, 4);
  EXPECT_EQ(column, hungarian_assign(ties, 4, 4));
  std::sort(column.begin(), column.end());
  EXPECT_EQ(column, (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST(Hungarian, RefusesBadInput) {
  EXPECT_THROW(hungarian_assign({1.0, 2.0}, 2, 2), DataError);
  EXPECT_THROW(hungarian_assign({1.0, std::nan("")}, 1, 2), DataError);
}

TEST(Hungarian, MatchesBruteForceOnRandomMatrices) {
  const uint64_t seed = 20240601;
  std::mt19937_64 rng(seed);
  for (int trial = 0; trial < 300; ++trial) {
    const int64_t rows = 1 + static_cast<int64_t>(rng() % 6), cols = 1 + static_cast<int64_t>(rng() % 6);
    std::vector<double> cost(static_cast<size_t>(rows * cols));
    for (double& c : cost) c = static_cast<double>(rng() % 20);  // small integers: many ties
    const std::vector<int64_t> column = hungarian_assign(cost, rows, cols);
    ASSERT_EQ(static_cast<int64_t>(column.size()), rows);
    std::vector<int64_t> used;
    for (int64_t c : column)
      if (c >= 0) used.push_back(c);
    ASSERT_EQ(static_cast<int64_t>(used.size()), std::min(rows, cols)) << "seed " << seed << " trial " << trial;
    std::sort(used.begin(), used.end());
    ASSERT_TRUE(std::adjacent_find(used.begin(), used.end()) == used.end());
    EXPECT_DOUBLE_EQ(total_cost(cost, cols, column), brute_force(cost, rows, cols))
        << "seed " << seed << " trial " << trial << " " << rows << "x" << cols;
  }
}

}  // namespace
}  // namespace kseg
