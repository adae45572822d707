// Which role each input column plays: inferred from the data, overridable from the command line.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "host/comm/communicator.hpp"
#include "host/data/missing_values.hpp"
#include "host/data/table.hpp"

namespace kseg {

struct SchemaOptions {
  std::string id_column;                 // "" → a column named id/user_id/..., or a unique non-numeric column
  std::string weight_column;             // "" → unweighted
  std::vector<std::string> columns;      // when set: the only feature columns (others are ignored)
  std::vector<std::string> categorical;  // forced categorical (e.g. zip codes that look numeric)
  std::vector<std::string> numeric;      // forced numeric (every non-empty cell must parse)
  std::vector<std::string> ignore;       // not read
  std::vector<std::string> audit;        // kept out of clustering, carried to profiles
  std::vector<std::string> dates;        // ISO 8601 dates → days before the reference date
  MissingValues missing = MissingValues::defaults();  // cells read as missing: blanks and these spellings
  int max_levels = 50;  // categorical levels kept (most frequent), the rest become "other"
  char delimiter = ',';
  int threads = 0;
};

struct ColumnSchema {
  std::string name;
  int position = 0;  // 0-based field index in the input
  ColumnRole role = ColumnRole::ignore;
  bool audit_categorical = false;
  int64_t missing = 0;       // missing cells: blank or a missing-value spelling
  int64_t distinct = 0;      // distinct non-empty values (capped at kDistinctCap)
  bool all_numeric = false;  // every non-missing cell parses as a finite number
  std::string why;           // how the role was decided, for `kseg schema`
};

constexpr int64_t kDistinctCap = 100000;

// A column left to inference whose filled cells are at least this share numbers (or ISO dates), but not all, is a
// numeric (date) column with bad cells: schema_infer stops naming them instead of reading it as categorical.
constexpr int64_t kAlmostAllPercent = 90;

// The rows one process reads: all of them, or one MPI rank's slice (global row order = rank order).
struct RowSlice {
  bool partial = false;   // true: this process reads only the slice below (one MPI rank); false: every row
  int64_t first_row = 0;  // global index of the slice's first row
  int64_t n_rows = 0;     // rows in the slice
  size_t byte_begin = 0;  // CSV: the slice's records start in [byte_begin, byte_end)
  size_t byte_end = 0;
  int64_t line = 0;  // CSV: physical line of byte_begin
};

struct TableSchema {
  std::string path;
  bool npy = false;
  bool parquet = false;               // a Parquet file or directory (host/parquet)
  int64_t n_rows = 0;                 // all rows, over every process
  RowSlice slice;                     // the rows this process reads
  std::string id_column;              // "" → rows are numbered
  std::vector<ColumnSchema> columns;  // every input column, in input order
  MissingValues missing;              // cells read as missing (fit: the options'; assign: the model's)
};

// Reads the file once (CSV) or its header (.npy) and decides roles. UsageError for overrides that name unknown
// columns or contradict each other; DataError for a near-unique text column (suggesting --ignore), and at the first
// bad cells of a column that is almost all numbers or dates (kAlmostAllPercent).
// Across processes (comm) each rank scans only its slice (csv_range_split / a row range of the .npy) and the
// column facts are combined (sums, ANDs, the union of the capped distinct sets in rank order), so every rank
// decides the roles a single process would.
TableSchema schema_infer(const std::string& path, const SchemaOptions& options,
                         const Communicator& comm = single_process());

// Reads the columns the schema keeps (second pass) for the schema's slice of rows. DataError at file:line:column for
// cells that do not fit their role (a non-number in a forced numeric column, a bad date, a negative weight).
// Across processes the categorical level lists are unified in rank order (= first-seen order over the whole file)
// and every rank's codes refer to them; table.first_row is the slice's global offset.
Table table_load(const TableSchema& schema, const SchemaOptions& options, const Communicator& comm = single_process());
// DataError when the table has a weight column whose weights (over every process) sum to 0.
void table_weights_check(const Table& table, const std::string& path, const Communicator& comm);

// A table of roles, missing counts and distinct levels, for `kseg schema` / `fit --dry-run`.
void schema_print(const TableSchema& schema, std::ostream& out);

// Days since 1970-01-01 of an ISO 8601 date (YYYY-MM-DD, optionally followed by T or a space and a time).
bool iso_date_parse(std::string_view text, float& days);

}  // namespace kseg
