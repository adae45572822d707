// The bad-input corpus: one case = files to write, a kseg command line, the exit code and a message fragment.
// Every case runs in a fresh scratch directory that already holds earlier outputs; afterwards the directory must be
// exactly as before: no file created, changed or removed, no temporary file left behind. Each case runs in-process
// (cli_run) and as the built program (KSEG_BINARY) in a separate process: see bad_input_case_check.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "tests/cli/cli_test_support.hpp"
#include "tests/robustness/output_sets_support.hpp"

namespace kseg::test {

struct BadInputCase {
  std::string name;                                        // test name suffix (letters, digits, _)
  std::vector<std::pair<std::string, std::string>> files;  // file name → bytes, written into the scratch dir
  std::vector<std::string> args;                           // "@x" stands for the scratch dir's file x
  int code = 1;                                            // expected exit code
  std::string fragment;                                    // expected in the one stderr line
  std::function<void(const ScratchDir&)> setup = nullptr;  // extra preparation (e.g. fit a model first)
};

// A hand-built .npy: magic, version major.0, little-endian header length, dict padded to 64 bytes, data.
inline std::string npy_bytes(const std::string& descr_order_shape, const std::string& data, int major = 1) {
  std::string dict = "{" + descr_order_shape + ", }";
  const size_t length_bytes = major == 1 ? 2 : 4;
  while ((8 + length_bytes + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < length_bytes; ++i) out += static_cast<char>((dict.size() >> (8 * i)) & 0xff);
  return out + dict + data;
}

template <typename T>
inline std::string values_bytes(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

// gtest parameter names: the case's name.
inline std::string bad_input_case_name(const testing::TestParamInfo<BadInputCase>& param) { return param.param.name; }

inline void PrintTo(const BadInputCase& c, std::ostream* os) { *os << c.name; }

// Earlier outputs that a failed run must leave untouched: a fit output dir and an assign output file.
inline void earlier_outputs_write(const ScratchDir& dir) {
  std::filesystem::create_directories(dir.file("out"));
  for (const char* name : {"segments.csv", "centroids.csv", "model.json", "summary.json"})
    dir.file_write(std::string("out/") + name, std::string("earlier ") + name + "\n");
  dir.file_write("assigned.csv", "earlier assigned.csv\n");
}

inline std::vector<std::string> args_resolve(const ScratchDir& dir, const std::vector<std::string>& args) {
  std::vector<std::string> resolved;
  for (const std::string& a : args) resolved.push_back(!a.empty() && a[0] == '@' ? dir.file(a.substr(1)) : a);
  return resolved;
}

// The checks of one run: exit code, one stderr line starting "kseg: " with the fragment, nothing on stdout, and the
// scratch directory as it was before.
inline void bad_input_result_check(const BadInputCase& c, int code, const std::string& out, const std::string& err,
                                   const std::map<std::string, std::string>& before,
                                   const std::map<std::string, std::string>& after) {
  EXPECT_EQ(code, c.code) << "stderr: " << err;
  EXPECT_NE(err.find(c.fragment), std::string::npos) << "expected \"" << c.fragment << "\" in stderr: " << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << "one line on stderr: " << err;
  EXPECT_EQ(err.rfind("kseg: ", 0), 0u) << err;
  EXPECT_TRUE(out.empty()) << out;
  tree_state_expect_equal(before, after);
}

// Writes the case's files into a fresh scratch dir holding earlier outputs, and runs its setup.
inline void bad_input_case_prepare(const BadInputCase& c, const ScratchDir& dir) {
  earlier_outputs_write(dir);
  for (const auto& [name, bytes] : c.files) dir.file_write(name, bytes);
  if (c.setup) c.setup(dir);
}

// Every case runs twice: in-process through cli_run (as a front end calling the library), and as the built kseg
// program in a separate process (KSEG_BINARY, the sanitizer build's in CI), where a crash shows as its signal, a
// sanitizer report as an abort, and a hang is killed at the limit.
inline void bad_input_case_check(const BadInputCase& c) {
  {
    SCOPED_TRACE("in-process cli_run");
    ScratchDir dir;
    bad_input_case_prepare(c, dir);
    const std::map<std::string, std::string> before = tree_state(dir.path());
    const CliResult r = cli(args_resolve(dir, c.args));
    bad_input_result_check(c, r.code, r.out, r.err, before, tree_state(dir.path()));
  }
  {
    SCOPED_TRACE(std::string("the kseg program ") + KSEG_BINARY);
    ScratchDir dir, capture;
    bad_input_case_prepare(c, dir);
    const std::map<std::string, std::string> before = tree_state(dir.path());
    const ExecResult r = kseg_exec(args_resolve(dir, c.args), capture.path().string(), 120.0);
    EXPECT_FALSE(r.timed_out) << "no answer within 120 s";
    bad_input_result_check(c, r.code, r.out, r.err, before, tree_state(dir.path()));
  }
}

}  // namespace kseg::test
