// The shared front half of fit, schema (and later sweep): read the schema and table, learn the preparation,
// build the prepared matrix.
#pragma once

#include <iosfwd>
#include <vector>

#include "app/options.hpp"
#include "host/data/schema.hpp"
#include "host/data/table.hpp"
#include "host/features/pipeline.hpp"

namespace kseg {

struct PreparedInput {
  TableSchema schema;
  Table table;
  FeaturePipeline pipeline;
  std::vector<float> x;        // n × d prepared, row-major
  std::vector<float> weights;  // n, or empty
  int64_t n_rows = 0;          // rows of this process (all rows, or an MPI rank's slice)
  int64_t n_cols = 0;
  int64_t n_rows_total = 0;  // rows over every process
};

SchemaOptions schema_options_make(const std::string& id_column, const std::string& weight_column,
                                  const std::vector<std::string>& columns, char delimiter, int threads,
                                  const PreparationOptions& prep);
PipelineOptions pipeline_options_make(const std::string& scale, const PreparationOptions& prep);

// Reads the input, learns the preparation and builds X. Notices (dropped columns, merged levels, logs) go to err.
// Across processes (comm) each rank reads and prepares its slice of the rows; schema and preparation are learned
// from all rows, so they are the single-process ones.
PreparedInput input_prepare(const std::string& path, const SchemaOptions& schema_options,
                            const PipelineOptions& pipeline_options, bool quiet, std::ostream& err,
                            const Communicator& comm = single_process());
// The same for input.path, or input.table when it is set (then one process only, and messages say "the table").
PreparedInput input_prepare(const InputOptions& input, const SchemaOptions& schema_options,
                            const PipelineOptions& pipeline_options, bool quiet, std::ostream& err,
                            const Communicator& comm = single_process());

}  // namespace kseg
