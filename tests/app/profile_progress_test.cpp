// ProfileProgressPrinter on a fake clock: reading lines at most once a second (the first a second after the start),
// what each kind of input's line says, the per-user phase, writing and summary lines, MPI's rank-0 wording, and
// nothing at all when quiet.
#include <gtest/gtest.h>

#include <sstream>

#include "../cli/cli_test_support.hpp"
#include "app/profile_progress.hpp"

namespace kseg {
namespace {

using test::lines_split;

ProfileProgress reading(int64_t events, int64_t done, int64_t total, bool rows) {
  return {ProfileProgress::Stage::reading, events, done, total, rows, 0};
}

ProfileBuildProducts products_of(int64_t events, size_t users) {
  ProfileBuildProducts p;
  p.events_read = events;
  p.users.ids.assign(users, "u");
  p.users.numeric_names = {"recency_days", "frequency"};
  p.users.categorical_names = {"last_device"};
  return p;
}

TEST(ProfileProgress, ReadingLinesAtMostOnceASecond) {
  double now = 100.0;  // the fake clock's start: all times below are relative to it
  std::ostringstream err;
  ProfileProgressPrinter printer(err, false, "events.csv", 1, [&] { return now; });
  const ProfileProgressSink sink = printer.sink();
  ASSERT_TRUE(sink);
  // Batches every 0.3 s: lines at 1.2 s (the first batch a second after the start) and 2.4 s (a second after it),
  // none in between whatever the number of batches.
  int64_t events = 0;
  for (int batch = 1; batch <= 9; ++batch) {
    now = 100.0 + 0.3 * batch;
    events += 1000000;
    sink(reading(events, 50000000 * batch, 1000000000, false));
  }
  const std::vector<std::string> lines = lines_split(err.str());
  ASSERT_EQ(lines.size(), 2u) << err.str();
  // At 1.2 s: 4 batches, 4 M events, 200 of 1000 MB; 4 M events / 1.2 s = 3.3 M events/s.
  EXPECT_EQ(lines[0], "kseg: reading events.csv: 4000000 events, 200 of 1000 MB (20%), 1.2 s, 3.3 M events/s");
  EXPECT_EQ(lines[1], "kseg: reading events.csv: 8000000 events, 400 of 1000 MB (40%), 2.4 s, 3.3 M events/s");
}

TEST(ProfileProgress, SmallLogPrintsOnlyThePhaseLines) {
  double now = 0.0;
  std::ostringstream err;
  ProfileProgressPrinter printer(err, false, "events.csv", 1, [&] { return now; });
  now = 0.5;
  printer.report(reading(300, 1200, 1201, false));
  EXPECT_EQ(err.str(), "") << "a log read in under a second prints no reading line";
  printer.report({ProfileProgress::Stage::building, 300, -1, 0, false, 42});
  now = 0.8;
  printer.writing(products_of(300, 42), "out/users.csv");
  now = 2.0;
  printer.done(products_of(300, 42));
  const std::vector<std::string> lines = lines_split(err.str());
  ASSERT_EQ(lines.size(), 3u) << err.str();
  EXPECT_EQ(lines[0], "kseg: read 300 events in 0.5 s, 0.0 M events/s; building the features of 42 users");
  EXPECT_EQ(lines[1], "kseg: built 42 users × 3 features in 0.3 s; writing out/users.csv");
  EXPECT_EQ(lines[2], "kseg: profile-build done: 300 events, 42 users in 2.0 s, 0.0 M events/s");
}

TEST(ProfileProgress, RowsUnknownTotalsAndRankZero) {
  double now = 0.0;
  std::ostringstream rows, unknown, ranks;
  ProfileProgressPrinter by_rows(rows, false, "events.parquet", 1, [&] { return now; });
  ProfileProgressPrinter by_events(unknown, false, "events.csv.gz", 1, [&] { return now; });
  ProfileProgressPrinter by_rank(ranks, false, "events.csv", 4, [&] { return now; });
  now = 2.0;
  by_rows.report(reading(3000000, 3000000, 12000000, true));
  by_events.report(reading(3000000, -1, 0, false));
  by_rank.report(reading(3000000, 30000000, 100000000, false));
  by_rank.report({ProfileProgress::Stage::building, 12000000, -1, 0, false, 250000});
  EXPECT_EQ(rows.str(), "kseg: reading events.parquet: 3000000 of 12000000 events (25%), 2.0 s, 1.5 M events/s\n");
  EXPECT_EQ(unknown.str(), "kseg: reading events.csv.gz: 3000000 events, 2.0 s, 1.5 M events/s\n");
  // Under MPI the reading line counts rank 0's share alone, so it names no share of the whole log.
  const std::vector<std::string> lines = lines_split(ranks.str());
  ASSERT_EQ(lines.size(), 2u) << ranks.str();
  EXPECT_EQ(lines[0], "kseg: reading events.csv: rank 0 has read 3000000 events of its share, 2.0 s, 1.5 M events/s");
  EXPECT_EQ(lines[1],
            "kseg: read 12000000 events in 2.0 s, 6.0 M events/s; building the features of 250000 users "
            "on rank 0");
}

TEST(ProfileProgress, QuietPrintsNothingAndGivesNoSink) {
  double now = 0.0;
  std::ostringstream err;
  ProfileProgressPrinter printer(err, true, "events.csv", 1, [&] { return now; });
  EXPECT_FALSE(printer.sink()) << "a quiet build is given no sink, so its readers report nothing";
  now = 5.0;
  printer.report(reading(10, 10, 10, true));
  printer.report({ProfileProgress::Stage::building, 10, -1, 0, false, 3});
  printer.writing(products_of(10, 3), "users.csv");
  printer.done(products_of(10, 3));
  EXPECT_EQ(err.str(), "");
}

}  // namespace
}  // namespace kseg
