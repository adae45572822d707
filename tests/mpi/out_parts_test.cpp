// One process: --out-parts writes a single part equal to segments.csv, replaces an earlier set and an earlier
// segments.csv, removes what an interrupted run left; --init k-means|| through the CLI. (mpirun with 2 and 3 ranks:
// mpi_fit_test.cmake.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../cli/cli_test_support.hpp"
#include "../io/test_files.hpp"

namespace kseg {
namespace {

namespace fs = std::filesystem;
using test::cli;
using test::file_read;

std::vector<std::string> hidden_entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string()[0] == '.') names.push_back(entry.path().filename().string());
  return names;
}

TEST(OutParts, OneProcessWritesOnePartEqualToSegmentsCsv) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "2000", "--seed", "3", "--out", users, "--quiet"}).code, 0);
  const std::string whole = dir.file("whole");
  ASSERT_EQ(cli({"fit", users, "--k", "4", "--out", whole, "--device", "cpu", "--quiet"}).code, 0);

  const std::string parts = dir.file("parts");
  fs::create_directories(parts + "/.segments.parts.tmp.abc123");  // left by an interrupted run
  std::ofstream(parts + "/.segments.parts.tmp.abc123/segments.part-00000-of-00004.csv") << "stale\n";
  std::ofstream(parts + "/segments.csv") << "stale\n";
  const test::CliResult fit = cli({"fit", users, "--k", "4", "--out", parts, "--device", "cpu", "--out-parts"});
  ASSERT_EQ(fit.code, 0) << fit.err;
  EXPECT_NE(fit.out.find("segments.parts/ (1 parts)"), std::string::npos) << fit.out;
  const std::string part = parts + "/segments.parts/segments.part-00000-of-00001.csv";
  EXPECT_EQ(file_read(part), file_read(whole + "/segments.csv"));
  EXPECT_FALSE(fs::exists(parts + "/segments.csv"));
  EXPECT_TRUE(hidden_entries(parts).empty());
  EXPECT_EQ(nlohmann::json::parse(file_read(parts + "/summary.json"))["segments_parts"]["count"], 1);

  // Again over the existing set (swapped in, the old set removed), with another seed.
  std::ofstream(parts + "/segments.parts/segments.part-00007-of-00009.csv") << "from another run\n";
  ASSERT_EQ(
      cli({"fit", users, "--k", "4", "--seed", "5", "--out", parts, "--device", "cpu", "--out-parts", "--quiet"}).code,
      0);
  EXPECT_FALSE(fs::exists(parts + "/segments.parts/segments.part-00007-of-00009.csv"));
  EXPECT_TRUE(fs::exists(part));
  EXPECT_TRUE(hidden_entries(parts).empty());

  // Without --out-parts the set goes and segments.csv comes back.
  ASSERT_EQ(cli({"fit", users, "--k", "4", "--out", parts, "--device", "cpu", "--quiet"}).code, 0);
  EXPECT_FALSE(fs::exists(parts + "/segments.parts"));
  EXPECT_EQ(file_read(parts + "/segments.csv"), file_read(whole + "/segments.csv"));
}

TEST(OutParts, InitKMeansParallelThroughTheCli) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "2000", "--seed", "4", "--out", users, "--quiet"}).code, 0);
  const std::string a = dir.file("a"), b = dir.file("b");
  ASSERT_EQ(cli({"fit", users, "--k", "5", "--init", "k-means||", "--out", a, "--device", "cpu", "--quiet"}).code, 0);
  ASSERT_EQ(
      cli({"fit", users, "--k", "5", "--init", "k-means||", "--out", b, "--device", "cpu", "--threads", "1", "--quiet"})
          .code,
      0);
  EXPECT_EQ(file_read(a + "/centroids.csv"), file_read(b + "/centroids.csv"));
  EXPECT_EQ(nlohmann::json::parse(file_read(a + "/summary.json"))["init"], "k-means||");
  const test::CliResult bad = cli({"fit", users, "--k", "5", "--init", "kmeans||", "--out", a, "--quiet"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("k-means||"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace kseg
