// Turns CSV record batches into typed table columns, following a schema. Used whole-file by table_load and batch by
// batch by assign, so both read cells exactly the same way.
#pragma once

#include <string>
#include <vector>

#include "host/data/schema.hpp"
#include "host/data/table.hpp"
#include "host/io/csv_record_batch.hpp"

namespace kseg {

class TableBatchReader {
 public:
  // header: the CSV's column names; the schema's positions refer to it.
  TableBatchReader(const TableSchema& schema, std::vector<std::string> header);

  // A table with the kept columns and no rows.
  Table table_empty() const;
  // Appends the batch's rows to table (made by table_empty). DataError at file:line:column for a cell that does
  // not fit its role; the first such cell in row order is reported, whatever the thread count.
  void append(const CsvRecordBatch& batch, int threads, Table& table) const;

 private:
  const TableSchema& schema_;
  std::vector<std::string> header_;
  std::vector<const ColumnSchema*> kept_;  // parallel to the table's columns
  int id_position_ = -1;
};

}  // namespace kseg
