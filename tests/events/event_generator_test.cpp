// kseg generate --events --events-per-user, in-process: the log's mean events per user follows the request, every
// user's orders are its user row's count scaled by one factor, the same seed gives the same file, and bad values are
// one-line usage errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "../cli/cli_test_support.hpp"

namespace kseg {
namespace {

using test::cli;
using test::lines_split;

using test::fields_split;

struct UserCounts {
  int64_t events = 0;
  int64_t orders = 0;  // events that are not refunds (a refund is a negative amount; an empty amount is an order)
};

// Per user id, its events and orders in the log at path (user_id,order_time,amount,category,device).
std::map<std::string, UserCounts> log_counts(const std::string& path) {
  const std::vector<std::string> lines = lines_split(test::file_read(path));
  EXPECT_EQ(lines.at(0), "user_id,order_time,amount,category,device");
  std::map<std::string, UserCounts> counts;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> f = fields_split(lines[i]);
    UserCounts& c = counts[f.at(0)];
    ++c.events;
    c.orders += f.at(2).empty() || std::stod(f.at(2)) >= 0.0;
  }
  return counts;
}

// Per user id, the `orders` column of the users file.
std::map<std::string, int64_t> user_orders(const std::string& path) {
  const std::vector<std::string> lines = lines_split(test::file_read(path));
  const std::vector<std::string> header = fields_split(lines.at(0));
  const size_t column = std::find(header.begin(), header.end(), "orders") - header.begin();
  EXPECT_LT(column, header.size());
  std::map<std::string, int64_t> orders;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> f = fields_split(lines[i]);
    orders[f.at(0)] = std::llround(std::stod(f.at(column)));
  }
  return orders;
}

double mean_events(const std::map<std::string, UserCounts>& counts) {
  int64_t events = 0;
  for (const auto& [id, c] : counts) events += c.events;
  return static_cast<double>(events) / static_cast<double>(counts.size());
}

// Writes users and events for seed and events_per_user ("" = the option left out); returns the exit code.
int generate(const test::ScratchDir& dir, const std::string& name, const std::string& seed,
             const std::string& events_per_user) {
  std::vector<std::string> args = {"generate",
                                   "--users",
                                   "20000",
                                   "--seed",
                                   seed,
                                   "--out",
                                   dir.file(name + "_users.csv"),
                                   "--events",
                                   dir.file(name + "_events.csv"),
                                   "--quiet"};
  if (!events_per_user.empty()) args.insert(args.end(), {"--events-per-user", events_per_user});
  return cli(args).code;
}

TEST(EventGenerator, EventsPerUserSetsTheLogsMean) {
  test::ScratchDir dir;
  ASSERT_EQ(generate(dir, "plain", "5", ""), 0);
  const double plain = mean_events(log_counts(dir.file("plain_events.csv")));
  for (const double target : {3.0, 12.0, 40.0}) {
    const std::string name = "mean" + std::to_string(static_cast<int>(target));
    ASSERT_EQ(generate(dir, name, "5", std::to_string(target)), 0);
    const double mean = mean_events(log_counts(dir.file(name + "_events.csv")));
    // Below the users' own mean, users with one or two orders keep one (documented): the mean comes out above.
    const double high = target < plain ? 0.08 : 0.04;
    EXPECT_GE(mean, target * 0.96) << "the users' own counts give " << plain;
    EXPECT_LE(mean, target * (1.0 + high)) << "the users' own counts give " << plain;
  }
  EXPECT_GT(std::abs(plain - 12.0), 2.0) << "the default mean must differ from a request for the test to mean anything";
}

// Without the option each user orders exactly its row's `orders`; with it, every user with orders orders that count
// times one common factor (rounded, at least 1), and a user with none still has no events.
TEST(EventGenerator, EveryUsersOrdersScaleByOneFactor) {
  test::ScratchDir dir;
  ASSERT_EQ(generate(dir, "plain", "7", ""), 0);
  ASSERT_EQ(generate(dir, "scaled", "7", "25"), 0);
  const std::map<std::string, int64_t> orders = user_orders(dir.file("plain_users.csv"));
  EXPECT_EQ(test::file_read(dir.file("plain_users.csv")), test::file_read(dir.file("scaled_users.csv")));
  const std::map<std::string, UserCounts> plain = log_counts(dir.file("plain_events.csv"));
  const std::map<std::string, UserCounts> scaled = log_counts(dir.file("scaled_events.csv"));
  // The factor the request implies: 25 events per active user, 3% of orders refunded.
  double total = 0.0;
  int64_t active = 0;
  for (const auto& [id, n] : orders) total += static_cast<double>(n), active += n > 0;
  const double factor = 25.0 / (1.03 * total / static_cast<double>(active));
  ASSERT_GT(factor, 1.5);
  int64_t checked = 0;
  for (const auto& [id, n] : orders) {
    const auto p = plain.find(id), s = scaled.find(id);
    if (n == 0) {
      EXPECT_EQ(p, plain.end()) << id;
      EXPECT_EQ(s, scaled.end()) << id;
      continue;
    }
    ASSERT_NE(p, plain.end()) << id;
    ASSERT_NE(s, scaled.end()) << id;
    EXPECT_EQ(p->second.orders, n) << id;
    const double expected = std::max(1.0, std::round(static_cast<double>(n) * factor));
    EXPECT_LE(std::abs(static_cast<double>(s->second.orders) - expected), 1.0) << id << ": " << n << " orders";
    ++checked;
  }
  EXPECT_EQ(checked, active);
  EXPECT_EQ(scaled.size(), static_cast<size_t>(active));
}

TEST(EventGenerator, SameSeedSameLog) {
  test::ScratchDir dir;
  ASSERT_EQ(generate(dir, "a", "11", "15"), 0);
  ASSERT_EQ(generate(dir, "b", "11", "15"), 0);
  ASSERT_EQ(generate(dir, "c", "12", "15"), 0);
  const std::string a = test::file_read(dir.file("a_events.csv"));
  EXPECT_EQ(a, test::file_read(dir.file("b_events.csv")));
  EXPECT_NE(a, test::file_read(dir.file("c_events.csv")));
}

TEST(EventGenerator, BadEventsPerUserIsAOneLineUsageError) {
  test::ScratchDir dir;
  for (const std::string bad : {"0.5", "-1", "10001", "nan"}) {
    const test::CliResult r = cli({"generate", "--users", "10", "--out", dir.file("u.csv"), "--events",
                                   dir.file("e.csv"), "--events-per-user", bad});
    EXPECT_EQ(r.code, 2) << bad;
    EXPECT_NE(r.err.find("--events-per-user"), std::string::npos) << r.err;
    EXPECT_EQ(lines_split(r.err).size(), 1u) << r.err;
  }
  const test::CliResult alone =
      cli({"generate", "--users", "10", "--out", dir.file("u.csv"), "--events-per-user", "5"});
  EXPECT_EQ(alone.code, 2);
  EXPECT_NE(alone.err.find("--events-per-user needs --events"), std::string::npos) << alone.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("u.csv"))) << "nothing is written on a usage error";
  EXPECT_FALSE(std::filesystem::exists(dir.file("e.csv")));
}

}  // namespace
}  // namespace kseg
