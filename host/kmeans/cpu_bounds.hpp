// Pieces of the CPU backend's bounded Lloyd pass (Hamerly's algorithm): per-row distance bounds that let most rows
// keep their label without being read, and per-cluster sums kept as integers so that moving only the rows that change
// cluster gives the same totals as summing every row. The labels are exactly those a full pass of the distance kernel
// gives: a row is skipped only when its bounds prove the kernel's own rounded distances would pick the same centroid.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace kseg {

// How far each centroid moved between two passes and how the new centroids lie, in true (unrounded) distances of the
// float values, rounded outwards so that bounds built from them stay bounds.
struct CentroidMotion {
  std::vector<double> shift;        // ‖c_j − c_j_prev‖, rounded up
  std::vector<double> shift_other;  // max over j' ≠ j of shift[j'], for the lower bound of a row in cluster j
  std::vector<double> separation;   // min over j' ≠ j of ‖c_j − c_j'‖, rounded down (+inf when k = 1)
  double norm_max_sq = 0.0;         // max ‖c_j‖², rounded up
};

// previous may be empty (no earlier pass): every shift is then +inf.
CentroidMotion centroid_motion(const std::vector<float>& previous, const float* centroids, int64_t k, int64_t d);

// A bound on |kernel's rounded ‖x − c‖² − true ‖x − c‖²| for any centroid of the pass: the kernel forms
// ‖x‖² − 2·x·c + ‖c‖² from fused multiply-add chains of length d, whose error is below (d + 2)·2^−24·(‖x‖ + ‖c‖)²;
// this takes twice that, with (‖x‖ + ‖c‖)² <= 2‖x‖² + 2‖c‖².
struct KernelErrorBound {
  double per_norm = 0.0;  // the bound is per_norm · (x_norm_sq + c_norm_max_sq)
  double c_norm_max_sq = 0.0;
  KernelErrorBound(int64_t d, double c_norm_max_sq);
  double at(float x_norm_sq) const { return per_norm * (static_cast<double>(x_norm_sq) + c_norm_max_sq); }
};

// True when a row whose true distance to its centroid is at most `upper` and to every other centroid at least
// `lower` gets that centroid from the kernel too: upper² + error < lower² − error, with slack for this test's rounding.
inline bool bounds_decide(double upper, double lower, double error) {
  return lower > 0.0 && lower * lower * (1.0 - 0x1p-40) - upper * upper * (1.0 + 0x1p-40) > 2.0 * error;
}

// Floats at or above / at or below a double, for storing bounds: the conversion's rounding (<= 2^−24 relative) is
// covered by moving the value outwards by 2^−22 first.
inline float float_at_least(double v) { return static_cast<float>(v * (v > 0.0 ? 1.0 + 0x1p-22 : 1.0 - 0x1p-22)); }
inline float float_at_most(double v) { return static_cast<float>(v * (v > 0.0 ? 1.0 - 0x1p-22 : 1.0 + 0x1p-22)); }

// ‖a − b‖ of two float vectors in double, in 8 independent lanes (so that it vectorises): each difference is exact,
// the sum within d·2^−53 of the exact value in any order.
inline double distance_double(const float* a, const float* b, int64_t d) {
  double lanes[8] = {};
  int64_t t = 0;
  for (; t + 8 <= d; t += 8)
    for (int u = 0; u < 8; ++u) {
      const double v = static_cast<double>(a[t + u]) - b[t + u];
      lanes[u] += v * v;
    }
  for (int u = 0; t < d; ++t, ++u) {
    const double v = static_cast<double>(a[t]) - b[t];
    lanes[u] += v * v;
  }
  double s = 0.0;
  for (double v : lanes) s += v;
  return std::sqrt(s);
}

// An upper bound on the true distance ‖a − b‖: distance_double rounded outwards.
inline double distance_at_least(const float* a, const float* b, int64_t d) {
  return distance_double(a, b, d) * (1.0 + 0x1p-40);
}

// Per-cluster sums of w·x (k × d), of w (k) and of w·‖x‖² (k), each value truncated to a multiple of a power of two
// chosen so that no sum can exceed 2^61, and summed as int64: exact, so the totals do not depend on the order rows are
// added and removed in.
class FixedPointScales {
 public:
  FixedPointScales() = default;
  // feature_abs_max: max |x_t| per feature; norm_max: max ‖x‖²; weight_total: Σ w (w·v summed over the rows can
  // then not exceed weight_total times the largest |v|).
  FixedPointScales(const std::vector<double>& feature_abs_max, double norm_max, double weight_total);
  int64_t d() const { return static_cast<int64_t>(feature_.size()); }
  // Adds (sign = +1) or removes (sign = −1) one row of cluster j in a k × (d + 2) layout: sums, then weight, square
  // (‖x‖² in double: the float norms' rounding would dominate the inertia of data far from the origin).
  void row_add(int64_t* sums, int64_t k, int64_t j, const float* x, float w, int64_t sign) const;
  double feature(int64_t t) const { return feature_[static_cast<size_t>(t)]; }
  double weight() const { return weight_; }
  double square() const { return square_; }

 private:
  std::vector<double> feature_;  // scale per feature (a power of two)
  double weight_ = 1.0;
  double square_ = 1.0;
};

// Offsets in the k × (d + 2) integer layout used by FixedPointScales::row_add.
inline int64_t fixed_weight_at(int64_t k, int64_t d, int64_t j) { return k * d + j; }
inline int64_t fixed_square_at(int64_t k, int64_t d, int64_t j) { return k * (d + 1) + j; }

}  // namespace kseg
