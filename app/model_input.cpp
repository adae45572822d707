#include "app/model_input.hpp"

#include <omp.h>

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "host/data/schema.hpp"
#include "host/data/table_batch.hpp"
#include "host/error.hpp"
#include "host/io/csv_reader.hpp"
#include "host/io/input_format.hpp"
#include "host/io/npy_reader.hpp"
#include "host/parquet/arrow_stream.hpp"
#include "host/parquet/parquet_input.hpp"

namespace kseg {
void npy_model_columns_check(const Model& model, int64_t n_cols, const std::string& input,
                             const std::string& model_path) {
  for (const std::string& name : model.pipeline.input_columns()) {
    const bool known = name.size() > 1 && name[0] == 'f' &&
                       name.find_first_not_of("0123456789", 1) == std::string::npos &&
                       std::stoll(name.substr(1)) < n_cols;
    KSEG_EXPECTS(known, DataError,
                 input + ": column \"" + name + "\" is required by the model (" + model_path +
                     ") but the .npy has only columns f0..f" + std::to_string(n_cols - 1));
  }
}

namespace {

constexpr size_t kCsvBatchBytes = 32u << 20;

void csv_for_each(const Model& model, const std::string& input, const ModelInputOptions& options,
                  const std::function<void(const Table&, const IdColumn&, int64_t)>& fn) {
  CsvReader reader(input, CsvOptions{options.delimiter});
  TableSchema schema = model_schema(model, reader.header(), input, options.model_path);
  for (ColumnSchema& c : schema.columns)
    if (!options.weight_column.empty() && c.name == options.weight_column) c.role = ColumnRole::weight;
  const TableBatchReader batches(schema, reader.header());
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
  reader.batches_for_each(kCsvBatchBytes, threads, [&](const CsvRecordBatch& batch) {
    Table table = batches.table_empty();
    batches.append(batch, threads, table);
    if (schema.id_column.empty()) {  // row numbers up to this batch's: no counting pass over the file first
      fn(table, IdColumn::row_numbers(batch.first_record + batch.n_records), batch.first_record);
    } else {
      fn(table, table.ids, 0);
    }
  });
}

void npy_for_each(const Model& model, const std::string& input, const ModelInputOptions& options,
                  const std::function<void(const Table&, const IdColumn&, int64_t)>& fn) {
  NpyReader reader(input);
  npy_model_columns_check(model, reader.n_cols(), input, options.model_path);
  const int64_t d = reader.n_cols();
  const IdColumn numbered = IdColumn::row_numbers(reader.n_rows());
  std::vector<float> raw;
  for (int64_t first = 0; first < reader.n_rows(); first += options.npy_batch_rows) {
    const int64_t n = std::min(options.npy_batch_rows, reader.n_rows() - first);
    raw.resize(static_cast<size_t>(n * d));
    reader.rows_read(first, n, raw.data());
    Table table;
    table.path = input;
    table.n_rows = n;
    for (int64_t t = 0; t < d; ++t) {
      TableColumn column{"f" + std::to_string(t), ColumnRole::numeric};
      column.values.resize(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) column.values[i] = raw[i * d + t];
      table.columns.push_back(std::move(column));
    }
    fn(table, numbered, first);
  }
}

}  // namespace

int64_t model_input_parquet_for_each(const Model& model, const std::string& input, const ModelInputOptions& options,
                                     const Communicator& comm,
                                     const std::function<void(const Table&, const IdColumn&, int64_t)>& fn) {
  TableSchema schema = model_schema(model, parquet_column_names(input), input, options.model_path);
  schema.parquet = true;
  for (ColumnSchema& c : schema.columns)
    if (!options.weight_column.empty() && c.name == options.weight_column) c.role = ColumnRole::weight;
  int64_t rows = 0;
  parquet_batches_for_each(schema, comm, [&](const Table& table, int64_t first) {
    if (schema.id_column.empty() && comm.size() == 1) {
      fn(table, IdColumn::row_numbers(first + table.n_rows), first);
    } else {
      fn(table, table.ids, 0);
    }
    rows += table.n_rows;
  });
  return comm.size() > 1 ? comm.prefix_exclusive(rows) : 0;
}

// The roles of the input's columns, taken from the model: only the columns it needs are read.
TableSchema model_schema(const Model& model, const std::vector<std::string>& header, const std::string& input,
                         const std::string& model_path) {
  TableSchema schema;
  schema.path = input;
  schema.missing = model.pipeline.missing_values();
  // Each kept step's role by its column's name (a later step of the same name wins), found once: a search of the
  // steps per column, and of the header per step, were quadratic in the columns.
  std::unordered_map<std::string_view, ColumnRole> step_role;
  for (const NumericStep& s : model.pipeline.numeric())
    if (!s.dropped) step_role[s.name] = s.is_date ? ColumnRole::date : ColumnRole::numeric;
  for (const CategoricalStep& s : model.pipeline.categorical())
    if (!s.dropped) step_role[s.name] = ColumnRole::categorical;
  for (size_t i = 0; i < header.size(); ++i) {
    ColumnSchema c;
    c.name = header[i];
    c.position = static_cast<int>(i);
    c.role = ColumnRole::ignore;
    if (!model.id_column.empty() && c.name == model.id_column) c.role = ColumnRole::id;
    if (const auto found = step_role.find(c.name); found != step_role.end()) c.role = found->second;
    if (c.role == ColumnRole::id) schema.id_column = c.name;
    schema.columns.push_back(c);
  }
  const std::unordered_set<std::string_view> in_header(header.begin(), header.end());
  for (const std::string& name : model.pipeline.input_columns())
    KSEG_EXPECTS(in_header.count(name) == 1, DataError,
                 input + ": column \"" + name + "\" is required by the model (" + model_path + ") but missing");
  return schema;
}

void model_input_for_each(const Model& model, const std::string& input, const ModelInputOptions& options,
                          const std::function<void(const Table&, const IdColumn&, int64_t)>& fn) {
  KSEG_EXPECTS(options.npy_batch_rows >= 1, UsageError, "--batch-rows must be at least 1");
  if (parquet_input_is(input)) {
    model_input_parquet_for_each(model, input, options, single_process(), fn);
    return;
  }
  const bool npy = input_format_detect(input) == InputFormat::npy;
  if (npy) {
    npy_for_each(model, input, options, fn);
  } else {
    csv_for_each(model, input, options, fn);
  }
}

void model_input_stream_for_each(const Model& model, ArrowStreamReader& reader, const ModelInputOptions& options,
                                 const std::function<void(const Table&, const IdColumn&, int64_t)>& fn) {
  TableSchema schema = model_schema(model, reader.column_names(), "the table", options.model_path);
  for (ColumnSchema& c : schema.columns)
    if (!options.weight_column.empty() && c.name == options.weight_column) c.role = ColumnRole::weight;
  reader.batches_for_each(schema, [&](const Table& table, int64_t first) {
    if (schema.id_column.empty()) {  // numbered across batches, as a file's rows are
      fn(table, IdColumn::row_numbers(first + table.n_rows), first);
    } else {
      fn(table, table.ids, 0);
    }
  });
}

void model_input_for_each(const Model& model, const InputOptions& input, const ModelInputOptions& options,
                          const std::function<void(const Table&, const IdColumn&, int64_t)>& fn) {
  if (input.table) {
    model_input_stream_for_each(model, *input.table, options, fn);
  } else {
    model_input_for_each(model, input.path, options, fn);
  }
}

std::string input_name(const InputOptions& input) { return input.table ? std::string("the table") : input.path; }

void model_input_check(const InputOptions& input) {
  KSEG_EXPECTS(input.id_column.empty() && input.weight_column.empty() && input.columns.empty(), UsageError,
               input.path + ": the model names the id, weight and feature columns to read: leave them unset");
}

}  // namespace kseg
