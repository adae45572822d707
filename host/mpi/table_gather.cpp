#include "host/mpi/table_gather.hpp"

#include <cstring>

#include "host/error.hpp"

namespace kseg {
namespace {

template <class T>
void put(std::string& out, const std::vector<T>& v) {
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

template <class T>
void append_from(std::string_view blob, size_t& at, size_t n, std::vector<T>& out) {
  const size_t old = out.size();
  out.resize(old + n);
  std::memcpy(out.data() + old, blob.data() + at, n * sizeof(T));
  at += n * sizeof(T);
}

}  // namespace

Table table_gather_root(const Table& table, const std::vector<std::string>& columns, const std::vector<float>& values,
                        std::vector<float>& all_values, const Communicator& comm) {
  std::vector<const TableColumn*> kept;
  for (const std::string& name : columns) {
    const TableColumn* c = table.column_find(name);
    KSEG_EXPECTS(c != nullptr, DataError, table.path + ": column \"" + name + "\" missing");
    kept.push_back(c);
  }
  Table all;
  all.path = table.path;
  all.id_column = table.id_column;
  for (const TableColumn* c : kept) {
    TableColumn column{c->name, c->role};
    column.audit_categorical = c->audit_categorical;
    column.levels = c->levels;
    column.level_index = c->level_index;
    all.columns.push_back(std::move(column));
  }
  all_values.clear();
  std::string mine;
  if (comm.rank() != 0) {  // rows, then each column's values or codes and missing count, then values
    mine.append(reinterpret_cast<const char*>(&table.n_rows), sizeof(int64_t));
    for (const TableColumn* c : kept) {
      c->is_categorical() ? put(mine, c->codes) : put(mine, c->values);
      mine.append(reinterpret_cast<const char*>(&c->missing), sizeof(int64_t));
    }
    put(mine, values);
  }
  comm.root_collect(mine, [&](int rank, std::string_view blob) {
    if (rank == 0) {
      for (size_t k = 0; k < kept.size(); ++k) {
        TableColumn& column = all.columns[k];
        column.codes.insert(column.codes.end(), kept[k]->codes.begin(), kept[k]->codes.end());
        column.values.insert(column.values.end(), kept[k]->values.begin(), kept[k]->values.end());
        column.missing += kept[k]->missing;
      }
      all_values.insert(all_values.end(), values.begin(), values.end());
      all.n_rows += table.n_rows;
      return;
    }
    size_t at = 0;
    int64_t n = 0;
    std::memcpy(&n, blob.data(), sizeof(n));
    at += sizeof(n);
    for (TableColumn& column : all.columns) {
      column.is_categorical() ? append_from(blob, at, static_cast<size_t>(n), column.codes)
                              : append_from(blob, at, static_cast<size_t>(n), column.values);
      int64_t missing = 0;
      std::memcpy(&missing, blob.data() + at, sizeof(missing));
      at += sizeof(missing);
      column.missing += missing;
    }
    append_from(blob, at, static_cast<size_t>(n), all_values);
    all.n_rows += n;
  });
  all.ids = IdColumn::row_numbers(all.n_rows);
  return all;
}

}  // namespace kseg
