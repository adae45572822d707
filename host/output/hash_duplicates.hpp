// Counting repeated 64-bit hashes (ids that repeat an earlier id) for millions of rows.
#pragma once

#include <cstdint>
#include <vector>

namespace kseg {

// The number of entries of hashes equal to an earlier entry (hashes.size() − distinct values); reorders hashes.
// In place: one counting pass and one permutation into 256 buckets by the top bits (equal hashes share them; 256
// write positions stay in cache), then each bucket's repeats counted in a hash table on all threads, each table small
// enough to stay in cache.
int64_t hash_duplicates_count(std::vector<uint64_t>& hashes);

}  // namespace kseg
