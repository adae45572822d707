// The bad-input corpus: one case = files to write, a kseg command line, the exit code and a message fragment.
// Every case runs in a fresh scratch directory that already holds earlier outputs; afterwards the directory must be
// exactly as before: no file created, changed or removed, no temporary file left behind.
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

// Every regular file under root (relative path → bytes) and every directory (path → "<dir>").
inline std::map<std::string, std::string> tree_snapshot(const std::filesystem::path& root) {
  std::map<std::string, std::string> snapshot;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const std::string rel = std::filesystem::relative(entry.path(), root).string();
    snapshot[rel] = entry.is_directory() ? "<dir>" : file_read(entry.path().string());
  }
  return snapshot;
}

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

inline void bad_input_case_check(const BadInputCase& c) {
  ScratchDir dir;
  earlier_outputs_write(dir);
  for (const auto& [name, bytes] : c.files) dir.file_write(name, bytes);
  if (c.setup) c.setup(dir);
  const std::map<std::string, std::string> before = tree_snapshot(dir.path());

  const CliResult r = cli(args_resolve(dir, c.args));
  EXPECT_EQ(r.code, c.code) << "stderr: " << r.err;
  EXPECT_NE(r.err.find(c.fragment), std::string::npos) << "expected \"" << c.fragment << "\" in stderr: " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line on stderr: " << r.err;
  EXPECT_EQ(r.err.rfind("kseg: ", 0), 0u) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;

  const std::map<std::string, std::string> after = tree_snapshot(dir.path());
  for (const auto& [path, bytes] : after) {
    const auto it = before.find(path);
    EXPECT_TRUE(it != before.end()) << "created: " << path;
    if (it != before.end()) {
      EXPECT_TRUE(it->second == bytes) << "changed: " << path;
    }
  }
  for (const auto& [path, bytes] : before) EXPECT_TRUE(after.count(path) == 1) << "removed: " << path;
}

}  // namespace kseg::test
