#include "host/data/table_batch.hpp"

#include <cmath>
#include <limits>

#include "host/error.hpp"
#include "host/io/csv_reader.hpp"
#include "host/io/text_encoding.hpp"

namespace kseg {

std::string weight_missing_problem(std::string_view text) {
  return text.find_first_not_of(" \t") == std::string_view::npos
             ? "empty weight; give every row a weight >= 0"
             : "weight " + text_quote(text) + " is a missing-value spelling; give every row a weight >= 0";
}

std::string number_problem(std::string_view text, ColumnRole role, const std::string& name) {
  return csv_number_problem(text) + (role == ColumnRole::numeric ? " (use --categorical " + name + " for text)" : "");
}

std::string date_problem(std::string_view text) { return text_quote(text) + " is not an ISO 8601 date (YYYY-MM-DD)"; }

std::string negative_weight_problem() { return "negative weight; weights must be >= 0"; }

std::string table_cell_message(const CsvRecordBatch& batch, int64_t r, const ColumnSchema& schema,
                               const std::string& path, const std::string& what) {
  return location_format(path, batch.field_line(r, schema.position), schema.position + 1,
                         "column \"" + schema.name + "\": " + what);
}

namespace {

// Reads one column's cells of the batch; returns the first bad cell (row max when none).
TableCellError column_append(const CsvRecordBatch& batch, const ColumnSchema& schema, const MissingValues& missing,
                             const std::string& path, TableColumn& column) {
  const bool categorical = column.is_categorical();
  for (int64_t r = 0; r < batch.n_records; ++r) {
    const std::string_view text = batch.field(r, schema.position);
    auto fail = [&](const std::string& what) {
      return TableCellError{batch.first_record + r, schema.position, table_cell_message(batch, r, schema, path, what)};
    };
    if (missing.missing(text)) {
      if (column.role == ColumnRole::weight) return fail(weight_missing_problem(text));
      ++column.missing;
      if (categorical) {
        column.codes.push_back(-1);
      } else {
        column.values.push_back(std::numeric_limits<float>::quiet_NaN());
      }
      continue;
    }
    if (categorical) {
      // A new level is checked once: levels end up in model.json and profiles.json (UTF-8, no control bytes).
      const size_t levels = column.levels.size();
      column.level_append(text);
      if (column.levels.size() == levels) continue;
      const std::string problem = name_text_problem(text, path);
      if (!problem.empty()) return fail(problem);
      continue;
    }
    float v = 0.0f;
    if (column.role == ColumnRole::date) {
      if (!iso_date_parse(text, v)) return fail(date_problem(text));
    } else if (!csv_float_try_parse(text, v)) {
      return fail(number_problem(text, column.role, schema.name));
    }
    if (column.role == ColumnRole::weight && v < 0.0f) return fail(negative_weight_problem());
    column.values.push_back(v);
  }
  return {};
}

}  // namespace

TableBatchReader::TableBatchReader(const TableSchema& schema, std::vector<std::string> header)
    : schema_(schema), header_(std::move(header)) {
  for (const ColumnSchema& c : schema_.columns) {
    if (c.role == ColumnRole::id) id_position_ = c.position;
    if (c.role != ColumnRole::id && c.role != ColumnRole::ignore) kept_.push_back(&c);
  }
}

Table TableBatchReader::table_empty() const {
  Table table;
  table.path = schema_.path;
  table.id_column = schema_.id_column;
  table.missing = schema_.missing;
  for (const ColumnSchema* c : kept_) {
    TableColumn column;
    column.name = c->name;
    column.role = c->role;
    column.audit_categorical = c->audit_categorical;
    table.columns.push_back(std::move(column));
  }
  if (id_position_ < 0) table.ids = IdColumn::row_numbers(0);
  return table;
}

void TableBatchReader::append(const CsvRecordBatch& batch, int threads, Table& table) const {
  const TableCellError first = append_checked(batch, threads, table);
  if (first.found()) throw DataError(first.message);
}

TableCellError TableBatchReader::append_checked(const CsvRecordBatch& batch, int threads, Table& table) const {
  const int n_columns = static_cast<int>(kept_.size());
  std::vector<TableCellError> errors(kept_.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int c = 0; c < n_columns; ++c)
    errors[c] = column_append(batch, *kept_[c], schema_.missing, schema_.path, table.columns[c]);
  TableCellError first;
  for (TableCellError& e : errors)  // columns are in input order: ties in row go to the leftmost column
    if (e.record < first.record) first = std::move(e);
  if (first.found()) return first;
  if (id_position_ >= 0) {
    for (int64_t r = 0; r < batch.n_records; ++r) table.ids.append(batch.field_raw(r, id_position_));
  } else {
    table.ids = IdColumn::row_numbers(table.n_rows + batch.n_records);
  }
  table.n_rows += batch.n_records;
  return first;
}

}  // namespace kseg
