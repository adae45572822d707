// profile_build names the first bad record in file order, whichever check finds it: the parse checks times and
// amounts on every event, while user ids (blank, or a missing-value spelling such as NA) are checked once per new
// user while folding, on other threads and partitions. The logs put one bad id and one bad time on lines chosen by
// hand (in different chunks of the parallel parse, and in either order), so the expected line is known without
// running kseg; each is built with 1 and 2 threads, from CSV and (where pyarrow is installed) from Parquet.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "../io/test_files.hpp"
#include "host/error.hpp"
#include "host/events/profile_build.hpp"
#include "host/parquet/parquet_input.hpp"
#include "profile_requests.hpp"
#include "profile_twins.hpp"

namespace kseg {
namespace {

constexpr int kRecords = 3000;  // data records: 12 chunks of 250 with 2 threads, spread over all 64 partitions

// A log of kRecords events of 700 users, line 1 the header (data record i is on line i + 2), with record bad_id's
// user id replaced by `id` and record bad_time's time by a 13th month; -1: none.
std::string log_text(int bad_id, const std::string& id, int bad_time) {
  std::string text = "user,time,amount\n";
  for (int i = 0; i < kRecords; ++i) {
    const std::string user = i == bad_id ? id : "user" + std::to_string((i * 7) % 700);
    const std::string time = i == bad_time ? "2024-13-01" : "2024-02-" + std::to_string(10 + i % 19) + "T10:00:00Z";
    text += user + "," + time + "," + std::to_string(i % 50) + ".5\n";
  }
  return text;
}

struct Case {
  int bad_id;
  std::string id;
  int bad_time;
  std::string expected;  // in the CSV's error: file:line:column: column "...": problem
};

// Bad ids and times on lines in different parse chunks, either one first, and both on one record (the id's error
// first, as the parse checks the id of a record it refuses).
std::vector<Case> cases() {
  return {
      {2400, "NA", 700, ":702:2: column \"time\": \"2024-13-01\""},
      {700, "NA", 2400, ":702:1: column \"user\": user id \"NA\" is a missing-value spelling"},
      {1100, " ", 1900, ":1102:1: column \"user\": empty user id"},
      {2950, "NULL", 2950, ":2952:1: column \"user\": user id \"NULL\" is a missing-value spelling"},
      {5, "NA", 2999, ":7:1: column \"user\": user id \"NA\""},
      {2999, "None", 5, ":7:2: column \"time\""},
  };
}

TEST(ProfileBuildFirstError, CsvNamesTheFirstBadRecordWhicheverCheckFindsIt) {
  test::ScratchDir dir;
  for (const Case& c : cases()) {
    const std::string path = dir.file_write("log.csv", log_text(c.bad_id, c.id, c.bad_time));
    for (int threads : {1, 2}) {
      const std::string error = test::profile_build_error(test::request_user_time_amount(path, threads));
      EXPECT_NE(error.find("log.csv" + c.expected), std::string::npos)
          << "threads " << threads << ", bad id " << c.bad_id << ", bad time " << c.bad_time << ": " << error;
    }
  }
}

// An event after --as-of is left out of the profiles, but its bad user id is still refused.
TEST(ProfileBuildFirstError, BadIdOfAnEventAfterAsOfIsRefused) {
  test::ScratchDir dir;
  std::string text = log_text(-1, "", -1);
  text += "NA,2024-06-01T10:00:00Z,1\n";  // line kRecords + 2
  const std::string path = dir.file_write("late.csv", text);
  for (int threads : {1, 2}) {
    ProfileBuildRequest r = test::request_user_time_amount(path, threads);
    r.as_of = "2024-03-01";
    const std::string error = test::profile_build_error(r);
    EXPECT_NE(error.find("late.csv:" + std::to_string(kRecords + 2) + ":1: column \"user\": user id \"NA\""),
              std::string::npos)
        << error;
  }
}

// The same logs as Parquet (all columns strings, the time as ISO text): the error names the same record, as a row.
TEST(ProfileBuildFirstError, ParquetNamesTheFirstBadRowWhicheverCheckFindsIt) {
  const std::string why = test::python_module_missing("pyarrow.parquet", true);
  if (!why.empty()) GTEST_SKIP() << why;
  test::ScratchDir dir;
  const std::string writer =
      "import sys, pyarrow as pa, pyarrow.csv as pc, pyarrow.parquet as pq\n"
      "types = {'user': pa.string(), 'time': pa.string(), 'amount': pa.float64()}\n"
      "t = pc.read_csv(sys.argv[1], convert_options=pc.ConvertOptions(column_types=types,"
      " strings_can_be_null=False, quoted_strings_can_be_null=False))\n"
      "pq.write_table(t, sys.argv[2], row_group_size=1000)\n";
  for (const Case& c : cases()) {
    const std::string csv = dir.file_write("log.csv", log_text(c.bad_id, c.id, c.bad_time));
    const std::string parquet = dir.file("log.parquet");
    std::filesystem::remove(parquet);
    ASSERT_NO_FATAL_FAILURE(test::python_script_run(dir, writer, csv + " " + parquet));
    // The CSV's line L is row L - 1 of the Parquet file; the column is named, not numbered.
    const size_t colon = c.expected.find(':', 1);
    const int row = std::stoi(c.expected.substr(1, colon - 1)) - 1;
    const std::string column = c.expected.find("\"user\"") != std::string::npos ? "\"user\"" : "\"time\"";
    for (int threads : {1, 2}) {
      const std::string error = test::profile_build_error(test::request_user_time_amount(parquet, threads));
      EXPECT_NE(error.find("row " + std::to_string(row) + ": column " + column), std::string::npos)
          << "threads " << threads << ", bad id " << c.bad_id << ", bad time " << c.bad_time << ": " << error;
    }
  }
}

}  // namespace
}  // namespace kseg
