// Mini-batch K-means (Sculley 2010) as scikit-learn's MiniBatchKMeans does it: every centre keeps the weight it has
// seen, and a batch moves it to (c·W + Σ w·x) / (W + Σ w), a per-centre learning rate of 1 / (seen weight);
// centres whose weight falls below reassignment_ratio × the largest are moved to random rows of the batch.
// Each step goes through the Backend (nearest centre and per-centre sums), so it runs on the CPU and on CUDA.
#pragma once

#include <cstdint>
#include <vector>

#include "host/backend.hpp"
#include "host/kmeans/seeding.hpp"

namespace kseg {

struct MiniBatchParams {
  int64_t batch_size = 1024;         // rows per mini-batch (scikit-learn's default)
  double reassignment_ratio = 0.01;  // centres with weight < ratio × the largest weight are reassigned; 0 = never
  uint64_t seed = 42;                // row order within a read chunk and reassignment draws
};

struct MiniBatchState {
  int64_t k = 0, d = 0;
  std::vector<float> centroids;  // k × d, prepared space
  std::vector<double> counts;    // k: weight seen per centre
  int64_t rows_since_reassign = 0;
  std::vector<int64_t> reassigned;  // centres reassigned, in order (a centre may appear more than once)
};

struct MiniBatchStepStats {
  double inertia = 0.0;    // Σ w·‖x − c‖² of the batch against the centres it started from
  double weight = 0.0;     // Σ w of the batch
  int64_t reassigned = 0;  // centres moved to random rows after this step
};

// One step on the batch the backend holds. The state's counts start where the caller puts them (0: a fresh
// centre takes the mean of its first batch).
MiniBatchStepStats minibatch_step(Backend& backend, const MiniBatchParams& params, MiniBatchState& state,
                                  UniformStream& random);

}  // namespace kseg
