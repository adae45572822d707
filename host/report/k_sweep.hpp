// Choosing k: fits for a range of k and several seeds on one prepared matrix and one backend, the quality metrics
// of each k, and a recommended k from a stated rule.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/backend.hpp"

namespace kseg {

struct SweepParams {
  std::vector<int64_t> ks;      // the k values, each >= 2, increasing
  int n_seeds = 3;              // fits per k, with seeds seed, seed + 1, ... (n_init 1 each)
  uint64_t seed = 42;           // first fit seed; also the seed of the silhouette sample
  int64_t sample_size = 20000;  // rows in the uniform silhouette sample (all rows when fewer)
  int max_iter = 300;           // Lloyd iterations per fit, at most
  double tol = 1e-4;            // as fit's --tol (relative to the mean feature variance)
  double min_share = 0.02;      // the rule: smallest segment's share of users at least this
  double min_stability = 0.8;   // the rule: mean ARI between seeds at least this
  int64_t fit_sample = 0;       // fits on a uniform sample of this many rows (0 or >= all rows: on all rows)
};

// With params.fit_sample: the backend and the data of the sample rows the fits run on (see sweep_run).
struct SweepFitSubset {
  Backend* backend = nullptr;  // nullptr: fits on all rows
  DataView data{};
};

// The rows of the fit sample: rows_sample_uniform(n, fit_sample) with a seed of its own, sorted.
std::vector<int64_t> sweep_fit_rows(int64_t n_rows, const SweepParams& params);

struct SweepRow {
  int64_t k = 0;
  uint64_t best_seed = 0;          // seed of the lowest-inertia fit: `kseg fit --k K --seed S` reproduces it
  double inertia = 0.0;            // lowest over the seeds
  std::vector<double> inertias;    // per seed
  double silhouette = 0.0;         // best fit, on the sample
  double calinski_harabasz = 0.0;  // best fit, all rows
  double davies_bouldin = 0.0;     // best fit, all rows
  double min_share = 0.0;          // best fit: smallest segment's share of the (weighted) users
  double stability = 0.0;          // mean ARI over pairs of seeds; NaN with one seed
  int n_iter = 0;                  // Lloyd iterations of the best fit
  double seconds = 0.0;            // fits and metrics for this k (silhouette excluded: computed once for all k)
  std::vector<float> centroids;    // best fit, k × d prepared space (not written to files)
};

struct SweepRecommendation {
  int64_t k = 0;
  bool fallback = false;  // the rule's conditions could not all be met
  std::string reason;     // in words, with the numbers
};

struct SweepResult {
  SweepParams params;
  int64_t n_rows = 0;
  int64_t n_cols = 0;
  int64_t fit_rows = 0;      // rows the fits ran on (n_rows without a fit sample)
  int64_t sample_rows = 0;   // rows in the silhouette sample
  uint64_t sample_seed = 0;  // its seed
  double seconds_silhouette = 0.0;
  double seconds_total = 0.0;
  std::vector<SweepRow> rows;  // one per k, in params.ks order
  SweepRecommendation recommendation;
};

// "2..20", "3,5,8" or "6". UsageError for anything else, k < 2 or a range that decreases.
std::vector<int64_t> k_range_parse(const std::string& text);

using SweepProgress = std::function<void(const SweepRow& row)>;

// Runs the sweep on a backend built on data (the same rows). k larger than the rows is a DataError. With a fit
// subset (params.fit_sample rows, sweep_fit_rows), every fit runs on subset.backend over subset.data, and its
// centroids are then assigned to all rows on `backend`: inertia, the metrics, the shares and the stability all come
// from that full assignment; the fits themselves see the sample only.
SweepResult sweep_run(Backend& backend, const DataView& data, const SweepParams& params, const SweepProgress& on_k = {},
                      const SweepFitSubset& subset = {});

// The rule: among k whose smallest segment has at least min_share of the users and whose stability is at least
// min_stability (not required when stability was not measured), the highest silhouette (ties: the smaller k).
// Without such a k, the stability condition is dropped; without any k meeting min_share, the best silhouette
// overall. The reason says which case applied.
SweepRecommendation sweep_recommend(const std::vector<SweepRow>& rows, double min_share, double min_stability);

// The metrics of one k over all rows from its best fit's labels: Calinski–Harabasz, Davies–Bouldin, smallest share.
void sweep_row_metrics_set(const DataView& data, const int32_t* best_labels, SweepRow& row);

// The end of sweep_run and sweep_tree_run: every k's silhouette on the sample at once (sample_labels: per row of
// result.rows, the best fit's labels of the sample rows; the pairwise distances are computed a single time), the
// recommendation, and the silhouette's and the whole sweep's seconds (since start).
void sweep_finish(const DataView& data, const std::vector<int64_t>& sample,
                  const std::vector<std::vector<int32_t>>& sample_labels, std::chrono::steady_clock::time_point start,
                  SweepResult& result);

// sweep.csv: `k,inertia,silhouette,calinski_harabasz,davies_bouldin,min_share,stability,best_seed,n_iter,seconds,
// recommended` (empty field for an undefined value).
void sweep_csv_write(const std::string& path, const SweepResult& result);
nlohmann::json sweep_to_json(const SweepResult& result);
SweepResult sweep_from_json(const nlohmann::json& doc, const std::string& where);

}  // namespace kseg
