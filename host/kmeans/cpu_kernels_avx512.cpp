// The "avx512" CPU kernel set (AVX-512 F/DQ/VL + FMA), compiled with those flags only here: the register-blocked
// nearest-centroid kernels in both layouts (cpu_nearest.hpp) and the grouped accumulation. Chosen at run time
// (cpu_kernels.cpp). Uses intrinsics, builtins and its own functions only (see cpu_kernels_loops.hpp for why).
#include <immintrin.h>

#include <cstdint>
#include <new>
#include <type_traits>

#include "host/kmeans/cpu_kernels.hpp"
#include "host/kmeans/cpu_nearest.hpp"

#define KSEG_CPU_SET cpu_avx512
#include "host/kmeans/cpu_kernels_loops.hpp"

// GCC 12 warns inside its own AVX-512 headers (_mm512_undefined_ps as the pass-through of unmasked intrinsics).
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace kseg {
namespace cpu_avx512 {
namespace {

constexpr int64_t kAlignFloats = 16;  // 64 bytes

// A thread's buffer for the transposed tile: grows, never shrinks, 64-byte aligned; operator new rather than a
// std::vector, whose out-of-line members compiled here could replace the baseline copies (cpu_kernels_loops.hpp).
class TransposeScratch {
 public:
  TransposeScratch() = default;
  TransposeScratch(const TransposeScratch&) = delete;
  TransposeScratch& operator=(const TransposeScratch&) = delete;
  ~TransposeScratch() { ::operator delete(raw_); }
  float* floats(int64_t count) {
    if (count > capacity_) {
      ::operator delete(raw_);
      raw_ = nullptr;
      raw_ = static_cast<float*>(::operator new(static_cast<size_t>(count + kAlignFloats) * sizeof(float)));
      capacity_ = count;
    }
    const uintptr_t address = reinterpret_cast<uintptr_t>(raw_);
    return raw_ + ((64 - address % 64) % 64) / sizeof(float);
  }

 private:
  float* raw_ = nullptr;
  int64_t capacity_ = 0;
};

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

// Rows in lanes: xt (d × stride) holds the tile transposed, two vectors of 16 rows (g) per block. J centroids
// starting at j0, J·2 accumulators; hands each (vector, centroid) of clamped distances to epilogue(g, j, dist).
template <int J, class Epilogue>
inline void rows_block(const float* xt, int64_t stride, int64_t d, const float* c, const float* c_norms, int64_t j0,
                       const __m512* xn, const Epilogue& epilogue) {
  __m512 acc[2][J];
#pragma GCC unroll 12
  for (int j = 0; j < J; ++j) acc[0][j] = acc[1][j] = _mm512_setzero_ps();
  for (int64_t t = 0; t < d; ++t) {
    const __m512 x0 = _mm512_load_ps(xt + t * stride), x1 = _mm512_load_ps(xt + t * stride + 16);
#pragma GCC unroll 12
    for (int j = 0; j < J; ++j) {
      const __m512 b = _mm512_set1_ps(c[(j0 + j) * d + t]);
      acc[0][j] = _mm512_fmadd_ps(x0, b, acc[0][j]);
      acc[1][j] = _mm512_fmadd_ps(x1, b, acc[1][j]);
    }
  }
  const __m512 zero = _mm512_setzero_ps();
#pragma GCC unroll 12
  for (int j = 0; j < J; ++j) {
    const __m512 cn = _mm512_set1_ps(c_norms[j0 + j]);
#pragma GCC unroll 2
    for (int g = 0; g < 2; ++g)
      epilogue(g, j0 + j,
               _mm512_max_ps(_mm512_add_ps(_mm512_sub_ps(xn[g], _mm512_add_ps(acc[g][j], acc[g][j])), cn), zero));
  }
}

// Every centroid against one block of 32 transposed rows, J = 12 at a time then smaller.
template <class Epilogue>
void rows_block_all(const PackedCentroids& c, const float* xt, int64_t stride, const __m512* xn,
                    const Epilogue& epilogue) {
  const int64_t k = c.k(), d = c.d();
  int64_t j = 0;
  for (; j + 12 <= k; j += 12) rows_block<12>(xt, stride, d, c.row_major(), c.norms(), j, xn, epilogue);
  if (j + 8 <= k) rows_block<8>(xt, stride, d, c.row_major(), c.norms(), j, xn, epilogue), j += 8;
  if (j + 4 <= k) rows_block<4>(xt, stride, d, c.row_major(), c.norms(), j, xn, epilogue), j += 4;
  for (; j < k; ++j) rows_block<1>(xt, stride, d, c.row_major(), c.norms(), j, xn, epilogue);
}

__mmask16 rows_mask(int64_t rows_left) {
  return rows_left >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << max_i64(rows_left, 0)) - 1);
}

// out[c·out_stride + r] = in[r·in_stride + c] for r < min(rows, 16), c < min(cols, 16), and 0 for rows past `rows`:
// 16 loads, 64 in-register shuffles, up to 16 stores (gathers are several times slower on Zen 4).
void transpose_16x16(const float* in, int64_t in_stride, int64_t rows, int64_t cols, float* out, int64_t out_stride) {
  const __mmask16 col_mask = rows_mask(cols);
  __m512 r[16], t[16], u[16];
  for (int i = 0; i < 16; ++i)
    r[i] = i < rows ? _mm512_maskz_loadu_ps(col_mask, in + i * in_stride) : _mm512_setzero_ps();
  for (int i = 0; i < 16; i += 2) {  // t[i] lane L: rows i, i+1 at columns 4L, 4L+1; t[i+1]: 4L+2, 4L+3
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {  // u[i + c] lane L: rows i..i+3 at column 4L + c
    const auto pd = [](__m512 v) { return _mm512_castps_pd(v); };
    u[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(pd(t[i]), pd(t[i + 2])));
    u[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(pd(t[i]), pd(t[i + 2])));
    u[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(pd(t[i + 1]), pd(t[i + 3])));
    u[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(pd(t[i + 1]), pd(t[i + 3])));
  }
  for (int c = 0; c < 4; ++c) {  // gather the 128-bit lanes of the four row groups
    const __m512 v0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x88), v1 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xDD);
    const __m512 v2 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88);
    const __m512 v3 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xDD);
    const __m512 columns[4] = {_mm512_shuffle_f32x4(v0, v2, 0x88), _mm512_shuffle_f32x4(v1, v3, 0x88),
                               _mm512_shuffle_f32x4(v0, v2, 0xDD), _mm512_shuffle_f32x4(v1, v3, 0xDD)};
    for (int q = 0; q < 4; ++q)  // columns c, c + 4, c + 8, c + 12
      if (c + 4 * q < cols) _mm512_store_ps(out + (c + 4 * q) * out_stride, columns[q]);
  }
}

// out[c·out_stride + r] = in[r·in_stride + c] for r < min(rows, 16), c < min(cols, 8), and 0 for rows past `rows`:
// rows i and i + 8 share a register (one per half), then the 8 × 8 transposition runs in both halves at once: 24
// shuffles for 16 rows instead of transpose_16x16's 64, for rows of at most 8 floats.
void transpose_16x8(const float* in, int64_t in_stride, int64_t rows, int64_t cols, float* out, int64_t out_stride) {
  const __mmask8 col_mask = static_cast<__mmask8>(cols >= 8 ? 0xFF : (1u << max_i64(cols, 0)) - 1);
  __m512 r[8], t[8], u[8];
  for (int i = 0; i < 8; ++i) {
    const __m256 lo = i < rows ? _mm256_maskz_loadu_ps(col_mask, in + i * in_stride) : _mm256_setzero_ps();
    const __m256 hi = i + 8 < rows ? _mm256_maskz_loadu_ps(col_mask, in + (i + 8) * in_stride) : _mm256_setzero_ps();
    r[i] = _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1);
  }
  for (int i = 0; i < 8; i += 2) {  // t[i] 128-bit lane L: rows i, i+1 at columns 0, 1 of the lane's 4; t[i+1]: 2, 3
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {  // u[i + c] lane L: rows i..i+3 at column c of the lane's 4
    u[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
    u[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
    u[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    u[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
  // Lanes of u[c] (c < 4): rows 0–3 column c, rows 0–3 column c + 4, rows 8–11 column c, rows 8–11 column c + 4; u[4 +
  // c] the same for rows 4–7 and 12–15. Column c gathers lanes 0 and 2 of both, column c + 4 lanes 1 and 3.
  const __m512i low = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27);
  const __m512i high = _mm512_setr_epi32(4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
  for (int c = 0; c < 4; ++c) {
    if (c < cols) _mm512_store_ps(out + c * out_stride, _mm512_permutex2var_ps(u[c], low, u[4 + c]));
    if (c + 4 < cols) _mm512_store_ps(out + (c + 4) * out_stride, _mm512_permutex2var_ps(u[c], high, u[4 + c]));
  }
}

// Transposes the tile (rows × d) into xt (d × stride, stride = rows rounded up to 32), zeros past the last row; then
// calls block_fn(r0, xt + r0, mask0, mask1, xn) for every block of 32 rows.
template <class BlockFn>
void rows_in_lanes(const PackedCentroids& c, const float* x, const float* x_norms, int64_t rows,
                   const BlockFn& block_fn) {
  const int64_t d = c.d();
  const int64_t stride = align_up(rows, 32);
  static thread_local TransposeScratch scratch;
  float* xt = scratch.floats(d * stride);
  for (int64_t g = 0; g < stride; g += 16) {
    if (d <= 8) {
      transpose_16x8(x + g * d, d, rows - g, d, xt + g, stride);
      continue;
    }
    for (int64_t t0 = 0; t0 < d; t0 += 16)
      transpose_16x16(x + g * d + t0, d, rows - g, d - t0, xt + t0 * stride + g, stride);
  }
  for (int64_t r0 = 0; r0 < rows; r0 += 32) {
    const __mmask16 m0 = rows_mask(rows - r0), m1 = rows_mask(rows - r0 - 16);
    const __m512 xn[2] = {_mm512_maskz_loadu_ps(m0, x_norms + r0), _mm512_maskz_loadu_ps(m1, x_norms + r0 + 16)};
    block_fn(r0, xt + r0, stride, m0, m1, xn);
  }
}

// Per-row work of each layout, in vector instructions: centroids in lanes pays d FMAs per 16 centroids and a
// horizontal argmin per row; rows in lanes pays d FMAs plus a few compares per centroid for 16 rows, and a gather.
bool rows_in_lanes_cheaper(int64_t k, int64_t d) {
  const int64_t centroids_in_lanes = (k + 15) / 16 * (d + 3) + 12;
  const int64_t rows_in_lanes_cost = (k * (d + 6) + 15) / 16 + d / 2;
  return rows_in_lanes_cost < centroids_in_lanes;
}

void nearest_rows_in_lanes(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows,
                           int32_t* labels, float* distances) {
  rows_in_lanes(centroids, x, x_norms, rows,
                [&](int64_t r0, const float* xt, int64_t stride, __mmask16 m0, __mmask16 m1, const __m512* xn) {
                  __m512 best[2] = {_mm512_set1_ps(__builtin_huge_valf()), _mm512_set1_ps(__builtin_huge_valf())};
                  __m512i best_index[2] = {_mm512_setzero_si512(), _mm512_setzero_si512()};
                  // Centroids in increasing index with a strict comparison: ties keep the lowest index.
                  rows_block_all(centroids, xt, stride, xn, [&](int g, int64_t j, __m512 dist) {
                    const __mmask16 lower = _mm512_cmp_ps_mask(dist, best[g], _CMP_LT_OQ);
                    best[g] = _mm512_mask_mov_ps(best[g], lower, dist);
                    best_index[g] =
                        _mm512_mask_mov_epi32(best_index[g], lower, _mm512_set1_epi32(static_cast<int32_t>(j)));
                  });
                  _mm512_mask_storeu_ps(distances + r0, m0, best[0]);
                  _mm512_mask_storeu_ps(distances + r0 + 16, m1, best[1]);
                  _mm512_mask_storeu_epi32(labels + r0, m0, best_index[0]);
                  _mm512_mask_storeu_epi32(labels + r0 + 16, m1, best_index[1]);
                });
}

void nearest(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows, int32_t* labels,
             float* distances) {
  if (rows_in_lanes_cheaper(centroids.k(), centroids.d()))
    return nearest_rows_in_lanes(centroids, x, x_norms, rows, labels, distances);
  for (int64_t r = 0; r < rows; ++r) {
    distances[r] = __builtin_huge_valf();
    labels[r] = 0;
  }
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

void distances(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows, float* out,
               int64_t out_stride) {
  rows_in_lanes(centroids, x, x_norms, rows,
                [&](int64_t r0, const float* xt, int64_t stride, __mmask16 m0, __mmask16 m1, const __m512* xn) {
                  rows_block_all(centroids, xt, stride, xn, [&](int g, int64_t j, __m512 dist) {
                    _mm512_mask_storeu_ps(out + j * out_stride + r0 + 16 * g, g == 0 ? m0 : m1, dist);
                  });
                });
}

// Adds w·x of a tile's rows to sums[label] and w to weights[label] (CpuKernels::sums_add). For d <= 16 and few
// clusters, the rows are first grouped by label (stable) and each cluster's running sums stay in two registers
// across its rows, instead of every row waiting for the previous row's store to the same sums; the operations and
// their order per sum are those of the row-by-row loop, so are the bits. (For wider rows the row-by-row loop is
// already limited by the arithmetic, not by the stores.)
void sums_add(const float* x, int64_t d, const float* w, const int32_t* labels, int64_t rows, int64_t k, double* sums,
              double* weights) {
  constexpr int64_t kGroupedMaxClusters = 64;
  constexpr int64_t kGroupedMaxRows = 512;
  if (d > 16 || k > kGroupedMaxClusters || rows > kGroupedMaxRows)
    return sums_add_loop(x, d, w, labels, rows, sums, weights);
  const auto weight_at = [w](int64_t r) { return w ? static_cast<double>(w[r]) : 1.0; };
  int32_t starts[kGroupedMaxClusters + 1] = {};
  int32_t order[kGroupedMaxRows];
  for (int64_t r = 0; r < rows; ++r) ++starts[labels[r] + 1];
  for (int64_t j = 0; j < k; ++j) starts[j + 1] += starts[j];
  int32_t next[kGroupedMaxClusters];
  for (int64_t j = 0; j < k; ++j) next[j] = starts[j];
  for (int64_t r = 0; r < rows; ++r) order[next[labels[r]]++] = static_cast<int32_t>(r);
  const __mmask8 m0 = static_cast<__mmask8>((1u << min_i64(d, 8)) - 1);
  const __mmask8 m1 = static_cast<__mmask8>((1u << max_i64(d - 8, 0)) - 1);
  for (int64_t j = 0; j < k; ++j) {
    const int32_t* members = order + starts[j];
    const int64_t count = starts[j + 1] - starts[j];
    if (count == 0) continue;
    double* s = sums + j * d;
    for (int64_t q = 0; q < count; ++q) weights[j] += weight_at(members[q]);
    __m512d acc0 = _mm512_maskz_loadu_pd(m0, s);
    if (d <= 8) {
      for (int64_t q = 0; q < count; ++q)
        acc0 = _mm512_fmadd_pd(_mm512_set1_pd(weight_at(members[q])),
                               _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m0, x + members[q] * d)), acc0);
    } else {
      __m512d acc1 = _mm512_maskz_loadu_pd(m1, s + 8);
      for (int64_t q = 0; q < count; ++q) {
        const __m512d wr = _mm512_set1_pd(weight_at(members[q]));
        const float* xr = x + members[q] * d;
        acc0 = _mm512_fmadd_pd(wr, _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m0, xr)), acc0);
        acc1 = _mm512_fmadd_pd(wr, _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m1, xr + 8)), acc1);
      }
      _mm512_mask_storeu_pd(s + 8, m1, acc1);
    }
    _mm512_mask_storeu_pd(s, m0, acc0);
  }
}

}  // namespace
}  // namespace cpu_avx512

extern const CpuKernels kCpuKernelsAvx512;
const CpuKernels kCpuKernelsAvx512 = {"avx512",
                                      cpu_avx512::nearest,
                                      cpu_avx512::distances,
                                      cpu_avx512::sums_add,
                                      cpu_avx512::row_norms_loop,
                                      cpu_avx512::label_distances_loop};

}  // namespace kseg
