// What the "same log in another format" tests of profile-build share (profile_parquet_test, profile_ipc_test,
// profile_npy_test): the outputs of a build, to compare byte for byte, and why the Python that writes the other
// format is not usable here (the test then skips with that reason).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>

#include "../io/test_files.hpp"
#include "host/events/profile_build.hpp"
#include "host/parquet/parquet_input.hpp"

namespace kseg::test {

// users.csv and profile_build.json of a build of `events`, the "events" line of the spec left out (it names the input).
inline std::pair<std::string, std::string> build_outputs(ProfileBuildRequest r, const std::string& events,
                                                         const ScratchDir& dir, const std::string& name) {
  r.events_path = events;
  const ProfileBuildProducts p = profile_build(r);
  profile_build_write(p, dir.file(name + ".csv"), dir.file(name + ".json"));
  std::string spec = file_read(dir.file(name + ".json"));
  const size_t at = spec.find("\"events\":");
  spec.erase(at, spec.find('\n', at) - at);
  return {file_read(dir.file(name + ".csv")), spec};
}

// "" when KSEG_PYTHON can import `module` (and, with needs_arrow, this kseg reads Arrow); else why not.
inline std::string python_module_missing(const std::string& module, bool needs_arrow) {
  const std::string python = KSEG_PYTHON;
  if (needs_arrow && !parquet_support_built()) return "this kseg was built without Arrow support";
  if (!std::filesystem::exists(python)) return "no Python at " + python + " (scripts/install-python-deps.sh)";
  if (std::system((python + " -c 'import " + module + "' 2>/dev/null").c_str()) != 0)
    return module + " is not installed for " + python;
  return "";
}

}  // namespace kseg::test
