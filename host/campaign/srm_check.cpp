#include "host/campaign/srm_check.hpp"

#include <cstddef>
#include <limits>

#include "host/campaign/distributions.hpp"

namespace kseg {

SrmResult srm_check(const std::vector<double>& observed, const std::vector<double>& shares) {
  SrmResult r;
  double total = 0.0, share_total = 0.0;
  for (double o : observed) total += o;
  for (double s : shares) share_total += s;
  r.df = static_cast<double>(observed.size()) - 1.0;
  if (!(total > 0.0) || observed.size() != shares.size() || !(share_total > 0.0) || observed.size() < 2) {
    r.p_value = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  for (size_t g = 0; g < observed.size(); ++g) {
    const double expected = total * shares[g] / share_total;
    const double gap = observed[g] - expected;
    if (expected > 0.0) {
      r.chi_square += gap * gap / expected;
    } else if (observed[g] > 0.0) {
      r.chi_square = std::numeric_limits<double>::infinity();
    }
  }
  r.p_value = chi_square_upper_p(r.chi_square, r.df);
  r.mismatch = r.p_value < kSrmAlpha;
  return r;
}

}  // namespace kseg
