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
  // A later snapshot of the same users (same seed): each user switches persona with probability drift, drawn from
  // a mix tilted towards bargain hunters and lapsed users; every user orders less (× 1 − 0.3·drift) and less
  // recently (recency × 1 + drift). 0 = the seed's users as they are.
  double drift = 0.0;
  double churn = 0.0;  // share of users replaced by newcomers (ids n00000000…, persona from the tilted mix)
};

// Feature columns the generator writes, in order: heavy-tailed counts (orders, sessions), monetary values
// (avg_order_value), recency in days, rates in [0, 1], tenure in days.
const std::vector<std::string>& generated_feature_names();

// The users users_generate writes for options (same options → same users), without writing them: the numeric
// features, n × 7 row-major in generated_feature_names() order, before any cell is left empty; the planted persona
// (0 loyal high spenders, 1 bargain hunters, 2 new users, 3 lapsed, 4 browsers, 5 occasional); 1 for a newcomer;
// each one's id as in the CSV.
struct GeneratedUsers {
  std::vector<float> features;
  std::vector<int32_t> persona;
  std::vector<uint8_t> newcomer;
  std::vector<std::string> ids;
};
GeneratedUsers generated_users_draw(const GenerateOptions& options);

// Writes users to path, atomically. CSV: user_id, the numeric features (about 3% of avg_order_value and 5% of
// email_open_rate left empty), and categorical device, plan, country. .npy: the numeric features only, complete.
void users_generate(const std::string& path, const GenerateOptions& options);

}  // namespace kseg
