// Turns CSV record batches into typed table columns, following a schema. Used whole-file by table_load and batch by
// batch by assign, so both read cells exactly the same way.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "host/data/schema.hpp"
#include "host/data/table.hpp"
#include "host/io/csv_record_batch.hpp"

namespace kseg {

// A cell that does not fit its column's role: where it is and the one-line message naming it.
struct TableCellError {
  int64_t record = INT64_MAX;  // index among all data records (INT64_MAX: no error)
  int position = 0;            // its column's field index
  std::string message;         // file:line:column: column "name": what

  bool found() const { return record != INT64_MAX; }
  // Row order first, then the leftmost column: the cell a reader going row by row meets first.
  bool before(const TableCellError& other) const {
    return record < other.record || (record == other.record && position < other.position);
  }
};

// Why a cell does not fit its role, the same words for every reader of CSV cells (TableBatchReader, the one-pass
// reader): a missing weight, a non-number in a numeric or weight column, a bad date, a negative weight. A new
// categorical level is checked with name_text_problem (host/io/text_encoding.hpp).
std::string weight_missing_problem(std::string_view text);
std::string number_problem(std::string_view text, ColumnRole role, const std::string& name);
std::string date_problem(std::string_view text);
std::string negative_weight_problem();
// "path:line:column: column \"name\": what" for record r's cell of the column.
std::string table_cell_message(const CsvRecordBatch& batch, int64_t r, const ColumnSchema& schema,
                               const std::string& path, const std::string& what);

class TableBatchReader {
 public:
  // header: the CSV's column names; the schema's positions refer to it.
  TableBatchReader(const TableSchema& schema, std::vector<std::string> header);

  // A table with the kept columns and no rows.
  Table table_empty() const;
  // Appends the batch's rows to table (made by table_empty). DataError at file:line:column for a cell that does
  // not fit its role; the first such cell in row order is reported, whatever the thread count.
  void append(const CsvRecordBatch& batch, int threads, Table& table) const;
  // The same, returning the first bad cell (record counted from batch.first_record) instead of throwing; the batch's
  // rows are then only partly appended.
  TableCellError append_checked(const CsvRecordBatch& batch, int threads, Table& table) const;

 private:
  const TableSchema& schema_;
  std::vector<std::string> header_;
  std::vector<const ColumnSchema*> kept_;  // parallel to the table's columns
  int id_position_ = -1;
};

}  // namespace kseg
