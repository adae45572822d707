#include "app/prepare_input.hpp"

#include <ostream>

#include "host/data/memory_check.hpp"
#include "host/data/table_read_once.hpp"
#include "host/error.hpp"
#include "host/io/npy_reader.hpp"
#include "host/parquet/arrow_stream.hpp"

namespace kseg {
namespace {

void notices_print(const FeaturePipeline& pipeline, std::ostream& err) {
  for (const NumericStep& s : pipeline.numeric()) {
    if (s.dropped) err << "kseg: column \"" << s.name << "\" left out: " << s.note << "\n";
    if (s.log1p) err << "kseg: column \"" << s.name << "\" log1p-transformed (skew " << s.skew << ")\n";
    if (s.imputed > 0 && !s.dropped)
      err << "kseg: column \"" << s.name << "\": " << s.imputed << " missing values imputed with " << s.impute_value
          << "\n";
  }
  for (const CategoricalStep& s : pipeline.categorical())
    if (!s.note.empty()) err << "kseg: column \"" << s.name << "\": " << s.note << "\n";
}

}  // namespace

SchemaOptions schema_options_make(const std::string& id_column, const std::string& weight_column,
                                  const std::vector<std::string>& columns, char delimiter, int threads,
                                  const PreparationOptions& prep) {
  SchemaOptions o;
  o.id_column = id_column;
  o.weight_column = weight_column;
  o.columns = columns;
  o.categorical = prep.categorical;
  o.numeric = prep.numeric;
  o.ignore = prep.ignore;
  o.audit = prep.audit;
  o.dates = prep.dates;
  if (prep.na_values) o.missing = MissingValues::from_option(*prep.na_values);
  o.max_levels = prep.max_levels;
  o.delimiter = delimiter;
  o.threads = threads;
  return o;
}

PipelineOptions pipeline_options_make(const std::string& scale, const PreparationOptions& prep) {
  PipelineOptions o;
  o.scale = scale_mode_parse(scale);
  o.impute = impute_mode_parse(prep.impute);
  o.missing_indicators = prep.missing_indicators;
  o.log_auto = prep.log == "auto";
  if (prep.log != "auto" && prep.log != "none") {
    std::string name;
    for (char c : prep.log + ",") {
      if (c != ',') {
        name += c;
      } else if (!name.empty()) {
        o.log_columns.push_back(name);
        name.clear();
      }
    }
  }
  for (const std::string& spec : prep.feature_weights) {
    const size_t eq = spec.find('=');
    KSEG_EXPECTS(eq != std::string::npos && eq > 0, UsageError,
                 "--feature-weight: expected col=W, got \"" + spec + "\"");
    try {
      o.feature_weights[spec.substr(0, eq)] = std::stod(spec.substr(eq + 1));
    } catch (const std::exception&) {
      throw UsageError("--feature-weight: \"" + spec.substr(eq + 1) + "\" is not a number");
    }
  }
  o.max_levels = prep.max_levels;
  o.as_of = prep.as_of;
  return o;
}

namespace {

// The shared body: reader (a file path, or an in-memory table named "the table") gives the schema and the table.
PreparedInput input_prepare_from(const std::string& path, ArrowStreamReader* reader,
                                 const SchemaOptions& schema_options, const PipelineOptions& pipeline_options,
                                 bool quiet, std::ostream& err, const Communicator& comm) {
  PreparedInput in;
  if (!reader && table_read_once_applies(path, comm)) {
    // A CSV read by one process: schema and table from one pass (the typed columns grow as the file is read, so the
    // memory check below guards the prepared matrix only).
    SchemaTable read = table_read_once(path, schema_options);
    in.schema = std::move(read.schema);
    in.table = std::move(read.table);
  } else {
    in.schema = reader ? reader->schema_infer(schema_options) : schema_infer(path, schema_options, comm);
    int64_t kept = 0;
    for (const ColumnSchema& c : in.schema.columns) kept += c.role != ColumnRole::ignore && c.role != ColumnRole::id;
    const double local_rows = static_cast<double>(in.schema.n_rows) / comm.size();
    // The typed columns and, at least, a prepared matrix as wide as them: 4 bytes per cell each.
    memory_check(local_rows * static_cast<double>(kept) * 8.0, memory_available_bytes(), path + ": reading the table");
    in.table = reader ? reader->table_load(in.schema) : table_load(in.schema, schema_options, comm);
  }
  // The reading passes leave their batch buffers (tens of MB) freed but held by the allocator: back before the
  // prepared matrix is allocated, so they stay out of the peak.
  memory_release_to_system();
  in.pipeline = FeaturePipeline::fit(in.table, pipeline_options, comm);
  memory_release_to_system();  // the statistics' column copies, before the matrix
  memory_check(static_cast<double>(in.table.n_rows) * static_cast<double>(in.pipeline.n_features()) * 4.0,
               memory_available_bytes(), path + ": the prepared matrix");
  if (!quiet) notices_print(in.pipeline, err);
  if (const std::string conversion = in.schema.npy && !reader ? npy_conversion(path) : "";
      !quiet && !conversion.empty())
    err << "kseg: " << path << ": " << conversion << "\n";
  in.n_rows = in.table.n_rows;
  in.n_rows_total = in.schema.n_rows;
  in.n_cols = in.pipeline.n_features();
  in.x.resize(static_cast<size_t>(in.n_rows * in.n_cols));
  in.pipeline.transform(in.table, in.x.data());
  if (const TableColumn* w = in.table.weight_column()) in.weights = w->values;
  return in;
}

}  // namespace

PreparedInput input_prepare(const std::string& path, const SchemaOptions& schema_options,
                            const PipelineOptions& pipeline_options, bool quiet, std::ostream& err,
                            const Communicator& comm) {
  return input_prepare_from(path, nullptr, schema_options, pipeline_options, quiet, err, comm);
}

PreparedInput input_prepare(const InputOptions& input, const SchemaOptions& schema_options,
                            const PipelineOptions& pipeline_options, bool quiet, std::ostream& err,
                            const Communicator& comm) {
  if (!input.table) return input_prepare(input.path, schema_options, pipeline_options, quiet, err, comm);
  KSEG_EXPECTS(comm.size() == 1, UsageError, "the table: an in-memory table is read by one process; give a file path");
  return input_prepare_from("the table", input.table.get(), schema_options, pipeline_options, quiet, err, comm);
}

}  // namespace kseg
