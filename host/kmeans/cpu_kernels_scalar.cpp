// The "scalar" CPU kernel set: plain loops for any CPU, compiled for the build's baseline (on x86-64 without FMA
// instructions, __builtin_fma is then the C library's fma: slow, but the same bits as the other sets).
#include <cstdint>
#include <limits>

#include "host/kmeans/cpu_kernels.hpp"
#include "host/kmeans/cpu_nearest.hpp"

#define KSEG_CPU_SET cpu_scalar
#include "host/kmeans/cpu_kernels_loops.hpp"

namespace kseg {
namespace cpu_scalar {
namespace {

// The panel's dot products with one row, kept in an array the compiler vectorises across centroids; then distances.
void panel_row_distances(const PackedCentroids& c, int64_t p, const float* x_row, float x_norm, float* dist) {
  const int64_t width = c.panel_width(p);
  const float* panel = c.panel(p);
  for (int64_t j = 0; j < width; ++j) dist[j] = 0.0f;
  for (int64_t t = 0; t < c.d(); ++t) {
    const float xt = x_row[t];
    for (int64_t j = 0; j < width; ++j) dist[j] = __builtin_fmaf(xt, panel[t * width + j], dist[j]);
  }
  const float* norms = c.panel_norms(p);
  for (int64_t j = 0; j < width; ++j) dist[j] = distance_from_dot(x_norm, dist[j], norms[j]);
}

void nearest(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows, int32_t* labels,
             float* distances) {
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

void distances(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows, float* out,
               int64_t out_stride) {
  const int64_t d = centroids.d();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < centroids.k(); ++j)
      out[j * out_stride + r] =
          distance_from_dot(x_norms[r], dot_fma(x + r * d, centroids.row_major() + j * d, d), centroids.norms()[j]);
}

void sums_add(const float* x, int64_t d, const float* w, const int32_t* labels, int64_t rows, int64_t, double* sums,
              double* weights) {
  sums_add_loop(x, d, w, labels, rows, sums, weights);
}

}  // namespace
}  // namespace cpu_scalar

extern const CpuKernels kCpuKernelsScalar;
const CpuKernels kCpuKernelsScalar = {"scalar",
                                      cpu_scalar::nearest,
                                      cpu_scalar::distances,
                                      cpu_scalar::sums_add,
                                      cpu_scalar::row_norms_loop,
                                      cpu_scalar::label_distances_loop};

}  // namespace kseg
