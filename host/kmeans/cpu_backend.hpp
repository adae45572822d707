// The CPU backend: a register-blocked distance kernel (cpu_nearest.hpp) over tiles of rows for every pass, OpenMP
// across fixed blocks of rows. Block boundaries depend only on n and k·d, and partial sums are reduced in block
// order, so results are bit-identical for any thread count.
#pragma once

#include <vector>

#include "host/backend.hpp"
#include "host/kmeans/cpu_nearest.hpp"

namespace kseg {

class CpuBackend final : public Backend {
 public:
  // data must outlive the backend. n_threads <= 0 means all cores (OpenMP's default).
  CpuBackend(const DataView& data, int n_threads);

  std::string name() const override { return "cpu"; }
  int64_t n_rows() const override { return data_.n_rows; }
  int64_t n_cols() const override { return data_.n_cols; }
  int threads() const { return n_threads_; }

  void lloyd_pass(const float* centroids, int64_t k, LloydPartials& out) override;
  double assign(const float* centroids, int64_t k) override;
  void labels_get(int32_t* labels) const override;
  void distances_get(float* sq_distances) const override;
  void rows_get(const int64_t* rows, int64_t m, float* out) const override;

  double seeding_reset() override;
  double seeding_update(const float* centres, int64_t m) override;
  void seeding_candidates_cost(const float* candidates, int64_t m, double* cost) override;
  void rows_sample(const double* targets, int64_t m, bool by_weight_only, int64_t* rows) const override;

 private:
  struct Block {
    int64_t begin;
    int64_t end;
  };
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
  double weighted_min_sum(const float* dist, int64_t first, int64_t rows) const;
  double min_dist_merge(const float* dist, int64_t first, int64_t rows);
  float weight(int64_t i) const { return data_.weights ? data_.weights[i] : 1.0f; }

  DataView data_;
  int n_threads_;
  std::vector<float> row_norms_;  // ‖x_i‖², computed once
  std::vector<int32_t> labels_;
  std::vector<float> distances_;
  std::vector<float> min_dist_;  // seeding: squared distance to the nearest chosen centre
  // seeding: the last candidates scored (m × d) and every row's squared distance to each (m × n), so that the
  // update for the chosen one reads these instead of the data (one pass over the data per step instead of two)
  std::vector<float> candidates_;
  std::vector<float> candidate_dist_;
};

}  // namespace kseg
