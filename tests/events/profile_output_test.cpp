// The per-user phase of profile-build checked against independent computations: the 12-digit number text against
// std::to_chars (edge values, ties, powers of ten, random doubles), users.csv against a file built here with
// std::to_chars and plain quoting (NaN cells, quotes, several blocks, thread counts), the order of users against a
// scan of the log for first appearances (users spread over all partitions, keys needing two radix passes), and the RFM
// quintile scores against their definition counted user by user.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "../io/test_files.hpp"
#include "host/events/number_general12.hpp"
#include "host/events/profile_build.hpp"
#include "host/events/profile_csv.hpp"
#include "host/events/rfm_segments.hpp"

namespace kseg {
namespace {

std::string reference_text(double v) {
  char text[64];
  return std::string(text, std::to_chars(text, text + sizeof(text), v, std::chars_format::general, 12).ptr);
}

std::string general12_text(double v) {
  char text[kNumberGeneral12Max];
  return std::string(text, number_general12_write(text, v));
}

TEST(NumberGeneral12, EdgeValuesAsToChars) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const std::vector<double> values = {0.0,
                                      -0.0,
                                      1.0,
                                      -1.0,
                                      1e-7,
                                      1e15,
                                      1e12,
                                      999999999999.0,
                                      999999999999.5,
                                      123456789012.5,
                                      123456789013.5,
                                      0.5,
                                      2.5,
                                      1e-5,
                                      1e-4,
                                      9.99999999999995e-5,
                                      0.1,
                                      0.3,
                                      1.0 / 3,
                                      2.0 / 3,
                                      -1.0 / 7,
                                      1e11,
                                      99999999999.95,
                                      2243.06,
                                      1115.92,
                                      1e14 + 0.5,
                                      5e-324,
                                      1e300,
                                      -1e300,
                                      inf,
                                      -inf,
                                      nan,
                                      4.35,
                                      0.0769230769231};
  for (double v : values) EXPECT_EQ(general12_text(v), reference_text(v)) << "value " << v;
  // Exactly: the ties go to the even digit, integers below 1e12 stay integers, the others take an exponent.
  EXPECT_EQ(general12_text(123456789012.5), "123456789012");
  EXPECT_EQ(general12_text(123456789013.5), "123456789014");
  EXPECT_EQ(general12_text(-0.0), "-0");
  EXPECT_EQ(general12_text(1e15), "1e+15");
  EXPECT_EQ(general12_text(1e-7), "1e-07");
  EXPECT_EQ(general12_text(999999999999.5), "1e+12");
}

TEST(NumberGeneral12, PowersOfTenAndTheirNeighboursAsToChars) {
  for (int e = -9; e <= 17; ++e) {
    const double p = std::pow(10.0, e);
    for (double v : {p, std::nextafter(p, 0.0), std::nextafter(p, 1e300), p * (1 - 5e-13), p * (1 + 5e-13)}) {
      EXPECT_EQ(general12_text(v), reference_text(v)) << "value " << v;
      EXPECT_EQ(general12_text(-v), reference_text(-v)) << "value " << -v;
    }
  }
}

TEST(NumberGeneral12, RandomDoublesAsToChars) {
  std::mt19937_64 random(20261206);
  int mismatches = 0;
  for (int i = 0; i < 600000 && mismatches < 10; ++i) {
    const uint64_t r = random();
    double v = 0.0;
    switch (i % 6) {
      case 0:  // any bit pattern
        std::memcpy(&v, &r, sizeof(v));
        break;
      case 1:  // ratios of small counts, as the shares and means are
        v = static_cast<double>(r % 100000) / static_cast<double>(1 + (r >> 40) % 1000);
        break;
      case 2:  // binary fractions: exact ties at the 12th digit happen
        v = std::ldexp(static_cast<double>(r >> 11), -static_cast<int>(r % 80));
        break;
      case 3:  // amounts in cents, refunds included
        v = static_cast<double>(static_cast<int64_t>(r % 200000000) - 100000000) / 100.0;
        break;
      case 4:  // integers across the 1e12 edge
        v = static_cast<double>(r % 4000000000000ull);
        break;
      default:  // a 12-digit value and a half at every magnitude: the rounding of halves
        v = (static_cast<double>(r % 1000000000000ull) + 0.5) * std::pow(10.0, static_cast<int>((r >> 50) % 24) - 14);
    }
    const std::string mine = general12_text(v), expected = reference_text(v);
    if (mine != expected) ++mismatches;
    EXPECT_EQ(mine, expected) << "value bits " << r;
  }
}

// A table with every kind of cell: NaN (empty), -0, integers, ratios, text needing quotes, empty text.
ProfileTable table_make(size_t n) {
  ProfileTable t;
  t.id_name = "user,id";  // a header cell that needs quotes
  t.numeric_names = {"count", "ratio", "amount"};
  t.numeric.resize(3);
  t.categorical_names = {"segment"};
  t.categorical.resize(1);
  std::mt19937_64 random(7);
  for (size_t i = 0; i < n; ++i) {
    t.ids.push_back(i % 97 == 0 ? "u\"" + std::to_string(i) + "\",x" : "u" + std::to_string(i));
    t.numeric[0].push_back(static_cast<double>(random() % 50));
    t.numeric[1].push_back(i % 11 == 0 ? std::numeric_limits<double>::quiet_NaN()
                                       : static_cast<double>(random() % 9) / static_cast<double>(1 + random() % 13));
    t.numeric[2].push_back(i % 13 == 0 ? -0.0
                                       : static_cast<double>(static_cast<int64_t>(random() % 20000) - 500) / 100);
    t.categorical[0].push_back(i % 5 == 0 ? "" : i % 7 == 0 ? "a\nb" : "lost");
  }
  return t;
}

std::string quoted(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_expected(const ProfileTable& t) {
  std::string out = quoted(t.id_name);
  for (const std::string& name : t.numeric_names) out += "," + quoted(name);
  for (const std::string& name : t.categorical_names) out += "," + quoted(name);
  out += "\n";
  for (size_t i = 0; i < t.ids.size(); ++i) {
    out += quoted(t.ids[i]);
    for (const std::vector<double>& column : t.numeric)
      out += "," + (std::isnan(column[i]) ? std::string() : reference_text(column[i]));
    for (const std::vector<std::string>& column : t.categorical) out += "," + quoted(column[i]);
    out += "\n";
  }
  return out;
}

TEST(UsersCsv, CellsAsToCharsAndQuotedOverSeveralBlocks) {
  test::ScratchDir dir;
  const ProfileTable t = table_make(40000);  // three blocks of 16384 rows
  const std::string expected = csv_expected(t);
  for (int threads : {1, 3}) {
    const std::string path = dir.file("users_" + std::to_string(threads) + ".csv");
    users_csv_write(t, path, ',', threads);
    EXPECT_EQ(test::file_read(path), expected) << threads << " threads";
  }
}

TEST(UsersCsv, EmptyTableHasTheHeaderOnly) {
  test::ScratchDir dir;
  const ProfileTable t = table_make(0);
  users_csv_write(t, dir.file("users.csv"), ',', 2);
  EXPECT_EQ(test::file_read(dir.file("users.csv")), "\"user,id\",count,ratio,amount,segment\n");
}

// Users in order of first appearance over more events than one 13-bit radix pass orders, spread over all partitions.
TEST(ProfileOrder, UsersInOrderOfFirstAppearance) {
  test::ScratchDir dir;
  std::mt19937_64 random(11);
  std::string log = "user,time\n";
  std::vector<std::string> expected;
  std::map<std::string, bool> seen;
  for (int e = 0; e < 30000; ++e) {
    // New users keep coming throughout the log, old ones come back.
    const std::string user = "user" + std::to_string(random() % (e < 100 ? 50 : 6000));
    log += user + ",2024-0" + std::to_string(1 + random() % 9) + "-1" + std::to_string(random() % 10) + "\n";
    if (!seen[user]) {
      seen[user] = true;
      expected.push_back(user);
    }
  }
  ProfileBuildRequest r;
  r.events_path = dir.file_write("events.csv", log);
  r.user_column = "user";
  r.time_column = "time";
  for (int threads : {1, 2}) {
    r.threads = threads;
    EXPECT_EQ(profile_build(r).users.ids, expected) << threads << " threads";
  }
}

// The definition: 1 + ⌊5·b / n⌋ with b the users whose value is strictly worse, counted one by one.
std::vector<int> scores_by_definition(const std::vector<double>& values, bool lower_is_better) {
  const size_t n = values.size();
  std::vector<int> scores(n);
  for (size_t i = 0; i < n; ++i) {
    size_t worse = 0;
    for (double v : values) worse += lower_is_better ? v > values[i] : v < values[i];
    scores[i] = 1 + static_cast<int>(5 * worse / n);
  }
  return scores;
}

TEST(RfmScores, QuintilesAsTheirDefinition) {
  std::mt19937_64 random(5);
  for (size_t n : {size_t{1}, size_t{2}, size_t{4}, size_t{5}, size_t{6}, size_t{7}, size_t{101}, size_t{2000}}) {
    std::vector<double> few_values(n), many_values(n);  // heavy ties; mostly distinct (and negative) values
    for (size_t i = 0; i < n; ++i) {
      few_values[i] = static_cast<double>(random() % 4);
      many_values[i] = static_cast<double>(static_cast<int64_t>(random() % 100000) - 300) / 7.0;
    }
    for (const std::vector<double>* values : {&few_values, &many_values})
      for (bool lower_is_better : {true, false})
        EXPECT_EQ(quintile_scores(*values, lower_is_better), scores_by_definition(*values, lower_is_better))
            << "n " << n << (lower_is_better ? ", lower is better" : ", higher is better");
  }
}

}  // namespace
}  // namespace kseg
