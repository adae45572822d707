// Arithmetic shared by the CPU backend and the CUDA kernels. Compiles with g++ and nvcc alike, so the CPU tests
// check the exact formulas and tie-breaking the GPU runs.
#pragma once

#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define KSEG_HD __host__ __device__ __forceinline__
#else
#define KSEG_HD inline
#endif

namespace kseg {

// ‖x − c‖² from the expansion ‖x‖² − 2·x·c + ‖c‖², clamped at 0 (rounding can make it slightly negative).
KSEG_HD float sq_distance_expanded(float x_norm_sq, float dot, float c_norm_sq) {
  const float d = x_norm_sq - 2.0f * dot + c_norm_sq;
  return d > 0.0f ? d : 0.0f;
}

// Keeps the nearest centroid so far. Visiting centroids in increasing index with a strict comparison sends ties to
// the lowest index, on every backend.
KSEG_HD void argmin_update(float dist, int32_t index, float& best_dist, int32_t& best_index) {
  if (dist < best_dist || (dist == best_dist && index < best_index)) {
    best_dist = dist;
    best_index = index;
  }
}

// The first position i in an inclusive prefix-sum array (non-decreasing, length n) with prefix[i] > target;
// n − 1 when target is at or past the end (rounding), so a sample always lands on a row.
KSEG_HD int64_t prefix_search(const double* prefix, int64_t n, double target) {
  int64_t lo = 0;
  int64_t hi = n - 1;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (prefix[mid] > target) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

// acc + v·v with one rounding (fmaf on both sides), the step of every squared norm.
KSEG_HD float sq_accumulate(float acc, float v) { return fmaf(v, v, acc); }

// w·v in double. A float × float product has at most 48 significant bits, so it is exact in double: contracting it
// with a following addition (FMA) cannot change a result, on nvcc or g++.
KSEG_HD double weighted(float w, float v) { return static_cast<double>(w) * static_cast<double>(v); }

// min(a, b) for non-NaN floats, written out so host and device agree on which operand is returned.
KSEG_HD float min_float(float a, float b) { return b < a ? b : a; }

// The first position i in a non-decreasing array a[0..n) with a[i] > target; n when there is none.
template <typename T>
KSEG_HD int64_t first_greater(const T* a, int64_t n, T target) {
  int64_t lo = 0;
  int64_t hi = n;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (a[mid] > target) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

}  // namespace kseg
