// The plain loops every CPU kernel set shares (row norms, distances to the own centroid, row-by-row sums, the
// distance expression), compiled once per set with that set's flags. Included only by the cpu_kernels_<set>.cpp
// translation units, after they define KSEG_CPU_SET (the set's namespace). Everything here has internal linkage and
// calls builtins only, never an inline function of another header: a copy of such a function compiled with AVX
// flags could otherwise be the one the linker keeps for the whole program (tests/kmeans/cpu_isa_check.cmake checks).
#pragma once

#include <cstdint>

#if !defined(KSEG_CPU_SET)
#error "define KSEG_CPU_SET (the kernel set's namespace) before including cpu_kernels_loops.hpp"
#endif

namespace kseg {
namespace KSEG_CPU_SET {
namespace {

// sq_distance_expanded (common/host_device.hpp), written with builtins: (‖x‖² − (dot + dot)) + ‖c‖², 0 when
// negative or NaN. 2·dot is exact, so this is the same expression to the bit.
inline float distance_from_dot(float x_norm_sq, float dot, float c_norm_sq) {
  const float d = (x_norm_sq - (dot + dot)) + c_norm_sq;
  return d > 0.0f ? d : 0.0f;
}

inline float dot_fma(const float* a, const float* b, int64_t d) {
  float s = 0.0f;
  for (int64_t t = 0; t < d; ++t) s = __builtin_fmaf(a[t], b[t], s);
  return s;
}

void row_norms_loop(const float* x, int64_t rows, int64_t d, float* norms) {
  for (int64_t r = 0; r < rows; ++r) norms[r] = dot_fma(x + r * d, x + r * d, d);
}

void label_distances_loop(const float* x, const float* x_norms, int64_t rows, int64_t d, const int32_t* labels,
                          const float* centroids, const float* c_norms, float* out) {
  for (int64_t r = 0; r < rows; ++r)
    out[r] = distance_from_dot(x_norms[r], dot_fma(x + r * d, centroids + labels[r] * d, d), c_norms[labels[r]]);
}

// The row-by-row accumulation: each sum one fused multiply-add per row, in row order.
void sums_add_loop(const float* x, int64_t d, const float* w, const int32_t* labels, int64_t rows, double* sums,
                   double* weights) {
  for (int64_t r = 0; r < rows; ++r) {
    const double wr = w ? static_cast<double>(w[r]) : 1.0;
    double* s = sums + labels[r] * d;
    weights[labels[r]] += wr;
    for (int64_t t = 0; t < d; ++t) s[t] = __builtin_fma(wr, static_cast<double>(x[r * d + t]), s[t]);
  }
}

inline int64_t min_i64(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t max_i64(int64_t a, int64_t b) { return a < b ? b : a; }
inline int64_t align_up(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

// Nearest so far of one row: strict comparison, candidates come in increasing index, so ties keep the lower index.
inline void best_update(float dist, int64_t index, float& best, int32_t& best_index) {
  if (dist < best) {
    best = dist;
    best_index = static_cast<int32_t>(index);
  }
}

}  // namespace
}  // namespace KSEG_CPU_SET
}  // namespace kseg
