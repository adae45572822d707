// A CSV read once: the schema's facts and the typed columns from the same tokenised batches, where schema_infer and
// table_load read the file twice (and decompress a .csv.gz twice).
#pragma once

#include <cstddef>
#include <string>

#include "host/comm/communicator.hpp"
#include "host/data/schema.hpp"
#include "host/data/table.hpp"

namespace kseg {

struct SchemaTable {
  TableSchema schema;
  Table table;
};

// Whether table_read_once reads path: a CSV (plain, gzip or Zstandard) read by one process. Parquet and .npy inputs
// and MPI runs keep schema_infer + table_load.
bool table_read_once_applies(const std::string& path, const Communicator& comm);

// The schema and the table that schema_infer and table_load give, with the same errors in the same order, from one
// pass. Each batch's cells are classified once: the facts go to the schema statistics and each column keeps its
// values as the role the cells so far suggest (numbers, dates, or codes of first-seen levels), so that nearly every
// column holds its table values when the roles are decided at the end. A column whose role the whole file decides
// otherwise (numbers for many batches, then text) is re-read alone, in a second pass over those columns only.
// Errors: those of schema_infer first (they need the whole file), then the first bad cell in row order, as
// table_load reports it. batch_bytes: input per batch (tests make it small, to cut a file into many batches).
SchemaTable table_read_once(const std::string& path, const SchemaOptions& options, size_t batch_bytes = 16u << 20);

}  // namespace kseg
