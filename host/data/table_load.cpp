// Second pass: reads the kept columns of a CSV into typed columns (or a .npy into numeric columns).
#include <omp.h>

#include <cmath>
#include <limits>

#include "host/comm/byte_pack.hpp"
#include "host/data/schema.hpp"
#include "host/data/table_batch.hpp"
#include "host/error.hpp"
#include "host/io/csv_reader.hpp"
#include "host/io/npy_reader.hpp"
#include "host/parquet/parquet_input.hpp"

namespace kseg {
namespace {

// Input per batch: its field spans (8 bytes per field, ~70 MB for 64 MB of a 20-column CSV) are transient memory on
// top of a table that is nearly complete at the last batch; 16 MB keeps them small and parses as fast.
constexpr size_t kBatchBytes = 16u << 20;

Table npy_table_load(const TableSchema& schema) {
  NpyReader reader(schema.path);
  Table table;
  table.path = schema.path;
  table.missing = schema.missing;
  const bool slice = schema.slice.partial;
  const int64_t row0 = slice ? schema.slice.first_row : 0;
  table.n_rows = slice ? schema.slice.n_rows : reader.n_rows();
  table.first_row = row0;
  table.ids = IdColumn::row_numbers(table.n_rows);
  const int64_t d = reader.n_cols();
  std::vector<float> rows(static_cast<size_t>(std::min<int64_t>(table.n_rows, 65536) * d));
  for (const ColumnSchema& c : schema.columns)
    if (c.role != ColumnRole::ignore) table.columns.push_back(TableColumn{c.name, ColumnRole::numeric});
  for (TableColumn& column : table.columns) column.values.reserve(static_cast<size_t>(table.n_rows));
  for (int64_t first = 0; first < table.n_rows; first += 65536) {
    const int64_t n = std::min<int64_t>(65536, table.n_rows - first);
    reader.rows_read(row0 + first, n, rows.data());
    size_t kept = 0;
    for (const ColumnSchema& c : schema.columns) {
      if (c.role == ColumnRole::ignore) continue;
      for (int64_t i = 0; i < n; ++i) table.columns[kept].values.push_back(rows[i * d + c.position]);
      ++kept;
    }
  }
  return table;
}

// Across ranks: every categorical column's levels become the union of the ranks' lists in rank order, which is the
// first-seen order over the whole file, and the local codes are renumbered into it.
void levels_unify(Table& table, const Communicator& comm) {
  for (TableColumn& column : table.columns) {
    if (!column.is_categorical()) continue;
    BytePacker mine;
    for (const std::string& level : column.levels) mine.put_string(level);
    std::vector<std::string> levels;
    std::unordered_map<std::string, int32_t> index;
    for (const std::string& blob : comm.allgather_bytes(mine.take()))
      for (ByteUnpacker in(blob); !in.done();) {
        std::string level(in.get_string());
        if (index.emplace(level, static_cast<int32_t>(levels.size())).second) levels.push_back(std::move(level));
      }
    std::vector<int32_t> recode(column.levels.size());
    for (size_t l = 0; l < column.levels.size(); ++l) recode[l] = index.at(column.levels[l]);
    for (int32_t& code : column.codes)
      if (code >= 0) code = recode[code];
    column.levels = std::move(levels);
    column.level_index = std::move(index);
  }
}

}  // namespace

bool iso_date_parse(std::string_view text, float& days) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return false;
  if (text.size() > 10 && text[10] != 'T' && text[10] != ' ') return false;
  int parts[3] = {0, 0, 0};
  const int starts[3] = {0, 5, 8}, lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p)
    for (int i = 0; i < lengths[p]; ++i) {
      const char ch = text[static_cast<size_t>(starts[p] + i)];
      if (ch < '0' || ch > '9') return false;
      parts[p] = parts[p] * 10 + (ch - '0');
    }
  const int y0 = parts[0], m = parts[1], d = parts[2];
  static const int month_days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > month_days[m - 1]) return false;
  const bool leap = (y0 % 4 == 0 && y0 % 100 != 0) || y0 % 400 == 0;
  if (m == 2 && d == 29 && !leap) return false;
  // Days from civil (proleptic Gregorian), after H. Hinnant's algorithm.
  const int y = y0 - (m <= 2);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  days = static_cast<float>(era * 146097 + doe - 719468);
  return true;
}

namespace {

Table csv_table_load(const TableSchema& schema, const SchemaOptions& options) {
  CsvReader reader(schema.path, CsvOptions{options.delimiter});
  TableBatchReader batches(schema, reader.header());
  Table table = batches.table_empty();
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
  const auto append = [&](const CsvRecordBatch& batch) { batches.append(batch, threads, table); };
  if (schema.slice.partial) {
    reader.range_for_each(schema.slice.byte_begin, schema.slice.byte_end, schema.slice.line, 0, kBatchBytes, threads,
                          append);
    table.first_row = schema.slice.first_row;
  } else {
    reader.batches_for_each(kBatchBytes, threads, append);
  }
  return table;
}

}  // namespace

Table table_load(const TableSchema& schema, const SchemaOptions& options, const Communicator& comm) {
  if (schema.npy) return npy_table_load(schema);
  Table table = schema.parquet ? parquet_table_load(schema, comm) : csv_table_load(schema, options);
  if (comm.size() > 1) levels_unify(table, comm);
  table_weights_check(table, schema.path, comm);
  return table;
}

void table_weights_check(const Table& table, const std::string& path, const Communicator& comm) {
  const TableColumn* w = table.weight_column();
  if (!w) return;
  double total = 0.0;
  for (float v : w->values) total += v;
  comm.sum_all(&total, 1);
  KSEG_EXPECTS(total > 0.0, DataError,
               path + ": column \"" + w->name + "\": the weights sum to 0; at least one row needs a positive weight");
}

}  // namespace kseg
