// The joined users of kseg measure, column by column: what campaign_measure computes on (internal to
// host/campaign: measure_data.cpp reads and joins, measure.cpp computes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/campaign/measure.hpp"

namespace kseg {

struct CampaignData {
  std::vector<std::string> groups;   // control first, then the variants A→Z
  std::vector<std::string> metrics;  // outcome columns measured
  std::vector<bool> metric_is_rate;  // every value 0 or 1
  std::vector<int32_t> segment_ids;  // ascending
  // One entry per joined user, in outcomes-file order:
  std::vector<int32_t> segment;             // index into segment_ids
  std::vector<int32_t> group;               // index into groups
  std::vector<std::vector<double>> values;  // [metric][user]
  std::vector<double> pre;                  // empty without a pre-metric
  std::vector<double> weight;               // empty without a weight column
  int64_t outcomes_rows = 0, segments_rows = 0, outcomes_only = 0, segments_only = 0;
};

// Reads both files and joins them by id. Errors as campaign_measure's.
CampaignData campaign_data_read(const MeasureRequest& request);

// The intended shares of "50/50" or "60/20/20" for groups (control first): UsageError when the count of parts
// differs from the count of groups or a part is not a positive number.
std::vector<double> split_parse(const std::string& split, const std::vector<std::string>& groups);

}  // namespace kseg
