// Under MPI each rank builds the profile rows of its own users; rank 0 gathers them into one table in log order.
#pragma once

#include <cstdint>
#include <vector>

#include "host/comm/communicator.hpp"
#include "host/events/profile_build.hpp"

namespace kseg {

// Moves every rank's rows of table (same columns on every rank, rows in first_records order on each, as
// profile_table_build leaves them) to rank 0, ordered there by first_records (the place of each user's first event in
// the log: distinct across ranks); the other ranks are left with no rows. Collective; with one process it does
// nothing.
void profile_rows_gather(ProfileTable& table, std::vector<int64_t>& first_records, const Communicator& comm);

}  // namespace kseg
