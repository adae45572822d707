// Reading users for a saved model, in bounded memory: the columns the model's preparation needs, batch by batch
// (CSV: about 32 MiB of input at a time; .npy: batch_rows rows), as drift and update consume them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "app/options.hpp"
#include "host/data/id_column.hpp"
#include "host/data/schema.hpp"
#include "host/data/table.hpp"
#include "host/model/model_file.hpp"

namespace kseg {

struct ModelInputOptions {
  std::string model_path;  // named in errors
  char delimiter = ',';    // CSV field separator
  int threads = 0;         // CSV tokenising threads; 0 = all cores
  int64_t npy_batch_rows = 1 << 20;
  std::string weight_column;  // CSV: read this column as sample weights when the input has it ("" = none)
};

// The roles of an input's columns taken from the model: only the columns it needs are read. DataError naming a
// column the model needs that the header lacks.
TableSchema model_schema(const Model& model, const std::vector<std::string>& header, const std::string& input,
                         const std::string& model_path);

// A .npy input's columns are f0..f<d-1>: DataError naming a column the model needs that the array lacks.
void npy_model_columns_check(const Model& model, int64_t n_cols, const std::string& input,
                             const std::string& model_path);

// A Parquet input (host/parquet/parquet_input.hpp) record batch by record batch, as model_input_for_each; across
// processes each rank reads its share of the row groups and fn gets (table, table.ids, 0), ids kept (or numbered
// from the share's offset) for the caller to gather. Returns the global index of this process's first row.
int64_t model_input_parquet_for_each(const Model& model, const std::string& input, const ModelInputOptions& options,
                                     const Communicator& comm,
                                     const std::function<void(const Table&, const IdColumn&, int64_t)>& fn);

// Calls fn(table, ids, first) per batch in file order; ids(first + r) is the id of the table's row r. DataError
// naming a column the model needs that the input lacks.
void model_input_for_each(const Model& model, const std::string& input, const ModelInputOptions& options,
                          const std::function<void(const Table&, const IdColumn&, int64_t)>& fn);

// An in-memory table (InputOptions::table, named "the table") batch by batch, as model_input_for_each: only the
// columns the model needs are converted, and only one batch is held at a time. Row numbers count from the stream's
// first row when it has no id column.
void model_input_stream_for_each(const Model& model, ArrowStreamReader& reader, const ModelInputOptions& options,
                                 const std::function<void(const Table&, const IdColumn&, int64_t)>& fn);

// input.table when it is set (read once: a second call finds it empty), else the file at input.path.
void model_input_for_each(const Model& model, const InputOptions& input, const ModelInputOptions& options,
                          const std::function<void(const Table&, const IdColumn&, int64_t)>& fn);

// How messages name an input: "the table" for an in-memory one, else its path.
std::string input_name(const InputOptions& input);

// The input of a workflow that reads users for a saved model (assign, drift, update): path and delimiter. The model
// names the id, weight and feature columns: UsageError when input sets them.
void model_input_check(const InputOptions& input);

}  // namespace kseg
