#include "host/campaign/distributions.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>

namespace kseg {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

double normal_cdf(double z) {
  if (std::isnan(z)) return kNaN;
  if (std::isinf(z)) return z > 0 ? 1.0 : 0.0;
  return boost::math::cdf(boost::math::normal_distribution<double>(), z);
}

double normal_quantile(double p) {
  if (!(p >= 0.0 && p <= 1.0)) return kNaN;
  if (p == 0.0) return -kInf;
  if (p == 1.0) return kInf;
  return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}

double normal_two_sided_p(double z) {
  if (std::isnan(z)) return kNaN;
  if (std::isinf(z)) return 0.0;
  return 2.0 * boost::math::cdf(boost::math::complement(boost::math::normal_distribution<double>(), std::fabs(z)));
}

double t_quantile(double p, double df) {
  if (!(p >= 0.0 && p <= 1.0) || !(df > 0.0) || std::isnan(df)) return kNaN;
  if (p == 0.0) return -kInf;
  if (p == 1.0) return kInf;
  if (std::isinf(df)) return normal_quantile(p);
  return boost::math::quantile(boost::math::students_t_distribution<double>(df), p);
}

double t_two_sided_p(double t, double df) {
  if (std::isnan(t) || !(df > 0.0)) return kNaN;
  if (std::isinf(t)) return 0.0;
  if (std::isinf(df)) return normal_two_sided_p(t);
  return 2.0 *
         boost::math::cdf(boost::math::complement(boost::math::students_t_distribution<double>(df), std::fabs(t)));
}

double chi_square_upper_p(double x, double df) {
  if (std::isnan(x) || !(df > 0.0) || std::isinf(df)) return kNaN;
  if (x <= 0.0) return 1.0;
  if (std::isinf(x)) return 0.0;
  return boost::math::cdf(boost::math::complement(boost::math::chi_squared_distribution<double>(df), x));
}

}  // namespace kseg
