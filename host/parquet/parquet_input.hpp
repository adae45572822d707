// Parquet input: a file, or a directory of part files as Spark and warehouses export them, read into the same typed
// table columns as a CSV. This header needs no Arrow: the reading itself lives in the kseg_parquet library (Arrow C++),
// or, in a build without Parquet, in stubs that say how to get support.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "host/comm/communicator.hpp"
#include "host/data/schema.hpp"
#include "host/data/table.hpp"

namespace kseg {

// True for a Parquet input: a file that starts with the magic "PAR1" or is named *.parquet, or a directory (read as
// its *.parquet parts). Needs no Arrow, so a build without Parquet still recognises the file.
bool parquet_input_is(const std::string& path);

// The files of a Parquet input in reading order: the file itself, or a directory's *.parquet files in sorted name
// order (_SUCCESS, _metadata, dot files and other names skipped). DataError when a directory holds none.
std::vector<std::string> parquet_parts_list(const std::string& path);

// Whether this kseg was built with Parquet support (KSEG_PARQUET).
bool parquet_support_built();

// The input's column names, in file order (the first part's schema).
std::vector<std::string> parquet_column_names(const std::string& path);

// Reads the columns the roles need (not --ignore'd, not outside --columns) and decides roles as for a CSV: Parquet
// integer/floating columns → numeric, strings/dictionary/bool → categorical (or the id), date/timestamp → date.
// Across processes each rank scans its share of the row groups and the facts are combined. UsageError for bad
// overrides; DataError for nested or unsupported types (naming the column and type) and unreadable files.
TableSchema parquet_schema_infer(const std::string& path, const SchemaOptions& options, const Communicator& comm);

// The schema's kept columns for this process's row groups (all of them in one process), appended batch by batch.
Table parquet_table_load(const TableSchema& schema, const Communicator& comm);

// Streams the schema's kept columns (schema.parquet) one record batch at a time in file order: fn(table, first_row)
// with the table's rows and the global index of its first row. Across processes: this rank's share of the row
// groups only, in order. Memory: one batch of rows, not the file.
void parquet_batches_for_each(const TableSchema& schema, const Communicator& comm,
                              const std::function<void(const Table&, int64_t)>& fn);

// The segment column of a segments.parquet (fit --out-format parquet), all rows in file order, for profile
// --segments. DataError when the file has no integer column named "segment" or a segment is null.
std::vector<int64_t> parquet_segments_read(const std::string& path);

}  // namespace kseg
