// Arrow record batches read as kseg tables: the schema facts of their columns and their conversion into typed table
// columns, shared by the Parquet reader (parquet_read.cpp) and the in-memory Arrow stream (arrow_stream.cpp), so both
// read every cell alike. Part of the Arrow code (includes Arrow).
#pragma once

#include <arrow/api.h>

#include <cstdint>
#include <string>
#include <vector>

#include "host/data/schema.hpp"
#include "host/data/schema_facts.hpp"
#include "host/data/table.hpp"

namespace kseg {

// The columns of header that schema inference reads: those that can get a role other than "ignore" (column
// projection: an --ignore'd column, or one outside --columns, is never decoded).
std::vector<std::string> columns_projected(const std::vector<std::string>& header, const SchemaOptions& options);

// DataError naming the column and its type when kseg cannot read it (nested, binary, ...); where: the file or stream.
void field_type_check(const std::string& name, const arrow::DataType& type, const std::string& where);

// The facts of the projected columns, batch by batch; stats() is parallel to the header.
class BatchFacts {
 public:
  BatchFacts(const std::vector<std::string>& header, std::vector<std::string> names, const MissingValues& missing);
  const std::vector<std::string>& names() const { return names_; }
  // Adds a batch holding (at least) the projected columns; first_row: the global index of its first row.
  void add(const arrow::RecordBatch& batch, int64_t first_row);
  std::vector<CellStats>& stats() { return stats_; }

 private:
  std::vector<std::string> names_;  // projected columns
  std::vector<size_t> at_;          // their index in the header
  const MissingValues& missing_;
  std::vector<CellStats> stats_;
};

// The kept columns of a schema (the id first when there is one) and their conversion from batches.
class BatchConverter {
 public:
  explicit BatchConverter(const TableSchema& schema);
  // The columns read: the id, then the kept ones.
  const std::vector<std::string>& names() const { return names_; }
  // A table with the kept columns and no rows (ids numbered from 0 when there is no id column).
  Table table_empty() const;
  // Appends the batch's rows. DataError "where: row N: column ...: problem" for the first cell (in row order, then
  // column order) that does not fit its role; row_in_where: the batch's first row within where (0-based).
  void append(const arrow::RecordBatch& batch, const std::string& where, int64_t row_in_where, Table& table) const;

 private:
  const TableSchema& schema_;
  std::vector<const ColumnSchema*> kept_;
  std::vector<std::string> names_;
};

}  // namespace kseg
