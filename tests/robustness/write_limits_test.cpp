// A full disk for every command that writes, without root: the built kseg runs with RLIMIT_FSIZE of 1 KiB and
// SIGXFSZ ignored, so a write past 1 KiB fails with EFBIG ("File too large") as a write to a full disk fails with
// ENOSPC, at whatever point of the run its biggest output is written. Each command must exit 1 with one line naming
// the file, and leave the scratch directory exactly as it was: earlier output sets and files unchanged, no new
// directory, no temporary file or staging directory behind. (output_sets_signals_test mounts a real full tmpfs where
// it runs as root.)
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "host/parquet/parquet_input.hpp"
#include "tests/robustness/output_sets_support.hpp"

namespace kseg {
namespace {

struct LimitCase {
  std::string name;
  std::vector<std::string> args;  // "@x": the scratch dir's x
};

void PrintTo(const LimitCase& c, std::ostream* os) { *os << c.name; }

// 2000 generated users with their event log and campaign, fitted into out/ and swept into sw/; copied per case.
void inputs_write(const test::ScratchDir& dir) {
  // Made once per test program and removed at its exit.
  static const std::unique_ptr<const test::ScratchDir> reference = [] {
    auto made = std::make_unique<test::ScratchDir>();
    const auto file = [&made](const char* name) { return made->file(name); };
    EXPECT_EQ(test::cli({"generate", "--users", "2000", "--out", file("u.csv"), "--events", file("ev.csv"),
                         "--campaign", file("camp.csv"), "--quiet"})
                  .code,
              0);
    EXPECT_EQ(test::cli({"fit", file("u.csv"), "--k", "3", "--out", file("out"), "--quiet"}).code, 0);
    EXPECT_EQ(test::cli({"sweep", file("u.csv"), "--k", "2..3", "--seeds", "1", "--out", file("sw"), "--quiet"}).code,
              0);
    made->file_write("assigned.csv", "earlier assigned.csv\n");
    made->file_write("drift.json", "{\"earlier\": true}\n");
    return made;
  }();
  std::filesystem::copy(reference->path(), dir.path(), std::filesystem::copy_options::recursive);
}

std::vector<LimitCase> corpus() {
  return {
      {"FitOverAnEarlierSet", {"fit", "@u.csv", "--k", "4", "--out", "@out", "--quiet"}},
      {"FitIntoANewDirectory", {"fit", "@u.csv", "--k", "2", "--out", "@new/fit", "--quiet"}},
      {"FitParquetOutputs", {"fit", "@u.csv", "--k", "2", "--out", "@out", "--out-format", "parquet", "--quiet"}},
      {"Sweep", {"sweep", "@u.csv", "--k", "2..4", "--seeds", "1", "--out", "@sw", "--quiet"}},
      {"Update", {"update", "@u.csv", "--model", "@out/model.json", "--out", "@out", "--quiet"}},
      {"Profile",
       {"profile", "@u.csv", "--model", "@out/model.json", "--segments", "@out/segments.csv", "--out", "@out",
        "--quiet"}},
      {"Compare", {"compare", "@out/segments.csv", "@out/segments.csv", "--out", "@cmp", "--quiet"}},
      {"Assign", {"assign", "@u.csv", "--model", "@out/model.json", "--out", "@assigned.csv", "--quiet"}},
      {"DriftOut", {"drift", "@u.csv", "--model", "@out/model.json", "--out", "@drift.json", "--quiet"}},
      {"Report", {"report", "@out", "--quiet"}},
      {"ReportOut", {"report", "@sw", "--out", "@r.html", "--quiet"}},
      {"Generate", {"generate", "--users", "500", "--out", "@assigned.csv", "--quiet"}},
      {"GenerateEvents", {"generate", "--users", "10", "--out", "@g.csv", "--events", "@e.csv", "--quiet"}},
      {"ProfileBuild",
       {"profile-build", "@ev.csv", "--user-column", "user_id", "--time-column", "order_time", "--out", "@pb/users.csv",
        "--quiet"}},
      {"Measure", {"measure", "@camp.csv", "--segments", "@out/segments.csv", "--out", "@meas", "--quiet"}},
  };
}

class WriteLimits : public testing::TestWithParam<LimitCase> {};

TEST_P(WriteLimits, FailsWithOneLineAndChangesNothing) {
  const LimitCase& c = GetParam();
  if (c.name.find("Parquet") != std::string::npos && !parquet_support_built())
    GTEST_SKIP() << "kseg was built without Parquet support (KSEG_PARQUET)";
  test::ScratchDir dir, capture;
  inputs_write(dir);
  const std::map<std::string, std::string> before = test::tree_state(dir.path());
  std::vector<std::string> args;
  for (const std::string& a : c.args) args.push_back(!a.empty() && a[0] == '@' ? dir.file(a.substr(1)) : a);
  const test::ExecResult r = test::kseg_exec(args, capture.path().string(), 120.0, {}, [] {
    ::signal(SIGXFSZ, SIG_IGN);  // kept across exec: writes past the limit fail with EFBIG instead of killing
    const rlimit limit{1024, 1024};
    ::setrlimit(RLIMIT_FSIZE, &limit);
  });
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("File too large"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cannot write"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line on stderr: " << r.err;
  EXPECT_EQ(r.err.rfind("kseg: ", 0), 0u) << r.err;
  test::tree_state_expect_equal(before, test::tree_state(dir.path()));
}

INSTANTIATE_TEST_SUITE_P(Commands, WriteLimits, testing::ValuesIn(corpus()),
                         [](const testing::TestParamInfo<LimitCase>& p) { return p.param.name; });

}  // namespace
}  // namespace kseg
