// From per-user totals to the feature columns of the profile table.
#pragma once

#include <cstdint>

#include "host/events/event_aggregate.hpp"
#include "host/events/profile_build.hpp"

namespace kseg {

// Fills products.users from agg, relative to as_of_day: the families of settings and the --last/--mode columns (not
// the RFM scores: profile_scores_add, once all users are together). settings must be resolved: categories chosen
// (categories_fixed) and time_of_day decided (0 or 1). first_records: per row, the place in the log of the user's
// first event (the rows are in that order).
ProfileTable profile_table_build(const EventAggregate& agg, const ProfileBuildRequest& settings, int32_t as_of_day,
                                 std::vector<int64_t>& first_records);

// With settings.rfm_scores: the R, F, M quintile scores of the table's users and their named segment.
void profile_scores_add(const ProfileBuildRequest& settings, ProfileTable& table);

// The categories to keep: the max_categories most frequent over the whole log, all ranks' partitions counted
// (ties: by name), "(other)" and the empty category excluded. Collective.
std::vector<std::string> categories_choose(const EventAggregate& agg, int max_categories, const Communicator& comm);

// Refuses (UsageError) a table whose id, numeric and categorical column names repeat: fit refuses a users.csv with a
// repeated header. A repeat comes from a log's id column named like a feature (e.g. "frequency") or a hand-edited
// spec's categories.
void profile_column_names_check(const ProfileTable& t);

}  // namespace kseg
