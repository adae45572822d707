#include "host/kmeans/cpu_bounds.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kseg {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kUp = 1.0 + 0x1p-40;  // rounding slack of a few double operations, outwards
constexpr double kDown = 1.0 - 0x1p-40;

// A power of two s with total · s < 2^61 (1 when total is 0), so a sum of values whose magnitudes add up to at most
// total never leaves int64 once scaled.
double scale_for(double total) {
  if (!(total > 0.0)) return 1.0;
  int exponent = 0;
  std::frexp(total, &exponent);  // total < 2^exponent
  return std::ldexp(1.0, std::clamp(61 - exponent, -1000, 1000));
}

}  // namespace

CentroidMotion centroid_motion(const std::vector<float>& previous, const float* centroids, int64_t k, int64_t d) {
  CentroidMotion m;
  m.shift.assign(static_cast<size_t>(k), kInf);
  m.shift_other.assign(static_cast<size_t>(k), kInf);
  m.separation.assign(static_cast<size_t>(k), kInf);
  if (static_cast<int64_t>(previous.size()) == k * d)
    for (int64_t j = 0; j < k; ++j) m.shift[j] = distance_at_least(previous.data() + j * d, centroids + j * d, d);
  // The largest and second-largest shift give max over the others for every j.
  int64_t top = -1;
  for (int64_t j = 0; j < k; ++j)
    if (top < 0 || m.shift[j] > m.shift[top]) top = j;
  double second = 0.0;
  for (int64_t j = 0; j < k; ++j)
    if (j != top) second = std::max(second, m.shift[j]);
  for (int64_t j = 0; j < k; ++j) m.shift_other[j] = j == top ? second : m.shift[top];
  for (int64_t j = 0; j < k; ++j)
    for (int64_t i = j + 1; i < k; ++i) {
      const double between = distance_double(centroids + j * d, centroids + i * d, d) * kDown;
      m.separation[j] = std::min(m.separation[j], between);
      m.separation[i] = std::min(m.separation[i], between);
    }
  for (int64_t j = 0; j < k; ++j) {
    double norm = 0.0;
    for (int64_t t = 0; t < d; ++t) norm += static_cast<double>(centroids[j * d + t]) * centroids[j * d + t];
    m.norm_max_sq = std::max(m.norm_max_sq, norm * kUp);
  }
  return m;
}

KernelErrorBound::KernelErrorBound(int64_t d, double c_norm_max_sq_in)
    : per_norm(2.0 * 2.0 * static_cast<double>(d + 2) * 0x1p-24), c_norm_max_sq(c_norm_max_sq_in) {}

FixedPointScales::FixedPointScales(const std::vector<double>& feature_abs_max, double norm_max, double weight_total)
    : feature_(feature_abs_max.size()), weight_(scale_for(weight_total)), square_(scale_for(weight_total * norm_max)) {
  for (size_t t = 0; t < feature_.size(); ++t) feature_[t] = scale_for(weight_total * feature_abs_max[t]);
}

void FixedPointScales::row_add(int64_t* sums, int64_t k, int64_t j, const float* x, float w, int64_t sign) const {
  const int64_t d = this->d();
  const double wd = w;
  int64_t* s = sums + j * d;
  const double* scale = feature_.data();
  // w·x is exact in double (24 + 24 bits), the power-of-two scale too; truncation is the only rounding.
  for (int64_t t = 0; t < d; ++t) s[t] += sign * static_cast<int64_t>(wd * x[t] * scale[t]);  // vectorises
  double lanes[8] = {};  // ‖x‖² in 8 fixed lanes (vectorises; the same value for the same row every time)
  int64_t t = 0;
  for (; t + 8 <= d; t += 8)
    for (int u = 0; u < 8; ++u) lanes[u] += static_cast<double>(x[t + u]) * x[t + u];
  for (int u = 0; t < d; ++t, ++u) lanes[u] += static_cast<double>(x[t]) * x[t];
  double norm = 0.0;
  for (double v : lanes) norm += v;
  sums[fixed_weight_at(k, d, j)] += sign * static_cast<int64_t>(wd * weight_);
  sums[fixed_square_at(k, d, j)] += sign * static_cast<int64_t>(wd * norm * square_);
}

}  // namespace kseg
