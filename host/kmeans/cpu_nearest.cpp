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
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define KSEG_NEAREST_AVX2 1
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

PackedCentroids::PackedCentroids(const float* centroids, int64_t k, int64_t d)
    : k_(k), d_(d), row_major_(centroids, centroids + k * d), norms_(static_cast<size_t>(k)) {
  for (int64_t j = 0; j < k; ++j) {
    float norm = 0.0f;
    for (int64_t t = 0; t < d; ++t) norm = std::fma(centroids[j * d + t], centroids[j * d + t], norm);
    norms_[static_cast<size_t>(j)] = norm;  // the kernels' own dot product: c·c = ‖c‖² exactly
  }
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
      for (int64_t t = 0; t < d; ++t) panel_out[t * width + j] = c[t];
      norms_out[j] = norms_[static_cast<size_t>(first + j)];
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
  return rows_left >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << std::max<int64_t>(rows_left, 0)) - 1);
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
  const __mmask8 col_mask = static_cast<__mmask8>(cols >= 8 ? 0xFF : (1u << std::max<int64_t>(cols, 0)) - 1);
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
  static thread_local std::vector<float> storage;
  storage.resize(static_cast<size_t>(d * stride + kAlignFloats));
  float* xt =
      storage.data() + (kAlignFloats - (reinterpret_cast<uintptr_t>(storage.data()) / 4) % kAlignFloats) % kAlignFloats;
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
                  __m512 best[2] = {_mm512_set1_ps(std::numeric_limits<float>::infinity()),
                                    _mm512_set1_ps(std::numeric_limits<float>::infinity())};
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

}  // namespace

void nearest_centroids(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows,
                       int32_t* labels, float* distances) {
  if (rows_in_lanes_cheaper(centroids.k(), centroids.d()))
    return nearest_rows_in_lanes(centroids, x, x_norms, rows, labels, distances);
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

void centroid_distances(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows,
                        float* out, int64_t out_stride) {
  rows_in_lanes(centroids, x, x_norms, rows,
                [&](int64_t r0, const float* xt, int64_t stride, __mmask16 m0, __mmask16 m1, const __m512* xn) {
                  rows_block_all(centroids, xt, stride, xn, [&](int g, int64_t j, __m512 dist) {
                    _mm512_mask_storeu_ps(out + j * out_stride + r0 + 16 * g, g == 0 ? m0 : m1, dist);
                  });
                });
}

const char* nearest_centroids_isa() { return "avx512"; }

#elif defined(KSEG_NEAREST_AVX2)

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

}  // namespace

void nearest_centroids(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows,
                       int32_t* labels, float* distances) {
  std::fill(distances, distances + rows, std::numeric_limits<float>::infinity());
  std::fill(labels, labels + rows, 0);
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

void centroid_distances(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows,
                        float* out, int64_t out_stride) {
  const int64_t k = centroids.k();
  chunks_for_each(centroids, x, x_norms, rows, [&](auto v_constant, int64_t first) {
    constexpr int V = decltype(v_constant)::value;
    return [&, first](int64_t r, const __m256* dist) {
      alignas(32) float lanes[8 * V];
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) _mm256_store_ps(lanes + 8 * v, dist[v]);
      const int64_t valid = std::min<int64_t>(8 * V, k - first);
      for (int64_t j = 0; j < valid; ++j) out[(first + j) * out_stride + r] = lanes[j];
    };
  });
}

const char* nearest_centroids_isa() { return "avx2"; }

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

void centroid_distances(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows,
                        float* out, int64_t out_stride) {
  const int64_t d = centroids.d();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < centroids.k(); ++j) {
      float dot = 0.0f;
      for (int64_t t = 0; t < d; ++t) dot = std::fma(x[r * d + t], centroids.row_major()[j * d + t], dot);
      out[j * out_stride + r] = sq_distance_expanded(x_norms[r], dot, centroids.norms()[j]);
    }
}

const char* nearest_centroids_isa() { return "portable"; }

#endif

}  // namespace kseg
