#include "host/campaign/welch_t.hpp"

#include <cmath>
#include <limits>

#include "host/campaign/distributions.hpp"

namespace kseg {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

MeanSummary mean_summary(const std::vector<double>& y, const std::vector<double>& w) {
  MeanSummary s;
  double sum = 0.0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double weight = w.empty() ? 1.0 : w[i];
    s.n += weight;
    sum += weight * y[i];
  }
  s.mean = s.n > 0.0 ? sum / s.n : kNaN;
  double squares = 0.0;  // two passes: no cancellation for large means with small spread
  for (size_t i = 0; i < y.size(); ++i) squares += (w.empty() ? 1.0 : w[i]) * (y[i] - s.mean) * (y[i] - s.mean);
  s.variance = s.n > 1.0 ? squares / (s.n - 1.0) : kNaN;
  return s;
}

WelchResult welch_compare(const MeanSummary& group1, const MeanSummary& group0, double alpha) {
  WelchResult r;
  r.difference = group1.mean - group0.mean;
  if (!(group1.n > 1.0) || !(group0.n > 1.0)) {
    r.se = r.df = r.t = r.p_value = kNaN;
    r.ci = {kNaN, kNaN};
    return r;
  }
  const double a = group1.variance / group1.n, b = group0.variance / group0.n;
  r.se = std::sqrt(a + b);
  if (!(r.se > 0.0)) {
    r.df = kNaN;
    r.t = r.difference == 0.0 ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), r.difference);
    r.p_value = r.difference == 0.0 ? 1.0 : 0.0;
    r.ci = {r.difference, r.difference};
    return r;
  }
  r.df = (a + b) * (a + b) / (a * a / (group1.n - 1.0) + b * b / (group0.n - 1.0));
  r.t = r.difference / r.se;
  r.p_value = t_two_sided_p(r.t, r.df);
  const double q = t_quantile(1.0 - alpha / 2.0, r.df);
  r.ci = {r.difference - q * r.se, r.difference + q * r.se};
  return r;
}

}  // namespace kseg
