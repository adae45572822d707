// Nearest-centroid search for the CPU backend. The centroids are packed once per pass into panels of up to 64
// (16-float lanes, padded with centroids at +inf), then a register-blocked micro-kernel computes the dot products of
// a few rows with one panel, turns them into sq_distance_expanded distances and keeps the nearest, ties going to the
// lowest index. Every dot product is a sequence of fused multiply-adds in feature order, so the AVX-512 kernel and
// the portable loop give the same bits, whatever the tiling or the thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kseg {

class PackedCentroids {
 public:
  static constexpr int64_t kLanes = 16;     // floats per vector lane group
  static constexpr int64_t kPanelMax = 64;  // centroids per panel, at most
  PackedCentroids(const float* centroids, int64_t k, int64_t d);

  int64_t k() const { return k_; }
  int64_t d() const { return d_; }
  int64_t panels() const { return static_cast<int64_t>(panel_first_.size()); }
  int64_t panel_first(int64_t p) const { return panel_first_[static_cast<size_t>(p)]; }
  // Padded width of panel p: a multiple of kLanes, at most kPanelMax.
  int64_t panel_width(int64_t p) const { return panel_width_[static_cast<size_t>(p)]; }
  // d × width floats, feature-major: value of centroid panel_first + j, feature t at [t·width + j]; 64-byte aligned.
  const float* panel(int64_t p) const { return base() + panel_offset_[static_cast<size_t>(p)]; }
  // width floats: ‖c‖² of the panel's centroids, +inf for the padding; 64-byte aligned.
  const float* panel_norms(int64_t p) const { return base() + norms_offset_[static_cast<size_t>(p)]; }

 private:
  const float* base() const;

  int64_t k_ = 0;
  int64_t d_ = 0;
  std::vector<int64_t> panel_first_, panel_width_, panel_offset_, norms_offset_;
  std::vector<float> storage_;  // over-allocated by 64 bytes for the alignment
};

// For rows [0, rows) of x (row-major, d = centroids.d() columns) with squared norms x_norms: the nearest centroid
// (labels) and its squared distance sq_distance_expanded(‖x‖², x·c, ‖c‖²) (distances). Ties: the lowest index.
void nearest_centroids(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows,
                       int32_t* labels, float* distances);

// Squared distances of rows [0, rows) to every centroid of panel p, as nearest_centroids computes them:
// out[r·width + j] for j < panel_width(p) (+inf in the padding, or 0 for a row whose norm is not finite).
void panel_distances(const PackedCentroids& centroids, int64_t p, const float* x, const float* x_norms, int64_t rows,
                     float* out);

// The same as nearest_centroids computed one row and one centroid at a time with std::fma, for tests.
void nearest_centroids_scalar(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows,
                              int32_t* labels, float* distances);

// Which implementation nearest_centroids uses in this build: "avx512" or "portable".
const char* nearest_centroids_isa();

}  // namespace kseg
