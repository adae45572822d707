// Does the effect differ between segments at all? Cochran's Q over the per-segment estimates with inverse-variance
// (fixed-effect) weights, and Higgins' I²: the share of the spread between segments beyond what sampling noise
// explains. A small Q p-value says the segments respond differently; a large one says to read per-segment
// differences as noise, however different the point estimates look.
#pragma once

#include <vector>

namespace kseg {

struct Heterogeneity {
  int segments = 0;        // estimates used: finite, with a finite standard error > 0
  double pooled = 0.0;     // Σ w·e / Σ w, w = 1/se² (NaN with none)
  double pooled_se = 0.0;  // 1/√Σw
  double q = 0.0;          // Σ w·(e − pooled)²
  double df = 0.0;         // segments − 1
  double p_value = 1.0;    // upper tail of χ²(df); NaN with fewer than 2 segments
  double i_squared = 0.0;  // max(0, (Q − df)/Q); 0 when Q = 0, NaN with fewer than 2 segments
};

// statsmodels.stats.meta_analysis.combine_effects(effects, se², use_t=False): q, i2 and the fixed-effect mean.
Heterogeneity heterogeneity_test(const std::vector<double>& effects, const std::vector<double>& standard_errors);

}  // namespace kseg
