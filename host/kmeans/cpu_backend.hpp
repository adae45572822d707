// The CPU backend: register-blocked distance kernels (cpu_nearest.hpp; AVX-512, AVX2 or scalar, chosen at run time:
// cpu_kernels.hpp) over tiles of rows for every pass, OpenMP across fixed blocks of rows. Block boundaries depend only
// on n and k·d, and partial sums are reduced in block order, so results are bit-identical for any thread count.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "host/backend.hpp"
#include "host/kmeans/cpu_bounds.hpp"
#include "host/kmeans/cpu_kernels.hpp"
#include "host/kmeans/cpu_nearest.hpp"

namespace kseg {

// How lloyd_pass finds the labels. full (Lloyd): the distance kernel on every row, sums in double in row order.
// bounded (Hamerly): per-row distance bounds skip the rows whose label provably stays (labels identical to a full
// pass on the same centroids), and the sums are exact integers moved only for the rows that change cluster. It wins
// on clustered low-dimensional data once the centroids settle (1M × 8, k = 16: 1.2–1.3× per fit, 2× per late
// iteration) and loses where most rows sit near a boundary, as in overlapping clouds (bench/NOTES.md §10); so it is a
// choice, not the default.
enum class CpuPassMode { full, bounded };

// An allocator that leaves new elements of trivial types uninitialised: the backend's per-row arrays are then first
// written, and their pages first touched, in parallel by the threads that use them instead of zero-filled by one
// (page faults cost ~2 µs each on a virtual machine: 12 ms for three arrays of 2M rows).
template <class T>
struct UninitializedAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <class U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
  template <class U>
  void construct(U*) noexcept {}
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
template <class T>
using RowArray = std::vector<T, UninitializedAllocator<T>>;

// "lloyd" (full) or "hamerly" (bounded) → the mode; throws UsageError for anything else.
CpuPassMode cpu_pass_mode_parse(const std::string& name);

class CpuBackend final : public Backend {
 public:
  // data must outlive the backend. n_threads <= 0 means all cores (OpenMP's default). kernels: the instruction set's
  // kernels (cpu_kernels.hpp); null means cpu_kernels_default() (KSEG_CPU_KERNEL, else the fastest this CPU has).
  CpuBackend(const DataView& data, int n_threads, CpuPassMode mode = CpuPassMode::full,
             const CpuKernels* kernels = nullptr);

  std::string name() const override { return "cpu"; }
  int64_t n_rows() const override { return data_.n_rows; }
  int64_t n_cols() const override { return data_.n_cols; }
  int threads() const { return n_threads_; }
  CpuPassMode mode() const { return mode_; }
  const CpuKernels& kernels() const { return *kernels_; }
  // Rows the latest lloyd_pass ran the distance kernel on (all of them for a full pass).
  int64_t rows_computed() const { return rows_computed_; }

  void lloyd_pass(const float* centroids, int64_t k, LloydPartials& out) override;
  double assign(const float* centroids, int64_t k) override;
  void labels_get(int32_t* labels) const override;
  void distances_get(float* sq_distances) const override;
  void rows_get(const int64_t* rows, int64_t m, float* out) const override;
  void data_refresh() override;

  double seeding_reset() override;
  double seeding_update(const float* centres, int64_t m) override;
  void seeding_candidates_cost(const float* candidates, int64_t m, double* cost) override;
  void rows_sample(const double* targets, int64_t m, bool by_weight_only, int64_t* rows) const override;

 private:
  struct Block {
    int64_t begin;
    int64_t end;
  };
  void rows_initialize();
  std::vector<Block> blocks_plan(int64_t partial_doubles) const;
  struct TileScratch {
    std::vector<float> floats;
    std::vector<int32_t> labels;
  };
  template <class TileFn>
  void tiles_for_each(const std::vector<Block>& blocks, int64_t scratch_per_row, const TileFn& tile_fn) const;
  template <class TileFn>
  void nearest_for_each(const std::vector<Block>& blocks, const PackedCentroids& centroids,
                        const TileFn& tile_fn) const;
  void lloyd_pass_full(const float* centroids, int64_t k, LloydPartials& out);
  void lloyd_pass_bounded(const float* centroids, int64_t k, LloydPartials& out);
  void bounded_scales_prepare();
  void distances_for_labels(float* out) const;
  double weighted_min_sum(const float* dist, int64_t first, int64_t rows) const;
  double min_dist_merge(const float* dist, int64_t first, int64_t rows);
  float weight(int64_t i) const { return data_.weights ? data_.weights[i] : 1.0f; }

  DataView data_;
  int n_threads_;
  const CpuKernels* kernels_;  // never null
  RowArray<float> row_norms_;  // ‖x_i‖², computed once
  RowArray<int32_t> labels_;
  RowArray<float> distances_;
  std::vector<float> min_dist_;  // seeding: squared distance to the nearest chosen centre
  // seeding: the last candidates scored (m × d) and every row's squared distance to each (m × n), so that the
  // update for the chosen one reads these instead of the data (one pass over the data per step instead of two)
  std::vector<float> candidates_;
  std::vector<float> candidate_dist_;
  // bounded passes (cpu_backend_bounded.cpp): per row an upper bound on the distance to its centroid and a lower
  // bound on the distance to any other, the centroids they refer to, and the clusters' exact sums for labels_
  CpuPassMode mode_;
  bool bounds_valid_ = false;  // upper_, lower_, sums_fixed_ and labels_ agree with bounds_centroids_
  std::vector<float> upper_, lower_;
  std::vector<float> bounds_centroids_;
  std::vector<int64_t> sums_fixed_;  // k × (d + 2), see FixedPointScales
  FixedPointScales scales_;
  bool scales_ready_ = false;
  bool distances_stale_ = false;  // distances_ lag behind labels_ (rows skipped by a bounded pass)
  int64_t rows_computed_ = 0;     // rows the latest lloyd_pass ran the distance kernel on
};

}  // namespace kseg
