// The training population's statistics, stored in model.json at fit, that `kseg drift` compares new users with:
// per feature column the distribution over bins (numeric: deciles of the values fed to the preparation, plus a bin
// for missing; categorical: the model's levels plus (other)), and the mean distance to the assigned centroid.
// A weighted fit's statistics are weighted: weights count as copies of a row (deciles of the rows repeated by their
// weights, shares and the mean distance of the weights).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/data/table.hpp"
#include "host/features/pipeline.hpp"

namespace kseg {

constexpr int kDriftBins = 10;  // numeric columns: decile bins (fewer when values repeat)

struct FeatureReference {
  std::string name;                 // the input column
  bool categorical = false;         // else numeric or date (days before the model's as-of date)
  std::vector<double> edges;        // numeric: ascending interior edges; bin b holds edges[b−1] < v <= edges[b]
  std::vector<std::string> levels;  // categorical: the model's levels, then (other) for merged and unseen levels
  std::vector<double> shares;       // training shares; numeric: [missing, bin 0, …, bin edges.size()]
};

struct DriftReference {
  int64_t n_rows = 0;          // training rows the shares were counted on
  std::string weight_column;   // the fit's sample-weight column; "" when the fit was unweighted
  double mean_distance = 0.0;  // (weighted) mean Euclidean distance to the assigned centroid, prepared space
  std::vector<FeatureReference> features;  // one per input column of the preparation, in its order
};

// From the training table, its preparation and the fit's squared distances (n values); weighted when the table has
// a weight column.
DriftReference drift_reference_build(const Table& table, const FeaturePipeline& pipeline, const float* sq_distances);

nlohmann::json drift_reference_to_json(const DriftReference& reference);
// Strict: the columns must be the preparation's input columns, edges ascending and finite, shares in [0, 1]
// summing to 1 with one per bin. DataError prefixed with where.
DriftReference drift_reference_from_json(const nlohmann::json& j, const FeaturePipeline& pipeline,
                                         const std::string& where);

// Bins new users the way the reference binned the training users, batch by batch.
class DriftCounter {
 public:
  DriftCounter(const DriftReference& reference, const FeaturePipeline& pipeline);
  // Counts the batch's rows (the table must hold the preparation's input columns), each by its weight when the
  // table has a weight column.
  void add(const Table& table);
  // Per feature (parallel to reference.features): the (weighted) counts per bin.
  const std::vector<std::vector<double>>& counts() const { return counts_; }
  int64_t rows() const { return rows_; }

 private:
  const DriftReference& reference_;
  const FeaturePipeline& pipeline_;
  std::vector<std::vector<double>> counts_;
  int64_t rows_ = 0;
};

}  // namespace kseg
