// hash_duplicates_count against a count by std::set, on hashes with planted repeats.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

#include "host/output/hash_duplicates.hpp"

namespace kseg {
namespace {

int64_t duplicates_by_set(const std::vector<uint64_t>& hashes) {
  const std::set<uint64_t> distinct(hashes.begin(), hashes.end());
  return static_cast<int64_t>(hashes.size() - distinct.size());
}

TEST(HashDuplicates, CountsRepeatsLikeASet) {
  std::mt19937_64 rng(11);
  // Sizes on both sides of the plain-sort threshold (2^16); repeats planted at random earlier positions, some hashes
  // sharing their top bits (one bucket) without being equal.
  for (size_t n : {size_t{0}, size_t{1}, size_t{2}, size_t{1000}, size_t{70000}, size_t{500000}}) {
    std::vector<uint64_t> hashes(n);
    for (size_t i = 0; i < n; ++i) {
      hashes[i] = i % 5 == 0 ? (uint64_t{42} << 48) | (rng() & 0xFFFF) : rng();
      if (i > 0 && rng() % 10 == 0) hashes[i] = hashes[rng() % i];
    }
    const int64_t expected = duplicates_by_set(hashes);
    std::vector<uint64_t> work = hashes;
    EXPECT_EQ(hash_duplicates_count(work), expected) << "n " << n;
    if (n > 10) {
      EXPECT_GT(expected, 0);
    }
  }
}

TEST(HashDuplicates, AllEqualAndAllDistinct) {
  std::vector<uint64_t> same(100000, 0x8000000000000001ull);
  EXPECT_EQ(hash_duplicates_count(same), 99999);
  std::vector<uint64_t> distinct(100000);
  for (size_t i = 0; i < distinct.size(); ++i) distinct[i] = (uint64_t{i} << 40) ^ (i * 0x9E3779B97F4A7C15ull);
  EXPECT_EQ(hash_duplicates_count(distinct), duplicates_by_set(distinct));
}

}  // namespace
}  // namespace kseg
