// Packing centroids for the CPU kernels (cpu_kernels_*.cpp), and the one-centroid-at-a-time reference of the tests.
#include "host/kmeans/cpu_nearest.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "common/host_device.hpp"

namespace kseg {
namespace {

constexpr int64_t kAlignFloats = 16;  // 64 bytes

int64_t align_up(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

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

}  // namespace kseg
