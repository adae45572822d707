// From per-user totals to the feature columns of the profile table.
#pragma once

#include <cstdint>

#include "host/events/event_aggregate.hpp"
#include "host/events/profile_build.hpp"

namespace kseg {

// Fills products.users from agg, relative to as_of_day: the families of settings, --last/--mode columns, RFM
// scores. settings must be resolved: categories chosen (categories_fixed) and time_of_day decided (0 or 1).
ProfileTable profile_table_build(const EventAggregate& agg, const ProfileBuildRequest& settings, int32_t as_of_day);

// The categories to keep: the max_categories most frequent over the whole log (ties: by name), "(other)" excluded.
std::vector<std::string> categories_choose(const EventAggregate& agg, int max_categories);

}  // namespace kseg
