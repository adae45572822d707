#include "host/campaign/power.hpp"

#include <cmath>
#include <limits>

#include "host/campaign/distributions.hpp"

namespace kseg {
namespace {

double z_total(double alpha, double power) { return normal_quantile(1.0 - alpha / 2.0) + normal_quantile(power); }

}  // namespace

double mde_proportion(double p0, double n1, double n0, double alpha, double power) {
  if (!(n1 > 0.0) || !(n0 > 0.0) || std::isnan(p0)) return std::numeric_limits<double>::quiet_NaN();
  return z_total(alpha, power) * std::sqrt(p0 * (1.0 - p0) * (1.0 / n1 + 1.0 / n0));
}

double mde_mean(double variance1, double n1, double variance0, double n0, double alpha, double power) {
  if (!(n1 > 1.0) || !(n0 > 1.0)) return std::numeric_limits<double>::quiet_NaN();
  return z_total(alpha, power) * std::sqrt(variance1 / n1 + variance0 / n0);
}

int64_t sample_size_per_group(double p0, double relative_mde, double alpha, double power) {
  const double p1 = p0 * (1.0 + relative_mde);
  if (!(p0 > 0.0 && p0 < 1.0) || !(p1 > 0.0 && p1 <= 1.0) || relative_mde == 0.0) return -1;
  const double z = z_total(alpha, power);
  const double n = z * z * (p0 * (1.0 - p0) + p1 * (1.0 - p1)) / ((p1 - p0) * (p1 - p0));
  // A lift too small for any population (p1 − p0 underflows, or n beyond 10^15 users) has no plan: -1, not an int64
  // conversion of inf or 1e300, which is undefined.
  if (!(n <= kSampleSizeMax)) return -1;
  return static_cast<int64_t>(std::ceil(n - 1e-9));  // 1e-9: an exact whole number is not rounded up by noise
}

}  // namespace kseg
