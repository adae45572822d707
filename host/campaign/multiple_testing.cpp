#include "host/campaign/multiple_testing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace kseg {
namespace {

// Indices of the finite p-values, sorted by p ascending (ties by index, so the result is deterministic).
std::vector<size_t> finite_order(const std::vector<double>& p) {
  std::vector<size_t> order;
  for (size_t i = 0; i < p.size(); ++i)
    if (!std::isnan(p[i])) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  return order;
}

}  // namespace

std::vector<double> benjamini_hochberg_adjust(const std::vector<double>& p) {
  std::vector<double> adjusted(p.size(), std::numeric_limits<double>::quiet_NaN());
  const std::vector<size_t> order = finite_order(p);
  const double m = static_cast<double>(order.size());
  double running = 1.0;
  for (size_t r = order.size(); r-- > 0;) {
    running = std::min(running, p[order[r]] * m / static_cast<double>(r + 1));
    adjusted[order[r]] = running;
  }
  return adjusted;
}

std::vector<double> holm_adjust(const std::vector<double>& p) {
  std::vector<double> adjusted(p.size(), std::numeric_limits<double>::quiet_NaN());
  const std::vector<size_t> order = finite_order(p);
  const double m = static_cast<double>(order.size());
  double running = 0.0;
  for (size_t r = 0; r < order.size(); ++r) {
    running = std::max(running, std::min(1.0, (m - static_cast<double>(r)) * p[order[r]]));
    adjusted[order[r]] = running;
  }
  return adjusted;
}

}  // namespace kseg
