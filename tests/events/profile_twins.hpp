// What the "same log in another format" tests of profile-build share (profile_parquet_test, profile_ipc_test,
// profile_npy_test): the outputs of a build, to compare byte for byte, and why the Python that writes the other
// format is not usable here (the test then skips with that reason).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>

#include <gtest/gtest.h>

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

// "YYYY-MM-DDTHH:MM:SS.mmm" of seconds since 1970 (local seconds where the zone is not Z), then the zone suffix.
inline std::string iso_time_text(int64_t seconds, int ms, const std::string& zone) {
  const auto two = [](int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  const int64_t day = (seconds >= 0 ? seconds : seconds - 86399) / 86400, second = seconds - day * 86400;
  return day_format(static_cast<int32_t>(day)) + "T" + two(second / 3600) + ":" + two(second / 60 % 60) + ":" +
         two(second % 60) + "." + std::to_string(1000 + ms).substr(1) + zone;
}

// A drawn log twice: the CSV text kseg reads (user,time,amount,cat,device) and the raw values a Python writer turns
// into the other format (user,sec,ms,amount,cat,device,text; empty = null).
struct EventLogs {
  std::string csv = "user,time,amount,cat,device\n", raw = "user,sec,ms,amount,cat,device,text\n";
  void add(int64_t user, int64_t sec, int ms, const std::string& amount, const std::string& cat,
           const std::string& device, const std::string& time_text) {
    const std::string id = std::to_string(user);
    csv += id + "," + time_text + "," + amount + "," + cat + "," + device + "\n";
    raw += id + "," + std::to_string(sec) + "," + std::to_string(ms) + "," + amount + "," + cat + "," + device + "," +
           time_text + "\n";
  }
};

// Every feature family and option on the twins' columns, two threads.
inline ProfileBuildRequest request_all_features() {
  ProfileBuildRequest r;
  r.user_column = "user";
  r.time_column = "time";
  r.amount_column = "amount";
  r.category_column = "cat";
  r.max_categories = 3;
  r.last_columns = {"device"};
  r.mode_columns = {"device"};
  r.rfm_scores = true;
  r.threads = 2;
  return r;
}

// Runs `program` (Python text) with KSEG_PYTHON and args; a failure fails the test.
inline void python_script_run(const ScratchDir& dir, const std::string& program, const std::string& args) {
  const std::string script = dir.file_write("write.py", program);
  const std::string command = std::string(KSEG_PYTHON) + " " + script + " " + args;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
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
