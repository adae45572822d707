// The output-set corpus: every case runs the built kseg (a separate process, so a hang is killed at the case's time
// limit) in a scratch directory holding an earlier complete output set (a real fit in out/, plus a file of the
// user's), and checks the exit code, one line on stderr naming the place, and that the scratch directory is
// byte-identical afterwards: no file created, changed or removed, no staging directory left.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli/cli_test_support.hpp"

namespace kseg::test {

struct ExecResult {
  int code = -1;  // exit code, or 128 + signal
  std::string out, err;
  bool timed_out = false;
};

// Runs KSEG_BINARY args with stdout and stderr captured in files under capture_dir; killed after seconds.
// child_setup runs in the child before exec (resource limits, signal dispositions).
inline ExecResult kseg_exec(const std::vector<std::string>& args, const std::string& capture_dir, double seconds,
                            const std::vector<std::string>& env = {},
                            const std::function<void()>& child_setup = nullptr) {
  const std::string out_path = capture_dir + "/stdout", err_path = capture_dir + "/stderr";
  std::vector<std::string> full = {KSEG_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int o = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    for (const std::string& v : env) ::putenv(const_cast<char*>(v.c_str()));
    if (child_setup) child_setup();
    ::execv(full[0].c_str(), argv.data());
    ::_exit(127);
  }
  ExecResult r;
  int status = 0;
  const auto start = std::chrono::steady_clock::now();
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() - start > std::chrono::duration<double>(seconds)) {
      r.timed_out = true;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = file_read(out_path);
  r.err = file_read(err_path);
  return r;
}

// Every entry under root: regular files by their bytes, directories, links and special files by their kind. Never
// opens a special file (a FIFO would block).
inline std::map<std::string, std::string> tree_state(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> state;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string rel = fs::relative(entry.path(), root).string();
    const fs::file_status status = fs::symlink_status(entry.path());
    if (fs::is_symlink(status)) {
      state[rel] = "<link " + fs::read_symlink(entry.path()).string() + ">";
    } else if (fs::is_directory(status)) {
      state[rel] = "<dir>";
    } else if (fs::is_regular_file(status)) {
      state[rel] = file_read(entry.path().string());
    } else {
      state[rel] = "<special>";
    }
  }
  return state;
}

inline void tree_state_expect_equal(const std::map<std::string, std::string>& before,
                                    const std::map<std::string, std::string>& after) {
  for (const auto& [path, bytes] : after) {
    const auto it = before.find(path);
    EXPECT_TRUE(it != before.end()) << "created: " << path;
    if (it != before.end()) {
      EXPECT_TRUE(it->second == bytes) << "changed: " << path;
    }
  }
  for (const auto& [path, bytes] : before) EXPECT_TRUE(after.count(path) == 1) << "removed: " << path;
}

// 40 users with an id and three numeric columns, in two clear groups.
inline std::string users_csv() {
  std::string text = "id,a,b,c\n";
  for (int i = 0; i < 40; ++i)
    text += "u" + std::to_string(i) + "," + std::to_string(i % 2 ? 10 + i % 7 : i % 5) + "," + std::to_string(i % 3) +
            "," + std::to_string((i * 7) % 11) + "\n";
  return text;
}

// The earlier complete set: u.csv fitted into out/ (k = 2), and a file of the user's in out/. Fitted once per test
// program and copied into each case's directory.
inline void earlier_set_write(const ScratchDir& dir) {
  static const std::unique_ptr<const ScratchDir> reference = [] {  // removed at the test program's exit
    auto made = std::make_unique<ScratchDir>();
    made->file_write("u.csv", users_csv());
    EXPECT_EQ(cli({"fit", made->file("u.csv"), "--k", "2", "--out", made->file("out"), "--quiet"}).code, 0);
    made->file_write("out/notes.txt", "the user's own file\n");
    return made;
  }();
  std::filesystem::copy(reference->path(), dir.path(), std::filesystem::copy_options::recursive);
}

struct SetCase {
  std::string name;                                        // test name suffix (letters, digits, _)
  std::vector<std::string> args;                           // "@x" stands for the scratch dir's file x
  int code = 1;                                            // expected exit code
  std::string fragment;                                    // expected in the one stderr line
  std::function<void(const ScratchDir&)> setup = nullptr;  // extra files (FIFOs, models, ...)
};

inline std::string set_case_name(const testing::TestParamInfo<SetCase>& param) { return param.param.name; }
inline void PrintTo(const SetCase& c, std::ostream* os) { *os << c.name; }

inline void set_case_check(const SetCase& c) {
  ScratchDir dir, capture;
  earlier_set_write(dir);
  if (c.setup) c.setup(dir);
  const std::map<std::string, std::string> before = tree_state(dir.path());
  std::vector<std::string> args;
  for (const std::string& a : c.args) args.push_back(!a.empty() && a[0] == '@' ? dir.file(a.substr(1)) : a);
  const ExecResult r = kseg_exec(args, capture.path().string(), 20.0);
  EXPECT_FALSE(r.timed_out) << "no answer within 20 s";
  EXPECT_EQ(r.code, c.code) << "stderr: " << r.err;
  EXPECT_NE(r.err.find(c.fragment), std::string::npos) << "expected \"" << c.fragment << "\" in stderr: " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line on stderr: " << r.err;
  EXPECT_EQ(r.err.rfind("kseg: ", 0), 0u) << r.err;
  tree_state_expect_equal(before, tree_state(dir.path()));
}

}  // namespace kseg::test
