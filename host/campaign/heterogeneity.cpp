#include "host/campaign/heterogeneity.hpp"

#include <cmath>
#include <limits>

#include "host/campaign/distributions.hpp"

namespace kseg {

Heterogeneity heterogeneity_test(const std::vector<double>& effects, const std::vector<double>& standard_errors) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  Heterogeneity h;
  double weights = 0.0, weighted = 0.0;
  for (size_t s = 0; s < effects.size(); ++s) {
    const double se = standard_errors[s];
    if (!std::isfinite(effects[s]) || !std::isfinite(se) || !(se > 0.0)) continue;
    ++h.segments;
    weights += 1.0 / (se * se);
    weighted += effects[s] / (se * se);
  }
  h.pooled = weights > 0.0 ? weighted / weights : kNaN;
  h.pooled_se = weights > 0.0 ? 1.0 / std::sqrt(weights) : kNaN;
  for (size_t s = 0; s < effects.size(); ++s) {
    const double se = standard_errors[s];
    if (!std::isfinite(effects[s]) || !std::isfinite(se) || !(se > 0.0)) continue;
    h.q += (effects[s] - h.pooled) * (effects[s] - h.pooled) / (se * se);
  }
  h.df = h.segments > 0 ? h.segments - 1.0 : 0.0;
  if (h.segments < 2) {
    h.p_value = h.i_squared = kNaN;
    return h;
  }
  h.p_value = chi_square_upper_p(h.q, h.df);
  h.i_squared = h.q > 0.0 ? std::max(0.0, (h.q - h.df) / h.q) : 0.0;
  return h;
}

}  // namespace kseg
