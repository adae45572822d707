// A seeded, deterministic bootstrap interval for a difference of means, for heavy-tailed amounts (revenue) where
// the t interval's normality is doubtful.
#pragma once

#include <cstdint>
#include <vector>

#include "host/campaign/proportion_intervals.hpp"

namespace kseg {

struct BootstrapOptions {
  int draws = 0;       // resamples; 0 = no bootstrap
  uint64_t seed = 42;  // same seed, same data → same interval, whatever the thread count
  double alpha = 0.05;
};

// The percentile interval of mean(y1*) − mean(y0*) over draws resamples, each group resampled with replacement at
// its own size (weighted means with frequency weights w1, w0; empty: unweighted). Quantiles interpolate linearly
// between order statistics (numpy.quantile's default). NaN when a group is empty or draws is 0.
Interval bootstrap_mean_difference(const std::vector<double>& y1, const std::vector<double>& w1,
                                   const std::vector<double>& y0, const std::vector<double>& w0,
                                   const BootstrapOptions& options);

// The q-quantile (0 ≤ q ≤ 1) of values, sorted in place, by linear interpolation (numpy method "linear").
double quantile_linear(std::vector<double>& values, double q);

}  // namespace kseg
