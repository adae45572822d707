// A whole table on rank 0 from the ranks' slices, for the statistics rank 0 alone computes from every row (the
// drift reference in model.json). Costs rank 0 the memory of the gathered columns.
#pragma once

#include <string>
#include <vector>

#include "host/data/table.hpp"
#include "host/comm/communicator.hpp"

namespace kseg {

// Collective. On rank 0: the named columns of every rank's table, rows in rank order (= input order), with the
// levels of categorical columns as they are (table_load made them the same on every rank), and every rank's
// `values` (one float per row) concatenated likewise into all_values. Other ranks get an empty table.
Table table_gather_root(const Table& table, const std::vector<std::string>& columns, const std::vector<float>& values,
                        std::vector<float>& all_values, const Communicator& comm);

}  // namespace kseg
