// Atomic outputs under SIGKILL: the built kseg is killed while it writes into a directory holding earlier outputs.
// Every output file must afterwards be whole: the earlier version or the complete new one, never a mix or a prefix.
// What a kill can leave is ".NAME.tmp.XXXXXX" temporary files, and the next run into that directory removes them.
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

const std::vector<std::string> kOutputs = {"segments.csv", "centroids.csv", "model.json",        "summary.json",
                                           "profiles.csv", "profiles.json", "segment_names.csv", "report.html"};

pid_t kseg_start(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  const std::string binary = KSEG_BINARY;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

int kseg_wait(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::map<std::string, std::string> outputs_read(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const std::string& name : kOutputs) files[name] = test::file_read(dir + "/" + name);
  return files;
}

// Names in dir that are neither outputs nor temporary files of outputs.
std::vector<std::string> stray_files(const std::string& dir, std::vector<std::string>* temps) {
  std::vector<std::string> stray;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    bool known = false;
    for (const std::string& output : kOutputs) {
      const std::string prefix = "." + output + ".tmp.";
      if (name == output) known = true;
      if (name.size() == prefix.size() + 6 && name.compare(0, prefix.size(), prefix) == 0) {
        known = true;
        temps->push_back(name);
      }
    }
    if (!known) stray.push_back(name);
  }
  return stray;
}

bool temp_present(const std::string& dir, const std::string& output) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().filename().string().rfind("." + output + ".tmp.", 0) == 0) return true;
  return false;
}

TEST(SigkillAtomic, KilledFitLeavesWholeFilesAndTheNextRunCleansUp) {
  test::ScratchDir dir;
  const std::string big = dir.file("big.csv"), small = dir.file("small.csv");
  ASSERT_EQ(test::cli({"generate", "--users", "600000", "--seed", "3", "--out", big, "--quiet"}).code, 0);
  ASSERT_EQ(test::cli({"generate", "--users", "300", "--seed", "4", "--out", small, "--quiet"}).code, 0);
  const std::vector<std::string> fit_big = {"fit", big, "--k", "3", "--max-iter", "2", "--threads", "2", "--quiet"};
  // The complete new outputs, for comparison: the same fit run to the end elsewhere (fit is deterministic).
  std::vector<std::string> args = fit_big;
  args.insert(args.end(), {"--out", dir.file("reference")});
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(kseg_wait(kseg_start(args)), 0);
  const double run_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::map<std::string, std::string> complete = outputs_read(dir.file("reference"));

  // Kill as soon as segments.csv is being written, then at 50% and 90% of a full run's time.
  for (double at : {-1.0, 0.5, 0.9}) {
    SCOPED_TRACE("kill at " + std::to_string(at));
    const std::string out = dir.file("out");
    std::filesystem::remove_all(out);
    ASSERT_EQ(test::cli({"fit", small, "--k", "2", "--out", out, "--quiet"}).code, 0);
    const std::map<std::string, std::string> earlier = outputs_read(out);

    args = fit_big;
    args.insert(args.end(), {"--out", out});
    const pid_t pid = kseg_start(args);
    const auto t0 = std::chrono::steady_clock::now();
    for (;;) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (at < 0 ? temp_present(out, "segments.csv") : elapsed >= at * run_seconds) break;
      if (elapsed > 10 * run_seconds + 10) break;
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    ::kill(pid, SIGKILL);
    const int code = kseg_wait(pid);
    EXPECT_TRUE(code == 128 + SIGKILL || code == 0) << code;

    std::vector<std::string> temps;
    EXPECT_TRUE(stray_files(out, &temps).empty());
    const std::map<std::string, std::string> after = outputs_read(out);
    for (const std::string& name : kOutputs) {
      if (name == "summary.json") continue;  // holds timings: compared by size class below
      EXPECT_TRUE(after.at(name) == earlier.at(name) || after.at(name) == complete.at(name)) << name << " is not whole";
    }
    const std::string& summary = after.at("summary.json");
    EXPECT_TRUE(summary == earlier.at("summary.json") ||
                (summary.size() > 100 && summary.back() == '\n' && summary.find("\"seconds\"") != std::string::npos));
    if (at < 0) {
      EXPECT_FALSE(temps.empty()) << "killed while writing segments.csv: its temporary file is expected";
      EXPECT_TRUE(after.at("segments.csv") == earlier.at("segments.csv"));
    }

    // The next run into the directory removes what the killed run left.
    ASSERT_EQ(test::cli({"fit", small, "--k", "2", "--out", out, "--quiet"}).code, 0);
    temps.clear();
    EXPECT_TRUE(stray_files(out, &temps).empty());
    EXPECT_TRUE(temps.empty()) << temps.front();
  }
}

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
