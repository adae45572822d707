#include "host/output/hash_duplicates.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace kseg {
namespace {

constexpr int kBucketBits = 8;
constexpr size_t kBuckets = size_t{1} << kBucketBits;
// Below this many hashes the buckets' bookkeeping outweighs a plain sort.
constexpr size_t kSortDirect = size_t{1} << 16;

int64_t sorted_duplicates(uint64_t* begin, uint64_t* end) {
  if (end - begin < 2) return 0;
  std::sort(begin, end);
  int64_t repeats = 0;
  for (uint64_t* p = begin + 1; p < end; ++p) repeats += *p == p[-1];
  return repeats;
}

// The repeats in one bucket, by inserting its hashes into an open-addressing table of at least twice as many slots
// (in cache for a bucket of 1/256 of the rows; the hashes are uniform, so their low bits spread them). 0 marks an
// empty slot: the hash 0 is counted apart.
int64_t bucket_duplicates(const uint64_t* begin, const uint64_t* end, std::vector<uint64_t>& table) {
  const size_t n = static_cast<size_t>(end - begin);
  size_t slots = 16;
  while (slots < 2 * n) slots *= 2;
  table.assign(slots, 0);
  const size_t mask = slots - 1;
  int64_t repeats = 0, zeros = 0;
  for (const uint64_t* p = begin; p < end; ++p) {
    const uint64_t h = *p;
    if (h == 0) {
      repeats += zeros++ > 0;
      continue;
    }
    size_t at = static_cast<size_t>(h) & mask;
    while (table[at] != 0 && table[at] != h) at = (at + 1) & mask;
    repeats += table[at] == h;
    table[at] = h;
  }
  return repeats;
}

}  // namespace

int64_t hash_duplicates_count(std::vector<uint64_t>& hashes) {
  const size_t n = hashes.size();
  if (n < 2) return 0;
  if (n < kSortDirect) return sorted_duplicates(hashes.data(), hashes.data() + n);
  const auto bucket = [](uint64_t h) { return static_cast<size_t>(h >> (64 - kBucketBits)); };
  std::vector<size_t> start(kBuckets + 1, 0);
  for (uint64_t h : hashes) ++start[bucket(h) + 1];
  for (size_t b = 0; b < kBuckets; ++b) start[b + 1] += start[b];
  // American flag sort: each hash is swapped into the next free slot of its bucket until the slot holds one of its
  // own bucket; next[b] is that free slot.
  std::vector<size_t> next(start.begin(), start.end() - 1);
  for (size_t b = 0; b < kBuckets; ++b) {
    while (next[b] < start[b + 1]) {
      uint64_t h = hashes[next[b]];
      for (size_t home = bucket(h); home != b; home = bucket(h)) std::swap(h, hashes[next[home]++]);
      hashes[next[b]++] = h;
    }
  }
  int64_t repeats = 0;
  const auto buckets = static_cast<int64_t>(kBuckets);
#pragma omp parallel reduction(+ : repeats)
  {
    std::vector<uint64_t> table;
#pragma omp for schedule(dynamic, 8)
    for (int64_t b = 0; b < buckets; ++b)
      repeats += bucket_duplicates(hashes.data() + start[b], hashes.data() + start[b + 1], table);
  }
  return repeats;
}

}  // namespace kseg
