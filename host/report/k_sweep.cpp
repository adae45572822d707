#include "host/report/k_sweep.hpp"
#include "host/json_integer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/number_format.hpp"
#include "host/kmeans/kmeans_fit.hpp"
#include "host/metrics/calinski_harabasz.hpp"
#include "host/metrics/davies_bouldin.hpp"
#include "host/metrics/silhouette.hpp"
#include "host/metrics/stability.hpp"

namespace kseg {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int64_t k_parse(const std::string& text, const std::string& whole) {
  size_t used = 0;
  long long k = 0;
  try {
    k = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  KSEG_EXPECTS(used == text.size() && !text.empty(), UsageError,
               "--k \"" + whole + "\": expected a range like 2..20, a list like 3,5,8, or one k");
  KSEG_EXPECTS(k >= 2, UsageError, "--k \"" + whole + "\": every k must be at least 2 (the silhouette needs two)");
  return k;
}

std::string fixed(double v, int digits) {
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", digits, v);
  return text;
}

std::string k_list(const std::vector<const SweepRow*>& rows) {
  std::string text;
  for (const SweepRow* r : rows) text += (text.empty() ? "" : ", ") + std::to_string(r->k);
  return text;
}

// The highest silhouette among rows (NaN lowest; ties: the first, i.e. the smaller k).
const SweepRow* best_silhouette(const std::vector<const SweepRow*>& rows) {
  const SweepRow* best = nullptr;
  for (const SweepRow* r : rows) {
    if (!best) best = r;
    const double s = std::isnan(r->silhouette) ? -2.0 : r->silhouette;
    const double b = std::isnan(best->silhouette) ? -2.0 : best->silhouette;
    if (s > b) best = r;
  }
  return best;
}

// Labels of the given rows from a full labelling.
std::vector<int32_t> labels_at(const std::vector<int32_t>& labels, const std::vector<int64_t>& rows) {
  std::vector<int32_t> out;
  out.reserve(rows.size());
  for (int64_t r : rows) out.push_back(labels[r]);
  return out;
}

}  // namespace

std::vector<int64_t> k_range_parse(const std::string& text) {
  std::vector<int64_t> ks;
  const size_t dots = text.find("..");
  if (dots != std::string::npos) {
    const int64_t lo = k_parse(text.substr(0, dots), text);
    const int64_t hi = k_parse(text.substr(dots + 2), text);
    KSEG_EXPECTS(lo <= hi, UsageError, "--k \"" + text + "\": the range decreases");
    KSEG_EXPECTS(hi - lo < 1000, UsageError, "--k \"" + text + "\": more than 1000 values of k");
    for (int64_t k = lo; k <= hi; ++k) ks.push_back(k);
    return ks;
  }
  std::string item;
  for (char c : text + ",") {
    if (c != ',') {
      item += c;
      continue;
    }
    ks.push_back(k_parse(item, text));
    KSEG_EXPECTS(ks.size() == 1 || ks[ks.size() - 2] < ks.back(), UsageError,
                 "--k \"" + text + "\": list the k values in increasing order");
    item.clear();
  }
  return ks;
}

std::vector<int64_t> sweep_fit_rows(int64_t n_rows, const SweepParams& params) {
  // A seed of its own (not the silhouette sample's), derived from --seed so the sweep stays reproducible.
  return rows_sample_uniform(n_rows, params.fit_sample, params.seed ^ 0x5EEDF17ull);
}

SweepResult sweep_run(Backend& backend, const DataView& data, const SweepParams& params, const SweepProgress& on_k,
                      const SweepFitSubset& subset) {
  Backend& fit_backend = subset.backend ? *subset.backend : backend;
  const DataView& fit_data = subset.backend ? subset.data : data;
  const auto start = std::chrono::steady_clock::now();
  KSEG_EXPECTS(!params.ks.empty(), UsageError, "sweep: no k to try");
  KSEG_EXPECTS(params.n_seeds >= 1, UsageError, "--seeds must be at least 1");
  KSEG_EXPECTS(params.sample_size >= 3, UsageError, "--sample must be at least 3 rows");
  KSEG_EXPECTS(params.ks.back() < fit_data.n_rows, DataError,
               "--k up to " + std::to_string(params.ks.back()) + " needs more rows than the " +
                   std::to_string(fit_data.n_rows) + (subset.backend ? " of --fit-sample" : " in the input"));
  SweepResult result;
  result.params = params;
  result.n_rows = data.n_rows;
  result.n_cols = data.n_cols;
  result.sample_seed = params.seed;
  result.fit_rows = fit_data.n_rows;
  const std::vector<int64_t> sample = rows_sample_uniform(data.n_rows, params.sample_size, result.sample_seed);
  result.sample_rows = static_cast<int64_t>(sample.size());
  SingleProcess comm;
  const double tol_absolute = params.tol > 0.0 ? params.tol * feature_variance_mean(fit_data, comm) : 0.0;
  std::vector<std::vector<int32_t>> sample_labels;  // best fit's labels of the sample rows, per k

  for (int64_t k : params.ks) {
    const auto k_start = std::chrono::steady_clock::now();
    SweepRow row;
    row.k = k;
    std::vector<std::vector<int32_t>> labelings;
    KMeansResult best;
    for (int s = 0; s < params.n_seeds; ++s) {
      KMeansParams kp;
      kp.n_clusters = k;
      kp.max_iter = params.max_iter;
      kp.tol = params.tol;
      kp.n_init = 1;
      kp.seed = params.seed + static_cast<uint64_t>(s);
      kmeans_params_validate(kp, fit_data.n_rows, fit_data.n_cols);
      KMeansResult fit = kmeans_fit(fit_backend, fit_data, kp, tol_absolute, comm);
      if (subset.backend) {  // fitted on the sample: judged on every row
        fit.inertia = backend.assign(fit.centroids.data(), k);
        fit.labels.resize(static_cast<size_t>(data.n_rows));
        backend.labels_get(fit.labels.data());
      }
      row.inertias.push_back(fit.inertia);
      if (s == 0 || fit.inertia < best.inertia) {
        row.best_seed = kp.seed;
        best = fit;
      }
      labelings.push_back(std::move(fit.labels));
    }
    row.inertia = best.inertia;
    row.n_iter = best.runs[best.best_run].n_iter;
    row.stability = stability_mean_ari(labelings, k);
    labelings.clear();
    sweep_row_metrics_set(data, best.labels.data(), row);
    row.centroids = best.centroids;
    sample_labels.push_back(labels_at(best.labels, sample));
    row.seconds = seconds_since(k_start);
    row.silhouette = kNaN;
    result.rows.push_back(std::move(row));
    if (on_k) on_k(result.rows.back());
  }

  sweep_finish(data, sample, sample_labels, start, result);
  return result;
}

void sweep_row_metrics_set(const DataView& data, const int32_t* best_labels, SweepRow& row) {
  const ClusterMoments moments = cluster_moments(data, best_labels, row.k);
  row.calinski_harabasz = calinski_harabasz_score(moments);
  row.davies_bouldin = davies_bouldin_score(moments);
  row.min_share = *std::min_element(moments.weight.begin(), moments.weight.end()) / moments.total_weight;
}

void sweep_finish(const DataView& data, const std::vector<int64_t>& sample,
                  const std::vector<std::vector<int32_t>>& sample_labels, std::chrono::steady_clock::time_point start,
                  SweepResult& result) {
  const auto sil_start = std::chrono::steady_clock::now();
  const int64_t d = data.n_cols;
  std::vector<float> xs(sample.size() * static_cast<size_t>(d));
  for (size_t i = 0; i < sample.size(); ++i)
    std::copy(data.x + sample[i] * d, data.x + (sample[i] + 1) * d, xs.begin() + static_cast<int64_t>(i) * d);
  std::vector<const int32_t*> labelings;
  for (const std::vector<int32_t>& l : sample_labels) labelings.push_back(l.data());
  const std::vector<double> scores = silhouette_scores(xs.data(), static_cast<int64_t>(sample.size()), d, labelings);
  for (size_t r = 0; r < result.rows.size(); ++r) result.rows[r].silhouette = scores[r];
  result.seconds_silhouette = seconds_since(sil_start);
  result.recommendation = sweep_recommend(result.rows, result.params.min_share, result.params.min_stability);
  result.seconds_total = seconds_since(start);
}

SweepRecommendation sweep_recommend(const std::vector<SweepRow>& rows, double min_share, double min_stability) {
  KSEG_EXPECTS(!rows.empty(), DataError, "sweep: nothing to recommend from");
  std::vector<const SweepRow*> share_ok;
  std::vector<const SweepRow*> both_ok;
  std::vector<const SweepRow*> all;
  bool measured = false;
  for (const SweepRow& r : rows) {
    all.push_back(&r);
    measured = measured || !std::isnan(r.stability);
    if (r.min_share < min_share) continue;
    share_ok.push_back(&r);
    if (std::isnan(r.stability) || r.stability >= min_stability) both_ok.push_back(&r);
  }
  const std::string share_text = "smallest segment >= " + fixed(100.0 * min_share, 1) + "% of users";
  const std::string stability_text = "stability (mean ARI between seeds) >= " + fixed(min_stability, 2);
  SweepRecommendation rec;
  if (!both_ok.empty()) {
    const SweepRow* best = best_silhouette(both_ok);
    rec.k = best->k;
    rec.reason = "k = " + std::to_string(best->k) + ": best silhouette (" + fixed(best->silhouette, 3) +
                 ") among the k with " + share_text + (measured ? " and " + stability_text : "") +
                 " (k = " + k_list(both_ok) + ")" + (measured ? "" : "; stability not measured (one seed)");
    return rec;
  }
  rec.fallback = true;
  if (!share_ok.empty()) {
    const SweepRow* best = best_silhouette(share_ok);
    rec.k = best->k;
    rec.reason = "k = " + std::to_string(best->k) + ": no k met both " + share_text + " and " + stability_text +
                 "; best silhouette (" + fixed(best->silhouette, 3) + ") among the k with " + share_text +
                 " (k = " + k_list(share_ok) + "), stability " + fixed(best->stability, 2) +
                 ": check it with more --seeds";
    return rec;
  }
  const SweepRow* best = best_silhouette(all);
  rec.k = best->k;
  rec.reason = "k = " + std::to_string(best->k) + ": no k had its " + share_text + "; best silhouette (" +
               fixed(best->silhouette, 3) + ") over all k tried; its smallest segment holds " +
               fixed(100.0 * best->min_share, 2) + "% of users";
  return rec;
}

void sweep_csv_write(const std::string& path, const SweepResult& result) {
  std::string text =
      "k,inertia,silhouette,calinski_harabasz,davies_bouldin,min_share,stability,best_seed,n_iter,seconds,"
      "recommended\n";
  const auto number = [&](double v) {
    text += ',';
    if (!std::isnan(v)) double_append(text, v);
  };
  for (const SweepRow& r : result.rows) {
    int64_append(text, r.k);
    number(r.inertia);
    number(r.silhouette);
    number(r.calinski_harabasz);
    number(r.davies_bouldin);
    number(r.min_share);
    number(r.stability);
    text += "," + std::to_string(r.best_seed) + "," + std::to_string(r.n_iter);
    number(r.seconds);
    text += r.k == result.recommendation.k ? ",1\n" : ",0\n";
  }
  AtomicFile file(path);
  file.write(text);
  file.commit();
}

nlohmann::json sweep_to_json(const SweepResult& result) {
  const auto number = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
  nlohmann::json rows = nlohmann::json::array();
  for (const SweepRow& r : result.rows)
    rows.push_back({{"k", r.k},
                    {"inertia", number(r.inertia)},
                    {"inertias", r.inertias},
                    {"silhouette", number(r.silhouette)},
                    {"calinski_harabasz", number(r.calinski_harabasz)},
                    {"davies_bouldin", number(r.davies_bouldin)},
                    {"min_share", number(r.min_share)},
                    {"stability", number(r.stability)},
                    {"best_seed", r.best_seed},
                    {"n_iter", r.n_iter},
                    {"seconds", r.seconds}});
  const SweepParams& p = result.params;
  return {
      {"format", "kseg-sweep"},
      {"format_version", 1},
      {"kseg_version", KSEG_VERSION},
      {"n_rows", result.n_rows},
      {"n_cols", result.n_cols},
      {"seeds", p.n_seeds},
      {"seed", p.seed},
      {"max_iter", p.max_iter},
      {"tol", p.tol},
      {"min_share", p.min_share},
      {"min_stability", p.min_stability},
      {"silhouette_sample", {{"rows", result.sample_rows}, {"requested", p.sample_size}, {"seed", result.sample_seed}}},
      {"fit_rows", result.fit_rows},
      {"seconds", {{"total", result.seconds_total}, {"silhouette", result.seconds_silhouette}}},
      {"recommended",
       {{"k", result.recommendation.k},
        {"fallback", result.recommendation.fallback},
        {"reason", result.recommendation.reason}}},
      {"rows", rows}};
}

SweepResult sweep_from_json(const nlohmann::json& doc, const std::string& where) {
  KSEG_EXPECTS(doc.is_object() && doc.value("format", "") == "kseg-sweep", DataError,
               where + ": not a kseg sweep.json (no \"format\": \"kseg-sweep\")");
  const auto number = [](const nlohmann::json& v) { return v.is_null() ? kNaN : v.get<double>(); };
  try {
    SweepResult s;
    s.n_rows = json_integer_at<int64_t>(doc, "n_rows", where);
    s.n_cols = json_integer_at<int64_t>(doc, "n_cols", where);
    s.params.n_seeds = json_integer_at<int>(doc, "seeds", where);
    s.params.seed = json_integer_at<uint64_t>(doc, "seed", where);
    s.params.max_iter = json_integer_at<int>(doc, "max_iter", where);
    s.params.tol = doc.at("tol").get<double>();
    s.params.min_share = doc.at("min_share").get<double>();
    s.params.min_stability = doc.at("min_stability").get<double>();
    s.sample_rows = json_integer_at<int64_t>(doc.at("silhouette_sample"), "rows", where);
    s.fit_rows = doc.value("fit_rows", s.n_rows);  // older files: fits on all rows
    s.params.sample_size = json_integer_at<int64_t>(doc.at("silhouette_sample"), "requested", where);
    s.sample_seed = json_integer_at<uint64_t>(doc.at("silhouette_sample"), "seed", where);
    s.seconds_total = doc.at("seconds").at("total").get<double>();
    s.seconds_silhouette = doc.at("seconds").at("silhouette").get<double>();
    s.recommendation.k = json_integer_at<int64_t>(doc.at("recommended"), "k", where);
    s.recommendation.fallback = doc.at("recommended").at("fallback").get<bool>();
    s.recommendation.reason = doc.at("recommended").at("reason").get<std::string>();
    for (const nlohmann::json& j : doc.at("rows")) {
      SweepRow r;
      r.k = json_integer_at<int64_t>(j, "k", where);
      r.inertia = number(j.at("inertia"));
      r.inertias = j.at("inertias").get<std::vector<double>>();
      r.silhouette = number(j.at("silhouette"));
      r.calinski_harabasz = number(j.at("calinski_harabasz"));
      r.davies_bouldin = number(j.at("davies_bouldin"));
      r.min_share = number(j.at("min_share"));
      r.stability = number(j.at("stability"));
      r.best_seed = json_integer_at<uint64_t>(j, "best_seed", where);
      r.n_iter = json_integer_at<int>(j, "n_iter", where);
      r.seconds = j.at("seconds").get<double>();
      s.params.ks.push_back(r.k);
      s.rows.push_back(std::move(r));
    }
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw DataError(where + ": damaged sweep.json (" + e.what() + ")");
  }
}

}  // namespace kseg
