// profile-build reads an amount spelled as a missing value (NA, NULL, nan, N/A, None, ...; the default --na-values
// of the other commands) as a missing amount, exactly as an empty cell: the two logs below differ only in how the
// missing amounts are spelled, and users.csv must be byte for byte the same.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../cli/cli_test_support.hpp"

namespace kseg {
namespace {

using test::cli;

// u1: 10, missing, 30; u2: missing, 5; u3: missing only. missing: how each missing amount is written.
std::string log_text(const std::vector<std::string>& missing) {
  return "user_id,order_time,amount\n"
         "u1,2024-01-01,10\n"
         "u1,2024-01-05," +
         missing[0] +
         "\n"
         "u2,2024-01-06," +
         missing[1] +
         "\n"
         "u1,2024-01-09,30\n"
         "u2,2024-01-10,5\n"
         "u3,2024-01-11," +
         missing[2] +
         "\n"
         "u3,2024-01-12," +
         missing[3] + "\n";
}

using test::fields_split;

test::CliResult build(const test::ScratchDir& dir, const std::string& name, const std::string& text) {
  dir.file_write(name + ".csv", text);
  return cli({"profile-build", dir.file(name + ".csv"), "--out", dir.file(name + "/users.csv"), "--user-column",
              "user_id", "--time-column", "order_time", "--amount-column", "amount", "--as-of", "2024-01-31",
              "--quiet"});
}

TEST(ProfileBuildNa, MissingSpellingsEqualEmptyAmounts) {
  test::ScratchDir dir;
  const test::CliResult empty = build(dir, "empty", log_text({"", "", "", ""}));
  ASSERT_EQ(empty.code, 0) << empty.err;
  const test::CliResult spelled = build(dir, "spelled", log_text({"NA", " NULL ", "nan", "N/A"}));
  ASSERT_EQ(spelled.code, 0) << spelled.err;
  const std::string users = test::file_read(dir.file("empty/users.csv"));
  EXPECT_EQ(test::file_read(dir.file("spelled/users.csv")), users);
  // Four events without an amount, counted alike (profile_build.json: "amounts_missing").
  for (const char* name : {"empty", "spelled"}) {
    const std::string json = test::file_read(dir.file(std::string(name) + "/profile_build.json"));
    EXPECT_NE(json.find("\"amounts_missing\": 4"), std::string::npos) << name << ": " << json;
  }
  // u1's amounts are 10 and 30 (its missing one adds nothing): monetary_total 40, monetary_mean 20.
  const std::vector<std::string> lines = test::lines_split(users);
  ASSERT_GE(lines.size(), 2u) << users;
  const std::vector<std::string> header = fields_split(lines[0]);
  const std::vector<std::string> u1 = fields_split(lines[1]);
  ASSERT_EQ(u1.at(0), "u1") << users;
  const auto cell = [&](const std::string& column) {
    return u1.at(static_cast<size_t>(std::find(header.begin(), header.end(), column) - header.begin()));
  };
  EXPECT_EQ(cell("monetary_total"), "40") << users;
  EXPECT_EQ(cell("monetary_mean"), "20") << users;
}

TEST(ProfileBuildNa, TextThatIsNotAMissingSpellingIsRefused) {
  test::ScratchDir dir;
  const test::CliResult bad = build(dir, "bad", log_text({"NA", "", "Na", ""}));
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("bad.csv:7:3: column \"amount\": \"Na\" is not a finite number"), std::string::npos)
      << bad.err;
}

}  // namespace
}  // namespace kseg
