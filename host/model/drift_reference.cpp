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

const NumericStep* numeric_step(const FeaturePipeline& pipeline, const std::string& name) {
  for (const NumericStep& s : pipeline.numeric())
    if (!s.dropped && s.name == name) return &s;
  return nullptr;
}

const CategoricalStep* categorical_step(const FeaturePipeline& pipeline, const std::string& name) {
  for (const CategoricalStep& s : pipeline.categorical())
    if (!s.dropped && s.name == name) return &s;
  return nullptr;
}

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

// Deciles of the present values, deduplicated (a column with many equal values gets fewer bins). Weighted: the
// values repeated by their weights (positions in [0, Σw − 1]), so integer weights give the deciles of copied rows.
std::vector<double> decile_edges(std::vector<double> values, const std::vector<double>& weights) {
  std::vector<double> edges;
  if (values.empty()) return edges;
  std::vector<double> cumulative;  // weighted: Σ of the weights up to each sorted value
  std::vector<size_t> positions;   // unweighted: the sorted positions read below, and their values
  std::vector<double> selected;
  if (weights.empty()) {
    // Only the values at the decile positions (and the maximum) are read below: select them instead of sorting.
    const double last = static_cast<double>(values.size() - 1);
    for (int b = 1; b < kDriftBins; ++b) {
      const size_t lo = static_cast<size_t>(std::floor(static_cast<double>(b) / kDriftBins * last));
      positions.push_back(lo);
      positions.push_back(std::min(lo + 1, values.size() - 1));
    }
    positions.push_back(values.size() - 1);
    std::sort(positions.begin(), positions.end());
    positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
    selected = order_statistics(values, positions);
  } else {
    std::vector<size_t> order(values.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
    std::vector<double> sorted(values.size());
    double total = 0.0;
    for (size_t i = 0; i < order.size(); ++i) {
      sorted[i] = values[order[i]];
      total += weights[order[i]];
      cumulative.push_back(total);
    }
    values = std::move(sorted);
  }
  const double count = cumulative.empty() ? static_cast<double>(values.size()) : cumulative.back();
  // The value at a position of the (repeated) sorted values: the first whose copies reach past it.
  auto value_at = [&](double position) {
    if (cumulative.empty()) {
      const size_t at = std::min(static_cast<size_t>(position), values.size() - 1);
      return selected[static_cast<size_t>(std::lower_bound(positions.begin(), positions.end(), at) -
                                          positions.begin())];
    }
    const size_t j = std::upper_bound(cumulative.begin(), cumulative.end(), position) - cumulative.begin();
    return values[std::min(j, values.size() - 1)];
  };
  for (int b = 1; b < kDriftBins; ++b) {
    const double pos = std::max(0.0, static_cast<double>(b) / kDriftBins * (count - 1.0));
    const double lo = std::floor(pos);
    const double edge = value_at(lo) + (pos - lo) * (value_at(lo + 1.0) - value_at(lo));
    if (edges.empty() || edge > edges.back()) edges.push_back(edge);
  }
  const double maximum = cumulative.empty() ? selected.back() : values.back();
  if (!edges.empty() && edges.back() >= maximum) edges.pop_back();  // an empty top bin separates nothing
  return edges;
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

const TableColumn& column_require(const Table& table, const std::string& name) {
  const TableColumn* c = table.column_find(name);
  KSEG_EXPECTS(c != nullptr, DataError, table.path + ": column \"" + name + "\" is required by the model but missing");
  return *c;
}

// Adds each row's weight (1 when the table has no weight column) to its bin.
void counts_add(const FeatureReference& f, const FeaturePipeline& pipeline, const Table& table,
                std::vector<double>& counts) {
  const TableColumn& column = column_require(table, f.name);
  const TableColumn* weights = table.weight_column();
  auto weight = [&](size_t i) { return weights ? static_cast<double>(weights->values[i]) : 1.0; };
  if (f.categorical) {
    KSEG_EXPECTS(column.is_categorical(), DataError, table.path + ": column \"" + f.name + "\" must be categorical");
    size_t missing = 0;
    const std::vector<size_t> position = level_positions(f, column, missing);
    for (size_t i = 0; i < column.codes.size(); ++i)
      counts[column.codes[i] < 0 ? missing : position[column.codes[i]]] += weight(i);
    return;
  }
  const NumericStep& s = *numeric_step(pipeline, f.name);
  for (size_t i = 0; i < column.values.size(); ++i)
    counts[numeric_bin(f.edges, numeric_value(s, column.values[i]))] += weight(i);
}

// One column's bins and shares at fit (total: the rows' weight sum).
FeatureReference feature_reference_build(const Table& table, const FeaturePipeline& pipeline, const std::string& name,
                                         double total) {
  const TableColumn* weights = table.weight_column();
  auto weight = [&](int64_t i) { return weights ? static_cast<double>(weights->values[i]) : 1.0; };
  FeatureReference f;
  f.name = name;
  if (const CategoricalStep* s = categorical_step(pipeline, name)) {
    f.categorical = true;
    f.levels = s->levels;
    f.levels.push_back(kOtherLevel);
  } else {
    const NumericStep& step = *numeric_step(pipeline, name);
    const std::vector<float>& raw = column_require(table, name).values;
    std::vector<double> present, present_weights;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (std::isnan(raw[i]) || !(weight(static_cast<int64_t>(i)) > 0.0)) continue;
      present.push_back(numeric_value(step, raw[i]));
      if (weights) present_weights.push_back(weight(static_cast<int64_t>(i)));
    }
    f.edges = decile_edges(std::move(present), present_weights);
  }
  std::vector<double> counts(f.categorical ? f.levels.size() : f.edges.size() + 2, 0.0);
  counts_add(f, pipeline, table, counts);
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
  for (size_t f = 0; f < reference_.features.size(); ++f)
    counts_add(reference_.features[f], pipeline_, table, counts_[f]);
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
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t c = 0; c < names.size(); ++c) {
    try {
      reference.features[c] = feature_reference_build(table, pipeline, names[c], total);
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
    const nlohmann::json& features = j.at("features");
    KSEG_EXPECTS(features.is_array() && features.size() == columns.size(), DataError,
                 prefix + "expected one entry per feature column (" + std::to_string(columns.size()) + ")");
    for (size_t c = 0; c < columns.size(); ++c) {
      const nlohmann::json& e = features[c];
      FeatureReference f;
      f.name = e.at("name").get<std::string>();
      f.categorical = e.at("kind").get<std::string>() == "categorical";
      f.shares = e.at("shares").get<std::vector<double>>();
      KSEG_EXPECTS(f.name == columns[c] && f.categorical == (categorical_step(pipeline, f.name) != nullptr), DataError,
                   prefix + "entry " + std::to_string(c) + " should describe column \"" + columns[c] + "\"");
      size_t bins = 0;
      if (f.categorical) {
        f.levels = e.at("levels").get<std::vector<std::string>>();
        std::vector<std::string> expected = categorical_step(pipeline, f.name)->levels;
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
