// Fresh per-test scratch directories and file helpers for the I/O tests.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

namespace kseg::test {

// A new empty directory under the system temp directory, removed with everything in it on destruction by the
// process that made it (a forked child that exits normally leaves its parent's directory alone).
class ScratchDir {
 public:
  ScratchDir() : owner_(::getpid()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "kseg_io_test_XXXXXX").string();
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    if (::mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = name.data();
  }
  ~ScratchDir() {
    if (::getpid() != owner_) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  // Path of name inside the directory.
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Writes bytes to name inside the directory and returns its path.
  std::string file_write(const std::string& name, const std::string& bytes) const {
    const std::string p = file(name);
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  pid_t owner_;
  std::filesystem::path path_;
};

inline std::string file_read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The comma-separated fields of a line without quotes (generated files, kseg's outputs): "a,,b," → a, "", b, "".
inline std::vector<std::string> fields_split(const std::string& line) {
  std::vector<std::string> fields(1);
  for (const char c : line) {
    if (c == ',')
      fields.emplace_back();
    else
      fields.back() += c;
  }
  return fields;
}

}  // namespace kseg::test
