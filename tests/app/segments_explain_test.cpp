// The profile, report and compare workflows as library calls (app/segments_profile.hpp, app/report_contents.hpp,
// app/segment_files_compare.hpp), without the CLI: their products against the inputs they come from, and the sets
// they write against the files `kseg profile`, `kseg report` and `kseg compare` write for the same inputs.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "../cli/cli_test_support.hpp"
#include "app/report_contents.hpp"
#include "app/segment_files_compare.hpp"
#include "app/segments_profile.hpp"
#include "host/error.hpp"
#include "host/io/output_set.hpp"

namespace kseg {
namespace {

using test::cli;
using test::file_read;
using test::lines_split;
using test::ScratchDir;

// Generated users and two fits of them (different k), each with model.json, segments.csv, profiles, report.
struct Fitted {
  ScratchDir dir;
  std::string users;
  Fitted() {
    users = dir.file("users.csv");
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"generate", "--users", "2500", "--seed", "3", "--out", users},
          {"fit", users, "--k", "4", "--device", "cpu", "--out", dir.file("a")},
          {"fit", users, "--k", "5", "--seed", "9", "--device", "cpu", "--out", dir.file("b")}}) {
      std::vector<std::string> quiet = args;
      quiet.push_back("--quiet");
      const test::CliResult r = cli(quiet);
      EXPECT_EQ(r.code, 0) << r.err;
    }
  }
};

// The segment column of a segments.csv (ids are u%08d: no quotes, no commas).
std::vector<int64_t> segments_column(const std::string& path) {
  std::vector<int64_t> segments;
  const std::vector<std::string> lines = lines_split(file_read(path));
  for (size_t i = 1; i < lines.size(); ++i) {
    const size_t a = lines[i].find(','), b = lines[i].find(',', a + 1);
    segments.push_back(std::stoll(lines[i].substr(a + 1, b - a - 1)));
  }
  return segments;
}

TEST(SegmentsProfile, ProductsAndFilesMatchTheCli) {
  Fitted f;
  ProfileRequest request;
  request.input = f.users;
  request.model = f.dir.file("a/model.json");
  request.segments = f.dir.file("a/segments.csv");
  request.out_dir = f.dir.file("lib");
  request.quiet = true;
  const ProfileProducts p = segments_profile(request);
  // Each user's label is its segments.csv segment, mapped to the model's centroid order.
  const std::vector<int64_t> segments = segments_column(request.segments);
  ASSERT_EQ(p.labels.size(), segments.size());
  ASSERT_EQ(p.table.n_rows, static_cast<int64_t>(segments.size()));
  for (size_t i = 0; i < segments.size(); ++i) EXPECT_EQ(p.model.segments.ids.at(p.labels[i]), segments[i]) << i;
  EXPECT_EQ(profile_out_dir(request), request.out_dir);

  const test::CliResult r = cli({"profile", f.users, "--model", request.model, "--segments", request.segments, "--out",
                                 f.dir.file("cli"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  OutputSet set(request.out_dir);
  std::ostringstream listing, notices;
  profile_products_write(p, set, listing, notices, true);
  for (const char* name : {"profiles.csv", "profiles.json", "segment_names.csv"})
    EXPECT_EQ(file_read(f.dir.file(std::string("lib/") + name)), file_read(f.dir.file(std::string("cli/") + name)))
        << name;
  EXPECT_EQ(listing.str() + notices.str(), "");
}

TEST(SegmentsProfile, RowCountMismatchIsADataError) {
  Fitted f;
  ProfileRequest request;
  request.input = f.users;
  request.model = f.dir.file("a/model.json");
  request.segments = f.dir.file("short.csv");
  const std::string all = file_read(f.dir.file("a/segments.csv"));
  f.dir.file_write("short.csv", all.substr(0, all.rfind('\n', all.size() - 2) + 1));  // the last user dropped
  EXPECT_THROW(segments_profile(request), DataError);
  request.explain.audit_ratio = 1.5;  // checked first
  EXPECT_THROW(segments_profile(request), UsageError);
  EXPECT_EQ(profile_out_dir(request), f.dir.path().string());
}

TEST(SegmentFilesCompare, ProductsAndFilesMatchTheCli) {
  Fitted f;
  CompareRequest request;
  request.before = f.dir.file("a/segments.csv");
  request.after = f.dir.file("b/segments.csv");
  request.out_dir = f.dir.file("lib");
  const CompareProducts p = segment_files_compare(request);
  // Every user is in both files; the migration counts add up to the users, by old segment.
  const std::vector<int64_t> before = segments_column(request.before), after = segments_column(request.after);
  EXPECT_EQ(p.comparison.both, static_cast<int64_t>(before.size()));
  EXPECT_EQ(p.comparison.appeared, 0);
  int64_t changed = 0;
  for (size_t i = 0; i < before.size(); ++i) changed += before[i] != after[i];
  EXPECT_NEAR(p.comparison.changed_share, static_cast<double>(changed) / static_cast<double>(before.size()), 1e-12);

  const test::CliResult r = cli({"compare", request.before, request.after, "--out", f.dir.file("cli"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string report_before = file_read(f.dir.file("b/report.html"));
  OutputSet set(request.out_dir);
  std::ostringstream notices;
  const std::vector<std::string> reports = compare_products_write(p, set, notices, true);
  ASSERT_EQ(reports.size(), 1u);                                     // the report beside the later segments
  EXPECT_EQ(file_read(f.dir.file("b/report.html")), report_before);  // the CLI drew the same chart already
  for (const char* name : {"migration.csv", "migration_shares.csv", "segment_psi.csv", "compare.json"})
    EXPECT_EQ(file_read(f.dir.file(std::string("lib/") + name)), file_read(f.dir.file(std::string("cli/") + name)))
        << name;
}

TEST(ReportContents, ReadsTheDirectoryAndWritesTheCliReport) {
  Fitted f;
  const std::string names = f.dir.file_write("names.csv", "segment,name\n0,Night owls\n");
  ReportRequest request;
  request.dir = f.dir.file("a");
  request.segment_names = names;
  request.out = f.dir.file("lib.html");
  const ReportProducts p = report_contents_load(request);
  EXPECT_EQ(p.target, request.out);
  EXPECT_FALSE(p.sweep.has_value());  // fit writes no sweep.json
  EXPECT_EQ(p.tree_section, "");      // a flat model
  ASSERT_EQ(p.profiles.segments.size(), 4u);
  for (const SegmentProfile& s : p.profiles.segments) {
    if (s.segment == 0) {
      EXPECT_EQ(s.name, "Night owls");
    }
  }
  std::ostringstream notices;
  report_products_write(p, notices, true);
  const test::CliResult r =
      cli({"report", request.dir, "--segment-names", names, "--out", f.dir.file("cli.html"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(file_read(f.dir.file("lib.html")), file_read(f.dir.file("cli.html")));

  request.dir = f.dir.file("nowhere");
  EXPECT_THROW(report_contents_load(request), DataError);
  request.dir = "";
  EXPECT_THROW(report_contents_load(request), UsageError);
}

}  // namespace
}  // namespace kseg
