// kseg profile-build's progress lines, in-process: the summary names the events of the log and the users of the table
// written, --quiet prints nothing; and what the readers report to ProfileBuildRequest::progress for a plain CSV, a
// gzip CSV (its compressed bytes) and a directory of .npy columns (how far, of what total), once per batch, then the
// per-user phase.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "../io/compress_support.hpp"
#include "cli_test_support.hpp"
#include "host/events/profile_build.hpp"

namespace kseg {
namespace {

using test::cli;
using test::lines_split;

// Data lines of a generated CSV (no quoted line breaks): its records.
int64_t records_count(const std::string& path) {
  return static_cast<int64_t>(lines_split(test::file_read(path)).size()) - 1;
}

std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> found;
  for (const std::string& line : lines_split(text))
    if (line.rfind(prefix, 0) == 0) found.push_back(line);
  return found;
}

TEST(ProfileProgressCli, SummaryNamesTheEventsAndUsersAndQuietPrintsNothing) {
  test::ScratchDir dir;
  const std::string events = dir.file("events.csv"), out = dir.file("p/users.csv");
  ASSERT_EQ(cli({"generate", "--users", "2000", "--out", dir.file("drawn.csv"), "--events", events, "--quiet"}).code,
            0);
  const std::vector<std::string> build = {"profile-build",   events,    "--out",         out,
                                          "--user-column",   "user_id", "--time-column", "order_time",
                                          "--amount-column", "amount"};
  const test::CliResult built = cli(build);
  ASSERT_EQ(built.code, 0) << built.err;
  // Counted from the files themselves: the log's data lines, the table's rows.
  const int64_t n_events = records_count(events), n_users = records_count(out);
  ASSERT_GT(n_events, n_users);
  const std::string users = std::to_string(n_users);
  const std::vector<std::string> done = lines_starting(built.err, "kseg: profile-build done: ");
  ASSERT_EQ(done.size(), 1u) << built.err;
  EXPECT_EQ(
      done[0].rfind("kseg: profile-build done: " + std::to_string(n_events) + " events, " + users + " users in ", 0),
      0u)
      << done[0];
  const std::vector<std::string> phase = lines_starting(built.err, "kseg: read " + std::to_string(n_events) + " ");
  ASSERT_EQ(phase.size(), 1u) << built.err;
  EXPECT_NE(phase[0].find("building the features of " + users + " users"), std::string::npos) << phase[0];
  const std::vector<std::string> writing = lines_starting(built.err, "kseg: built " + users + " users × ");
  ASSERT_EQ(writing.size(), 1u) << built.err;
  EXPECT_NE(writing[0].find("; writing " + out), std::string::npos) << writing[0];
  for (const std::string& line : lines_split(built.err))
    EXPECT_EQ(line.rfind("kseg: ", 0), 0u) << "every progress line is kseg's: " << line;

  std::vector<std::string> quiet = build;
  quiet.push_back("--quiet");
  const test::CliResult silent = cli(quiet);
  ASSERT_EQ(silent.code, 0) << silent.err;
  EXPECT_EQ(silent.err, "");
  EXPECT_EQ(silent.out, "");
}

struct Reports {
  std::vector<ProfileProgress> reading;
  std::vector<ProfileProgress> building;
};

// Builds the RFM profiles of the log at path (columns user_id, order_time, amount), keeping every report.
ProfileBuildProducts build_reported(const std::string& path, Reports& reports) {
  ProfileBuildRequest r;
  r.events_path = path;
  r.user_column = "user_id";
  r.time_column = "order_time";
  r.amount_column = "amount";
  r.families = profile_families_parse("rfm");
  r.threads = 2;
  r.progress = [&](const ProfileProgress& p) {
    (p.stage == ProfileProgress::Stage::reading ? reports.reading : reports.building).push_back(p);
  };
  return profile_build(r);
}

// Per report: events never fall, and the one per-user phase report comes with the log's events and the table's users.
void reports_check(const Reports& reports, const ProfileBuildProducts& products) {
  ASSERT_FALSE(reports.reading.empty());
  for (size_t i = 1; i < reports.reading.size(); ++i)
    EXPECT_GE(reports.reading[i].events, reports.reading[i - 1].events);
  EXPECT_EQ(reports.reading.back().events, products.events_read);
  ASSERT_EQ(reports.building.size(), 1u);
  EXPECT_EQ(reports.building[0].events, products.events_read);
  EXPECT_EQ(reports.building[0].users, static_cast<int64_t>(products.users.ids.size()));
  EXPECT_FALSE(products.settings.progress) << "the products do not keep the caller's sink";
}

TEST(ProfileProgressReports, PlainAndCompressedCsv) {
  test::ScratchDir dir;
  const std::string events = dir.file("events.csv");
  ASSERT_EQ(cli({"generate", "--users", "500", "--out", dir.file("drawn.csv"), "--events", events, "--quiet"}).code, 0);
  const int64_t n_events = records_count(events);
  const auto size = static_cast<int64_t>(std::filesystem::file_size(events));

  Reports plain;
  const ProfileBuildProducts from_plain = build_reported(events, plain);
  reports_check(plain, from_plain);
  EXPECT_EQ(from_plain.events_read, n_events);
  const ProfileProgress& last = plain.reading.back();
  EXPECT_FALSE(last.rows);
  EXPECT_EQ(last.total, size);
  EXPECT_EQ(last.done, size) << "the last batch ends at the file's end";

  Reports gzip;
  const std::string gz = dir.file_write("events.csv.gz", test::gzip_bytes(test::file_read(events)));
  const ProfileBuildProducts from_gzip = build_reported(gz, gzip);
  reports_check(gzip, from_gzip);
  EXPECT_EQ(from_gzip.events_read, n_events);
  // Compressed bytes of the compressed file: all of them once the last batch is read.
  const auto gz_size = static_cast<int64_t>(std::filesystem::file_size(gz));
  EXPECT_FALSE(gzip.reading.back().rows);
  EXPECT_EQ(gzip.reading.back().total, gz_size);
  EXPECT_EQ(gzip.reading.back().done, gz_size);
  EXPECT_LT(gz_size, size);
}

// A 1-D .npy array of n items of dtype descr (version 1.0 header, padded to 64 bytes as numpy writes it).
std::string npy_bytes(const std::string& descr, size_t n, const void* data, size_t item_size) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + std::to_string(n) + ",), }";
  const size_t header = 10 + dict.size() + 1;
  dict.append((64 - header % 64) % 64, ' ');
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>(dict.size() >> 8);
  out += dict;
  out.append(static_cast<const char*>(data), n * item_size);
  return out;
}

TEST(ProfileProgressReports, NpyColumnsReportRowsOfTheirLength) {
  test::ScratchDir dir;
  std::filesystem::create_directory(dir.file("log"));
  // 7 events of 3 users over three days.
  const int64_t users[] = {1, 2, 1, 3, 2, 1, 3};
  const int64_t seconds[] = {1700000000, 1700003600, 1700090000, 1700100000, 1700200000, 1700210000, 1700220000};
  const double amounts[] = {5.0, 7.5, 1.0, 2.0, 3.0, 4.0, 9.0};
  dir.file_write("log/user_id.npy", npy_bytes("<i8", 7, users, 8));
  dir.file_write("log/order_time.npy", npy_bytes("<M8[s]", 7, seconds, 8));
  dir.file_write("log/amount.npy", npy_bytes("<f8", 7, amounts, 8));
  Reports reports;
  const ProfileBuildProducts products = build_reported(dir.file("log"), reports);
  reports_check(reports, products);
  EXPECT_EQ(products.events_read, 7);
  EXPECT_EQ(products.users.ids.size(), 3u);
  const ProfileProgress& last = reports.reading.back();
  EXPECT_TRUE(last.rows);
  EXPECT_EQ(last.done, 7);
  EXPECT_EQ(last.total, 7);
}

}  // namespace
}  // namespace kseg
