// kseg update --model M INPUT --out DIR: mini-batch K-means on new users, streamed; the segment ids stay.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <memory>
#include <numeric>
#include <ostream>

#include "cli/commands.hpp"
#include "app/model_input.hpp"
#include "cli/option_checks.hpp"
#include "host/dynamics/minibatch.hpp"
#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/input_format.hpp"
#include "host/io/npy_reader.hpp"
#include "host/io/output_set.hpp"
#include "host/model/model_file.hpp"
#include "host/output/segment_files.hpp"

namespace kseg {
namespace {

struct EpochStats {
  double inertia = 0.0;  // Σ over batches of the batch inertia before its step
  double weight = 0.0;
  int64_t batches = 0;
  int64_t reassigned = 0;
};

// The weight each centre has seen: the model's fit (or last update) sizes, × memory.
std::vector<double> counts_start(const Model& model, double memory, const std::string& path) {
  std::vector<double> counts(static_cast<size_t>(model.n_clusters), 0.0);
  if (memory == 0.0) return counts;
  const nlohmann::json fit = model.fit.is_object() ? model.fit : nlohmann::json::object();
  const nlohmann::json stored =
      fit.contains("segment_weights") ? fit["segment_weights"] : fit.value("segment_sizes", nlohmann::json());
  KSEG_EXPECTS(stored.is_array() && static_cast<int64_t>(stored.size()) == model.n_clusters, DataError,
               path + ": the model does not record its segment sizes (fit.segment_sizes): use --memory 0");
  for (size_t j = 0; j < counts.size(); ++j) {
    KSEG_EXPECTS(stored[j].is_number() && std::isfinite(stored[j].get<double>()) && stored[j].get<double>() >= 0.0,
                 DataError, path + ": fit.segment_sizes must hold non-negative numbers (damaged model)");
    counts[j] = memory * stored[j].get<double>();
  }
  return counts;
}

// Fisher–Yates with the update's random stream: rows of a read chunk are visited in random order, as
// MiniBatchKMeans samples its batches, so a file sorted by some feature does not bias the steps.
std::vector<int64_t> order_shuffled(int64_t n, UniformStream& random) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(order[i], order[std::min(i, static_cast<int64_t>(random.next() * static_cast<double>(i + 1)))]);
  return order;
}

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

void args_validate(const UpdateArgs& args) {
  device_options_validate(args.device);
  KSEG_EXPECTS(args.batch_size >= 1, UsageError, "--batch-size must be at least 1");
  KSEG_EXPECTS(args.epochs >= 1, UsageError, "--epochs must be at least 1");
  count_limit_check(args.epochs, kEpochsMax, "--epochs");
  KSEG_EXPECTS(args.reassignment_ratio >= 0.0 && args.reassignment_ratio < 1.0, UsageError,
               "--reassignment-ratio must lie in [0, 1)");
  KSEG_EXPECTS(args.memory >= 0.0 && args.memory <= 1.0, UsageError, "--memory must lie in [0, 1]");
}

}  // namespace

void update_command_register(CLI::App& app, UpdateArgs& args) {
  app.add_option("INPUT", args.input, "New users: CSV with the model's feature columns, or a .npy")->required();
  app.add_option("--model", args.model, "model.json to update (written by kseg fit or kseg update)")->required();
  app.add_option("--out", args.out_dir, "Output directory: model.json, centroids.csv, summary.json")
      ->capture_default_str();
  app.add_option("--batch-size", args.batch_size, "Rows per mini-batch")->capture_default_str();
  app.add_option("--epochs", args.epochs, "Passes over the input")->capture_default_str();
  app.add_option("--reassignment-ratio", args.reassignment_ratio,
                 "Centres that saw less than this × the largest centre's weight jump to random rows; 0 = never")
      ->capture_default_str();
  app.add_option(
         "--memory", args.memory,
         "Weight of the model's past: counts start at memory × its segment weights (a weighted fit's weight sums, else "
         "sizes; 0: new data only)")
      ->capture_default_str();
  app.add_option("--seed", args.seed, "Random seed (row order, reassignment)")->capture_default_str();
  app.add_option("--delimiter", args.delimiter, "CSV field separator")->capture_default_str();
  device_options_register(app, args.device);
  app.add_flag("--quiet", args.quiet, "Only errors on stderr");
}

int update_command_run(const UpdateArgs& args, std::ostream& out, std::ostream& err) {
  args_validate(args);
  const auto start = std::chrono::steady_clock::now();
  OutputSet set(args.out_dir);  // made before the long work: an unwritable --out fails early
  const Model model = model_load(args.model);
  const int64_t k = model.n_clusters;
  const int64_t d = model.pipeline.n_features();
  MiniBatchState state;
  state.k = k;
  state.d = d;
  state.centroids = model.centroids;
  state.counts = counts_start(model, args.memory, args.model);
  const MiniBatchParams params{args.batch_size, args.reassignment_ratio, args.seed};
  UniformStream random(args.seed);
  std::vector<EpochStats> epochs(static_cast<size_t>(args.epochs));
  std::vector<double> last_sizes;
  std::vector<float> x, batch, batch_weights;
  std::unique_ptr<Backend> backend;  // built on batch and batch_weights (declared after them: destroyed first)
  int64_t rows = 0;
  std::string device;
  // Sample weights as at fit (the column the training statistics name), when the input has that column.
  const std::string weight_column = model.reference ? model.reference->weight_column : std::string();
  const ModelInputOptions options{args.model, args.delimiter, args.device.threads, 1 << 20, weight_column};
  bool weighted = false;
  for (int e = 0; e < args.epochs; ++e) {
    EpochStats& stats = epochs[e];
    last_sizes.assign(static_cast<size_t>(k), 0.0);
    rows = 0;
    model_input_for_each(model, args.input, options, [&](const Table& table, const IdColumn&, int64_t) {
      const int64_t n = table.n_rows;
      const TableColumn* weights = table.weight_column();
      weighted = weights != nullptr;
      x.resize(static_cast<size_t>(n * d));
      model.pipeline.transform(table, x.data());
      const std::vector<int64_t> order = order_shuffled(n, random);
      for (int64_t first = 0; first < n; first += args.batch_size) {
        const int64_t m = std::min(args.batch_size, n - first);
        // Mini-batches of one size reuse one backend (refreshed from the batch buffers, which then do not move); any
        // other size drops it before the buffers are resized (a GPU backend may have pinned their pages).
        if (backend && (backend->n_rows() != m || (weights != nullptr) != !batch_weights.empty())) backend.reset();
        batch.resize(static_cast<size_t>(m * d));
        batch_weights.resize(weights ? static_cast<size_t>(m) : 0);
        for (int64_t r = 0; r < m; ++r) {
          std::copy_n(x.data() + order[first + r] * d, d, batch.data() + r * d);
          if (weights) batch_weights[r] = weights->values[order[first + r]];
        }
        const DataView view{batch.data(), weights ? batch_weights.data() : nullptr, m, d};
        if (backend) {
          backend->data_refresh();
        } else {
          backend = backend_create(view, args.device, args.quiet || stats.batches > 0 || e > 0, err);
        }
        device = backend->name();
        const std::vector<double> before = state.counts;
        const MiniBatchStepStats step = minibatch_step(*backend, params, state, random);
        stats.inertia += step.inertia;
        stats.weight += step.weight;
        stats.reassigned += step.reassigned;
        ++stats.batches;
        for (int64_t j = 0; j < k; ++j) last_sizes[j] += std::max(0.0, state.counts[j] - before[j]);
      }
      rows += n;
    });
    KSEG_EXPECTS(rows > 0, DataError, args.input + ": no users to update with");
    KSEG_EXPECTS(stats.weight > 0.0, DataError,
                 args.input + ": column \"" + weight_column +
                     "\": the weights sum to 0; at least one row needs a positive weight");
  }
  if (!weighted && !weight_column.empty() && !args.quiet)
    err << "kseg: notice: the model was fitted with weights \"" << weight_column << "\" but " << args.input
        << " has no such column: its users count once each\n";

  Model updated = model;
  updated.centroids = state.centroids;
  const nlohmann::json identity_change = identity_refresh(state, updated.segments);
  std::vector<int64_t> sizes(static_cast<size_t>(k));
  for (int64_t j = 0; j < k; ++j) sizes[j] = std::llround(state.counts[j]);
  updated.fit = {{"updated_from", args.model}, {"input", args.input},           {"n_rows", rows},
                 {"epochs", args.epochs},      {"batch_size", args.batch_size}, {"memory", args.memory},
                 {"seed", args.seed},          {"segment_sizes", sizes},        {"segment_weights", state.counts}};
  const std::string dir = set.path() + "/", shown = args.out_dir + "/";
  std::vector<int64_t> last(static_cast<size_t>(k));
  for (int64_t j = 0; j < k; ++j) last[j] = std::llround(last_sizes[j]);
  centroids_write(dir + "centroids.csv", model.pipeline, updated.centroids, last, updated.segments.ids);
  model_save(dir + "model.json", updated);

  nlohmann::json epoch_rows = nlohmann::json::array(), shift = nlohmann::json::array();
  for (size_t e = 0; e < epochs.size(); ++e)
    epoch_rows.push_back({{"epoch", e + 1},
                          {"batches", epochs[e].batches},
                          {"mean_batch_inertia", epochs[e].weight > 0.0 ? epochs[e].inertia / epochs[e].weight : 0.0},
                          {"centres_reassigned", epochs[e].reassigned}});
  for (int64_t j = 0; j < k; ++j) {
    double sum = 0.0;
    for (int64_t t = 0; t < d; ++t) {
      const double diff = static_cast<double>(updated.centroids[j * d + t]) - model.centroids[j * d + t];
      sum += diff * diff;
    }
    shift.push_back({{"segment", updated.segments.ids[j]}, {"centroid_shift", std::sqrt(sum)}});
  }
  json_write(dir + "summary.json",
             {{"kseg_version", KSEG_VERSION},
              {"model", args.model},
              {"input", args.input},
              {"input_format", input_format_name(args.input)},
              {"input_conversion", npy_conversion(args.input)},
              {"rows", rows},
              {"weight_column", weighted ? weight_column : std::string()},
              {"k", k},
              {"d", d},
              {"device", device},
              {"batch_size", args.batch_size},
              {"epochs", epoch_rows},
              {"reassignment_ratio", args.reassignment_ratio},
              {"memory", args.memory},
              {"seed", args.seed},
              {"segment_ids", updated.segments.ids},
              {"segment_sizes_last_epoch", last},
              {"segment_weights", state.counts},
              {"segments_moved", shift},
              {"ids", identity_change},
              {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()}});
  set.publish();
  if (!args.quiet)
    out << "kseg: updated " << k << " segments with " << rows << " users"
        << (weighted ? " weighted by " + weight_column : std::string()) << " (" << args.epochs << " epoch"
        << (args.epochs > 1 ? "s" : "") << ", " << identity_change["new_ids"].size() << " centres reassigned)\n  "
        << shown << "model.json\n  " << shown << "centroids.csv\n  " << shown << "summary.json\n";
  return 0;
}

}  // namespace kseg
