// The "avx2" CPU kernel set (AVX2 + FMA, for machines without AVX-512), compiled with those flags only here: the
// centroids-in-lanes nearest-centroid kernel (cpu_nearest.hpp) and the shared loops. Chosen at run time
// (cpu_kernels.cpp). Uses intrinsics, builtins and its own functions only (see cpu_kernels_loops.hpp for why).
#include <immintrin.h>

#include <cstdint>
#include <type_traits>

#include "host/kmeans/cpu_kernels.hpp"
#include "host/kmeans/cpu_nearest.hpp"

#define KSEG_CPU_SET cpu_avx2
#include "host/kmeans/cpu_kernels_loops.hpp"

namespace kseg {
namespace cpu_avx2 {
namespace {

// AVX2 (16 ymm registers): R rows × V vectors of 8 centroids, the columns [col, col + 8·V) of a panel `width` wide.
// R·V accumulators, R broadcasts per feature and one panel vector at a time. Hands each row's V vectors of clamped
// distances to epilogue(r, dist), computed as in the AVX-512 kernel (same FMA sequence, same expression).
template <int V, int R, class Epilogue>
inline void chunk_rows(const float* x, int64_t d, const float* panel, int64_t width, const float* norms,
                       const float* x_norms, const Epilogue& epilogue) {
  __m256 acc[R][V];
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) acc[r][v] = _mm256_setzero_ps();
  for (int64_t t = 0; t < d; ++t) {
    __m256 b[R];
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) b[r] = _mm256_broadcast_ss(x + r * d + t);
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) {
      const __m256 c = _mm256_load_ps(panel + t * width + 8 * v);
#pragma GCC unroll 6
      for (int r = 0; r < R; ++r) acc[r][v] = _mm256_fmadd_ps(b[r], c, acc[r][v]);
    }
  }
  const __m256 zero = _mm256_setzero_ps();
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) {
    const __m256 xn = _mm256_set1_ps(x_norms[r]);
    __m256 dist[V];
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v)  // max(·, 0): 0 for NaN, as the scalar clamp
      dist[v] = _mm256_max_ps(
          _mm256_add_ps(_mm256_sub_ps(xn, _mm256_add_ps(acc[r][v], acc[r][v])), _mm256_load_ps(norms + 8 * v)), zero);
    epilogue(r, dist);
  }
}

// Every row against the columns [col, col + 8·V) of panel p: blocks of R rows, then single rows.
template <int V, int R, class Epilogue>
void chunk_all_rows(const PackedCentroids& c, int64_t p, int64_t col, const float* x, const float* x_norms,
                    int64_t rows, const Epilogue& epilogue) {
  const int64_t d = c.d(), width = c.panel_width(p);
  const float* panel = c.panel(p) + col;
  const float* norms = c.panel_norms(p) + col;
  int64_t r0 = 0;
  for (; r0 + R <= rows; r0 += R)
    chunk_rows<V, R>(x + r0 * d, d, panel, width, norms, x_norms + r0,
                     [&](int r, const __m256* dist) { epilogue(r0 + r, dist); });
  for (; r0 < rows; ++r0)
    chunk_rows<V, 1>(x + r0 * d, d, panel, width, norms, x_norms + r0,
                     [&](int, const __m256* dist) { epilogue(r0, dist); });
}

// The panels in increasing centroid order, each in chunks of 32 columns (3 rows × 4 vectors: 12 accumulators, 3
// broadcasts, 1 panel vector) and a last chunk of 16 (6 × 2). epilogue_for(V, first_column) makes the epilogue.
template <class EpilogueFor>
void chunks_for_each(const PackedCentroids& c, const float* x, const float* x_norms, int64_t rows,
                     const EpilogueFor& epilogue_for) {
  for (int64_t p = 0; p < c.panels(); ++p) {
    int64_t col = 0;
    for (; col + 32 <= c.panel_width(p); col += 32)
      chunk_all_rows<4, 3>(c, p, col, x, x_norms, rows,
                           epilogue_for(std::integral_constant<int, 4>(), c.panel_first(p) + col));
    if (col < c.panel_width(p))
      chunk_all_rows<2, 6>(c, p, col, x, x_norms, rows,
                           epilogue_for(std::integral_constant<int, 2>(), c.panel_first(p) + col));
  }
}

void nearest(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows, int32_t* labels,
             float* distances) {
  for (int64_t r = 0; r < rows; ++r) {
    distances[r] = __builtin_huge_valf();
    labels[r] = 0;
  }
  chunks_for_each(centroids, x, x_norms, rows, [&](auto v_constant, int64_t first) {
    constexpr int V = decltype(v_constant)::value;
    return [&, first](int64_t r, const __m256* dist) {
      __m256 m = dist[0];
#pragma GCC unroll 4
      for (int v = 1; v < V; ++v) m = _mm256_min_ps(m, dist[v]);
      m = _mm256_min_ps(m, _mm256_permute2f128_ps(m, m, 1));  // horizontal minimum, in every lane
      m = _mm256_min_ps(m, _mm256_shuffle_ps(m, m, 0x4E));
      m = _mm256_min_ps(m, _mm256_shuffle_ps(m, m, 0xB1));
      uint64_t hits = 0;
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v)
        hits |= static_cast<uint64_t>(_mm256_movemask_ps(_mm256_cmp_ps(dist[v], m, _CMP_EQ_OQ))) << (8 * v);
      // Chunks come in increasing index and the comparison is strict: ties keep the lowest index.
      best_update(_mm256_cvtss_f32(m), first + __builtin_ctzll(hits), distances[r], labels[r]);
    };
  });
}

void distances(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows, float* out,
               int64_t out_stride) {
  const int64_t k = centroids.k();
  chunks_for_each(centroids, x, x_norms, rows, [&](auto v_constant, int64_t first) {
    constexpr int V = decltype(v_constant)::value;
    return [&, first](int64_t r, const __m256* dist) {
      alignas(32) float lanes[8 * V];
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) _mm256_store_ps(lanes + 8 * v, dist[v]);
      const int64_t valid = min_i64(8 * V, k - first);
      for (int64_t j = 0; j < valid; ++j) out[(first + j) * out_stride + r] = lanes[j];
    };
  });
}

void sums_add(const float* x, int64_t d, const float* w, const int32_t* labels, int64_t rows, int64_t, double* sums,
              double* weights) {
  sums_add_loop(x, d, w, labels, rows, sums, weights);
}

}  // namespace
}  // namespace cpu_avx2

extern const CpuKernels kCpuKernelsAvx2;
const CpuKernels kCpuKernelsAvx2 = {"avx2",
                                    cpu_avx2::nearest,
                                    cpu_avx2::distances,
                                    cpu_avx2::sums_add,
                                    cpu_avx2::row_norms_loop,
                                    cpu_avx2::label_distances_loop};

}  // namespace kseg
