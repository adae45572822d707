// The files of a profile build, for every front end: users.csv (or the named table) and profile_build.json beside it,
// checked before the work and written together (a failed write leaves both as they were).
#pragma once

#include <string>

#include "host/events/profile_build.hpp"

namespace kseg {

// Where profile_build.json goes for a users table at users_path: beside it.
std::string profile_spec_path(const std::string& users_path);

// UsageError when an output would replace the event log (or the two outputs name one file); call before the build.
// events_path "": an in-memory log (only the outputs are checked).
void profile_build_outputs_check(const std::string& events_path, const std::string& users_path);

// Writes the users table and its spec together (staged, then renamed as a set).
void profile_build_outputs_write(const ProfileBuildProducts& products, const std::string& users_path);

}  // namespace kseg
