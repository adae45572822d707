#include "app/profile_build_outputs.hpp"

#include <filesystem>

#include "host/error.hpp"
#include "host/output/file_set.hpp"
#include "host/output/output_paths.hpp"

namespace kseg {

std::string profile_spec_path(const std::string& users_path) {
  return (std::filesystem::path(users_path).parent_path() / "profile_build.json").string();
}

void profile_build_outputs_check(const std::string& events_path, const std::string& users_path) {
  if (events_path.empty()) {  // an in-memory log: only the outputs against each other
    output_paths_check({}, {{"--out", users_path}, {"DIR/profile_build.json", profile_spec_path(users_path)}});
    return;
  }
  std::error_code ec;
  KSEG_EXPECTS(!std::filesystem::exists(users_path, ec) || !std::filesystem::equivalent(events_path, users_path, ec),
               UsageError, "--out " + users_path + " is the event log itself; choose another file");
  output_paths_check({{"EVENTS", events_path}},
                     {{"--out", users_path}, {"DIR/profile_build.json", profile_spec_path(users_path)}});
}

void profile_build_outputs_write(const ProfileBuildProducts& products, const std::string& users_path) {
  FileSet files;  // the table and its spec appear together; a failed run leaves both as they were, creates no directory
  const std::string users_staged = files.stage(users_path);
  profile_build_write(products, users_staged, files.stage(profile_spec_path(users_path)));
  files.commit();
}

}  // namespace kseg
