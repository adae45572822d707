// Event logs in Parquet: typed column batches (host/parquet/parquet_events.hpp) folded per user by the same code as
// CSV records (event_fold.hpp), so both give the same profiles for the same log. Internal to host/events.
#pragma once

#include "host/comm/communicator.hpp"
#include "host/events/event_aggregate.hpp"

namespace kseg {

// events_aggregate for a Parquet file or directory of parts (see events_aggregate): under MPI each rank reads its
// share of the row groups and the events travel to the rank that owns their user, as for CSV.
EventAggregate events_columns_aggregate(const ProfileBuildRequest& request, int32_t as_of_day,
                                        const Communicator& comm);

}  // namespace kseg
