// Means of amounts per user and their comparison by Welch's unequal-variance t test and interval.
#pragma once

#include <vector>

#include "host/campaign/proportion_intervals.hpp"

namespace kseg {

// A group's mean and unbiased variance with frequency weights (n = Σw; variance Σw(y − mean)² / (n − 1)),
// as statsmodels DescrStatsW(y, weights=w) gives them. Unweighted: w empty.
struct MeanSummary {
  double n = 0.0;
  double mean = 0.0;      // NaN when n = 0
  double variance = 0.0;  // NaN when n ≤ 1
};

MeanSummary mean_summary(const std::vector<double>& y, const std::vector<double>& w);

struct WelchResult {
  double difference = 0.0;  // mean1 − mean0
  double se = 0.0;          // √(v1/n1 + v0/n0)
  double df = 0.0;          // Welch–Satterthwaite degrees of freedom
  double t = 0.0;
  double p_value = 1.0;  // two-sided
  Interval ci;           // difference ± t_{1−α/2, df}·se
};

// Welch's t test of group 1 against group 0 (scipy.stats.ttest_ind(y1, y0, equal_var=False)). A group with fewer
// than 2 users: everything but the difference NaN. Both groups constant (se = 0): df NaN, the interval is the
// difference itself and p = 1 when the means are equal, 0 when they differ (no sampling noise left to explain it).
WelchResult welch_compare(const MeanSummary& group1, const MeanSummary& group0, double alpha);

}  // namespace kseg
