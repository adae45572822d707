// Single output files (assign --out FILE) under SIGKILL: what a kill can leave is a ".NAME.tmp.XXXXXX" temporary file,
// and the next run writing NAME removes it. Output directories are published as whole sets:
// output_sets_signals_test kills fits at random points.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/cli_test_support.hpp"

namespace kseg {
namespace {

TEST(SigkillAtomic, AssignRemovesTemporaryFilesOfItsOutputOnly) {
  test::ScratchDir dir;
  const std::string users = dir.file_write("u.csv", "id,a\n1,1\n2,2\n3,5\n");
  ASSERT_EQ(test::cli({"fit", users, "--k", "2", "--out", dir.file("m"), "--quiet"}).code, 0);
  dir.file_write(".scored.csv.tmp.AbC123", "left by a killed run");
  dir.file_write(".other.csv.tmp.AbC123", "not ours");
  dir.file_write(".scored.csv.tmp.long-suffix", "not a mkstemp name");
  ASSERT_EQ(
      test::cli({"assign", users, "--model", dir.file("m/model.json"), "--out", dir.file("scored.csv"), "--quiet"})
          .code,
      0);
  EXPECT_FALSE(std::filesystem::exists(dir.file(".scored.csv.tmp.AbC123")));
  EXPECT_TRUE(std::filesystem::exists(dir.file(".other.csv.tmp.AbC123")));
  EXPECT_TRUE(std::filesystem::exists(dir.file(".scored.csv.tmp.long-suffix")));
}

}  // namespace
}  // namespace kseg
