// Writing what kseg fit produced: segments.csv, centroids.csv, model.json, summary.json.
#pragma once

#include <iosfwd>

#include "cli/commands.hpp"
#include "host/backend.hpp"
#include "host/data/schema.hpp"
#include "host/data/table.hpp"
#include "host/features/pipeline.hpp"
#include "host/kmeans/params.hpp"
#include "host/model/model_file.hpp"

namespace kseg {

struct FitTimings {
  double read = 0.0;  // seconds: schema inference, parsing and feature preparation
  double fit = 0.0;   // seeding and iterations, all restarts
};

struct FitOutputs {
  const FitArgs& args;
  const TableSchema& schema;
  const Table& data;
  const FeaturePipeline& pipeline;
  const KMeansResult& result;
  const Backend& backend;
  const FitTimings& timings;
  SegmentIdentity segments;  // stable ids (and names) of the centroids; empty = 0..k−1
  nlohmann::json matching;   // summary.json's "matching" section after --warm-start / --match-ids, else null
};

// Writes the four files into args.out_dir (each atomically) and prints where they are on out.
void fit_outputs_write(const FitOutputs& fit, std::ostream& out, bool quiet);

}  // namespace kseg
