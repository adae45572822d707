#include "host/parquet/arrow_batches.hpp"

#include <omp.h>

#include <algorithm>
#include <limits>

#include "host/error.hpp"
#include "host/parquet/arrow_cells.hpp"

namespace kseg {
namespace {

bool listed(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool column_projected(const std::string& name, const SchemaOptions& o) {
  if (listed(o.ignore, name)) return false;
  if (o.columns.empty() || name == o.id_column || name == o.weight_column || column_name_id_like(name)) return true;
  for (const auto* list : {&o.columns, &o.categorical, &o.numeric, &o.audit, &o.dates})
    if (listed(*list, name)) return true;
  return false;
}

const arrow::Array& column_named(const arrow::RecordBatch& batch, const std::string& name) {
  const std::shared_ptr<arrow::Array> array = batch.GetColumnByName(name);
  KSEG_EXPECTS(array != nullptr, DataError, "the input has no column named \"" + name + "\" in every batch");
  return *array;
}

}  // namespace

std::vector<std::string> columns_projected(const std::vector<std::string>& header, const SchemaOptions& options) {
  std::vector<std::string> names;
  for (const std::string& name : header)
    if (column_projected(name, options)) names.push_back(name);
  return names;
}

void field_type_check(const std::string& name, const arrow::DataType& type, const std::string& where) {
  KSEG_EXPECTS(cell_kind(type) != CellKind::unsupported, DataError,
               where + ": column \"" + name + "\" has type " + type.ToString() +
                   ", which kseg cannot read; add --ignore " + name);
}

BatchFacts::BatchFacts(const std::vector<std::string>& header, std::vector<std::string> names,
                       const MissingValues& missing)
    : names_(std::move(names)), missing_(missing), stats_(header.size()) {
  for (const std::string& name : names_)
    at_.push_back(static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin()));
}

void BatchFacts::add(const arrow::RecordBatch& batch, int64_t first_row) {
  const int n = static_cast<int>(names_.size());
  std::vector<const arrow::Array*> arrays;
  for (const std::string& name : names_) arrays.push_back(&column_named(batch, name));
#pragma omp parallel for schedule(dynamic, 1)
  for (int c = 0; c < n; ++c)
    cells_facts_add(*arrays[c], cell_kind(*arrays[c]->type()), missing_, first_row, stats_[at_[c]]);
}

BatchConverter::BatchConverter(const TableSchema& schema) : schema_(schema) {
  if (!schema.id_column.empty()) names_.push_back(schema.id_column);
  for (const ColumnSchema& c : schema.columns)
    if (c.role != ColumnRole::id && c.role != ColumnRole::ignore) {
      kept_.push_back(&c);
      names_.push_back(c.name);
    }
}

Table BatchConverter::table_empty() const {
  Table table;
  table.path = schema_.path;
  table.id_column = schema_.id_column;
  table.missing = schema_.missing;
  for (const ColumnSchema* c : kept_) {
    TableColumn column{c->name, c->role};
    column.audit_categorical = c->audit_categorical;
    table.columns.push_back(std::move(column));
  }
  if (schema_.id_column.empty()) table.ids = IdColumn::row_numbers(0);
  return table;
}

void BatchConverter::append(const arrow::RecordBatch& batch, const std::string& where, int64_t row_in_where,
                            Table& table) const {
  const int n_columns = static_cast<int>(kept_.size());
  std::vector<const arrow::Array*> arrays;
  for (const ColumnSchema* c : kept_) arrays.push_back(&column_named(batch, c->name));
  std::vector<CellProblem> problems(kept_.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (int c = 0; c < n_columns; ++c)
    problems[c] = cells_append(*arrays[c], cell_kind(*arrays[c]->type()), schema_.missing, table.columns[c]);
  const CellProblem* first = nullptr;
  for (const CellProblem& p : problems)  // columns in input order: ties in row go to the leftmost column
    if (p.row != std::numeric_limits<int64_t>::max() && (!first || p.row < first->row)) first = &p;
  if (first) throw DataError(where + ": row " + std::to_string(row_in_where + first->row + 1) + ": " + first->message);
  if (!schema_.id_column.empty()) {
    const arrow::Array& ids = column_named(batch, schema_.id_column);
    ids_append(ids, cell_kind(*ids.type()), table.ids);
  } else {
    table.ids = IdColumn::row_numbers(table.n_rows + batch.num_rows());
  }
  table.n_rows += batch.num_rows();
}

}  // namespace kseg
