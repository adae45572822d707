// Segments of a usable size: after Lloyd converges, segments below a minimum are dissolved (smallest first), their
// users go to the nearest remaining segment, and Lloyd resumes; repeated until every segment meets the minimum.
// A bisecting tree (bisecting_fit.hpp) applies the same minimum differently: a split leaving a child below it is not
// taken, and the report lists those leaves instead.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/kmeans/kmeans_fit.hpp"

namespace kseg {

struct MinSizeParams {
  double min_size = 0.0;   // smallest segment allowed, in users (weighted fits: in summed weight); 0 = no minimum
  double min_share = 0.0;  // smallest segment allowed as a share of all users (of the total weight); 0 = no minimum
  // The larger of the two applies.
  bool active() const { return min_size > 0.0 || min_share > 0.0; }
};

struct MinSizeReport {
  double minimum = 0.0;                 // the size actually enforced (users, or summed weight)
  int64_t k_requested = 0;              // k asked for
  std::vector<int64_t> dissolved;       // indices (in the first fit's centroid order) of dissolved segments, in order
  std::vector<double> dissolved_sizes;  // their size when dissolved
  int rounds = 0;                       // Lloyd resumptions after dissolving
  bool tree = false;                    // a bisecting tree: nothing is dissolved; closed_* say which splits failed
  std::vector<int64_t> closed_nodes;    // tree nodes whose 2-means split left a child below the minimum (kept leaves)
  std::vector<double> closed_sizes;     // the smaller child's size in each such split
};

// Throws UsageError for a negative minimum or a share >= 1.
void min_size_params_validate(const MinSizeParams& params);

// The minimum enforced for users of summed weight `total`: the larger of min_size and min_share × total. Throws
// DataError when even one segment of all users falls below it (the data cannot support any segment of that size).
double min_size_resolve(const MinSizeParams& params, double total);

// Per-cluster total weight (users when data.weights is null) of the backend's current assignment against
// `centroids`, summed over processes. Runs one Lloyd pass: it also leaves that assignment in the backend.
std::vector<double> cluster_weights_count(Backend& backend, const float* centroids, int64_t k,
                                          const Communicator& comm);

// kmeans_fit, then dissolves segments below the minimum and resumes Lloyd (init = the remaining centroids) until
// every segment meets it. The result's k may be lower than params.n_clusters; its runs are the first fit's restarts
// followed by one run per resumption (best_run points at the last). Throws DataError when even one segment of all
// users falls below the minimum: the data cannot support any segment of that size.
KMeansResult kmeans_fit_min_size(Backend& backend, const DataView& data, const KMeansParams& params,
                                 double tol_absolute, const MinSizeParams& min_size, const Communicator& comm,
                                 MinSizeReport& report, const IterationCallback& on_iteration = {});

// summary.json's "min_size": the minimum, k asked for and kept, the dissolved segments and their sizes (a tree: the
// closed nodes and the smaller child of each refused split).
nlohmann::json min_size_json(const MinSizeReport& report, int64_t k_final);

// One line for the user when the minimum changed the outcome ("dissolved 2 segments …", "the tree stops at 5
// segments, not 8: …"), or "" when it did not.
std::string min_size_line(const MinSizeReport& report, int64_t k_final);

}  // namespace kseg
