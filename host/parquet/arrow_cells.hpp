// The cells of one Arrow array read the way the CSV path reads text cells: the same roles, missing values and errors,
// so a Parquet file (or an Arrow stream) and a CSV of the same table give the same typed columns. Nulls are missing;
// text cells follow the schema's missing-value spellings and number and date rules exactly as CSV cells do. Part of
// the Arrow code (includes Arrow).
#pragma once

#include <arrow/api.h>

#include <cstdint>
#include <limits>
#include <string>

#include "host/data/id_column.hpp"
#include "host/data/missing_values.hpp"
#include "host/data/schema_facts.hpp"
#include "host/data/table.hpp"

namespace kseg {

// What a column's Arrow type holds, as kseg reads it. Dictionary columns take the kind of their values; bool is
// text ("true"/"false"), as in a CSV.
enum class CellKind { number, text, date, unsupported };

CellKind cell_kind(const arrow::DataType& type);

// A cell that does not fit its column's role: its row in the array (max when none) and what is wrong.
struct CellProblem {
  int64_t row = std::numeric_limits<int64_t>::max();
  std::string message;
};

// Adds the facts of the array's cells to stats: nulls and NaN are missing; text cells are missing, numbers, dates
// or other text by the CSV rules (missing: the spellings); numbers that are not finite count as such. first_row: the
// input's row index of the array's first cell (bad cells are named by their 1-based row).
void cells_facts_add(const arrow::Array& array, CellKind kind, const MissingValues& missing, int64_t first_row,
                     CellStats& stats);

// The array's numbers (kind number) or days since 1970-01-01 (kind date: the UTC date of a timestamp) as floats into
// out[0, length), NaN for nulls; a dictionary array through its entries' values. Bulk: one type switch per array.
void floats_fill(const arrow::Array& array, CellKind kind, float* out);

// Appends the array's cells to column, following the column's role (arrow_columns.cpp). Returns the first cell that
// does not fit.
CellProblem cells_append(const arrow::Array& array, CellKind kind, const MissingValues& missing, TableColumn& column);

// Appends the array's cells as ids: text as is (quoted when CSV needs it), numbers in decimal, dates as day numbers,
// nulls empty.
void ids_append(const arrow::Array& array, CellKind kind, IdColumn& ids);

}  // namespace kseg
