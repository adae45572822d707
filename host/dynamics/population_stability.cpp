#include "host/dynamics/population_stability.hpp"

#include <algorithm>
#include <cmath>

#include "host/error.hpp"

namespace kseg {

double psi_term(double expected_share, double actual_share) {
  const double p = std::max(expected_share, kPsiFloor);
  const double q = std::max(actual_share, kPsiFloor);
  return (q - p) * std::log(q / p);
}

double psi(const std::vector<double>& expected, const std::vector<double>& actual) {
  KSEG_EXPECTS(expected.size() == actual.size(), DataError, "psi: the distributions have different bins");
  double total = 0.0;
  for (size_t b = 0; b < expected.size(); ++b) total += psi_term(expected[b], actual[b]);
  return total;
}

std::string psi_flag(double value) {
  if (value >= kPsiMajor) return "major";
  if (value >= kPsiModerate) return "moderate";
  return "stable";
}

std::vector<double> shares_of(const std::vector<double>& counts) {
  double total = 0.0;
  for (double c : counts) total += c;
  std::vector<double> shares(counts.size(), 0.0);
  if (total > 0.0)
    for (size_t b = 0; b < counts.size(); ++b) shares[b] = counts[b] / total;
  return shares;
}

}  // namespace kseg
