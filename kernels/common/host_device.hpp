// Arithmetic shared by the CPU backend and the CUDA kernels. Compiles with g++ and nvcc alike, so the CPU tests
// check the exact formulas and tie-breaking the GPU runs.
#pragma once

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

}  // namespace kseg
