#include "host/data/table_read_once.hpp"

#include <omp.h>

#include <algorithm>

#include "host/data/column_read_once.hpp"
#include "host/data/schema_facts.hpp"
#include "host/data/table_batch.hpp"
#include "host/error.hpp"
#include "host/io/csv_reader.hpp"
#include "host/io/input_format.hpp"
#include "host/parquet/parquet_input.hpp"

namespace kseg {
namespace {

bool listed(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The form a column's values start in, from the options alone; the checks follow role_decide's order
// (host/data/schema.cpp), so that a forced role here is the role the schema gives.
ColumnReadPlan plan_make(const std::string& name, const SchemaOptions& o, const std::string& id_named) {
  ColumnReadPlan plan;
  const auto forced = [&](ColumnRole role, CellTrack track) {
    plan.forced = true;
    plan.role = role;
    plan.track = track;
    return plan;
  };
  if (name == id_named) {
    plan.track = CellTrack::none;
    plan.ids = true;
    return plan;
  }
  if (name == o.weight_column) return forced(ColumnRole::weight, CellTrack::numeric);
  if (listed(o.ignore, name)) {
    plan.track = CellTrack::none;
    return plan;
  }
  if (listed(o.audit, name)) {  // numbers, or else text (never dates), with every level kept
    plan.dates_possible = false;
    plan.text_capped = false;
    return plan;
  }
  if (listed(o.dates, name)) return forced(ColumnRole::date, CellTrack::date);
  if (listed(o.numeric, name)) return forced(ColumnRole::numeric, CellTrack::numeric);
  if (listed(o.categorical, name)) return forced(ColumnRole::categorical, CellTrack::categorical);
  if (!o.columns.empty() && !listed(o.columns, name)) plan.track = CellTrack::none;
  return plan;
}

// The fallback: the columns whose kept values do not match their role (reread's other columns are ignored) read in
// a second pass; first: the first bad cell of the one-pass columns, which an earlier bad cell here replaces.
void columns_reread(CsvReader& reader, const TableSchema& reread, const std::vector<size_t>& slots, bool ids,
                    size_t batch_bytes, int threads, TableCellError& first, Table& table) {
  const TableBatchReader batches(reread, reader.header());
  Table again = batches.table_empty();
  reader.batches_for_each(batch_bytes, threads, [&](const CsvRecordBatch& batch) {
    TableCellError error = batches.append_checked(batch, threads, again);
    if (!error.found()) return;
    if (error.before(first)) first = std::move(error);
    throw DataError(first.message);
  });
  for (size_t i = 0; i < slots.size(); ++i) table.columns[slots[i]] = std::move(again.columns[i]);
  if (ids) table.ids = std::move(again.ids);
}

// The table from the columns' kept values, once the schema has decided the roles.
Table table_assemble(const TableSchema& schema, std::vector<ColumnReadOnce>& columns, CsvReader& reader,
                     size_t batch_bytes, int threads) {
  Table table;
  table.path = schema.path;
  table.id_column = schema.id_column;
  table.missing = schema.missing;
  table.n_rows = schema.n_rows;
  table.ids = IdColumn::row_numbers(schema.n_rows);
  TableSchema reread = schema;  // the columns to read again; the others are set to ignore
  std::vector<size_t> slots;    // their places in table.columns
  bool ids_reread = false;
  TableCellError first;
  for (const ColumnSchema& c : schema.columns) {
    ColumnReadOnce& read = columns[static_cast<size_t>(c.position)];
    ColumnRole& again = reread.columns[static_cast<size_t>(c.position)].role;
    if (c.role == ColumnRole::id) {
      ids_reread = !read.ids_kept();  // a unique text column found to be the id
      if (!ids_reread) {
        table.ids = std::move(read.ids());
        again = ColumnRole::ignore;
      }
      continue;
    }
    if (c.role == ColumnRole::ignore) continue;
    if (read.holds(c.role, c.audit_categorical)) {
      if (read.error().before(first)) first = read.error();
      table.columns.push_back(read.column_take());
      again = ColumnRole::ignore;
    } else {
      table.columns.emplace_back();
      slots.push_back(table.columns.size() - 1);
    }
    TableColumn& column = table.columns.back();
    column.name = c.name;
    column.role = c.role;
    column.audit_categorical = c.audit_categorical;
  }
  if (!slots.empty() || ids_reread)
    columns_reread(reader, reread, slots, ids_reread, batch_bytes, threads, first, table);
  if (first.found()) throw DataError(first.message);
  return table;
}

}  // namespace

bool table_read_once_applies(const std::string& path, const Communicator& comm) {
  return comm.size() == 1 && !parquet_input_is(path) && input_format_detect(path) != InputFormat::npy;
}

SchemaTable table_read_once(const std::string& path, const SchemaOptions& o, size_t batch_bytes) {
  CsvReader reader(path, CsvOptions{o.delimiter});
  const std::vector<std::string>& header = reader.header();
  schema_overrides_check(header, o, path);
  const std::string id_named = schema_id_column_named(header, o);
  std::vector<ColumnReadOnce> columns;
  columns.reserve(header.size());
  for (size_t i = 0; i < header.size(); ++i)
    columns.emplace_back(header[i], static_cast<int>(i), plan_make(header[i], o, id_named));
  const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  int64_t n_rows = 0;
  reader.batches_for_each(batch_bytes, threads, [&](const CsvRecordBatch& batch) {
    const int n_columns = static_cast<int>(columns.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int c = 0; c < n_columns; ++c) columns[static_cast<size_t>(c)].batch_read(batch, o.missing, path);
    n_rows += batch.n_records;
  });
  SchemaTable out;
  out.schema.path = path;
  out.schema.missing = o.missing;
  out.schema.n_rows = out.schema.slice.n_rows = n_rows;
  KSEG_EXPECTS(n_rows > 0, DataError, path + ": the file has a header but no data rows");
  {
    std::vector<CellStats> stats;  // freed before the table is assembled (a distinct table per column)
    stats.reserve(columns.size());
    for (ColumnReadOnce& c : columns) stats.push_back(std::move(c.stats()));
    schema_roles_decide(out.schema, header, stats, o, CellPlace::line);
  }
  out.table = table_assemble(out.schema, columns, reader, batch_bytes, threads);
  table_weights_check(out.table, path, single_process());
  return out;
}

}  // namespace kseg
