// SIGINT and SIGTERM while a command writes several separate files (generate --out --events: a FileSet): the process
// exits with 128 + the signal, the earlier files are byte-identical, and no staged or temporary file is left.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/robustness/output_sets_support.hpp"

namespace kseg {
namespace {

namespace fs = std::filesystem;

bool staged_present(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().filename().string().find(".kseg-staging.") != std::string::npos) return true;
  return false;
}

std::vector<std::string> hidden_entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".kseg-") != std::string::npos || name.find(".tmp.") != std::string::npos) names.push_back(name);
  }
  return names;
}

TEST(FileSetSignals, SigintAndSigtermKeepTheEarlierFilesAndLeaveNoStagedFile) {
  for (int signal : {SIGINT, SIGTERM}) {
    SCOPED_TRACE("signal " + std::to_string(signal));
    test::ScratchDir dir;
    dir.file_write("u.csv", "earlier users\n");
    dir.file_write("e.csv", "earlier events\n");
    const std::map<std::string, std::string> earlier = test::tree_state(dir.path());
    std::vector<std::string> full = {KSEG_BINARY,       "generate", "--users",         "300000", "--out",
                                     dir.file("u.csv"), "--events", dir.file("e.csv"), "--quiet"};
    std::vector<char*> argv;
    for (std::string& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::execv(full[0].c_str(), argv.data());
      ::_exit(127);
    }
    const auto start = std::chrono::steady_clock::now();
    while (!staged_present(dir.path()) && std::chrono::steady_clock::now() - start < std::chrono::seconds(30))
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // into the writing
    ::kill(pid, signal);
    int status = 0;
    ::waitpid(pid, &status, 0);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code == 0) {  // finished before the signal arrived: a complete new pair, nothing staged
      EXPECT_NE(test::file_read(dir.file("u.csv")), "earlier users\n");
      EXPECT_NE(test::file_read(dir.file("e.csv")), "earlier events\n");
    } else {
      EXPECT_EQ(code, 128 + signal);
      test::tree_state_expect_equal(earlier, test::tree_state(dir.path()));
    }
    EXPECT_TRUE(hidden_entries(dir.path()).empty()) << hidden_entries(dir.path()).front();
  }
}

}  // namespace
}  // namespace kseg
