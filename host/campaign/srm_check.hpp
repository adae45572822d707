// Sample-ratio mismatch: does the observed split of users between groups fit the split the assignment intended?
// A mismatch means broken randomisation or broken logging, and every comparison of those groups is suspect.
#pragma once

#include <vector>

namespace kseg {

// Below this p-value the split is flagged. Strict on purpose (Kohavi et al., "Trustworthy Online Controlled
// Experiments", ch. 21): with many segments checked, 0.05 would flag one in twenty healthy ones.
constexpr double kSrmAlpha = 0.001;

struct SrmResult {
  double chi_square = 0.0;  // Σ (observed − expected)² / expected
  double df = 0.0;          // groups − 1
  double p_value = 1.0;     // upper tail of χ²(df); NaN with no users
  bool mismatch = false;    // p_value < kSrmAlpha
};

// Pearson's chi-square goodness of fit of the counts per group against shares (normalised to sum to 1)
// (scipy.stats.chisquare(observed, f_exp=shares·total)). No users: p NaN, no mismatch. A share of 0 with users
// observed in that group: chi-square infinite, p 0, mismatch.
SrmResult srm_check(const std::vector<double>& observed, const std::vector<double>& shares);

}  // namespace kseg
