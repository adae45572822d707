// Active days (distinct days with an event) of users whose days do not rise event after event: the RFM build counts
// them without gathering the days of users whose days rose, and gathers the others' (profile-build, issue 19). The
// log is longer than one fold range (kFoldRows), so runs of one day continue across batches. Expected values are
// counted by hand in the comments.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "../io/test_files.hpp"
#include "host/events/profile_build.hpp"
#include "profile_requests.hpp"
#include "profile_table_cells.hpp"

namespace kseg {
namespace {

double cell(const ProfileTable& t, const std::string& id, const std::string& column) {
  return test::profile_cell(t, id, column);
}

constexpr int kFiller = 1200000;  // more events than a fold range (2^20), so the users below span two of them

// Users a..e around kFiller events of user f (all on 2024-01-10).
std::string log_write(const test::ScratchDir& dir) {
  std::string log = "user,time,amount\n";
  log += "a,2024-01-05,1\na,2024-01-07,1\na,2024-01-05,1\n";  // runs 5, 7, 5: days {5, 7}
  log += "b,2024-01-03,1\n";
  log += "c,2024-01-01,1\n";
  log += "d,2024-01-08,1\n";
  log += "e,2024-01-02,1\ne,2024-01-02T12:00:00Z,1\n";
  log.reserve(log.size() + kFiller * 20 + 200);
  for (int i = 0; i < kFiller; ++i) log += "f,2024-01-10,1\n";
  log += "b,2024-01-03,1\nb,2024-01-04,1\nb,2024-01-03,1\n";  // runs 3 (continued), 4, 3: days {3, 4}
  log += "c,2024-01-02,1\nc,2024-01-06,1\n";                  // runs 1, 2, 6: rising, days {1, 2, 6}
  log += "d,2024-01-02,1\nd,2024-01-08,1\n";                  // runs 8, 2, 8: days {2, 8}
  log += "e,2024-01-02T23:00:00Z,1\n";                        // one run of 3 events: day {2}
  return dir.file_write("events.csv", log);
}

ProfileBuildRequest request(const std::string& path, bool windows, int threads) {
  ProfileBuildRequest r = test::request_user_time_amount(path, threads);
  r.as_of = "2024-01-10";
  r.families.rfm = true;
  r.families.windows = windows;  // with windows the days are kept with their totals: the other path
  r.families.categories = false;
  r.families.time = false;
  return r;
}

TEST(ProfileActiveDays, DaysThatComeBackCountOnce) {
  test::ScratchDir dir;
  const std::string path = log_write(dir);
  for (const bool windows : {false, true})
    for (const int threads : {1, 2}) {
      SCOPED_TRACE(std::string(windows ? "rfm+windows" : "rfm") + ", threads " + std::to_string(threads));
      const ProfileTable t = profile_build(request(path, windows, threads)).users;
      ASSERT_EQ(t.ids, (std::vector<std::string>{"a", "b", "c", "d", "e", "f"}));
      const struct {
        const char* id;
        double events, active, first, last;  // days of January 2024
      } expected[] = {{"a", 3, 2, 5, 7}, {"b", 4, 2, 3, 4}, {"c", 3, 3, 1, 6},
                      {"d", 3, 2, 2, 8}, {"e", 3, 1, 2, 2}, {"f", kFiller, 1, 10, 10}};
      for (const auto& x : expected) {
        SCOPED_TRACE(x.id);
        EXPECT_EQ(cell(t, x.id, "frequency"), x.events);
        EXPECT_EQ(cell(t, x.id, "active_days"), x.active);
        EXPECT_EQ(cell(t, x.id, "recency_days"), 10 - x.last);
        EXPECT_EQ(cell(t, x.id, "tenure_days"), 10 - x.first);
        const double gap = cell(t, x.id, "interpurchase_days");
        if (x.active > 1)
          EXPECT_DOUBLE_EQ(gap, (x.last - x.first) / (x.active - 1));
        else
          EXPECT_TRUE(std::isnan(gap));
      }
    }
}

}  // namespace
}  // namespace kseg
