// Parameters and results of a K-means fit, named as scikit-learn users know them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kseg {

enum class InitMethod { kmeans_plus_plus, kmeans_parallel, random, given };

struct KMeansParams {
  int64_t n_clusters = 8;  // k: number of segments
  int max_iter = 300;      // Lloyd iterations per restart, at most
  double tol = 1e-4;       // stop when Σ‖c_new − c_old‖² <= tol × mean per-feature variance of the data
  int n_init = 1;          // restarts from different seeds; the lowest inertia wins
  uint64_t seed = 42;      // every random choice derives from it; same seed → same result
  InitMethod init = InitMethod::kmeans_plus_plus;
  std::vector<float> init_centroids;  // k × d row-major, when init == given
  int n_local_trials = 0;     // k-means++ candidates per step; 0 → 2 + ⌊ln k⌋ (scikit-learn's greedy rule)
  int init_rounds = 5;        // k-means||: sampling rounds; 5 as in Bahmani et al.'s experiments
  double oversampling = 0.0;  // k-means||: expected rows sampled per round, l; 0 → 2k (Spark, cuML)
  int n_threads = 0;          // CPU threads for host-side work of the driver (k-means|| candidates); 0 = all cores
};

// What one Lloyd iteration did.
struct IterationStats {
  int iteration = 0;            // 1-based
  double objective = 0.0;       // inertia of this pass's assignment, against the centroids it started from
  double centroid_shift = 0.0;  // Σ‖c_new − c_old‖² over all centroids
  int64_t labels_changed = 0;   // rows whose segment changed in this pass
  int64_t empty_repaired = 0;   // empty clusters re-seeded after this pass
  double seconds = 0.0;         // wall time of the iteration
};

struct KMeansRun {
  uint64_t seed = 0;                    // the seed this restart used
  double inertia = 0.0;                 // final Σ w·‖x − c(x)‖²
  int n_iter = 0;                       // Lloyd iterations done
  bool converged = false;               // stopped on tol or unchanged labels, not on max_iter
  double seconds_init = 0.0;            // seeding time
  std::vector<IterationStats> history;  // one entry per iteration
};

struct KMeansResult {
  std::vector<float> centroids;  // k × d, prepared feature space
  int64_t n_clusters = 0;
  int64_t n_features = 0;
  std::vector<int32_t> labels;      // n, local rows
  std::vector<float> sq_distances;  // n, squared distance to the assigned centroid
  double inertia = 0.0;             // of the best restart
  int best_run = 0;                 // index into runs
  std::vector<KMeansRun> runs;      // every restart, in order
  double tol_absolute = 0.0;        // tol × mean feature variance, the threshold actually used
};

}  // namespace kseg
