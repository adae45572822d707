#include "host/mpi/table_gather.hpp"

#include "host/comm/byte_pack.hpp"
#include "host/error.hpp"

namespace kseg {

Table table_gather_root(const Table& table, const std::vector<std::string>& columns, const std::vector<float>& values,
                        std::vector<float>& all_values, const Communicator& comm) {
  std::vector<const TableColumn*> kept;
  const auto by_name = columns_by_name(table);
  for (const std::string& name : columns) {
    const auto found = by_name.find(name);
    KSEG_EXPECTS(found != by_name.end(), DataError, table.path + ": column \"" + name + "\" missing");
    kept.push_back(found->second);
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
  BytePacker mine;
  if (comm.rank() != 0) {  // rows, then each column's values or codes and missing count, then values
    mine.put(table.n_rows);
    for (const TableColumn* c : kept) {
      c->is_categorical() ? mine.put_values(c->codes) : mine.put_values(c->values);
      mine.put(c->missing);
    }
    mine.put_values(values);
  }
  comm.root_collect(mine.bytes(), [&](int rank, std::string_view blob) {
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
    ByteUnpacker in(blob);
    const int64_t n = in.get<int64_t>();
    for (TableColumn& column : all.columns) {
      column.is_categorical() ? in.get_values_append(column.codes, static_cast<size_t>(n))
                              : in.get_values_append(column.values, static_cast<size_t>(n));
      column.missing += in.get<int64_t>();
    }
    in.get_values_append(all_values, static_cast<size_t>(n));
    all.n_rows += n;
  });
  all.ids = IdColumn::row_numbers(all.n_rows);
  return all;
}

}  // namespace kseg
