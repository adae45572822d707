// kseg profile-build and generate --events, in-process: the two-command path from an order log to segments, the
// generated log against the users it was drawn from, spec replay, and the exit codes and messages of bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "../cli/cli_test_support.hpp"
#include "tests/io/compress_support.hpp"

namespace kseg {
namespace {

using test::cli;
using test::lines_split;

using test::fields_split;

// Column name → cells, and the ids in order, of a CSV without quotes.
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  size_t column(const std::string& name) const {
    return std::find(header.begin(), header.end(), name) - header.begin();
  }
};
Csv csv_read(const std::string& path) {
  Csv csv;
  const std::vector<std::string> lines = lines_split(test::file_read(path));
  csv.header = fields_split(lines.at(0));
  for (size_t i = 1; i < lines.size(); ++i) csv.rows.push_back(fields_split(lines[i]));
  return csv;
}

TEST(ProfileBuildCli, FromGeneratedOrdersToSegments) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv"), events = dir.file("events.csv"), out = dir.file("p/users.csv");
  ASSERT_EQ(cli({"generate", "--users", "3000", "--out", users, "--events", events, "--quiet"}).code, 0);
  const test::CliResult built = cli({"profile-build", events, "--out", out, "--user-column", "user_id", "--time-column",
                                     "order_time", "--amount-column", "amount", "--category-column", "category",
                                     "--last", "device", "--as-of", "2026-11-30", "--rfm-scores"});
  ASSERT_EQ(built.code, 0) << built.err;
  EXPECT_NE(built.out.find("as of 2026-11-30"), std::string::npos) << built.out;
  EXPECT_FALSE(test::file_read(dir.file("p/profile_build.json")).empty());

  // The log follows the users it was drawn from: every order is an event (plus refunds), and a user's last order
  // is recency_days before the end of the log.
  const Csv generated = csv_read(users), profiles = csv_read(out);
  std::map<std::string, size_t> row_of;
  for (size_t i = 0; i < profiles.rows.size(); ++i) row_of[profiles.rows[i][0]] = i;
  size_t with_orders = 0;
  for (const std::vector<std::string>& u : generated.rows) {
    const long orders = std::lround(std::stod(u[generated.column("orders")]));
    const auto it = row_of.find(u[0]);
    ASSERT_EQ(it != row_of.end(), orders > 0) << u[0];
    if (orders == 0) continue;
    ++with_orders;
    const std::vector<std::string>& p = profiles.rows[it->second];
    const double refunds = std::stod(p[profiles.column("refunds")]);
    EXPECT_EQ(std::stod(p[profiles.column("frequency")]) - refunds, orders) << u[0];
    if (refunds == 0) {
      EXPECT_EQ(std::stod(p[profiles.column("recency_days")]), std::stod(u[generated.column("recency_days")])) << u[0];
    }
  }
  EXPECT_EQ(with_orders, profiles.rows.size());

  // The profile table goes to fit as it is.
  const test::CliResult fit = cli({"fit", out, "--k", "4", "--out", dir.file("seg"), "--quiet"});
  ASSERT_EQ(fit.code, 0) << fit.err;
  EXPECT_EQ(lines_split(test::file_read(dir.file("seg/segments.csv"))).size(), profiles.rows.size() + 1);

  // A refresh from the spec builds the same columns.
  const std::string again = dir.file("again/users.csv");
  const test::CliResult replay = cli({"profile-build", events, "--out", again, "--spec",
                                      dir.file("p/profile_build.json"), "--as-of", "2026-10-31", "--quiet"});
  ASSERT_EQ(replay.code, 0) << replay.err;
  EXPECT_EQ(csv_read(again).header, profiles.header);
  EXPECT_LT(csv_read(again).rows.size(), profiles.rows.size());  // users who start in November are not there yet
}

// gzip and Zstandard copies of a log (found by their magic bytes, whatever their names) give the plain file's users
// table byte for byte; a truncated stream ends with exit 1 and nothing written.
TEST(ProfileBuildCli, CompressedLogsGiveThePlainTable) {
  test::ScratchDir dir;
  const std::string events = dir.file("events.csv");
  ASSERT_EQ(cli({"generate", "--users", "2000", "--out", dir.file("users.csv"), "--events", events, "--quiet"}).code,
            0);
  const std::string text = test::file_read(events);
  const std::vector<std::string> options = {"--user-column",   "user_id", "--time-column",     "order_time",
                                            "--amount-column", "amount",  "--category-column", "category",
                                            "--last",          "device",  "--rfm-scores",      "--quiet"};
  const auto build = [&](const std::string& log, const std::string& out) {
    std::vector<std::string> args = {"profile-build", log, "--out", out};
    args.insert(args.end(), options.begin(), options.end());
    return cli(args);
  };
  ASSERT_EQ(build(events, dir.file("plain/users.csv")).code, 0);
  const std::string plain = test::file_read(dir.file("plain/users.csv"));
  ASSERT_GT(lines_split(plain).size(), 1000u);
  const std::vector<std::pair<std::string, std::string>> copies = {
      {"events.csv.gz", test::gzip_bytes(text)},
      {"events.csv.zst", test::zstd_bytes(text)},
      {"gzip_named.csv",
       test::gzip_bytes(text.substr(0, text.size() / 2)) + test::gzip_bytes(text.substr(text.size() / 2))}};
  for (const auto& [name, bytes] : copies) {
    const std::string out = dir.file(name + ".out/users.csv");
    const test::CliResult r = build(dir.file_write(name, bytes), out);
    ASSERT_EQ(r.code, 0) << name << ": " << r.err;
    EXPECT_EQ(test::file_read(out), plain) << name;
  }
  const std::string gz = test::gzip_bytes(text);
  const test::CliResult cut =
      build(dir.file_write("cut.csv.gz", gz.substr(0, gz.size() / 2)), dir.file("cut/users.csv"));
  EXPECT_EQ(cut.code, 1);
  EXPECT_NE(cut.err.find("cut.csv.gz"), std::string::npos) << cut.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("cut/users.csv")));
}

TEST(ProfileBuildCli, BadInputExitCodesAndMessages) {
  test::ScratchDir dir;
  const std::string events = dir.file_write("events.csv", "u,t,a,c\nx,2024-01-01,1,k\ny,2024-01-32,2,k\n");
  const std::string good = dir.file_write("good.csv", "u,t,a,c\nx,2024-01-01,1,k\ny,2024-01-02,oops,k\n");
  const std::string out = dir.file("users.csv");
  const std::vector<std::string> base = {"--out", out, "--user-column", "u", "--time-column", "t"};
  const auto run = [&](const std::string& file, std::vector<std::string> extra) {
    std::vector<std::string> args = {"profile-build", file};
    args.insert(args.end(), base.begin(), base.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return cli(args);
  };
  test::CliResult r = run(events, {});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("events.csv:3:2: column \"t\": \"2024-01-32\" is not an ISO 8601"), std::string::npos) << r.err;
  r = run(good, {"--amount-column", "a"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("good.csv:3:3: column \"a\": \"oops\""), std::string::npos) << r.err;
  r = run(good, {"--as-of", "2023-12-31"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no events on or before --as-of 2023-12-31"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));  // nothing written on error

  const std::vector<std::pair<std::vector<std::string>, std::string>> usage = {
      {{"--amount-column", "price"}, "--amount-column: no column \"price\""},
      {{"--windows", "7,x"}, "--windows: \"x\" is not a number of days"},
      {{"--windows", "0"}, "--windows: 0 is not a window length"},
      {{"--families", "rfm,magic"}, "--families: unknown family \"magic\""},
      {{"--families", "rfm,categories"}, "--families categories needs --category-column"},
      {{"--families", "windows", "--rfm-scores"}, "--rfm-scores needs the rfm family"},
      {{"--as-of", "last week"}, "--as-of: \"last week\" is not an ISO 8601"},
      {{"--max-categories", "-3"}, "--max-categories must be 0 or more"},
      {{"--spec", "nowhere.json"}, "--user-column: the settings come from --spec"}};
  for (const auto& [extra, message] : usage) {
    r = run(good, extra);
    EXPECT_EQ(r.code, 2) << message;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  }
  r = cli({"profile-build", good, "--out", out, "--time-column", "t"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--user-column is required"), std::string::npos) << r.err;
  r = cli({"profile-build", good, "--out", good, "--user-column", "u", "--time-column", "t"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("is the event log itself"), std::string::npos) << r.err;
  r = cli({"profile-build", good, "--out", out, "--spec", dir.file_write("bad.json", "{\"kind\": \"x\"}")});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("not a profile_build.json"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kseg
