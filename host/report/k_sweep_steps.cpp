#include "host/report/k_sweep_steps.hpp"

#include <algorithm>
#include <limits>

#include "host/error.hpp"
#include "host/kmeans/kmeans_fit.hpp"
#include "host/metrics/calinski_harabasz.hpp"
#include "host/metrics/cluster_moments.hpp"
#include "host/metrics/davies_bouldin.hpp"
#include "host/metrics/silhouette.hpp"
#include "host/metrics/stability.hpp"

namespace kseg {

double sweep_seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void sweep_params_check(const SweepParams& params) {
  KSEG_EXPECTS(!params.ks.empty(), UsageError, "sweep: no k to try");
  KSEG_EXPECTS(params.n_seeds >= 1, UsageError, "--seeds must be at least 1");
  KSEG_EXPECTS(params.sample_size >= 3, UsageError, "--sample must be at least 3 rows");
}

double sweep_tol_absolute(const DataView& fit_data, const SweepParams& params) {
  return params.tol > 0.0 ? params.tol * feature_variance_mean(fit_data, single_process()) : 0.0;
}

std::vector<int64_t> sweep_result_start(SweepResult& result, const DataView& data, const SweepParams& params,
                                        int64_t fit_rows) {
  result.params = params;
  result.n_rows = data.n_rows;
  result.n_cols = data.n_cols;
  result.sample_seed = params.seed;
  result.fit_rows = fit_rows;
  std::vector<int64_t> sample = rows_sample_uniform(data.n_rows, params.sample_size, result.sample_seed);
  result.sample_rows = static_cast<int64_t>(sample.size());
  return sample;
}

void sweep_row_score(SweepRow& row, const DataView& data, std::vector<std::vector<int32_t>>& labelings,
                     const std::vector<int32_t>& best_labels, const std::vector<int64_t>& sample,
                     std::vector<std::vector<int32_t>>& sample_labels) {
  row.stability = stability_mean_ari(labelings, row.k);
  labelings.clear();
  const ClusterMoments moments = cluster_moments(data, best_labels.data(), row.k);
  row.calinski_harabasz = calinski_harabasz_score(moments);
  row.davies_bouldin = davies_bouldin_score(moments);
  row.min_share = *std::min_element(moments.weight.begin(), moments.weight.end()) / moments.total_weight;
  std::vector<int32_t> at_sample;
  at_sample.reserve(sample.size());
  for (int64_t r : sample) at_sample.push_back(best_labels[r]);
  sample_labels.push_back(std::move(at_sample));
}

void sweep_row_push(SweepResult& result, SweepRow&& row, double seconds, const SweepProgress& on_k) {
  row.seconds = seconds;
  row.silhouette = std::numeric_limits<double>::quiet_NaN();
  result.rows.push_back(std::move(row));
  if (on_k) on_k(result.rows.back());
}

void sweep_result_finish(SweepResult& result, const DataView& data, const std::vector<int64_t>& sample,
                         const std::vector<std::vector<int32_t>>& sample_labels,
                         std::chrono::steady_clock::time_point start) {
  const auto sil_start = std::chrono::steady_clock::now();
  std::vector<float> xs(sample.size() * static_cast<size_t>(data.n_cols));
  for (size_t i = 0; i < sample.size(); ++i)
    std::copy(data.x + sample[i] * data.n_cols, data.x + (sample[i] + 1) * data.n_cols, xs.begin() + i * data.n_cols);
  std::vector<const int32_t*> labelings;
  for (const std::vector<int32_t>& l : sample_labels) labelings.push_back(l.data());
  const std::vector<double> scores = silhouette_scores(xs.data(), result.sample_rows, data.n_cols, labelings);
  for (size_t r = 0; r < result.rows.size(); ++r) result.rows[r].silhouette = scores[r];
  result.seconds_silhouette = sweep_seconds_since(sil_start);
  result.recommendation = sweep_recommend(result.rows, result.params.min_share, result.params.min_stability);
  result.seconds_total = sweep_seconds_since(start);
}

}  // namespace kseg
