#include "host/campaign/cuped.hpp"

#include <cmath>
#include <limits>

namespace kseg {
namespace {

double weighted_mean(const std::vector<double>& v, const std::vector<double>& w) {
  double sum = 0.0, n = 0.0;
  for (size_t i = 0; i < v.size(); ++i) {
    const double weight = w.empty() ? 1.0 : w[i];
    sum += weight * v[i];
    n += weight;
  }
  return n > 0.0 ? sum / n : 0.0;
}

}  // namespace

double cuped_theta(const std::vector<double>& y, const std::vector<double>& x, const std::vector<double>& w) {
  if (y.size() < 2) return 0.0;
  const double my = weighted_mean(y, w), mx = weighted_mean(x, w);
  double cov = 0.0, var = 0.0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double weight = w.empty() ? 1.0 : w[i];
    cov += weight * (x[i] - mx) * (y[i] - my);
    var += weight * (x[i] - mx) * (x[i] - mx);
  }
  return var > 0.0 ? cov / var : 0.0;  // the (n − 1) denominators cancel
}

std::vector<double> cuped_adjust(const std::vector<double>& y, const std::vector<double>& x,
                                 const std::vector<double>& w, double theta) {
  const double mx = weighted_mean(x, w);
  std::vector<double> adjusted(y.size());
  for (size_t i = 0; i < y.size(); ++i) adjusted[i] = y[i] - theta * (x[i] - mx);
  return adjusted;
}

double cuped_variance_reduction(double se_raw, double se_adjusted) {
  if (!(se_raw > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  return 1.0 - (se_adjusted * se_adjusted) / (se_raw * se_raw);
}

}  // namespace kseg
