// Writing what kseg fit produced: segments.csv, centroids.csv, model.json, summary.json.
#pragma once

#include <iosfwd>

#include "cli/commands.hpp"
#include "host/backend.hpp"
#include "host/comm/communicator.hpp"
#include "host/data/schema.hpp"
#include "host/data/table.hpp"
#include "host/features/pipeline.hpp"
#include "host/kmeans/min_size.hpp"
#include "host/kmeans/params.hpp"
#include "host/model/model_file.hpp"

namespace kseg {

struct FitTimings {
  double read = 0.0;  // seconds: schema inference, parsing and feature preparation
  double fit = 0.0;   // seeding and iterations, all restarts
  // Of fit: seconds inside communication calls (MPI runs; 0 for one process).
  double fit_communication = 0.0;
};

struct FitOutputs {
  const FitArgs& args;
  const TableSchema& schema;
  const Table& data;
  const FeaturePipeline& pipeline;
  const KMeansResult& result;
  std::string backend_name;  // "cpu" or "cuda:N" (the backend itself is gone by the time outputs are written)
  const FitTimings& timings;
  SegmentIdentity segments;  // stable ids (and names) of the centroids; empty = 0..k−1
  nlohmann::json matching;   // summary.json's "matching" section after --warm-start / --match-ids, else null
  // The processes sharing the rows (rank 0 writes); nullptr: one process.
  const Communicator* comm = nullptr;
  std::string out_shown =
      std::string();  // --out as the user gave it, for the list of files (args.out_dir is the staging path)
  const SegmentTree* tree = nullptr;        // --hierarchy: the tree (tree.json, model.json, centroids' parent)
  const MinSizeReport* min_size = nullptr;  // --min-size / --min-share: what was dissolved (summary.json)
};

// Writes the files into args.out_dir (the staging directory of an OutputSet; each file atomically) and prints where
// they are on out. Across processes this is collective: segment sizes are summed, every rank's segments reach rank 0 in
// input order, and rank 0 writes the files, with per-rank timings in summary.json.
void fit_outputs_write(const FitOutputs& fit, std::ostream& out, bool quiet);

}  // namespace kseg
