#include "host/model/drift_reference.hpp"
#include "host/json_integer.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <unordered_map>

#include "host/error.hpp"
#include "host/features/order_statistics.hpp"

namespace kseg {
namespace {

// The kept (not dropped) steps of the pipeline by column name, built once: a search per feature was quadratic in the
// features.
struct StepsByName {
  std::unordered_map<std::string_view, const NumericStep*> numeric;
  std::unordered_map<std::string_view, const CategoricalStep*> categorical;
  explicit StepsByName(const FeaturePipeline& pipeline) {
    for (const NumericStep& s : pipeline.numeric())
      if (!s.dropped) numeric.emplace(s.name, &s);
    for (const CategoricalStep& s : pipeline.categorical())
      if (!s.dropped) categorical.emplace(s.name, &s);
  }
  const NumericStep* numeric_step(const std::string& name) const {
    const auto found = numeric.find(name);
    return found == numeric.end() ? nullptr : found->second;
  }
  const CategoricalStep* categorical_step(const std::string& name) const {
    const auto found = categorical.find(name);
    return found == categorical.end() ? nullptr : found->second;
  }
};

// The value the preparation starts from: the raw number, or days before the model's as-of date; NaN = missing.
double numeric_value(const NumericStep& s, float raw) { return s.is_date ? s.as_of_days - raw : double(raw); }

// Bin of a numeric value: 0 for missing, then 1 + the number of edges below it.
size_t numeric_bin(const std::vector<double>& edges, double v) {
  if (std::isnan(v)) return 0;
  // The edges below v, counted without branches (at most kDriftBins − 1 of them; a binary search mispredicts).
  size_t below = 0;
  for (double edge : edges) below += edge < v;
  return 1 + below;
}

// The interior edges at the deciles of count values (weighted: the sum of the weights) from value_at(position), the
// value at a position of the (repeated) sorted values; deduplicated (a column with many equal values gets fewer bins),
// the top one dropped when it reaches the maximum (an empty top bin separates nothing).
template <typename ValueAt>
std::vector<double> decile_edges_make(double count, const ValueAt& value_at, double maximum) {
  std::vector<double> edges;
  for (int b = 1; b < kDriftBins; ++b) {
    const double pos = std::max(0.0, static_cast<double>(b) / kDriftBins * (count - 1.0));
    const double lo = std::floor(pos);
    const double edge = value_at(lo) + (pos - lo) * (value_at(lo + 1.0) - value_at(lo));
    if (edges.empty() || edge > edges.back()) edges.push_back(edge);
  }
  if (!edges.empty() && edges.back() >= maximum) edges.pop_back();
  return edges;
}

// Unweighted: deciles of the present values of the column (raw, or days before the model's as-of date), selected
// on the column itself: only the values at the decile positions (and the maximum) are read.
std::vector<double> decile_edges(const std::vector<float>& raw, const NumericStep& step) {
  const FloatOrder order(raw.data(), raw.size());
  const size_t m = order.size();
  if (m == 0) return {};
  const double last = static_cast<double>(m - 1);
  std::vector<size_t> positions;
  for (int b = 1; b < kDriftBins; ++b) {
    const size_t lo = static_cast<size_t>(std::floor(static_cast<double>(b) / kDriftBins * last));
    positions.push_back(lo);
    positions.push_back(std::min(lo + 1, m - 1));
  }
  positions.push_back(m - 1);
  std::sort(positions.begin(), positions.end());
  positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
  std::vector<double> selected = order.at(positions, step.is_date);  // a date's values descend as raw days ascend
  for (double& v : selected) v = numeric_value(step, static_cast<float>(v));
  auto value_at = [&](double position) {
    const size_t at = std::min(static_cast<size_t>(position), m - 1);
    return selected[static_cast<size_t>(std::lower_bound(positions.begin(), positions.end(), at) - positions.begin())];
  };
  return decile_edges_make(static_cast<double>(m), value_at, selected.back());
}

// Weighted: the values repeated by their weights (positions in [0, Σw − 1]), so integer weights give the deciles of
// copied rows.
std::vector<double> decile_edges_weighted(const std::vector<double>& values, const std::vector<double>& weights) {
  if (values.empty()) return {};
  std::vector<size_t> order(values.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> sorted(values.size()), cumulative;  // Σ of the weights up to each sorted value
  double total = 0.0;
  for (size_t i = 0; i < order.size(); ++i) {
    sorted[i] = values[order[i]];
    total += weights[order[i]];
    cumulative.push_back(total);
  }
  // The value at a position of the repeated sorted values: the first whose copies reach past it.
  auto value_at = [&](double position) {
    const size_t j = std::upper_bound(cumulative.begin(), cumulative.end(), position) - cumulative.begin();
    return sorted[std::min(j, sorted.size() - 1)];
  };
  return decile_edges_make(cumulative.back(), value_at, sorted.back());
}

// Categorical: table code → position among reference levels (the last, (other), for merged, unseen, and missing
// when the model has no (missing) level).
std::vector<size_t> level_positions(const FeatureReference& f, const TableColumn& column, size_t& missing_position) {
  std::unordered_map<std::string, size_t> position;
  for (size_t l = 0; l + 1 < f.levels.size(); ++l) position[f.levels[l]] = l;
  const size_t other = f.levels.size() - 1;
  auto it = position.find(kMissingLevel);
  missing_position = it != position.end() ? it->second : other;
  std::vector<size_t> out(column.levels.size(), other);
  for (size_t c = 0; c < column.levels.size(); ++c) {
    auto found = position.find(column.levels[c]);
    if (found != position.end()) out[c] = found->second;
  }
  return out;
}

// What one table holds for the features, found once per table (by name: see columns_by_name).
struct TableSources {
  const Table& table;
  std::unordered_map<std::string_view, const TableColumn*> columns;
  const TableColumn* weights;  // nullptr when unweighted
  explicit TableSources(const Table& t) : table(t), columns(columns_by_name(t)), weights(t.weight_column()) {}
  const TableColumn& column_require(const std::string& name) const {
    const auto found = columns.find(name);
    KSEG_EXPECTS(found != columns.end(), DataError,
                 table.path + ": column \"" + name + "\" is required by the model but missing");
    return *found->second;
  }
};

// Rows per bin of a numeric column (edges.size() + 2 bins, missing first), counted a block of rows at a time: each
// edge is compared with the whole block, which the compiler vectorises (a search per row would mispredict).
std::vector<int64_t> numeric_bins_tally(const std::vector<double>& edges, const NumericStep& s,
                                        const std::vector<float>& raw) {
  std::vector<int64_t> tally(edges.size() + 2, 0);
  constexpr size_t kBlock = 512;
  double value[kBlock];
  uint32_t bin[kBlock];
  for (size_t first = 0; first < raw.size(); first += kBlock) {
    const size_t m = std::min(kBlock, raw.size() - first);
    for (size_t i = 0; i < m; ++i) value[i] = numeric_value(s, raw[first + i]);
    for (size_t i = 0; i < m; ++i) bin[i] = 1;
    for (double edge : edges)
      for (size_t i = 0; i < m; ++i) bin[i] += edge < value[i];
    for (size_t i = 0; i < m; ++i) ++tally[std::isnan(value[i]) ? 0 : bin[i]];
  }
  return tally;
}

// Adds each row's weight (1 when the table has no weight column) to its bin. Without weights the rows are counted
// in integers and added once: the same sums as adding 1.0 per row (exact below 2^53 rows).
void counts_add(const FeatureReference& f, const StepsByName& steps, const TableSources& sources,
                std::vector<double>& counts) {
  const Table& table = sources.table;
  const TableColumn& column = sources.column_require(f.name);
  const TableColumn* weights = sources.weights;
  auto weight = [&](size_t i) { return weights ? static_cast<double>(weights->values[i]) : 1.0; };
  if (f.categorical) {
    KSEG_EXPECTS(column.is_categorical(), DataError, table.path + ": column \"" + f.name + "\" must be categorical");
    size_t missing = 0;
    const std::vector<size_t> position = level_positions(f, column, missing);
    if (weights) {
      for (size_t i = 0; i < column.codes.size(); ++i)
        counts[column.codes[i] < 0 ? missing : position[column.codes[i]]] += weight(i);
      return;
    }
    std::vector<int64_t> tally(column.levels.size() + 1, 0);  // per code, then missing
    for (int32_t code : column.codes) ++tally[code < 0 ? column.levels.size() : static_cast<size_t>(code)];
    for (size_t c = 0; c < column.levels.size(); ++c) counts[position[c]] += static_cast<double>(tally[c]);
    counts[missing] += static_cast<double>(tally.back());
    return;
  }
  const NumericStep& s = *steps.numeric_step(f.name);
  if (!weights) {
    const std::vector<int64_t> tally = numeric_bins_tally(f.edges, s, column.values);
    for (size_t b = 0; b < tally.size(); ++b) counts[b] += static_cast<double>(tally[b]);
    return;
  }
  for (size_t i = 0; i < column.values.size(); ++i)
    counts[numeric_bin(f.edges, numeric_value(s, column.values[i]))] += weight(i);
}

// One column's bins and shares at fit (total: the rows' weight sum).
FeatureReference feature_reference_build(const TableSources& sources, const StepsByName& steps, const std::string& name,
                                         double total) {
  const TableColumn* weights = sources.weights;
  auto weight = [&](int64_t i) { return weights ? static_cast<double>(weights->values[i]) : 1.0; };
  FeatureReference f;
  f.name = name;
  if (const CategoricalStep* s = steps.categorical_step(name)) {
    f.categorical = true;
    f.levels = s->levels;
    f.levels.push_back(kOtherLevel);
  } else {
    const NumericStep& step = *steps.numeric_step(name);
    const std::vector<float>& raw = sources.column_require(name).values;
    if (weights) {
      std::vector<double> present, present_weights;
      for (size_t i = 0; i < raw.size(); ++i) {
        if (std::isnan(raw[i]) || !(weight(static_cast<int64_t>(i)) > 0.0)) continue;
        present.push_back(numeric_value(step, raw[i]));
        present_weights.push_back(weight(static_cast<int64_t>(i)));
      }
      f.edges = decile_edges_weighted(present, present_weights);
    } else {
      f.edges = decile_edges(raw, step);
    }
  }
  std::vector<double> counts(f.categorical ? f.levels.size() : f.edges.size() + 2, 0.0);
  counts_add(f, steps, sources, counts);
  for (double& c : counts) c /= total > 0.0 ? total : 1.0;
  f.shares = counts;
  return f;
}

}  // namespace

DriftCounter::DriftCounter(const DriftReference& reference, const FeaturePipeline& pipeline)
    : reference_(reference), pipeline_(pipeline) {
  for (const FeatureReference& f : reference.features) counts_.emplace_back(f.shares.size(), 0.0);
}

void DriftCounter::add(const Table& table) {
  const StepsByName steps(pipeline_);
  const TableSources sources(table);
  for (size_t f = 0; f < reference_.features.size(); ++f)
    counts_add(reference_.features[f], steps, sources, counts_[f]);
  rows_ += table.n_rows;
}

DriftReference drift_reference_build(const Table& table, const FeaturePipeline& pipeline, const float* sq_distances) {
  DriftReference reference;
  reference.n_rows = table.n_rows;
  const TableColumn* weights = table.weight_column();
  if (weights) reference.weight_column = weights->name;
  auto weight = [&](int64_t i) { return weights ? static_cast<double>(weights->values[i]) : 1.0; };
  double distance_sum = 0.0, total = 0.0;
  for (int64_t i = 0; i < table.n_rows; ++i) {
    distance_sum += weight(i) * std::sqrt(static_cast<double>(sq_distances[i]));
    total += weight(i);
  }
  KSEG_EXPECTS(table.n_rows == 0 || total > 0.0, DataError, table.path + ": the weights sum to 0");
  reference.mean_distance = table.n_rows > 0 ? distance_sum / total : 0.0;
  // Features are independent: built on all threads, each in its slot, so the result does not depend on them.
  const std::vector<std::string> names = pipeline.input_columns();
  reference.features.resize(names.size());
  std::vector<std::exception_ptr> errors(names.size());
  const StepsByName steps(pipeline);
  const TableSources sources(table);
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t c = 0; c < names.size(); ++c) {
    try {
      reference.features[c] = feature_reference_build(sources, steps, names[c], total);
    } catch (...) {
      errors[c] = std::current_exception();
    }
  }
  for (const std::exception_ptr& error : errors)  // the first column's error, as a serial loop would throw it
    if (error) std::rethrow_exception(error);
  return reference;
}

nlohmann::json drift_reference_to_json(const DriftReference& reference) {
  nlohmann::json features = nlohmann::json::array();
  for (const FeatureReference& f : reference.features) {
    nlohmann::json j = {{"name", f.name}, {"kind", f.categorical ? "categorical" : "numeric"}, {"shares", f.shares}};
    if (f.categorical) {
      j["levels"] = f.levels;
    } else {
      j["edges"] = f.edges;
    }
    features.push_back(j);
  }
  nlohmann::json j = {{"n_rows", reference.n_rows}, {"mean_distance", reference.mean_distance}, {"features", features}};
  if (!reference.weight_column.empty()) j["weight_column"] = reference.weight_column;
  return j;
}

DriftReference drift_reference_from_json(const nlohmann::json& j, const FeaturePipeline& pipeline,
                                         const std::string& where) {
  const std::string prefix = where + ": damaged training statistics: ";
  DriftReference r;
  try {
    r.n_rows = json_integer_at<int64_t>(j, "n_rows", where);
    r.mean_distance = j.at("mean_distance").get<double>();
    r.weight_column = j.value("weight_column", std::string());
    KSEG_EXPECTS(r.n_rows >= 1 && std::isfinite(r.mean_distance) && r.mean_distance >= 0.0, DataError,
                 prefix + "n_rows must be >= 1 and mean_distance finite and >= 0");
    const std::vector<std::string> columns = pipeline.input_columns();
    const StepsByName steps(pipeline);
    const nlohmann::json& features = j.at("features");
    KSEG_EXPECTS(features.is_array() && features.size() == columns.size(), DataError,
                 prefix + "expected one entry per feature column (" + std::to_string(columns.size()) + ")");
    for (size_t c = 0; c < columns.size(); ++c) {
      const nlohmann::json& e = features[c];
      FeatureReference f;
      f.name = e.at("name").get<std::string>();
      f.categorical = e.at("kind").get<std::string>() == "categorical";
      f.shares = e.at("shares").get<std::vector<double>>();
      KSEG_EXPECTS(f.name == columns[c] && f.categorical == (steps.categorical_step(f.name) != nullptr), DataError,
                   prefix + "entry " + std::to_string(c) + " should describe column \"" + columns[c] + "\"");
      size_t bins = 0;
      if (f.categorical) {
        f.levels = e.at("levels").get<std::vector<std::string>>();
        std::vector<std::string> expected = steps.categorical_step(f.name)->levels;
        expected.push_back(kOtherLevel);
        KSEG_EXPECTS(f.levels == expected, DataError, prefix + "column \"" + f.name + "\": levels disagree");
        bins = f.levels.size();
      } else {
        f.edges = e.at("edges").get<std::vector<double>>();
        for (size_t b = 0; b < f.edges.size(); ++b)
          KSEG_EXPECTS(std::isfinite(f.edges[b]) && (b == 0 || f.edges[b] > f.edges[b - 1]), DataError,
                       prefix + "column \"" + f.name + "\": edges must be finite and ascending");
        bins = f.edges.size() + 2;
      }
      double total = 0.0;
      for (double s : f.shares) {
        KSEG_EXPECTS(std::isfinite(s) && s >= 0.0 && s <= 1.0, DataError,
                     prefix + "column \"" + f.name + "\": shares must lie in [0, 1]");
        total += s;
      }
      KSEG_EXPECTS(f.shares.size() == bins && std::abs(total - 1.0) < 1e-6, DataError,
                   prefix + "column \"" + f.name + "\": expected " + std::to_string(bins) + " shares summing to 1");
      r.features.push_back(std::move(f));
    }
  } catch (const nlohmann::json::exception& e) {
    throw DataError(prefix + e.what());
  }
  return r;
}

}  // namespace kseg
