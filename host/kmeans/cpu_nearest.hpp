// Nearest-centroid search for the CPU backend, two register-blocked layouts chosen by shape. Centroids in lanes: the
// centroids are packed once per pass into panels of up to 64 (padded with centroids at +inf), and a micro-kernel
// computes the dot products of a few rows with one panel (many centroids). Rows in lanes: a tile of rows is
// transposed, and a micro-kernel computes 32 rows against a few centroids at a time (few centroids). Both turn the
// dot products into sq_distance_expanded distances and keep the nearest, ties going to the lowest index. Every dot
// product is a sequence of fused multiply-adds in feature order, so the AVX-512 kernels, the AVX2 kernel (centroids
// in lanes only) and the scalar loop give the same bits, whatever the tiling or the thread count. The kernels live
// in cpu_kernels_<set>.cpp, chosen at run time (cpu_kernels.hpp); this header holds their input format.
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
  // The centroids row-major (k × d) and their norms (k), for the rows-in-lanes kernel.
  const float* row_major() const { return row_major_.data(); }
  const float* norms() const { return norms_.data(); }

 private:
  const float* base() const;

  int64_t k_ = 0;
  int64_t d_ = 0;
  std::vector<int64_t> panel_first_, panel_width_, panel_offset_, norms_offset_;
  std::vector<float> storage_;  // over-allocated by 64 bytes for the alignment
  std::vector<float> row_major_, norms_;
};

// What CpuKernels::nearest computes (the nearest centroid of rows [0, rows) and its squared distance), one row and
// one centroid at a time with std::fma: the tests' reference, bit for bit.
void nearest_centroids_scalar(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows,
                              int32_t* labels, float* distances);

}  // namespace kseg
