// Determinism: the same input, options and seed give byte-identical output files across runs and thread counts
// (1, 2, 4); summary.json differs only in what it measures (seconds) and the thread count it records.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/cli/cli_test_support.hpp"

namespace kseg {
namespace {

// summary.json without wall-clock times and the recorded thread count.
nlohmann::json summary_reproducible(const std::string& path) {
  nlohmann::json doc = nlohmann::json::parse(test::file_read(path));
  doc.erase("seconds");
  doc.erase("threads");
  for (auto& it : doc["iterations"]) it.erase("seconds");
  for (auto& run : doc["runs"]) run.erase("seconds_init");
  return doc;
}

TEST(Determinism, FitAndAssignAreByteIdenticalAcrossRunsAndThreadCounts) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(test::cli({"generate", "--users", "30000", "--seed", "9", "--out", users, "--quiet"}).code, 0);
  const std::vector<std::string> threads = {"1", "2", "4", "2"};  // the last: a second run with 2 threads
  for (size_t t = 0; t < threads.size(); ++t) {
    const std::string out = dir.file("fit" + std::to_string(t));
    ASSERT_EQ(test::cli({"fit", users, "--k", "7", "--n-init", "3", "--seed", "123", "--threads", threads[t], "--out",
                         out, "--quiet"})
                  .code,
              0);
    ASSERT_EQ(test::cli({"assign", users, "--model", out + "/model.json", "--out", out + "/assigned.csv",
                         "--batch-rows", "4096", "--threads", threads[t], "--quiet"})
                  .code,
              0);
  }
  const std::string first = dir.file("fit0");
  EXPECT_EQ(test::file_read(first + "/assigned.csv"), test::file_read(first + "/segments.csv"));
  for (size_t t = 1; t < threads.size(); ++t) {
    SCOPED_TRACE("--threads " + threads[t] + " (run " + std::to_string(t) + ")");
    const std::string out = dir.file("fit" + std::to_string(t));
    for (const char* name : {"segments.csv", "centroids.csv", "model.json", "assigned.csv"})
      EXPECT_TRUE(test::file_read(first + "/" + name) == test::file_read(out + "/" + name)) << name << " differs";
    EXPECT_EQ(summary_reproducible(first + "/summary.json"), summary_reproducible(out + "/summary.json"));
  }
  // The summary records what reproduces the run.
  const nlohmann::json summary = nlohmann::json::parse(test::file_read(first + "/summary.json"));
  for (const char* key : {"kseg_version", "input", "k", "seed", "init", "n_init", "max_iter", "tol", "scale"})
    EXPECT_TRUE(summary.contains(key)) << key;
}

}  // namespace
}  // namespace kseg
