// Loading user profiles (CSV or .npy) into a numeric matrix in original units, with ids and weights.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/data/id_column.hpp"

namespace kseg {

struct CsvRecordBatch;

struct LoadOptions {
  std::string id_column;             // "" → detected by name (id, user_id, ...); CSV only
  std::string weight_column;         // "" → every row weighs 1
  std::vector<std::string> columns;  // feature columns; empty → every other column
  char delimiter = ',';              // CSV field separator
  int threads = 0;                   // parser threads; <= 0 → all cores
};

struct Dataset {
  std::string path;
  std::string id_column;                   // name of the id column, "" when ids are row numbers
  std::vector<std::string> feature_names;  // d names, in matrix column order
  std::vector<float> x;                    // n × d row-major, original units
  std::vector<float> weights;              // n sample weights, or empty
  IdColumn ids;
  int64_t n_rows = 0;
  int64_t n_cols = 0;
};

// Reads a whole file; the format comes from the extension (.npy, otherwise CSV). Throws DataError naming
// file:line:column for malformed input, non-numeric or missing values, bad weights; UsageError for unknown columns.
Dataset dataset_load(const std::string& path, const LoadOptions& options);

// The id column a CSV header implies: options.id_column when set (must exist), else the first column named id,
// user_id, userid, customer_id or uid (case-insensitive), else "" (rows are numbered).
std::string id_column_detect(const std::vector<std::string>& header, const std::string& requested);

// Positions in header of the named columns; UsageError naming the first unknown one and the available names.
std::vector<int> column_positions(const std::vector<std::string>& header, const std::vector<std::string>& names,
                                  const std::string& path);

// Parses the given columns of every record of a CSV batch as floats into out (n_records × positions.size()),
// in parallel; the error reported is the first in row order (file:line:column, column name).
void csv_batch_floats_parse(const CsvRecordBatch& batch, const std::vector<int>& positions,
                            const std::vector<std::string>& header, const std::string& path, int threads, float* out);

// Column names a .npy file's columns get: f0, f1, ...
std::vector<std::string> npy_feature_names(int64_t n_cols);

}  // namespace kseg
