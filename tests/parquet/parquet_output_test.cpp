// --out-format parquet: segments.parquet and centroids.parquet hold what the CSV outputs hold, read back with pyarrow.
#include <gtest/gtest.h>

#include <filesystem>

#include "../cli/cli_test_support.hpp"
#include "parquet_test_support.hpp"

namespace kseg {
namespace {

using test::cli;
using test::file_read;

// Reads a Parquet output with pyarrow and checks it against the CSV output of the same run: the same columns, the
// expected types, and every value equal (the CSV's floats are shortest round-trip text of the same float32).
constexpr const char* kCompare = R"(
import pyarrow.compute as pc
def compare(parquet, csv, types):
    a = pq.read_table(parquet)
    b = pcsv.read_csv(csv, convert_options=pcsv.ConvertOptions(column_types=types))
    assert a.schema.names == b.schema.names, (a.schema.names, b.schema.names)
    for name, t in types.items():
        assert a.schema.field(name).type == t, (parquet, name, a.schema.field(name).type)
    b = b.cast(a.schema)
    assert a.equals(b), (parquet, a.slice(0, 3), b.slice(0, 3))
)";

TEST(ParquetOutput, FitAndAssignWriteWhatTheCsvOutputsHold) {
  const std::string why = test::parquet_unavailable();
  if (!why.empty()) GTEST_SKIP() << why;
  test::ScratchDir dir;
  const std::string users = dir.file("u.csv");
  ASSERT_EQ(cli({"generate", "--users", "3000", "--seed", "8", "--out", users, "--quiet"}).code, 0);
  const std::vector<std::string> fit = {"fit", users, "--k", "5", "--seed", "2", "--quiet", "--out"};
  std::vector<std::string> csv_run = fit, parquet_run = fit;
  csv_run.push_back(dir.file("csv"));
  parquet_run.insert(parquet_run.end(), {dir.file("pq"), "--out-format", "parquet"});
  ASSERT_EQ(cli(csv_run).code, 0);
  const test::CliResult r = cli(parquet_run);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("pq/segments.csv")));
  EXPECT_EQ(file_read(dir.file("csv/model.json")), file_read(dir.file("pq/model.json")));
  // assign: text ids from the CSV, and row numbers (no id column) written as int64.
  const std::string model = dir.file("csv/model.json");
  ASSERT_EQ(cli({"assign", users, "--model", model, "--out", dir.file("a.parquet"), "--quiet"}).code, 0);
  ASSERT_EQ(test::python_run(dir, "pcsv.write_csv(pcsv.read_csv('u.csv').drop(['user_id']), 'numbered.csv')\n"), 0);
  ASSERT_EQ(cli({"assign", dir.file("numbered.csv"), "--model", model, "--out", dir.file("n.csv"), "--quiet"}).code, 0);
  ASSERT_EQ(cli({"assign", dir.file("numbered.csv"), "--model", model, "--out", dir.file("n.parquet"), "--quiet"}).code,
            0);
  ASSERT_EQ(test::python_run(dir, std::string(kCompare) + R"(
seg = {'id': pa.string(), 'segment': pa.int32(), 'distance': pa.float32()}
compare('pq/segments.parquet', 'csv/segments.csv', seg)
compare('a.parquet', 'csv/segments.csv', seg)
compare('n.parquet', 'n.csv', dict(seg, id=pa.int64()))
names = pcsv.read_csv('csv/centroids.csv').schema.names
compare('pq/centroids.parquet', 'csv/centroids.csv',
        dict({'segment': pa.int64(), 'size': pa.int64()}, **{n: pa.float32() for n in names[2:]}))
)"),
            0);
}

TEST(ParquetOutput, FormatAndFileNameMustAgree) {
  const std::string why = test::parquet_unavailable();
  if (!why.empty()) GTEST_SKIP() << why;
  test::ScratchDir dir;
  const std::string users = dir.file_write("u.csv", "spend,visits\n1,2\n3,4\n50,60\n52,61\n");
  ASSERT_EQ(cli({"fit", users, "--k", "2", "--out", dir.file("o"), "--quiet"}).code, 0);
  const test::CliResult r = cli(
      {"assign", users, "--model", dir.file("o/model.json"), "--out", dir.file("x.csv"), "--out-format", "parquet"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("name the file *.parquet"), std::string::npos) << r.err;
  EXPECT_EQ(cli({"fit", users, "--k", "2", "--out", dir.file("o"), "--out-format", "xlsx"}).code, 2);
}

// profile --segments reads a segments.parquet as it reads the segments.csv of the same fit: the same profiles.
TEST(ParquetOutput, ProfileReadsASegmentsParquetAsItsCsv) {
  const std::string why = test::parquet_unavailable();
  if (!why.empty()) GTEST_SKIP() << why;
  test::ScratchDir dir;
  const std::string users = dir.file("u.csv");
  ASSERT_EQ(cli({"generate", "--users", "2000", "--seed", "6", "--out", users, "--quiet"}).code, 0);
  const std::vector<std::string> fit = {"fit", users, "--k", "4", "--seed", "1", "--quiet", "--out"};
  std::vector<std::string> csv_run = fit, parquet_run = fit;
  csv_run.push_back(dir.file("csv"));
  parquet_run.insert(parquet_run.end(), {dir.file("pq"), "--out-format", "parquet"});
  ASSERT_EQ(cli(csv_run).code, 0);
  ASSERT_EQ(cli(parquet_run).code, 0);
  for (const char* run : {"csv", "pq"}) {
    const std::string segments =
        dir.file(std::string(run) + (std::string(run) == "csv" ? "/segments.csv" : "/segments.parquet"));
    const test::CliResult r = cli({"profile", users, "--model", dir.file("csv/model.json"), "--segments", segments,
                                   "--out", dir.file(std::string("profile_") + run), "--quiet"});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  EXPECT_EQ(file_read(dir.file("profile_csv/profiles.csv")), file_read(dir.file("profile_pq/profiles.csv")));
  EXPECT_EQ(file_read(dir.file("profile_csv/profiles.json")), file_read(dir.file("profile_pq/profiles.json")));
  // A Parquet file without a segment column (the users themselves) is refused naming the column.
  ASSERT_EQ(test::python_run(dir, "pq.write_table(pcsv.read_csv('u.csv'), 'u.parquet')\n"), 0);
  const test::CliResult bad = cli({"profile", users, "--model", dir.file("csv/model.json"), "--segments",
                                   dir.file("u.parquet"), "--out", dir.file("bad"), "--quiet"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("no column named \"segment\""), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace kseg
