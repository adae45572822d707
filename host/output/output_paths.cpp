#include "host/output/output_paths.hpp"

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

}  // namespace kseg
