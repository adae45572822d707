// profile_build on tiny logs whose features are derived by hand in the comments: unsorted events, one-event users,
// window edges and the reference day, refunds and missing amounts, time zones, RFM scores and segment names, spec
// replay on a later log, and thread-count independence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "../io/test_files.hpp"
#include "host/error.hpp"
#include "host/events/profile_build.hpp"
#include "host/events/rfm_segments.hpp"
#include "profile_requests.hpp"
#include "profile_table_cells.hpp"

namespace kseg {
namespace {

double cell(const ProfileTable& t, const std::string& id, const std::string& column) {
  return test::profile_cell(t, id, column);
}

std::string text_cell(const ProfileTable& t, const std::string& id, const std::string& column) {
  const size_t row = std::find(t.ids.begin(), t.ids.end(), id) - t.ids.begin();
  const size_t col =
      std::find(t.categorical_names.begin(), t.categorical_names.end(), column) - t.categorical_names.begin();
  if (row >= t.ids.size() || col >= t.categorical_names.size()) throw std::runtime_error("no cell " + column);
  return t.categorical[col][row];
}

// 2024-03-31 (the reference day) is a Sunday; 03-25 a Monday, 03-24 a Sunday, 03-01 a Friday, 01-01 a Monday.
const char* kLog =
    "user,time,amount,cat,device\n"
    "b,2024-03-31T23:59:59Z,10,x,ios\n"         // on the reference day, its last second
    "a,2024-03-01,20,y,web\n"                   // a date without a time
    "a,2024-03-25T10:00:00+02:00,-5,x,ios\n"    // a refund; 08:00 UTC
    "c,2024-04-01T00:00:00Z,100,x,web\n"        // after --as-of: left out, so c has no profile
    "a,2024-03-24T23:30:00-01:00,,z,android\n"  // no amount; 00:30 UTC on 03-25, local Sunday evening
    "b,2024-03-01T00:00:00Z,30,x,ios\n"
    "d,2024-01-01,7,,web\n";  // one event, no category

ProfileBuildRequest tiny_request(const test::ScratchDir& dir) {
  ProfileBuildRequest r = test::request_user_time_amount(dir.file_write("events.csv", kLog));
  r.category_column = "cat";
  r.as_of = "2024-03-31";
  r.max_categories = 2;
  r.last_columns = {"device"};
  r.mode_columns = {"device"};
  return r;
}

TEST(ProfileBuild, TinyLogRfmByHand) {
  test::ScratchDir dir;
  const ProfileBuildProducts p = profile_build(tiny_request(dir));
  const ProfileTable& t = p.users;
  // Users in order of first appearance; c's only event is after the reference day.
  EXPECT_EQ(t.ids, (std::vector<std::string>{"b", "a", "d"}));
  EXPECT_EQ(p.events_read, 7);
  EXPECT_EQ(p.events_after_as_of, 1);
  EXPECT_EQ(p.amounts_missing, 1);
  EXPECT_EQ(p.refunds, 1);
  EXPECT_EQ(day_format(p.as_of_day), "2024-03-31");
  // a: active on 03-01 and 03-25 (UTC; the −01:00 event moves to the 25th).
  EXPECT_EQ(cell(t, "a", "recency_days"), 6);
  EXPECT_EQ(cell(t, "a", "frequency"), 3);
  EXPECT_EQ(cell(t, "a", "active_days"), 2);
  EXPECT_EQ(cell(t, "a", "tenure_days"), 30);
  EXPECT_EQ(cell(t, "a", "interpurchase_days"), 24);
  EXPECT_EQ(cell(t, "a", "monetary_total"), 15);  // 20 − 5: refunds are netted
  EXPECT_EQ(cell(t, "a", "monetary_mean"), 7.5);  // over the two events with an amount
  EXPECT_EQ(cell(t, "a", "monetary_max"), 20);
  EXPECT_EQ(cell(t, "a", "refunds"), 1);
  // b: on the reference day (recency 0) and 30 days before.
  EXPECT_EQ(cell(t, "b", "recency_days"), 0);
  EXPECT_EQ(cell(t, "b", "interpurchase_days"), 30);
  EXPECT_EQ(cell(t, "b", "monetary_mean"), 20);
  // d: one event 90 days before; no gap between active days.
  EXPECT_EQ(cell(t, "d", "recency_days"), 90);
  EXPECT_EQ(cell(t, "d", "tenure_days"), 90);
  EXPECT_EQ(cell(t, "d", "active_days"), 1);
  EXPECT_TRUE(std::isnan(cell(t, "d", "interpurchase_days")));
  EXPECT_EQ(cell(t, "d", "monetary_total"), 7);
}

TEST(ProfileBuild, TinyLogWindowsAtTheirEdges) {
  test::ScratchDir dir;
  const ProfileTable t = profile_build(tiny_request(dir)).users;
  // An event W days before the reference day is outside the last W days (age < W counts).
  EXPECT_EQ(cell(t, "a", "events_7d"), 2);  // age 6
  EXPECT_EQ(cell(t, "a", "amount_7d"), -5);
  EXPECT_EQ(cell(t, "a", "events_30d"), 2);  // 03-01 is 30 days before: out
  EXPECT_EQ(cell(t, "a", "events_90d"), 3);
  EXPECT_EQ(cell(t, "a", "amount_90d"), 15);
  EXPECT_DOUBLE_EQ(cell(t, "a", "trend_30d"), 1.0 / 3.0);  // (2 recent − 1 prior) / 3
  EXPECT_EQ(cell(t, "b", "events_7d"), 1);                 // the reference day itself is in every window
  EXPECT_EQ(cell(t, "b", "amount_30d"), 10);
  EXPECT_EQ(cell(t, "b", "trend_30d"), 0);   // one and one
  EXPECT_EQ(cell(t, "d", "events_90d"), 0);  // age 90
  EXPECT_EQ(cell(t, "d", "trend_30d"), 0);
}

TEST(ProfileBuild, TinyLogCategoriesHabitsLastMode) {
  test::ScratchDir dir;
  const ProfileBuildProducts p = profile_build(tiny_request(dir));
  const ProfileTable& t = p.users;
  // Kept events: x 3 times, y and z once each: the top 2 are x, then y (the count tie goes by name).
  EXPECT_EQ(p.settings.categories, (std::vector<std::string>{"x", "y"}));
  EXPECT_DOUBLE_EQ(cell(t, "a", "share_x"), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(cell(t, "a", "share_y"), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(cell(t, "a", "share_(other)"), 1.0 / 3.0);
  EXPECT_EQ(cell(t, "b", "share_x"), 1);
  EXPECT_EQ(cell(t, "d", "share_(other)"), 1);  // an empty category counts as (other)
  // Habits use the clock as written: a's 23:30−01:00 event is a Sunday evening.
  EXPECT_DOUBLE_EQ(cell(t, "a", "weekend_share"), 1.0 / 3.0);
  EXPECT_EQ(cell(t, "a", "morning_share"), 0.5);  // of the two events with a time of day
  EXPECT_EQ(cell(t, "a", "evening_share"), 0.5);
  EXPECT_EQ(cell(t, "b", "night_share"), 0.5);
  EXPECT_EQ(cell(t, "b", "weekend_share"), 0.5);
  EXPECT_TRUE(std::isnan(cell(t, "d", "night_share")));  // no time of day at all
  // last: the latest in UTC (08:00Z ios beats 00:30Z android); mode: a three-way tie goes to the smallest value.
  EXPECT_EQ(text_cell(t, "a", "last_device"), "ios");
  EXPECT_EQ(text_cell(t, "a", "mode_device"), "android");
  EXPECT_EQ(text_cell(t, "b", "mode_device"), "ios");
  EXPECT_EQ(text_cell(t, "d", "last_device"), "web");
}

TEST(ProfileBuild, CategorySharesOfSpendByHand) {
  test::ScratchDir dir;
  const char* log =
      "user,time,amount,cat\n"
      "p,2024-03-01,30,x\n"
      "p,2024-03-02,10,y\n"
      "p,2024-03-03,-8,x\n"  // a refund: not spend
      "p,2024-03-03,,x\n"    // no amount
      "p,2024-03-04,60,\n"   // no category: (other)
      "q,2024-03-05,-3,x\n"  // only a refund: no spend, empty shares
      "r,2024-03-05,5,z\n";
  ProfileBuildRequest r = test::request_user_time_amount(dir.file_write("events.csv", log));
  r.category_column = "cat";
  r.max_categories = 2;
  r.category_share_amount = true;
  const ProfileBuildProducts p = profile_build(r);
  const ProfileTable& t = p.users;
  // Categories are still ranked by events: x 4, then y and z 1 each (the tie goes by name).
  EXPECT_EQ(p.settings.categories, (std::vector<std::string>{"x", "y"}));
  // p spent 30 on x, 10 on y and 60 without a category: 100 in all.
  EXPECT_DOUBLE_EQ(cell(t, "p", "share_x"), 0.3);
  EXPECT_DOUBLE_EQ(cell(t, "p", "share_y"), 0.1);
  EXPECT_DOUBLE_EQ(cell(t, "p", "share_(other)"), 0.6);
  EXPECT_TRUE(std::isnan(cell(t, "q", "share_x")));
  EXPECT_TRUE(std::isnan(cell(t, "q", "share_(other)")));
  EXPECT_EQ(cell(t, "r", "share_x"), 0.0);
  EXPECT_EQ(cell(t, "r", "share_(other)"), 1.0);
  // The spec keeps the choice; by events, p's shares are 3/5, 1/5 and 1/5.
  profile_build_write(p, dir.file("users.csv"), dir.file("profile_build.json"));
  EXPECT_TRUE(profile_spec_read(dir.file("profile_build.json")).category_share_amount);
  r.category_share_amount = false;
  const ProfileTable by_events = profile_build(r).users;
  EXPECT_DOUBLE_EQ(cell(by_events, "p", "share_x"), 0.6);
  EXPECT_DOUBLE_EQ(cell(by_events, "p", "share_(other)"), 0.2);
  EXPECT_EQ(cell(by_events, "q", "share_x"), 1.0);
  // Spend needs amounts.
  r.category_share_amount = true;
  r.amount_column.clear();
  EXPECT_THROW(profile_build(r), UsageError);
}

TEST(ProfileBuild, DefaultReferenceIsTheLatestEventDay) {
  test::ScratchDir dir;
  ProfileBuildRequest r = tiny_request(dir);
  r.as_of.clear();
  const ProfileBuildProducts p = profile_build(r);
  EXPECT_EQ(day_format(p.as_of_day), "2024-04-01");
  EXPECT_EQ(p.events_after_as_of, 0);
  EXPECT_EQ(p.users.ids, (std::vector<std::string>{"b", "a", "c", "d"}));
  EXPECT_EQ(cell(p.users, "c", "recency_days"), 0);
  EXPECT_EQ(cell(p.users, "b", "recency_days"), 1);
}

TEST(RfmScores, QuintilesShareScoresOnTies) {
  // Ascending 1, 3, 3, 5, 9: b = 0, 1, 1, 3, 4 users strictly worse → 1 + ⌊5b/5⌋.
  EXPECT_EQ(quintile_scores({5, 1, 3, 3, 9}, false), (std::vector<int>{4, 1, 2, 2, 5}));
  // Recency: larger is worse. 100, 40, 10, 10, 0 → b = 0, 1, 2, 2, 4.
  EXPECT_EQ(quintile_scores({10, 0, 100, 10, 40}, true), (std::vector<int>{3, 5, 1, 3, 2}));
  // Ten users, 1..10: two per quintile.
  EXPECT_EQ(quintile_scores({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, false), (std::vector<int>{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}));
  EXPECT_EQ(quintile_scores({7, 7, 7}, false), (std::vector<int>{1, 1, 1}));
}

TEST(RfmScores, SegmentGridAsTheReadmeStatesIt) {
  // Rows R = 5..1, columns FM = 1..5 (README "RFM segments").
  const char* grid[5][5] = {{"new", "potential loyalists", "potential loyalists", "champions", "champions"},
                            {"promising", "potential loyalists", "potential loyalists", "loyal", "loyal"},
                            {"about to sleep", "about to sleep", "need attention", "loyal", "loyal"},
                            {"hibernating", "hibernating", "at risk", "at risk", "can't lose them"},
                            {"lost", "lost", "at risk", "at risk", "can't lose them"}};
  for (int r = 5; r >= 1; --r)
    for (int fm = 1; fm <= 5; ++fm) EXPECT_EQ(rfm_segment_name(r, fm), grid[5 - r][fm - 1]) << r << fm;
  EXPECT_EQ(rfm_fm_score(4, 3), 4);  // 3.5 rounds up
  EXPECT_EQ(rfm_fm_score(2, 1), 2);  // 1.5 rounds up
  EXPECT_EQ(rfm_fm_score(3, 0), 3);  // no amounts: F alone
}

TEST(RfmScores, FiveUsersEndToEnd) {
  // As of 2024-06-30: A 1 event that day (100); B 3 on 06-20 (10 each); C 5 on 05-21 (50 each);
  // D 2 on 03-22 (1 each); E 4 on 06-20 (25 each).
  // R: D100→1, C40→2, B,E 10→3, A0→5. F: A1, D2, B3, E4, C5. M: D2→1, B30→2, A,E 100→3, C250→5.
  // FM = ⌊(F+M+1)/2⌋: A 2, B 3, C 5, D 2, E 4.
  std::string log = "customer,day,spend\nA,2024-06-30,100\n";
  for (int i = 0; i < 3; ++i) log += "B,2024-06-20,10\n";
  for (int i = 0; i < 5; ++i) log += "C,2024-05-21,50\n";
  for (int i = 0; i < 2; ++i) log += "D,2024-03-22,1\n";
  for (int i = 0; i < 4; ++i) log += "E,2024-06-20,25\n";
  test::ScratchDir dir;
  ProfileBuildRequest r;
  r.events_path = dir.file_write("events.csv", log);
  r.user_column = "customer";
  r.time_column = "day";
  r.amount_column = "spend";
  r.rfm_scores = true;
  const ProfileTable t = profile_build(r).users;
  const std::vector<std::string> ids = {"A", "B", "C", "D", "E"};
  const int rs[] = {5, 3, 2, 1, 3}, fs[] = {1, 3, 5, 2, 4}, ms[] = {3, 2, 5, 1, 3};
  const char* names[] = {"potential loyalists", "need attention", "can't lose them", "lost", "loyal"};
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(cell(t, ids[i], "rfm_r"), rs[i]) << ids[i];
    EXPECT_EQ(cell(t, ids[i], "rfm_f"), fs[i]) << ids[i];
    EXPECT_EQ(cell(t, ids[i], "rfm_m"), ms[i]) << ids[i];
    EXPECT_EQ(text_cell(t, ids[i], "rfm_segment"), names[i]) << ids[i];
  }
}

TEST(ProfileBuild, SpecReplayOnALaterLogKeepsColumnsAndCategories) {
  test::ScratchDir dir;
  const ProfileBuildProducts first = profile_build(tiny_request(dir));
  const std::string spec = dir.file("profile_build.json");
  profile_build_write(first, dir.file("users.csv"), spec);
  // A later log: dates only (no time of day) and z now the most frequent category.
  const std::string later = dir.file_write("later.csv",
                                           "user,time,amount,cat,device\n"
                                           "a,2024-05-01,5,z,web\na,2024-05-02,5,z,web\nb,2024-05-03,1,z,ios\n"
                                           "e,2024-05-10,2,y,ios\n");
  ProfileBuildRequest replay = profile_spec_read(spec);
  replay.events_path = later;
  const ProfileBuildProducts second = profile_build(replay);
  EXPECT_EQ(second.settings.categories, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(second.users.numeric_names, first.users.numeric_names);
  EXPECT_EQ(second.users.categorical_names, first.users.categorical_names);
  EXPECT_EQ(day_format(second.as_of_day), "2024-05-10");   // the reference date is the new log's
  EXPECT_EQ(cell(second.users, "a", "share_(other)"), 1);  // z is not among the fixed categories
  EXPECT_EQ(cell(second.users, "e", "share_y"), 1);
  EXPECT_EQ(cell(second.users, "a", "recency_days"), 8);
  EXPECT_TRUE(std::isnan(cell(second.users, "a", "morning_share")));  // the column stays, empty
}

TEST(ProfileBuild, SameOutputForAnyThreadCount) {
  // A random unsorted log large enough for several chunks per thread; sums of amounts with many decimals.
  std::mt19937_64 rng(7);
  std::string log = "u,t,amt,c\n";
  for (int i = 0; i < 60000; ++i) {
    const int user = static_cast<int>(rng() % 3000), day = 1 + static_cast<int>(rng() % 28);
    log += "user" + std::to_string(user) + ",2024-02-" + (day < 10 ? "0" : "") + std::to_string(day) + "T" +
           std::to_string(10 + rng() % 10) + ":00:00+01:00," +
           std::to_string(static_cast<double>(rng() % 100000) / 997.0) + ",c" + std::to_string(rng() % 13) + "\n";
  }
  test::ScratchDir dir;
  ProfileBuildRequest r;
  r.events_path = dir.file_write("events.csv", log);
  r.user_column = "u";
  r.time_column = "t";
  r.amount_column = "amt";
  r.category_column = "c";
  r.rfm_scores = true;
  std::vector<std::string> outputs;
  std::vector<std::string> bits;  // every double's bytes: the file rounds to 12 digits, this does not
  for (int threads : {1, 2, 3, 7}) {
    r.threads = threads;
    const ProfileBuildProducts p = profile_build(r);
    bits.emplace_back();
    for (const std::vector<double>& column : p.users.numeric)
      bits.back().append(reinterpret_cast<const char*>(column.data()), column.size() * sizeof(double));
    const std::string users = dir.file("users" + std::to_string(threads) + ".csv");
    profile_build_write(p, users, dir.file("spec.json"));
    outputs.push_back(test::file_read(users));
  }
  for (size_t i = 1; i < outputs.size(); ++i) {
    EXPECT_EQ(outputs[i], outputs[0]) << "threads run " << i;
    EXPECT_TRUE(bits[i] == bits[0]) << "threads run " << i;
  }
  EXPECT_GT(outputs[0].size(), 3000u * 20u);
}

// Amounts up to ±1e15 are summed; a larger one is refused where it stands, before sums of such amounts overflow to
// infinity (written to users.csv, which fit then refused) or to NaN (inf − inf, read as "no amount").
TEST(ProfileBuild, AmountsBeyondTheLimitAreRefusedNotSummedToInfinity) {
  test::ScratchDir dir;
  ProfileBuildRequest r = test::request_user_time_amount(
      dir.file_write("edge.csv", "user,time,amount\nx,2024-01-01,1e15\nx,2024-01-02,1e15\ny,2024-01-02,-1e15\n"));
  r.families = {true, true, false, false};
  const ProfileBuildProducts ok = profile_build(r);
  EXPECT_EQ(test::profile_cell(ok.users, "x", "monetary_total"), 2e15);
  EXPECT_EQ(test::profile_cell(ok.users, "x", "amount_7d"), 2e15);
  EXPECT_EQ(test::profile_cell(ok.users, "y", "monetary_total"), -1e15);
  r.events_path =
      dir.file_write("over.csv", "user,time,amount\nx,2024-01-01,1e308\nx,2024-01-02,1e308\ny,2024-01-02,-1e308\n");
  const std::string message = test::profile_build_error(r);
  EXPECT_EQ(message.rfind(r.events_path + ":2:3: column \"amount\": \"1e308\" is beyond ±1e15", 0), 0u) << message;
}

TEST(ProfileBuild, BadCellsNameFileLineColumn) {
  test::ScratchDir dir;
  ProfileBuildRequest r;
  r.user_column = "u";
  r.time_column = "t";
  r.amount_column = "a";
  r.events_path = dir.file_write("bad_time.csv", "u,t,a\nx,2024-01-01,1\ny,2024-13-01,2\n");
  try {
    profile_build(r);
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("bad_time.csv:3:2: column \"t\": \"2024-13-01\""), std::string::npos)
        << e.what();
  }
  r.events_path = dir.file_write("bad_amount.csv", "u,t,a\nx,2024-01-01,1\ny,2024-01-02,1\nz,2024-01-03,12abc\n");
  try {
    profile_build(r);
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("bad_amount.csv:4:3: column \"a\": \"12abc\" is not a finite number"),
              std::string::npos)
        << e.what();
  }
  r.events_path = dir.file_write("no_user.csv", "u,t,a\n,2024-01-01,1\n");
  EXPECT_THROW(profile_build(r), DataError);
  r.amount_column = "spend";
  EXPECT_THROW(profile_build(r), UsageError);
}

}  // namespace
}  // namespace kseg
