#include "host/kmeans/cpu_nearest.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/common/host_device.hpp"

#if defined(__AVX512F__)
#include <immintrin.h>
#define KSEG_NEAREST_AVX512 1
// GCC 12 warns inside its own AVX-512 headers (_mm512_undefined_ps as the pass-through of unmasked intrinsics).
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace kseg {
namespace {

constexpr int64_t kAlignFloats = 16;  // 64 bytes

int64_t align_up(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

// Nearest so far of one row across panels: strict comparison, and panels come in increasing index, so ties keep the
// lower index.
inline void best_update(float dist, int64_t index, float& best, int32_t& best_index) {
  if (dist < best) {
    best = dist;
    best_index = static_cast<int32_t>(index);
  }
}

}  // namespace

PackedCentroids::PackedCentroids(const float* centroids, int64_t k, int64_t d) : k_(k), d_(d) {
  int64_t floats = 0;
  for (int64_t first = 0; first < k; first += kPanelMax) {
    const int64_t width = align_up(std::min(kPanelMax, k - first), kLanes);
    panel_first_.push_back(first);
    panel_width_.push_back(width);
    panel_offset_.push_back(floats);
    floats += d * width;  // a multiple of 16: every panel stays aligned
    norms_offset_.push_back(floats);
    floats += width;
  }
  storage_.assign(static_cast<size_t>(floats + kAlignFloats), 0.0f);
  float* out = const_cast<float*>(base());
  for (int64_t p = 0; p < panels(); ++p) {
    const int64_t first = panel_first_[p], width = panel_width_[p];
    float* panel_out = out + panel_offset_[p];
    float* norms_out = out + norms_offset_[p];
    for (int64_t j = 0; j < width; ++j) {
      if (first + j >= k) {
        norms_out[j] = std::numeric_limits<float>::infinity();
        continue;
      }
      const float* c = centroids + (first + j) * d;
      float norm = 0.0f;
      for (int64_t t = 0; t < d; ++t) {
        panel_out[t * width + j] = c[t];
        norm = std::fma(c[t], c[t], norm);  // the kernel's own dot product: c·c = ‖c‖² exactly
      }
      norms_out[j] = norm;
    }
  }
}

const float* PackedCentroids::base() const {
  const auto address = reinterpret_cast<uintptr_t>(storage_.data());
  const uintptr_t aligned = (address + 63) & ~uintptr_t{63};
  return storage_.data() + (aligned - address) / sizeof(float);
}

void nearest_centroids_scalar(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows,
                              int32_t* labels, float* distances) {
  const int64_t d = centroids.d();
  for (int64_t r = 0; r < rows; ++r) {
    float best = std::numeric_limits<float>::infinity();
    int32_t best_index = 0;
    for (int64_t p = 0; p < centroids.panels(); ++p) {
      const int64_t width = centroids.panel_width(p);
      const int64_t valid = std::min(width, centroids.k() - centroids.panel_first(p));
      for (int64_t j = 0; j < valid; ++j) {
        float dot = 0.0f;
        for (int64_t t = 0; t < d; ++t) dot = std::fma(x[r * d + t], centroids.panel(p)[t * width + j], dot);
        argmin_update(sq_distance_expanded(x_norms[r], dot, centroids.panel_norms(p)[j]),
                      static_cast<int32_t>(centroids.panel_first(p) + j), best, best_index);
      }
    }
    labels[r] = best_index;
    distances[r] = best;
  }
}

#if defined(KSEG_NEAREST_AVX512)

namespace {

// R rows × V vectors of 16 centroids: R·V accumulators, V panel loads and R broadcasts per feature.
template <int V, int R>
inline void panel_rows(const float* x, int64_t d, const float* panel, const float* norms, const float* x_norms,
                       int64_t first, float* best, int32_t* best_index) {
  constexpr int64_t width = 16 * V;
  __m512 acc[R][V];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) acc[r][v] = _mm512_setzero_ps();
  for (int64_t t = 0; t < d; ++t) {
    __m512 c[V];
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) c[v] = _mm512_load_ps(panel + t * width + 16 * v);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      const __m512 b = _mm512_set1_ps(x[r * d + t]);
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) acc[r][v] = _mm512_fmadd_ps(b, c[v], acc[r][v]);
    }
  }
  const __m512 zero = _mm512_setzero_ps();
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) {
    const __m512 xn = _mm512_set1_ps(x_norms[r]);
    __m512 dist[V];
    // max(·, 0) returns 0 for NaN as the scalar clamp does: x86 MAX gives its second operand when one is NaN.
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v)
      dist[v] = _mm512_max_ps(
          _mm512_add_ps(_mm512_sub_ps(xn, _mm512_add_ps(acc[r][v], acc[r][v])), _mm512_load_ps(norms + 16 * v)), zero);
    __m512 m = dist[0];
#pragma GCC unroll 4
    for (int v = 1; v < V; ++v) m = _mm512_min_ps(m, dist[v]);
    const float lowest = _mm512_reduce_min_ps(m);  // distances are never NaN after the clamp
    const __m512 lowest_v = _mm512_set1_ps(lowest);
    uint64_t hits = 0;
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) hits |= static_cast<uint64_t>(_mm512_cmpeq_ps_mask(dist[v], lowest_v)) << (16 * v);
    best_update(lowest, first + __builtin_ctzll(hits), best[r], best_index[r]);
  }
}

template <int V, int R>
void panel_all_rows(const float* x, int64_t d, int64_t rows, const PackedCentroids& c, int64_t p, const float* x_norms,
                    float* best, int32_t* best_index) {
  int64_t r = 0;
  for (; r + R <= rows; r += R)
    panel_rows<V, R>(x + r * d, d, c.panel(p), c.panel_norms(p), x_norms + r, c.panel_first(p), best + r,
                     best_index + r);
  for (; r < rows; ++r)
    panel_rows<V, 1>(x + r * d, d, c.panel(p), c.panel_norms(p), x_norms + r, c.panel_first(p), best + r,
                     best_index + r);
}

}  // namespace

void nearest_centroids(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows,
                       int32_t* labels, float* distances) {
  const int64_t d = centroids.d();
  std::fill(distances, distances + rows, std::numeric_limits<float>::infinity());
  std::fill(labels, labels + rows, 0);
  // Panels outermost: a panel stays in L1 while the caller's tile of rows streams through from L2.
  for (int64_t p = 0; p < centroids.panels(); ++p) {
    switch (centroids.panel_width(p) / 16) {
      case 1:
        panel_all_rows<1, 12>(x, d, rows, centroids, p, x_norms, distances, labels);
        break;
      case 2:
        panel_all_rows<2, 12>(x, d, rows, centroids, p, x_norms, distances, labels);
        break;
      case 3:
        panel_all_rows<3, 8>(x, d, rows, centroids, p, x_norms, distances, labels);
        break;
      default:
        panel_all_rows<4, 6>(x, d, rows, centroids, p, x_norms, distances, labels);
        break;
    }
  }
}

const char* nearest_centroids_isa() { return "avx512"; }

#else

// One row at a time, the panel's dot products kept in an array the compiler vectorises across centroids.
void nearest_centroids(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows,
                       int32_t* labels, float* distances) {
  const int64_t d = centroids.d();
  alignas(64) float acc[PackedCentroids::kPanelMax];
  for (int64_t r = 0; r < rows; ++r) {
    float best = std::numeric_limits<float>::infinity();
    int32_t best_index = 0;
    for (int64_t p = 0; p < centroids.panels(); ++p) {
      const int64_t width = centroids.panel_width(p);
      const float* panel = centroids.panel(p);
      std::fill(acc, acc + width, 0.0f);
      for (int64_t t = 0; t < d; ++t) {
        const float xt = x[r * d + t];
        for (int64_t j = 0; j < width; ++j) acc[j] = std::fma(xt, panel[t * width + j], acc[j]);
      }
      const float* norms = centroids.panel_norms(p);
      for (int64_t j = 0; j < width; ++j)
        best_update(sq_distance_expanded(x_norms[r], acc[j], norms[j]), centroids.panel_first(p) + j, best, best_index);
    }
    labels[r] = best_index;
    distances[r] = best;
  }
}

const char* nearest_centroids_isa() { return "portable"; }

#endif

}  // namespace kseg
