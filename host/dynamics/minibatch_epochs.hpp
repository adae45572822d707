// Mini-batch K-means over a stream of prepared rows, epoch after epoch (kseg update): each chunk the stream yields
// is visited in a random order and cut into mini-batches of batch_size rows, and every mini-batch is one
// minibatch_step (host/dynamics/minibatch.hpp). The data never has to fit in memory: the caller streams it again
// for every epoch. No I/O and no printing: the caller reads, prepares, and reports.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "host/backend.hpp"
#include "host/dynamics/minibatch.hpp"
#include "host/model/model_file.hpp"

namespace kseg {

struct MiniBatchEpochsParams {
  MiniBatchParams step;  // batch_size (1024), reassignment_ratio (0.01), seed (42): see MiniBatchParams
  int epochs = 1;        // passes over the stream; at least 1
  double memory = 1.0;   // the weight of the model's past: counts start at memory × its segment weights; in [0, 1]
};

struct EpochStats {
  double inertia = 0.0;    // Σ over mini-batches of the batch inertia against the centres before its step
  double weight = 0.0;     // Σ sample weight seen (the rows when unweighted)
  int64_t rows = 0;        // rows the stream yielded in this epoch
  int64_t batches = 0;     // mini-batch steps
  int64_t reassigned = 0;  // centres moved to random rows
  bool weighted = false;   // whether the last chunk carried sample weights
};

struct MiniBatchEpochsResult {
  MiniBatchState state;            // the centres and their seen weights after the last epoch
  std::vector<EpochStats> epochs;  // one per epoch, in order
  std::vector<double> last_sizes;  // k: the weight each centre took in the last epoch (0 for a reassigned start)
  std::string device;              // the backend's name (Backend::name) of the last mini-batch
};

// Calls visit(x, weights, n) once per chunk of n prepared rows (row-major, d columns; weights nullptr when the
// chunk is unweighted), in stream order. Called again for every epoch.
using PreparedChunkVisitor = std::function<void(const float* x, const float* weights, int64_t n)>;
using PreparedStream = std::function<void(const PreparedChunkVisitor& visit)>;

// Builds the backend a mini-batch runs on; first: whether this is the run's first mini-batch (the only one whose
// backend may announce itself). Mini-batches of one size reuse the backend (Backend::data_refresh).
using MiniBatchBackendFactory = std::function<std::unique_ptr<Backend>(const DataView& batch, bool first)>;

// Called after each epoch (0-based) with its statistics; it may throw to stop the run (the application layer
// refuses an input with no rows, or weights summing to 0, there).
using EpochDone = std::function<void(int epoch, const EpochStats& stats)>;

// Runs params.epochs passes of mini-batch steps from start (start.k, start.d, centroids and counts set). One random
// stream (params.step.seed) draws, in order, every chunk's visiting order and every reassignment, so the same seed
// and stream give the same centres.
MiniBatchEpochsResult minibatch_epochs_run(const MiniBatchEpochsParams& params, MiniBatchState start,
                                           const PreparedStream& stream, const MiniBatchBackendFactory& backend_make,
                                           const EpochDone& epoch_done = {});

// The counts a run starts from: memory × the model's segment weights (fit.segment_weights of a weighted fit, else
// fit.segment_sizes), all 0 when memory is 0. DataError naming model_path when the model records neither, or holds
// a value that is not a finite non-negative number.
std::vector<double> minibatch_counts_start(const Model& model, double memory, const std::string& model_path);

}  // namespace kseg
