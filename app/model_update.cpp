#include "app/model_update.hpp"

#include <chrono>
#include <cmath>
#include <memory>
#include <ostream>

#include "app/backend_select.hpp"
#include "app/model_input.hpp"
#include "app/option_limits.hpp"
#include "host/error.hpp"
#include "host/io/input_format.hpp"
#include "host/io/npy_reader.hpp"
#include "host/io/output_set.hpp"
#include "host/output/segment_files.hpp"

namespace kseg {
namespace {

// Reassigned centres are new segments: a fresh id each, the old id retired.
nlohmann::json identity_refresh(const MiniBatchState& state, SegmentIdentity& identity) {
  std::vector<bool> done(static_cast<size_t>(state.k), false);
  nlohmann::json retired = nlohmann::json::array(), fresh = nlohmann::json::array();
  for (int64_t j : state.reassigned) {
    if (done[j]) continue;
    done[j] = true;
    retired.push_back({{"segment", identity.ids[j]}, {"name", identity.names[j]}});
    identity.ids[j] = identity.next_id++;
    identity.names[j] = "";
    fresh.push_back(identity.ids[j]);
  }
  return {{"new_ids", fresh}, {"retired", retired}, {"next_segment_id", identity.next_id}};
}

// The mini-batch epochs over the input, prepared by the model batch by batch.
MiniBatchEpochsResult epochs_run(const Model& model, const UpdateRequest& request, const std::string& weight_column,
                                 std::ostream& notices) {
  MiniBatchState start;
  start.k = model.n_clusters;
  start.d = model.pipeline.n_features();
  start.centroids = model.centroids;
  start.counts = minibatch_counts_start(model, request.params.memory, request.model);
  const ModelInputOptions options{request.model, request.input.delimiter, request.device.threads, 1 << 20,
                                  weight_column};
  std::vector<float> x;
  int passes = 0;
  const PreparedStream stream = [&](const PreparedChunkVisitor& visit) {
    InputOptions input = request.input;
    if (input.table && passes++ > 0) input.table = request.table_reopen();
    model_input_for_each(model, input, options, [&](const Table& table, const IdColumn&, int64_t) {
      x.resize(static_cast<size_t>(table.n_rows * start.d));
      model.pipeline.transform(table, x.data());
      const TableColumn* weights = table.weight_column();
      visit(x.data(), weights ? weights->values.data() : nullptr, table.n_rows);
    });
  };
  const MiniBatchBackendFactory backend_make = [&](const DataView& batch, bool first) {
    return backend_create(batch, request.device, request.quiet || !first, notices);
  };
  const EpochDone epoch_done = [&](int, const EpochStats& stats) {
    KSEG_EXPECTS(stats.rows > 0, DataError, input_name(request.input) + ": no users to update with");
    KSEG_EXPECTS(stats.weight > 0.0, DataError,
                 input_name(request.input) + ": column \"" + weight_column +
                     "\": the weights sum to 0; at least one row needs a positive weight");
  };
  return minibatch_epochs_run(request.params, std::move(start), stream, backend_make, epoch_done);
}

// The updated model and what changed, from the run.
UpdateProducts products_make(const Model& model, const UpdateRequest& request, MiniBatchEpochsResult run,
                             const std::string& weight_column) {
  UpdateProducts products;
  const MiniBatchState& state = run.state;
  const int64_t k = state.k, d = state.d;
  products.model = model;
  products.model.centroids = state.centroids;
  products.ids = identity_refresh(state, products.model.segments);
  products.rows = run.epochs.back().rows;
  products.weight_column = run.epochs.back().weighted ? weight_column : std::string();
  products.params = request.params;
  products.model_path = request.model;
  products.input_path = input_name(request.input);
  products.input_table = request.input.table != nullptr;
  std::vector<int64_t> sizes(static_cast<size_t>(k));
  for (int64_t j = 0; j < k; ++j) {
    sizes[j] = std::llround(state.counts[j]);
    products.last_sizes.push_back(std::llround(run.last_sizes[j]));
    double sum = 0.0;
    for (int64_t t = 0; t < d; ++t) {
      const double diff = static_cast<double>(state.centroids[j * d + t]) - model.centroids[j * d + t];
      sum += diff * diff;
    }
    products.centroid_shift.push_back(std::sqrt(sum));
  }
  const MiniBatchEpochsParams& p = request.params;
  products.model.fit = {{"updated_from", request.model},
                        {"input", products.input_path},
                        {"n_rows", products.rows},
                        {"epochs", p.epochs},
                        {"batch_size", p.step.batch_size},
                        {"memory", p.memory},
                        {"seed", p.step.seed},
                        {"segment_sizes", sizes},
                        {"segment_weights", state.counts}};
  products.run = std::move(run);
  return products;
}

}  // namespace

// The run's parameters, each epoch, and each segment's weight and movement.
nlohmann::json update_summary(const UpdateProducts& products) {
  const MiniBatchEpochsResult& run = products.run;
  const MiniBatchEpochsParams& p = products.params;
  nlohmann::json epochs = nlohmann::json::array(), shift = nlohmann::json::array();
  for (size_t e = 0; e < run.epochs.size(); ++e) {
    const EpochStats& s = run.epochs[e];
    epochs.push_back({{"epoch", e + 1},
                      {"batches", s.batches},
                      {"mean_batch_inertia", s.weight > 0.0 ? s.inertia / s.weight : 0.0},
                      {"centres_reassigned", s.reassigned}});
  }
  for (size_t j = 0; j < products.centroid_shift.size(); ++j)
    shift.push_back({{"segment", products.model.segments.ids[j]}, {"centroid_shift", products.centroid_shift[j]}});
  return {{"kseg_version", KSEG_VERSION},
          {"model", products.model_path},
          {"input", products.input_path},
          {"input_format", products.input_table ? std::string("arrow") : input_format_name(products.input_path)},
          {"input_conversion", products.input_table ? std::string() : npy_conversion(products.input_path)},
          {"rows", products.rows},
          {"weight_column", products.weight_column},
          {"k", run.state.k},
          {"d", run.state.d},
          {"device", run.device},
          {"batch_size", p.step.batch_size},
          {"epochs", epochs},
          {"reassignment_ratio", p.step.reassignment_ratio},
          {"memory", p.memory},
          {"seed", p.step.seed},
          {"segment_ids", products.model.segments.ids},
          {"segment_sizes_last_epoch", products.last_sizes},
          {"segment_weights", run.state.counts},
          {"segments_moved", shift},
          {"ids", products.ids},
          {"seconds", products.seconds}};
}

void update_request_validate(const UpdateRequest& request) {
  device_options_validate(request.device);
  model_input_check(request.input);
  const MiniBatchEpochsParams& p = request.params;
  KSEG_EXPECTS(p.step.batch_size >= 1, UsageError, "--batch-size must be at least 1");
  KSEG_EXPECTS(p.epochs >= 1, UsageError, "--epochs must be at least 1");
  count_limit_check(p.epochs, kEpochsMax, "--epochs");
  KSEG_EXPECTS(p.step.reassignment_ratio >= 0.0 && p.step.reassignment_ratio < 1.0, UsageError,
               "--reassignment-ratio must lie in [0, 1)");
  KSEG_EXPECTS(p.memory >= 0.0 && p.memory <= 1.0, UsageError, "--memory must lie in [0, 1]");
  KSEG_EXPECTS(!request.input.table || p.epochs == 1 || request.table_reopen, UsageError,
               "--epochs: the table is a stream that is read once: give 1 epoch, or a table that can be read again "
               "(a file, a pyarrow Table or a DataFrame)");
}

UpdateProducts model_update(const UpdateRequest& request, std::ostream& notices) {
  const auto start = std::chrono::steady_clock::now();
  update_request_validate(request);
  const Model model = request.model_loaded ? *request.model_loaded : model_load(request.model);
  // Sample weights as at fit (the column the training statistics name), when the input has that column.
  const std::string weight_column = model.reference ? model.reference->weight_column : std::string();
  MiniBatchEpochsResult run = epochs_run(model, request, weight_column, notices);
  if (!run.epochs.back().weighted && !weight_column.empty() && !request.quiet)
    notices << "kseg: notice: the model was fitted with weights \"" << weight_column << "\" but "
            << input_name(request.input) << " has no such column: its users count once each\n";
  UpdateProducts products = products_make(model, request, std::move(run), weight_column);
  products.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return products;
}

void update_products_write(const UpdateProducts& products, const std::string& dir) {
  const std::string prefix = dir + "/";
  const Model& model = products.model;
  centroids_write(prefix + "centroids.csv", model.pipeline, model.centroids, products.last_sizes, model.segments.ids);
  model_save(prefix + "model.json", model);
  json_write(prefix + "summary.json", update_summary(products));
}

UpdateProducts model_update_run(const UpdateRequest& request, std::ostream& notices) {
  update_request_validate(request);
  OutputSet set(request.out_dir);  // made before the long work: an unwritable --out fails early
  UpdateProducts products = model_update(request, notices);
  update_products_write(products, set.path());
  set.publish();
  return products;
}

}  // namespace kseg
