// The steps sweep_run (k_sweep.cpp) and sweep_tree_run (k_sweep_tree.cpp) share, written once: they differ only in
// how each k's fits are made (a K-means fit per seed, or cuts of one tree per seed), not in how a k is scored.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "host/report/k_sweep.hpp"

namespace kseg {

double sweep_seconds_since(std::chrono::steady_clock::time_point start);

// The checks of params both sweeps make before any work (UsageError); the check of k against the rows stays with
// each, as it names which rows.
void sweep_params_check(const SweepParams& params);

// params.tol as an absolute tolerance on the rows the fits run on (relative to their mean feature variance).
double sweep_tol_absolute(const DataView& fit_data, const SweepParams& params);

// A result with the sizes filled in (data: every row; fit_rows: the rows the fits run on); returns the rows of the
// silhouette sample, drawn with params.seed.
std::vector<int64_t> sweep_result_start(SweepResult& result, const DataView& data, const SweepParams& params,
                                        int64_t fit_rows);

// The metrics of row.k from its labellings (one per seed, freed here once the stability is measured) and the best
// fit's labels of every row: stability, Calinski-Harabasz, Davies-Bouldin, smallest share. The best labels at the
// sample rows are appended to sample_labels, for sweep_result_finish.
void sweep_row_score(SweepRow& row, const DataView& data, std::vector<std::vector<int32_t>>& labelings,
                     const std::vector<int32_t>& best_labels, const std::vector<int64_t>& sample,
                     std::vector<std::vector<int32_t>>& sample_labels);

// Appends row (its silhouette still to come) with its seconds, and reports it to on_k.
void sweep_row_push(SweepResult& result, SweepRow&& row, double seconds, const SweepProgress& on_k);

// The silhouette of every k at once on the sample (its pairwise distances computed a single time), the
// recommendation and the total time since start.
void sweep_result_finish(SweepResult& result, const DataView& data, const std::vector<int64_t>& sample,
                         const std::vector<std::vector<int32_t>>& sample_labels,
                         std::chrono::steady_clock::time_point start);

}  // namespace kseg
