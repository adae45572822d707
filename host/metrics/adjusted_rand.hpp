// Agreement between two labelings of the same rows, corrected for chance (Hubert & Arabie, 1985).
#pragma once

#include <cstdint>
#include <vector>

namespace kseg {

// 1 for identical partitions (up to renaming), about 0 for independent ones. Labels are any non-negative ints.
// When both partitions are trivial (one cluster each, or all singletons) the index is defined as 1.
double adjusted_rand_index(const std::vector<int32_t>& a, const std::vector<int32_t>& b);

}  // namespace kseg
