#include "host/kmeans/cpu_nearest.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

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

// R rows × V vectors of 16 centroids: R·V accumulators, V panel loads and R broadcasts per feature. Hands each row's
// V vectors of clamped distances to epilogue(r, dist).
template <int V, int R, class Epilogue>
inline void panel_rows(const float* x, int64_t d, const float* panel, const float* norms, const float* x_norms,
                       const Epilogue& epilogue) {
  constexpr int64_t width = 16 * V;
  __m512 acc[R][V];
#pragma GCC unroll 12
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
    // (‖x‖² − (dot + dot)) + ‖c‖², as sq_distance_expanded; max(·, 0) returns 0 for NaN as its clamp does (x86 MAX
    // gives the second operand when one is NaN).
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v)
      dist[v] = _mm512_max_ps(
          _mm512_add_ps(_mm512_sub_ps(xn, _mm512_add_ps(acc[r][v], acc[r][v])), _mm512_load_ps(norms + 16 * v)), zero);
    epilogue(r, dist);
  }
}

// Runs panel_rows over all rows: full blocks of R rows, then single rows.
template <int V, int R, class Epilogue>
void panel_all_rows(const PackedCentroids& c, int64_t p, const float* x, const float* x_norms, int64_t rows,
                    const Epilogue& epilogue) {
  const int64_t d = c.d();
  int64_t r0 = 0;
  for (; r0 + R <= rows; r0 += R)
    panel_rows<V, R>(x + r0 * d, d, c.panel(p), c.panel_norms(p), x_norms + r0,
                     [&](int r, const __m512* dist) { epilogue(r0 + r, dist); });
  for (; r0 < rows; ++r0)
    panel_rows<V, 1>(x + r0 * d, d, c.panel(p), c.panel_norms(p), x_norms + r0,
                     [&](int, const __m512* dist) { epilogue(r0, dist); });
}

// Dispatches on the panel's width, with R·V <= 24 accumulators (of 32 registers); epilogue_for<V>() makes the
// epilogue for V vectors.
template <class EpilogueFor>
void panel_dispatch(const PackedCentroids& c, int64_t p, const float* x, const float* x_norms, int64_t rows,
                    const EpilogueFor& epilogue_for) {
  switch (c.panel_width(p) / 16) {
    case 1:
      panel_all_rows<1, 12>(c, p, x, x_norms, rows, epilogue_for(std::integral_constant<int, 1>()));
      break;
    case 2:
      panel_all_rows<2, 12>(c, p, x, x_norms, rows, epilogue_for(std::integral_constant<int, 2>()));
      break;
    case 3:
      panel_all_rows<3, 8>(c, p, x, x_norms, rows, epilogue_for(std::integral_constant<int, 3>()));
      break;
    default:
      panel_all_rows<4, 6>(c, p, x, x_norms, rows, epilogue_for(std::integral_constant<int, 4>()));
      break;
  }
}

}  // namespace

void nearest_centroids(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows,
                       int32_t* labels, float* distances) {
  std::fill(distances, distances + rows, std::numeric_limits<float>::infinity());
  std::fill(labels, labels + rows, 0);
  // Panels outermost: a panel stays in L1 while the caller's tile of rows streams through.
  for (int64_t p = 0; p < centroids.panels(); ++p) {
    const int64_t first = centroids.panel_first(p);
    panel_dispatch(centroids, p, x, x_norms, rows, [&](auto v_constant) {
      constexpr int V = decltype(v_constant)::value;
      return [&](int64_t r, const __m512* dist) {
        __m512 m = dist[0];
#pragma GCC unroll 4
        for (int v = 1; v < V; ++v) m = _mm512_min_ps(m, dist[v]);
        const float lowest = _mm512_reduce_min_ps(m);  // distances are never NaN after the clamp
        const __m512 lowest_v = _mm512_set1_ps(lowest);
        uint64_t hits = 0;
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) hits |= static_cast<uint64_t>(_mm512_cmpeq_ps_mask(dist[v], lowest_v)) << (16 * v);
        best_update(lowest, first + __builtin_ctzll(hits), distances[r], labels[r]);
      };
    });
  }
}

void panel_distances(const PackedCentroids& centroids, int64_t p, const float* x, const float* x_norms, int64_t rows,
                     float* out) {
  const int64_t width = centroids.panel_width(p);
  panel_dispatch(centroids, p, x, x_norms, rows, [&](auto v_constant) {
    constexpr int V = decltype(v_constant)::value;
    return [&](int64_t r, const __m512* dist) {
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) _mm512_storeu_ps(out + r * width + 16 * v, dist[v]);
    };
  });
}

const char* nearest_centroids_isa() { return "avx512"; }

#else

namespace {

// The panel's dot products with row r, kept in an array the compiler vectorises across centroids; then distances.
void panel_row_distances(const PackedCentroids& c, int64_t p, const float* x_row, float x_norm, float* dist) {
  const int64_t width = c.panel_width(p);
  const float* panel = c.panel(p);
  std::fill(dist, dist + width, 0.0f);
  for (int64_t t = 0; t < c.d(); ++t) {
    const float xt = x_row[t];
    for (int64_t j = 0; j < width; ++j) dist[j] = std::fma(xt, panel[t * width + j], dist[j]);
  }
  const float* norms = c.panel_norms(p);
  for (int64_t j = 0; j < width; ++j) dist[j] = sq_distance_expanded(x_norm, dist[j], norms[j]);
}

}  // namespace

void nearest_centroids(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows,
                       int32_t* labels, float* distances) {
  alignas(64) float dist[PackedCentroids::kPanelMax];
  for (int64_t r = 0; r < rows; ++r) {
    float best = std::numeric_limits<float>::infinity();
    int32_t best_index = 0;
    for (int64_t p = 0; p < centroids.panels(); ++p) {
      panel_row_distances(centroids, p, x + r * centroids.d(), x_norms[r], dist);
      for (int64_t j = 0; j < centroids.panel_width(p); ++j)
        best_update(dist[j], centroids.panel_first(p) + j, best, best_index);
    }
    labels[r] = best_index;
    distances[r] = best;
  }
}

void panel_distances(const PackedCentroids& centroids, int64_t p, const float* x, const float* x_norms, int64_t rows,
                     float* out) {
  for (int64_t r = 0; r < rows; ++r)
    panel_row_distances(centroids, p, x + r * centroids.d(), x_norms[r], out + r * centroids.panel_width(p));
}

const char* nearest_centroids_isa() { return "portable"; }

#endif

}  // namespace kseg
