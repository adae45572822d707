// kseg compare and the PSI against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>

#include "host/dynamics/population_stability.hpp"
#include "host/dynamics/segments_compare.hpp"

namespace kseg {
namespace {

TEST(Psi, TermsAndFlags) {
  EXPECT_DOUBLE_EQ(psi_term(0.4, 0.2), (0.2 - 0.4) * std::log(0.2 / 0.4));
  EXPECT_DOUBLE_EQ(psi_term(0.0, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(psi_term(0.2, 0.0), (1e-4 - 0.2) * std::log(1e-4 / 0.2));  // floored, finite
  EXPECT_DOUBLE_EQ(psi({0.5, 0.5}, {0.5, 0.5}), 0.0);
  EXPECT_NEAR(psi({0.25, 0.25, 0.5}, {0.5, 0.25, 0.25}), 0.25 * std::log(2.0) * 2, 1e-12);
  EXPECT_EQ(psi_flag(0.099), "stable");
  EXPECT_EQ(psi_flag(0.1), "moderate");
  EXPECT_EQ(psi_flag(0.25), "major");
}

SegmentAssignments assignments(std::vector<std::string> ids, std::vector<int32_t> segments) {
  SegmentAssignments a;
  a.ids = std::move(ids);
  a.segments = std::move(segments);
  return a;
}

TEST(SegmentsCompare, HandComputedMigration) {
  // a, b: 0 → 0, 1; c, d: 1 → 1; e (in 2) disappears; f appears in 3.
  const SegmentComparison c = segments_compare(assignments({"a", "b", "c", "d", "e"}, {0, 0, 1, 1, 2}),
                                               assignments({"f", "d", "c", "b", "a"}, {3, 1, 1, 1, 0}));
  EXPECT_EQ(c.old_segments, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(c.new_segments, (std::vector<int32_t>{0, 1, 3}));
  // rows old 0, 1, 2, appeared; columns new 0, 1, 3, disappeared
  EXPECT_EQ(c.migration, (std::vector<int64_t>{1, 1, 0, 0,  //
                                               0, 2, 0, 0,  //
                                               0, 0, 0, 1,  //
                                               0, 0, 1, 0}));
  EXPECT_EQ(c.both, 4);
  EXPECT_EQ(c.changed, 1);
  EXPECT_DOUBLE_EQ(c.changed_share, 0.25);
  EXPECT_EQ(c.appeared, 1);
  EXPECT_EQ(c.disappeared, 1);
  // ARI of [0,0,1,1] vs [0,1,1,1]: index 1, expected 2·3/6 = 1, max 2.5 → 0.
  EXPECT_NEAR(c.ari, 0.0, 1e-12);
  // Shares: old 0 .4, 1 .4, 2 .2; new 0 .2, 1 .6, 3 .2.
  ASSERT_EQ(c.shifts.size(), 4u);
  EXPECT_NEAR(c.shifts[0].psi, 0.1386294361, 1e-9);  // (.2 − .4)·ln .5
  EXPECT_EQ(c.shifts[0].flag, "moderate");
  EXPECT_NEAR(c.shifts[1].psi, 0.0810930216, 1e-9);  // (.6 − .4)·ln 1.5
  EXPECT_EQ(c.shifts[1].flag, "stable");
  EXPECT_NEAR(c.shifts[2].psi, 1.5194203, 1e-6);  // (1e-4 − .2)·ln(1e-4 / .2)
  EXPECT_EQ(c.shifts[2].flag, "major");
  EXPECT_NEAR(c.shifts[3].psi, 1.5194203, 1e-6);
  EXPECT_NEAR(c.psi_total, 0.1386294361 + 0.0810930216 + 2 * 1.5194203, 1e-5);

  EXPECT_EQ(migration_csv(c, false),
            "old_segment,0,1,3,disappeared,total\n0,1,1,0,0,2\n1,0,2,0,0,2\n2,0,0,0,1,1\nappeared,0,0,1,0,1\n");
  EXPECT_EQ(migration_csv(c, true),
            "old_segment,0,1,3,disappeared,total\n0,0.5,0.5,0,0,2\n1,0,1,0,0,2\n2,0,0,0,1,1\nappeared,0,0,1,0,1\n");
  const nlohmann::json j = segment_comparison_json(c, "old.csv", "new.csv");
  EXPECT_EQ(j["changed_segment"], 1);
  EXPECT_EQ(j["migration"]["counts"][3][2], 1);
}

TEST(SegmentsCompare, IdenticalFilesAreStable) {
  const SegmentAssignments a = assignments({"x", "y", "z"}, {4, 4, 9});
  const SegmentComparison c = segments_compare(a, a);
  EXPECT_EQ(c.changed, 0);
  EXPECT_DOUBLE_EQ(c.ari, 1.0);
  EXPECT_DOUBLE_EQ(c.psi_total, 0.0);
}

}  // namespace
}  // namespace kseg
