#include "host/campaign/plan.hpp"

#include <map>

#include "host/campaign/power.hpp"
#include "host/dynamics/segments_compare.hpp"
#include "host/error.hpp"

namespace kseg {

PlanProducts campaign_plan(const PlanRequest& r) {
  KSEG_EXPECTS(r.baseline_rate > 0.0 && r.baseline_rate < 1.0, UsageError,
               "--baseline-rate must lie in (0, 1), e.g. 0.04 for 4% conversion");
  KSEG_EXPECTS(r.mde != 0.0 && r.mde > -1.0 && r.baseline_rate * (1.0 + r.mde) <= 1.0, UsageError,
               "--mde is the relative lift to detect (0.1 = +10% of the baseline rate): not 0, and the lifted rate "
               "must stay in (0, 1]");
  KSEG_EXPECTS(r.power > 0.0 && r.power < 1.0, UsageError, "--power must lie in (0, 1), e.g. 0.8");
  KSEG_EXPECTS(r.alpha > 0.0 && r.alpha < 1.0, UsageError, "--alpha must lie in (0, 1), e.g. 0.05");
  PlanProducts p;
  p.request = r;
  p.needed_per_group = sample_size_per_group(r.baseline_rate, r.mde, r.alpha, r.power);
  KSEG_EXPECTS(p.needed_per_group > 0, UsageError,
               "--mde: a lift this small needs more than 10^15 users per group at this --baseline-rate; plan for a "
               "larger --mde");
  const SegmentAssignments assignments = segment_assignments_read(r.segments, r.delimiter);
  std::map<int32_t, int64_t> sizes;
  for (int32_t s : assignments.segments) ++sizes[s];
  p.total_users = static_cast<int64_t>(assignments.segments.size());
  for (const auto& [segment, users] : sizes) {
    SegmentPlan plan{segment, users, p.needed_per_group, false};
    plan.too_small = users < 2 * p.needed_per_group;
    p.segments.push_back(plan);
  }
  return p;
}

}  // namespace kseg
