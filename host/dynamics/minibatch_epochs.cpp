#include "host/dynamics/minibatch_epochs.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "host/error.hpp"

namespace kseg {
namespace {

// Fisher–Yates with the run's random stream: rows of a chunk are visited in random order, as MiniBatchKMeans
// samples its batches, so a file sorted by some feature does not bias the steps.
std::vector<int64_t> order_shuffled(int64_t n, UniformStream& random) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(order[i], order[std::min(i, static_cast<int64_t>(random.next() * static_cast<double>(i + 1)))]);
  return order;
}

// One run's working memory and its passage through the epochs.
class EpochRunner {
 public:
  EpochRunner(const MiniBatchEpochsParams& params, MiniBatchState start, const MiniBatchBackendFactory& backend_make)
      : params_(params), backend_make_(backend_make), random_(params.step.seed) {
    result_.state = std::move(start);
  }

  // The chunk's rows in a random order, batch_size at a time.
  void chunk_visit(const float* x, const float* weights, int64_t n, EpochStats& stats) {
    stats.weighted = weights != nullptr;
    const std::vector<int64_t> order = order_shuffled(n, random_);
    for (int64_t first = 0; first < n; first += params_.step.batch_size) {
      const int64_t m = std::min(params_.step.batch_size, n - first);
      batch_fill(x, weights, order.data() + first, m);
      step_run(stats);
    }
    stats.rows += n;
  }

  MiniBatchEpochsResult& result() { return result_; }

 private:
  // Copies the rows order[0..m) into the batch buffers. Mini-batches of one size reuse one backend (refreshed from
  // the buffers, which then do not move); any other size drops it before the buffers are resized (a GPU backend may
  // have pinned their pages).
  void batch_fill(const float* x, const float* weights, const int64_t* order, int64_t m) {
    const int64_t d = result_.state.d;
    if (backend_ && (backend_->n_rows() != m || (weights != nullptr) != !batch_weights_.empty())) backend_.reset();
    batch_.resize(static_cast<size_t>(m * d));
    batch_weights_.resize(weights ? static_cast<size_t>(m) : 0);
    for (int64_t r = 0; r < m; ++r) {
      std::copy_n(x + order[r] * d, d, batch_.data() + r * d);
      if (weights) batch_weights_[r] = weights[order[r]];
    }
    const DataView view{batch_.data(), weights ? batch_weights_.data() : nullptr, m, d};
    if (backend_) {
      backend_->data_refresh();
    } else {
      backend_ = backend_make_(view, !started_);
    }
    started_ = true;
  }

  // One mini-batch step on the batch the backend holds; the weight each centre takes is added to last_sizes.
  void step_run(EpochStats& stats) {
    MiniBatchState& state = result_.state;
    result_.device = backend_->name();
    const std::vector<double> before = state.counts;
    const MiniBatchStepStats step = minibatch_step(*backend_, params_.step, state, random_);
    stats.inertia += step.inertia;
    stats.weight += step.weight;
    stats.reassigned += step.reassigned;
    ++stats.batches;
    for (int64_t j = 0; j < state.k; ++j) result_.last_sizes[j] += std::max(0.0, state.counts[j] - before[j]);
  }

  const MiniBatchEpochsParams& params_;
  const MiniBatchBackendFactory& backend_make_;
  UniformStream random_;
  MiniBatchEpochsResult result_;
  std::vector<float> batch_, batch_weights_;
  std::unique_ptr<Backend> backend_;  // built on batch_ and batch_weights_ (declared after them: destroyed first)
  bool started_ = false;
};

}  // namespace

MiniBatchEpochsResult minibatch_epochs_run(const MiniBatchEpochsParams& params, MiniBatchState start,
                                           const PreparedStream& stream, const MiniBatchBackendFactory& backend_make,
                                           const EpochDone& epoch_done) {
  KSEG_EXPECTS(params.step.batch_size >= 1, UsageError, "mini-batch: batch_size must be at least 1");
  KSEG_EXPECTS(params.epochs >= 1, UsageError, "mini-batch: epochs must be at least 1");
  KSEG_EXPECTS(start.k >= 1 && static_cast<int64_t>(start.centroids.size()) == start.k * start.d &&
                   static_cast<int64_t>(start.counts.size()) == start.k,
               DataError, "mini-batch: the start centres and counts disagree in size");
  EpochRunner runner(params, std::move(start), backend_make);
  MiniBatchEpochsResult& result = runner.result();
  for (int e = 0; e < params.epochs; ++e) {
    result.last_sizes.assign(static_cast<size_t>(result.state.k), 0.0);
    EpochStats stats;
    stream([&](const float* x, const float* weights, int64_t n) { runner.chunk_visit(x, weights, n, stats); });
    result.epochs.push_back(stats);
    if (epoch_done) epoch_done(e, stats);
  }
  return std::move(result);
}

std::vector<double> minibatch_counts_start(const Model& model, double memory, const std::string& model_path) {
  std::vector<double> counts(static_cast<size_t>(model.n_clusters), 0.0);
  if (memory == 0.0) return counts;
  const nlohmann::json fit = model.fit.is_object() ? model.fit : nlohmann::json::object();
  const nlohmann::json stored =
      fit.contains("segment_weights") ? fit["segment_weights"] : fit.value("segment_sizes", nlohmann::json());
  KSEG_EXPECTS(stored.is_array() && static_cast<int64_t>(stored.size()) == model.n_clusters, DataError,
               model_path + ": the model does not record its segment sizes (fit.segment_sizes): use --memory 0");
  for (size_t j = 0; j < counts.size(); ++j) {
    KSEG_EXPECTS(stored[j].is_number() && std::isfinite(stored[j].get<double>()) && stored[j].get<double>() >= 0.0,
                 DataError, model_path + ": fit.segment_sizes must hold non-negative numbers (damaged model)");
    counts[j] = memory * stored[j].get<double>();
  }
  return counts;
}

}  // namespace kseg
