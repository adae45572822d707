#include "host/campaign/bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kseg {
namespace {

// SplitMix64: one independent stream per draw, so draws can run in any order or on any thread.
uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

__extension__ typedef unsigned __int128 uint128;  // __extension__: g++/clang's 128-bit type under -Wpedantic

// An index in [0, n): the high half of a 64 × 64-bit product (Lemire), bias below 2^-40 for n < 2^24 users.
size_t index_draw(uint64_t& state, size_t n) {
  return static_cast<size_t>((static_cast<uint128>(splitmix64(state)) * n) >> 64);
}

double resampled_mean(const std::vector<double>& y, const std::vector<double>& w, uint64_t& state) {
  double sum = 0.0, n = 0.0;
  for (size_t i = 0; i < y.size(); ++i) {
    const size_t j = index_draw(state, y.size());
    const double weight = w.empty() ? 1.0 : w[j];
    sum += weight * y[j];
    n += weight;
  }
  return n > 0.0 ? sum / n : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

double quantile_linear(std::vector<double>& values, double q) {
  std::sort(values.begin(), values.end());
  const double at = q * static_cast<double>(values.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(at));
  const size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (at - static_cast<double>(below)) * (values[above] - values[below]);
}

Interval bootstrap_mean_difference(const std::vector<double>& y1, const std::vector<double>& w1,
                                   const std::vector<double>& y0, const std::vector<double>& w0,
                                   const BootstrapOptions& options) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (y1.empty() || y0.empty() || options.draws <= 0) return {kNaN, kNaN};
  std::vector<double> differences(static_cast<size_t>(options.draws));
#pragma omp parallel for schedule(static)
  for (int d = 0; d < options.draws; ++d) {
    uint64_t state = options.seed ^ (0xD1B54A32D192ED03ull * (static_cast<uint64_t>(d) + 1));
    const double m1 = resampled_mean(y1, w1, state);
    differences[static_cast<size_t>(d)] = m1 - resampled_mean(y0, w0, state);
  }
  std::vector<double> finite;
  for (double v : differences)
    if (!std::isnan(v)) finite.push_back(v);
  if (finite.empty()) return {kNaN, kNaN};
  std::vector<double> copy = finite;
  return {quantile_linear(finite, options.alpha / 2.0), quantile_linear(copy, 1.0 - options.alpha / 2.0)};
}

}  // namespace kseg
