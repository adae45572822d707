// The K-means driver: seeding, Lloyd iterations, convergence, empty-cluster repair and restarts, written once
// over the Backend interface.
#pragma once

#include <functional>

#include "host/backend.hpp"
#include "host/comm/communicator.hpp"
#include "host/kmeans/params.hpp"

namespace kseg {

// Called after every Lloyd iteration (run = restart index), for progress output.
using IterationCallback = std::function<void(int run, const IterationStats& stats)>;

// Throws UsageError for parameters that make no sense (k < 1, max_iter < 1, ...) and DataError for parameters the
// data cannot satisfy (k > n, given centroids of the wrong shape or not finite).
void kmeans_params_validate(const KMeansParams& params, int64_t n_rows, int64_t n_cols);

// Mean over features of the (unweighted) variance: scikit-learn's scale for tol.
double feature_variance_mean(const DataView& data, const Communicator& comm);

// Runs params.n_init restarts and keeps the lowest inertia. tol_absolute is the threshold on Σ‖c_new − c_old‖²
// (tol × feature_variance_mean). On return the backend holds the best run's labels and distances.
// data is the same local rows the backend was built on (its weights are read on the host).
KMeansResult kmeans_fit(Backend& backend, const DataView& data, const KMeansParams& params, double tol_absolute,
                        const Communicator& comm, const IterationCallback& on_iteration = {});

// Re-seeds clusters that received no weight with the rows farthest from their centroids (never emptying another
// cluster), adjusting the partial sums as if those rows had been assigned there. Returns how many were repaired.
// weights: the rows' sample weights, or nullptr for all 1. Across processes (partials already summed over ranks) the
// farthest rows are taken over all ranks, ties by global row index, so the repair is the one a single process makes.
int64_t empty_clusters_repair(const Backend& backend, const float* weights, LloydPartials& partials, int64_t k,
                              const Communicator& comm = single_process());

}  // namespace kseg
