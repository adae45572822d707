// kseg assign as a call: users in a file scored against a saved model in bounded memory, batch by batch (the
// model's preparation, then SegmentScorer), written as a segments file (id, segment, distance) that appears whole
// or not at all. Across processes every rank scores its slice and rank 0 writes the rows in input order.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>

#include "app/options.hpp"
#include "host/comm/communicator.hpp"
#include "host/privacy/id_export.hpp"

namespace kseg {

struct AssignRequest {
  // The users: input.path (CSV, .csv.gz, .csv.zst, a .npy, or Parquet) and input.delimiter. The model names the id,
  // weight and feature columns: id_column, weight_column and columns stay empty (model_input_check).
  InputOptions input;
  std::string model;                 // model.json written by kseg fit (or kseg update)
  std::string out = "assigned.csv";  // the segments file written
  std::string out_format;            // csv | parquet; "" = parquet for an out named *.parquet, else csv
  std::string assign_mode = "tree";  // tree models: tree (walk from the root) or nearest-leaf
  int64_t batch_rows = 1 << 17;      // .npy rows per batch: buffers stay small and are reused; at least 1
  DeviceOptions device;
  IdExport ids;        // ids as read, or keyed pseudonyms (--hash-ids); warnings about ids go to ids.warnings
  bool quiet = false;  // no notices
};

// Every check of the request's values, before any work (UsageError naming the option).
void assign_request_validate(const AssignRequest& request);

struct AssignSummary {
  int64_t rows = 0;                              // users scored (all processes)
  std::string out;                               // the file written (out, with out_format's extension)
  std::map<std::string, int64_t> unseen_levels;  // per categorical column: users with a level unseen at fit
};

// Validates, scores request.input and publishes request.out (first removing the temporary files a killed run left
// beside it). Notices (a .npy converted on reading, the CPU fallback
// of --device auto) go to notices unless request.quiet. DataError when the input holds no users or lacks a column
// the model needs. Collective across comm's processes.
AssignSummary segments_assign(const AssignRequest& request, std::ostream& notices,
                              const Communicator& comm = single_process());

}  // namespace kseg
