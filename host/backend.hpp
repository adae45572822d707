// The one seam between the K-means driver and the hardware. The CPU backend (host/kmeans: hand-written AVX-512/AVX2
// kernels chosen at run time, with OpenMP) and the CUDA backend (kernels/) implement these few passes; seeding, the
// Lloyd loop, restarts and outputs are written once in the driver. All sizes are local to this process (MPI ranks each
// own a slice of the rows).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kseg {

// A read-only row-major float32 view of the prepared data, with optional per-row weights.
struct DataView {
  const float* x = nullptr;        // n_rows × n_cols, row-major, contiguous
  const float* weights = nullptr;  // n_rows sample weights (>= 0), or nullptr for all 1
  int64_t n_rows = 0;
  int64_t n_cols = 0;
};

// What one Lloyd pass (assignment + accumulation) returns; additive across ranks.
struct LloydPartials {
  std::vector<double> sums;     // k × d weighted sums of the rows assigned to each cluster
  std::vector<double> weights;  // k total weight per cluster
  double inertia = 0.0;         // Σ w·‖x − c(x)‖² against the centroids passed in
  int64_t n_changed = 0;        // rows whose label differs from the previous pass (all rows on the first pass)
};

class Backend {
 public:
  virtual ~Backend() = default;

  // "cpu" or "cuda:N"; echoed in summaries.
  virtual std::string name() const = 0;
  virtual int64_t n_rows() const = 0;
  virtual int64_t n_cols() const = 0;

  // Nearest centroid for every row (labels kept inside the backend), then per-cluster weighted sums and weights.
  // centroids: k × d row-major float32 on the host. Ties go to the lowest centroid index.
  virtual void lloyd_pass(const float* centroids, int64_t k, LloydPartials& out) = 0;

  // Nearest centroid and squared distance for every row, without accumulation. Returns Σ w·dist² (inertia).
  virtual double assign(const float* centroids, int64_t k) = 0;

  // Labels and squared distances from the latest lloyd_pass or assign, copied to host arrays of n_rows.
  virtual void labels_get(int32_t* labels) const = 0;
  virtual void distances_get(float* sq_distances) const = 0;

  // Copies the given rows (m indices into this backend's rows) to out (m × d).
  virtual void rows_get(const int64_t* rows, int64_t m, float* out) const = 0;

  // The rows (and weights) behind the DataView given at construction were overwritten in place: same pointers, same
  // n × d. Re-derives everything the backend keeps from them (norms; on a GPU the resident copy) and forgets labels,
  // bounds and seeding state, so one backend can score batch after batch of a stream without being rebuilt.
  virtual void data_refresh() = 0;

  // Seeding support. The backend keeps min_dist[i], the squared distance of row i to its nearest chosen centre.
  // seeding_reset sets it to +inf and returns Σ w (local). seeding_update lowers it with m new centres and returns
  // the potential Σ w·min_dist (local).
  virtual double seeding_reset() = 0;
  virtual double seeding_update(const float* centres, int64_t m) = 0;
  // For each of m candidate centres: Σ w·min(min_dist, ‖x − c‖²), the potential if that candidate were added.
  virtual void seeding_candidates_cost(const float* candidates, int64_t m, double* cost) = 0;
  // Inverse-CDF sampling: for each target t (0 <= t < total), the first row i whose running sum of v exceeds t,
  // where v = w·min_dist, or v = w when by_weight_only. Running sums are in double, in row order.
  virtual void rows_sample(const double* targets, int64_t m, bool by_weight_only, int64_t* rows) const = 0;
};

}  // namespace kseg
