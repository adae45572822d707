#include "host/output/output_paths.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "host/error.hpp"

namespace kseg {

bool paths_same_file(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  if (a.empty() || b.empty()) return false;
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec) && !ec;
  const fs::path ca = fs::weakly_canonical(fs::absolute(a, ec), ec);
  if (ec) return false;
  const fs::path cb = fs::weakly_canonical(fs::absolute(b, ec), ec);
  return !ec && ca == cb;
}

void output_paths_check(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs) {
  for (size_t o = 0; o < outputs.size(); ++o) {
    const NamedPath& out = outputs[o];
    if (out.path.empty()) continue;
    for (const NamedPath& in : inputs)
      KSEG_EXPECTS(!paths_same_file(out.path, in.path), UsageError,
                   out.option + " " + out.path + " is the " + in.option + " file " + in.path +
                       ": writing it would destroy that input; choose another output path");
    for (size_t p = 0; p < o; ++p)
      KSEG_EXPECTS(!paths_same_file(out.path, outputs[p].path), UsageError,
                   out.option + " " + out.path + " is also " + outputs[p].option + ": each output needs its own path");
  }
}

void output_file_check(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) return;
  const auto fail = [&](const std::string& why) { throw DataError("cannot write " + path + ": " + why); };
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode))
    fail(S_ISDIR(info.st_mode) ? "it is a directory; give a file path"
                               : "it is a device, FIFO or socket, not a regular file; give the path of a regular file");
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (::access(dir.c_str(), W_OK | X_OK) != 0) fail(std::error_code(errno, std::generic_category()).message());
}

}  // namespace kseg
