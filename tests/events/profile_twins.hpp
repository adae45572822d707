// What the "same log in another format" tests of profile-build share (profile_parquet_test, profile_ipc_test,
// profile_npy_test, parquet_events_pipeline_test): the outputs of a build, compared byte for byte with the CSV twin's,
// the CSV's texts of times and amounts, and the Python that writes the other format: it runs a writer, or says why it
// cannot (the test then skips with that reason). profile_pandas_test and profile_build_first_error_test run their
// Python through it too.
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
#include "profile_requests.hpp"

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

// Builds r from `csv` and from `twin` (the same log in another format) and expects users.csv and profile_build.json
// byte for byte alike; returns the CSV build's outputs for the caller's own checks.
inline std::pair<std::string, std::string> twin_outputs_expect_equal(const ProfileBuildRequest& r,
                                                                     const std::string& csv, const std::string& twin,
                                                                     const ScratchDir& dir) {
  const auto from_csv = build_outputs(r, csv, dir, "csv");
  const auto from_twin = build_outputs(r, twin, dir, "twin");
  EXPECT_EQ(from_twin.first, from_csv.first) << twin;
  EXPECT_EQ(from_twin.second, from_csv.second) << twin;
  return from_csv;
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

// The CSV's text of an amount of `units`: cents ("-0.05", "12.34"), or whole units, or quarters ("3.25"), so that
// the column type the twin writes it as (a decimal or double, an integer, a float) holds it exactly.
inline std::string amount_text(int64_t units, bool whole, bool quarters) {
  if (whole) return std::to_string(units);
  if (quarters) {
    const std::string text = std::to_string(units / 4) + "." + std::to_string(std::abs(units) % 4 * 25);
    return units < 0 && units > -4 ? "-" + text : text;
  }
  const std::string text = std::to_string(units / 100) + "." + std::to_string(100 + std::abs(units) % 100).substr(1);
  return units < 0 && units > -100 ? "-" + text : text;
}

// The directory-of-parts check of a twin format: every feature with the category shares of spend and an --as-of
// that leaves later events out, on 1 and 3 threads, gives the CSV's outputs byte for byte.
inline void parts_expect_csvs(const std::string& csv, const std::string& parts, const ScratchDir& dir) {
  ProfileBuildRequest r = request_all_features();
  r.category_share_amount = true;
  r.as_of = "2024-01-15";
  for (int threads : {1, 3}) {
    SCOPED_TRACE(std::to_string(threads) + " threads");
    r.threads = threads;
    const auto from_csv = twin_outputs_expect_equal(r, csv, parts, dir);
    EXPECT_NE(from_csv.second.find("\"events_after_as_of\": "), std::string::npos);
  }
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
