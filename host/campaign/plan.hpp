// kseg plan: how many users each segment needs for the next campaign to detect a given relative lift of a
// conversion rate, and which segments are too small to test on their own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kseg {

struct PlanRequest {
  std::string segments;        // segments.csv (id, segment) (required)
  double baseline_rate = 0.0;  // the control's expected conversion rate, in (0, 1) (required)
  double mde = 0.0;            // the relative lift to detect: 0.1 = +10% of the baseline rate (required)
  double power = 0.8;          // probability of detecting a lift of that size
  double alpha = 0.05;         // two-sided significance level
  char delimiter = ',';
};

struct SegmentPlan {
  int32_t segment = 0;
  int64_t users = 0;
  int64_t needed_per_group = 0;  // the same for every segment: one baseline rate, one lift
  bool too_small = false;        // fewer than 2 × needed_per_group users: two equal groups cannot be filled
};

struct PlanProducts {
  PlanRequest request;
  int64_t needed_per_group = 0;  // sample_size_per_group(baseline_rate, mde, alpha, power)
  int64_t total_users = 0;
  std::vector<SegmentPlan> segments;  // ascending id
};

// UsageError for a baseline rate outside (0, 1), an mde of 0 or one taking the rate past 1, power or alpha outside
// (0, 1). Groups are planned equal (a 50/50 split), which needs the fewest users.
PlanProducts campaign_plan(const PlanRequest& request);

}  // namespace kseg
