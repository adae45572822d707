// Writing what kseg fit produced: segments.csv, centroids.csv, model.json, summary.json.
#pragma once

#include <iosfwd>

#include "cli/commands.hpp"
#include "host/backend.hpp"
#include "host/data/dataset.hpp"
#include "host/features/pipeline.hpp"
#include "host/kmeans/params.hpp"

namespace kseg {

struct FitTimings {
  double read = 0.0;     // seconds: parsing the input
  double prepare = 0.0;  // feature preparation
  double fit = 0.0;      // seeding and iterations, all restarts
};

struct FitOutputs {
  const FitArgs& args;
  const Dataset& data;
  const FeaturePipeline& pipeline;
  const KMeansResult& result;
  const Backend& backend;
  const FitTimings& timings;
};

// Writes the four files into args.out_dir (each atomically) and prints where they are on out.
void fit_outputs_write(const FitOutputs& fit, std::ostream& out, bool quiet);

}  // namespace kseg
