// Synthetic but realistic user profiles with planted segments, for demos, tests and benchmarks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kseg {

struct GenerateOptions {
  int64_t users = 10000;    // rows to write
  uint64_t seed = 42;       // same seed → same file
  bool with_truth = false;  // add the planted segment (CSV: a true_segment column; .npy: a FILE.truth.csv beside it)
};

// Feature columns the generator writes, in order: heavy-tailed counts (orders, sessions), monetary values
// (avg_order_value), recency in days, rates in [0, 1], tenure in days.
const std::vector<std::string>& generated_feature_names();

// Writes users to path (.csv with a user_id column, or .npy with the features only), atomically.
void users_generate(const std::string& path, const GenerateOptions& options);

}  // namespace kseg
