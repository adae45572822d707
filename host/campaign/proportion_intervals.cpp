#include "host/campaign/proportion_intervals.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "host/campaign/distributions.hpp"

namespace kseg {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

Interval wilson_interval(double successes, double n, double alpha) {
  if (!(n > 0.0)) return {kNaN, kNaN};
  const double z = normal_quantile(1.0 - alpha / 2.0);
  const double z2 = z * z;
  const double p = successes / n;
  const double centre = (successes + z2 / 2.0) / (n + z2);
  const double half = z / (n + z2) * std::sqrt(n * p * (1.0 - p) + z2 / 4.0);
  // At 0 or n successes the bounds are exactly 0 or 1 (rounding would leave 1e-17 or 1 − 1e-16).
  return {successes <= 0.0 ? 0.0 : std::max(0.0, centre - half), successes >= n ? 1.0 : std::min(1.0, centre + half)};
}

Interval newcombe_interval(double successes1, double n1, double successes0, double n0, double alpha) {
  if (!(n1 > 0.0) || !(n0 > 0.0)) return {kNaN, kNaN};
  const double p1 = successes1 / n1, p0 = successes0 / n0;
  const Interval w1 = wilson_interval(successes1, n1, alpha);
  const Interval w0 = wilson_interval(successes0, n0, alpha);
  const double d = p1 - p0;
  const double below = std::sqrt((p1 - w1.low) * (p1 - w1.low) + (w0.high - p0) * (w0.high - p0));
  const double above = std::sqrt((w1.high - p1) * (w1.high - p1) + (p0 - w0.low) * (p0 - w0.low));
  return {d - below, d + above};
}

ProportionTest two_proportion_z_test(double successes1, double n1, double successes0, double n0) {
  if (!(n1 > 0.0) || !(n0 > 0.0)) return {kNaN, kNaN};
  const double pooled = (successes1 + successes0) / (n1 + n0);
  const double se = std::sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n0));
  if (!(se > 0.0)) return {0.0, 1.0};
  const double z = (successes1 / n1 - successes0 / n0) / se;
  return {z, normal_two_sided_p(z)};
}

}  // namespace kseg
