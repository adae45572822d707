#include "host/data/table.hpp"

namespace kseg {

std::string column_role_name(ColumnRole role) {
  switch (role) {
    case ColumnRole::id:
      return "id";
    case ColumnRole::numeric:
      return "numeric";
    case ColumnRole::categorical:
      return "categorical";
    case ColumnRole::date:
      return "date";
    case ColumnRole::weight:
      return "weight";
    case ColumnRole::audit:
      return "audit";
    case ColumnRole::ignore:
      return "ignore";
  }
  return "?";
}

void TableColumn::level_append(std::string_view text) {
  auto it = level_index.find(std::string(text));
  if (it == level_index.end()) {
    it = level_index.emplace(std::string(text), static_cast<int32_t>(levels.size())).first;
    levels.emplace_back(text);
  }
  codes.push_back(it->second);
}

const TableColumn* Table::column_find(const std::string& name) const {
  for (const TableColumn& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

std::unordered_map<std::string_view, const TableColumn*> columns_by_name(const Table& table) {
  std::unordered_map<std::string_view, const TableColumn*> by_name;
  by_name.reserve(table.columns.size());
  for (const TableColumn& c : table.columns) by_name.emplace(c.name, &c);
  return by_name;
}

const TableColumn* Table::weight_column() const {
  for (const TableColumn& c : columns)
    if (c.role == ColumnRole::weight) return &c;
  return nullptr;
}

}  // namespace kseg
