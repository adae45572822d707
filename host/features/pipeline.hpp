// Feature preparation learned by fit, stored in the model, replayed by assign: impute → log1p → scale → weight for
// numeric (and date) columns; one-hot for categorical columns, each block scaled to weigh like one numeric column.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/data/table.hpp"
#include "host/comm/communicator.hpp"

namespace kseg {

enum class ScaleMode { zscore, robust, minmax, none };
enum class ImputeMode { median, mean, zero };

ScaleMode scale_mode_parse(const std::string& text);  // UsageError for unknown names
std::string scale_mode_name(ScaleMode mode);
ImputeMode impute_mode_parse(const std::string& text);
std::string impute_mode_name(ImputeMode mode);

struct PipelineOptions {
  ScaleMode scale = ScaleMode::zscore;            // --scale
  ImputeMode impute = ImputeMode::median;         // --impute, for missing numeric values
  bool missing_indicators = false;                // --missing-indicators: a 0/1 column per numeric column with gaps
  bool log_auto = true;                           // --log auto: log1p for non-negative columns with skew > kLogSkew
  std::vector<std::string> log_columns;           // --log a,b: exactly these
  std::map<std::string, double> feature_weights;  // --feature-weight col=2.0
  int max_levels = 50;                            // --max-levels: categorical levels kept, the rest → (other)
  std::string as_of;                              // --as-of YYYY-MM-DD for date columns; "" → latest date in the data
};

constexpr double kLogSkew = 2.0;  // sample skewness above which --log auto applies log1p

struct NumericStep {
  std::string name;
  bool is_date = false;  // values are days since 1970; the feature is as_of_days − value (days before)
  double as_of_days = 0.0;
  double impute_value = 0.0;  // replaces a missing value
  int64_t imputed = 0;        // missing values at fit
  bool log1p = false;         // log(1 + max(v, 0)) after imputing
  double skew = 0.0;          // sample skewness at fit (before log), why log1p was or was not chosen
  double center = 0.0;        // then (v − center) / scale
  double scale = 1.0;
  double weight = 1.0;     // then × weight
  bool indicator = false;  // adds the feature "<name>=missing" (1 when missing)
  bool dropped = false;    // constant (or all missing): left out of the features
  std::string note;        // why dropped, in words
};

struct CategoricalStep {
  std::string name;
  std::vector<std::string> levels;  // kept levels, most frequent first; "(missing)" when there were gaps
  bool has_other = false;           // levels beyond max_levels were merged into "(other)"
  int64_t merged_levels = 0;        // how many levels went into (other) at fit
  std::vector<std::string> merged;  // their names, so assign can tell a rare level from one never seen
  double dummy_value = 1.0;         // value of the "1" in the one-hot block: weight / sqrt(1 − Σ share²)
  double weight = 1.0;
  bool dropped = false;  // a single level: nothing to separate
  std::string note;
};

// Counters of what assign met that fit had not.
struct TransformCounters {
  std::map<std::string, int64_t> unseen_levels;  // per categorical column: rows mapped to (other) as unseen
};

inline const std::string kMissingLevel = "(missing)";
inline const std::string kOtherLevel = "(other)";

class FeaturePipeline {
 public:
  // Learns every step from the table's numeric, date and categorical columns (weight, audit columns ignored).
  // Across processes (each table a rank's slice, levels unified by table_load) the steps are learned from all rows:
  // level counts are summed, and each numeric column in turn is gathered in rank order (= row order; n values on
  // every rank, one column at a time) and learned by the same code, so every rank gets the single-process pipeline.
  static FeaturePipeline fit(const Table& table, const PipelineOptions& options,
                             const Communicator& comm = single_process());

  // The prepared matrix (n × n_features(), row-major) for any table with the same column names (order and extra
  // columns do not matter). DataError naming a missing column.
  void transform(const Table& table, float* out, TransformCounters* counters = nullptr) const;
  // The same for a row-major matrix of numeric columns (n rows of names.size() floats, e.g. a .npy whose columns are
  // f0, f1, ...), without building a table. DataError (naming path) for a missing or a categorical column.
  void transform_rows(const float* rows, int64_t n, const std::vector<std::string>& names, const std::string& path,
                      float* out) const;

  // Names of the prepared features: a numeric column's name, "col=missing", "col=level" per one-hot level.
  const std::vector<std::string>& feature_names() const { return feature_names_; }
  int64_t n_features() const { return static_cast<int64_t>(feature_names_.size()); }

  // A centroid back in the user's terms, one value per output column of centroids_header(): numeric features in
  // original units (inverse of weight, scale, log), categorical levels as shares in [0, 1].
  std::vector<double> centroid_original(const float* prepared) const;
  std::vector<std::string> centroids_header() const;

  const std::vector<NumericStep>& numeric() const { return numeric_; }
  const std::vector<CategoricalStep>& categorical() const { return categorical_; }
  ScaleMode scale_mode() const { return scale_; }
  // The cell texts read as missing at fit, so assign, drift, update and profile read cells alike. A model written
  // before kseg knew missing-value spellings has none: blanks only, as it was fitted.
  const MissingValues& missing_values() const { return missing_; }
  std::vector<std::string> input_columns() const;  // the columns transform needs

  nlohmann::json to_json() const;
  static FeaturePipeline from_json(const nlohmann::json& j, const std::string& where);

 private:
  void names_build();

  ScaleMode scale_ = ScaleMode::zscore;
  MissingValues missing_;
  std::vector<NumericStep> numeric_;
  std::vector<CategoricalStep> categorical_;
  std::vector<int> order_;  // input order of all steps: ≥ 0 numeric index, < 0 −1 − categorical index
  std::vector<std::string> feature_names_;
};

}  // namespace kseg
