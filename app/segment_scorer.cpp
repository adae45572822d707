#include "app/segment_scorer.hpp"

#include <cmath>
#include <ostream>

#include "app/backend_select.hpp"
#include "host/error.hpp"

namespace kseg {

AssignMode assign_mode_parse(const std::string& text) {
  KSEG_EXPECTS(text == "tree" || text == "nearest-leaf", UsageError,
               "--assign: expected tree or nearest-leaf, got \"" + text + "\"");
  return text == "tree" ? AssignMode::tree : AssignMode::nearest_leaf;
}

SegmentScorer::SegmentScorer(const Model& model, const DeviceOptions& device, AssignMode mode, bool quiet,
                             std::ostream* notices)
    : model_(model), device_(device), mode_(mode), quiet_(quiet || notices == nullptr), notices_(notices) {}

SegmentScorer::~SegmentScorer() = default;

SegmentScores SegmentScorer::score(const Table& batch) {
  batch_score(batch);
  SegmentScores scores;
  scores.segments.assign(labels_.begin(), labels_.end());
  scores.distances.resize(distances_.size());
  for (size_t i = 0; i < distances_.size(); ++i) scores.distances[i] = std::sqrt(distances_[i]);
  return scores;
}

void SegmentScorer::batch_score(const Table& batch) {
  prepared_resize(batch.n_rows);
  model_.pipeline.transform(batch, x_.data(), &counters_);
  prepared_score(batch.n_rows);
}

void SegmentScorer::rows_score(const float* rows, int64_t n, const std::vector<std::string>& names,
                               const std::string& path) {
  prepared_resize(n);
  model_.pipeline.transform_rows(rows, n, names, path, x_.data());
  prepared_score(n);
}

// x_ sized for n prepared rows. A batch of another size drops the backend first: it was built on x_ (a GPU backend
// may have pinned its pages) and x_ may move.
void SegmentScorer::prepared_resize(int64_t n) {
  const size_t size = static_cast<size_t>(n * model_.pipeline.n_features());
  if (size != x_.size()) backend_.reset();
  x_.resize(size);
}

// The prepared rows in x_: the nearest centroids (or the tree walk), as stable segment ids.
void SegmentScorer::prepared_score(int64_t n) {
  const int64_t d = model_.pipeline.n_features();
  labels_.resize(static_cast<size_t>(n));
  distances_.resize(static_cast<size_t>(n));
  if (n == 0) return;  // an empty batch: nothing to place, no backend to build
  if (model_.tree && mode_ == AssignMode::tree) {
    tree_walk(n, d);
  } else {
    backend_assign(n, d);
  }
  for (int32_t& label : labels_) label = static_cast<int32_t>(model_.segments.ids[label]);
  rows_ += n;
}

// A tree model, as it was built: from the root, the nearer child at each split (on the host: depth × 2 distances a
// row, each row alone, so the same for any thread count).
void SegmentScorer::tree_walk(int64_t n, int64_t d) {
  const SegmentTree& tree = *model_.tree;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) labels_[i] = static_cast<int32_t>(tree.leaf_walk(x_.data() + i * d, &distances_[i]));
}

// The nearest centroid (for a tree model: the nearest leaf), on the backend. Batches of the same size reuse one
// backend (refreshed from x_): a GPU backend is not rebuilt (streams, cuBLAS, memory) per batch.
void SegmentScorer::backend_assign(int64_t n, int64_t d) {
  if (backend_) {
    backend_->data_refresh();
  } else {
    std::ostream none(nullptr);  // quiet without a notices stream: nothing is written
    const DataView view{x_.data(), nullptr, n, d};
    backend_ = backend_create(view, device_, quiet_ || rows_ > 0, notices_ ? *notices_ : none);
  }
  backend_->assign(model_.centroids.data(), model_.n_clusters);
  backend_->labels_get(labels_.data());
  backend_->distances_get(distances_.data());
}

}  // namespace kseg
