// Scoring users against a saved model, one batch at a time: the model's preparation, then the nearest segment (or,
// for a tree model, the tree walk). The caller streams its own batches in (a file reader, a Python DataFrame, a
// service's requests) and gets stable segment ids and distances out; kseg assign is this over a file.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "app/options.hpp"
#include "host/backend.hpp"
#include "host/data/table.hpp"
#include "host/features/pipeline.hpp"
#include "host/model/model_file.hpp"

namespace kseg {

// How a tree model (fit --hierarchy) places a user; a flat model always takes the nearest centroid.
enum class AssignMode {
  tree,          // from the root, the nearer child at each split, as the tree was built (the default)
  nearest_leaf,  // the nearest segment centroid (can differ from the walk)
};

// "tree" or "nearest-leaf" (the spelling of --assign); UsageError naming --assign otherwise.
AssignMode assign_mode_parse(const std::string& text);

// One batch's result, row for row.
struct SegmentScores {
  std::vector<int64_t> segments;  // the stable segment id of each row (Model::segments.ids)
  std::vector<float> distances;   // Euclidean distance to that segment's centroid, in the prepared space
};

class SegmentScorer {
 public:
  // model must outlive the scorer. The backend (device) is built on the first batch; with quiet false, notices
  // (the CPU fallback of --device auto) go to notices, once.
  SegmentScorer(const Model& model, const DeviceOptions& device, AssignMode mode = AssignMode::tree, bool quiet = true,
                std::ostream* notices = nullptr);
  ~SegmentScorer();
  SegmentScorer(const SegmentScorer&) = delete;
  SegmentScorer& operator=(const SegmentScorer&) = delete;

  // Users in original units, with (at least) the columns the model's preparation reads, matched by name.
  // DataError naming a missing column. An empty batch gives empty scores.
  SegmentScores score(const Table& batch);

  // The same without copies, for streaming writers: the results stay in labels() and sq_distances() until the
  // next call. batch_score takes a table; rows_score a row-major block of numeric columns called names (a .npy
  // batch: f0, f1, ...), named path in errors, prepared without building a table.
  void batch_score(const Table& batch);
  void rows_score(const float* rows, int64_t n, const std::vector<std::string>& names, const std::string& path);
  const std::vector<int32_t>& labels() const { return labels_; }         // stable segment ids
  const std::vector<float>& sq_distances() const { return distances_; }  // squared Euclidean distances

  int64_t rows() const { return rows_; }  // rows scored so far
  // Rows per categorical column whose level the fit had not seen (scored as kOtherLevel), over all batches.
  const TransformCounters& counters() const { return counters_; }

 private:
  void prepared_resize(int64_t n);
  void prepared_score(int64_t n);
  void tree_walk(int64_t n, int64_t d);
  void backend_assign(int64_t n, int64_t d);

  const Model& model_;
  DeviceOptions device_;
  AssignMode mode_;
  bool quiet_;
  std::ostream* notices_;
  std::vector<float> x_;
  std::unique_ptr<Backend> backend_;  // built on x_ (declared after it: destroyed before it)
  std::vector<int32_t> labels_;
  std::vector<float> distances_;
  TransformCounters counters_;
  int64_t rows_ = 0;
};

}  // namespace kseg
