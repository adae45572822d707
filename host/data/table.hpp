// User profiles as typed columns: numeric values (NaN = missing), categorical codes into a level list, dates as
// day numbers. Built by the CSV and .npy loaders, read by the feature pipeline and the profiles.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "host/data/id_column.hpp"
#include "host/data/missing_values.hpp"

namespace kseg {

enum class ColumnRole { id, numeric, categorical, date, weight, audit, ignore };

std::string column_role_name(ColumnRole role);

// One column of the input that kseg reads (ignored columns have no TableColumn).
struct TableColumn {
  TableColumn() = default;
  TableColumn(std::string column_name, ColumnRole column_role) : name(std::move(column_name)), role(column_role) {}

  std::string name;
  ColumnRole role = ColumnRole::numeric;
  bool audit_categorical = false;   // for role audit: read as categorical (else numeric)
  std::vector<float> values;        // numeric, weight, date (days since 1970-01-01), numeric audit; NaN = missing
  std::vector<int32_t> codes;       // categorical (and categorical audit): index into levels, −1 = missing
  std::vector<std::string> levels;  // distinct texts in first-seen order
  int64_t missing = 0;              // missing cells: blank or a missing-value spelling

  bool is_categorical() const {
    return role == ColumnRole::categorical || (role == ColumnRole::audit && audit_categorical);
  }
  // Interns text and appends its code.
  void level_append(std::string_view text);

  std::unordered_map<std::string, int32_t> level_index;  // text → code, for level_append
};

struct Table {
  std::string path;
  std::string id_column;  // "" when ids are row numbers
  IdColumn ids;
  std::vector<TableColumn> columns;  // in input order, ignored and id columns excluded
  int64_t n_rows = 0;
  int64_t first_row = 0;  // global index of row 0 (an MPI rank's slice); 0 for a whole file
  MissingValues missing;  // the cell texts that were read as missing (kept in the model, so assign reads alike)

  const TableColumn* column_find(const std::string& name) const;  // a scan of the columns: see columns_by_name
  const TableColumn* weight_column() const;                       // nullptr when unweighted
};

// Name → column for every column of table (the first of a repeated name, as column_find finds): code that looks up
// every feature by name builds this once, where column_find per name is quadratic in the columns (a table of
// 100,000 columns spent minutes in name comparisons). The views point into the table's names.
std::unordered_map<std::string_view, const TableColumn*> columns_by_name(const Table& table);

}  // namespace kseg
