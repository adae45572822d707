#include "app/drift_measure.hpp"

#include <cmath>
#include <memory>
#include <ostream>
#include <vector>

#include "app/backend_select.hpp"
#include "app/model_input.hpp"
#include "host/error.hpp"
#include "host/model/model_file.hpp"
#include "host/output/output_paths.hpp"
#include "host/output/segment_files.hpp"

namespace kseg {
namespace {

// The new users' side of the report, batch by batch: the training statistics' counts, and the distance of every user
// to its nearest centroid.
class DriftMeter {
 public:
  DriftMeter(const Model& model, const DriftRequest& request, std::ostream& notices)
      : model_(model), request_(request), notices_(notices), counter_(*model.reference, model.pipeline) {
    seen_.segment_counts.assign(static_cast<size_t>(model.n_clusters), 0.0);
  }

  void batch_add(const Table& table, const std::string& weight_column) {
    const TableColumn* weights = table.weight_column();
    if (weights) seen_.weight_column = weights->name;
    if (!weights && !weight_column.empty() && !unweighted_noted_ && !request_.quiet) {
      notices_ << "kseg: notice: the model was fitted with weights \"" << weight_column << "\" but "
               << input_name(request_.input) << " has no such column: its users count once each\n";
      unweighted_noted_ = true;
    }
    counter_.add(table);
    nearest_find(table);
    const int64_t n = table.n_rows;
    for (int64_t i = 0; i < n; ++i) {
      const double w = weights ? static_cast<double>(weights->values[i]) : 1.0;
      seen_.weight += w;
      seen_.distance_sum += w * std::sqrt(static_cast<double>(distances_[i]));
      seen_.segment_counts[labels_[i]] += 1.0;
    }
    seen_.rows += n;
  }

  const DriftObservation& seen() const { return seen_; }
  const std::vector<std::vector<double>>& counts() const { return counter_.counts(); }

 private:
  // Labels (centroid rows) and squared distances of the batch's users, on a backend built for the batch.
  void nearest_find(const Table& table) {
    const int64_t n = table.n_rows;
    const int64_t d = model_.pipeline.n_features();
    x_.resize(static_cast<size_t>(n * d));
    model_.pipeline.transform(table, x_.data());
    const DataView view{x_.data(), nullptr, n, d};
    std::unique_ptr<Backend> backend =
        backend_create(view, request_.device, request_.quiet || seen_.rows > 0, notices_);
    backend->assign(model_.centroids.data(), model_.n_clusters);
    labels_.resize(static_cast<size_t>(n));
    distances_.resize(static_cast<size_t>(n));
    backend->labels_get(labels_.data());
    backend->distances_get(distances_.data());
  }

  const Model& model_;
  const DriftRequest& request_;
  std::ostream& notices_;
  DriftCounter counter_;
  DriftObservation seen_;
  std::vector<float> x_, distances_;
  std::vector<int32_t> labels_;
  bool unweighted_noted_ = false;
};

}  // namespace

void drift_request_validate(const DriftRequest& request) {
  device_options_validate(request.device);
  model_input_check(request.input);
  KSEG_EXPECTS(request.thresholds.psi > 0.0 && std::isfinite(request.thresholds.psi), UsageError,
               "--psi-threshold must be a positive number");
  KSEG_EXPECTS(request.thresholds.distance > 0.0 && std::isfinite(request.thresholds.distance), UsageError,
               "--distance-threshold must be a positive number");
  KSEG_EXPECTS(request.batch_rows >= 1, UsageError, "--batch-rows must be at least 1");
  output_paths_check({{"INPUT", request.input.path}, {"--model", request.model}}, {{"--out", request.out}});
}

DriftProducts drift_measure(const DriftRequest& request, std::ostream& notices) {
  drift_request_validate(request);
  const Model model = request.model_loaded ? *request.model_loaded : model_load(request.model);
  KSEG_EXPECTS(model.reference.has_value(), DataError,
               request.model +
                   ": the model holds no training statistics (fitted by an older kseg): refit it with "
                   "this kseg to measure drift");
  DriftMeter meter(model, request, notices);
  // A weighted fit's statistics are weighted: the new users are weighted by the same column when they have it.
  const ModelInputOptions options{request.model, request.input.delimiter, request.device.threads, request.batch_rows,
                                  model.reference->weight_column};
  model_input_for_each(model, request.input, options, [&](const Table& table, const IdColumn&, int64_t) {
    meter.batch_add(table, options.weight_column);
  });
  const DriftObservation& seen = meter.seen();
  KSEG_EXPECTS(seen.rows > 0, DataError, input_name(request.input) + ": no users to measure");
  KSEG_EXPECTS(seen.weight > 0.0, DataError,
               input_name(request.input) + ": column \"" + seen.weight_column +
                   "\": the weights sum to 0; at least one row needs a positive weight");
  return {drift_report_make(model, meter.counts(), seen, request.thresholds), request.thresholds};
}

void drift_products_write(const DriftProducts& products, const std::string& path) {
  json_write(path, drift_report_json(products.report, products.thresholds));
}

}  // namespace kseg
