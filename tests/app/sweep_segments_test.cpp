// The sweep as a library call (app/sweep_segments.hpp), without the CLI: its products against the files `kseg sweep`
// writes for the same data and options (flat, --fit-sample and --hierarchy), its labels against a brute-force
// nearest-centroid search, its written set against the CLI's, and its request checks before any work.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../cli/cli_test_support.hpp"
#include "app/sweep_segments.hpp"
#include "host/error.hpp"

namespace kseg {
namespace {

using test::cli;
using test::file_read;
using test::lines_split;
using test::ScratchDir;

// A generated user table (kseg generate: planted personas, numeric and categorical columns).
std::string users_generate(const ScratchDir& dir, int users) {
  const std::string path = dir.file("users.csv");
  const test::CliResult r =
      cli({"generate", "--users", std::to_string(users), "--seed", "11", "--out", path, "--quiet"});
  EXPECT_EQ(r.code, 0) << r.err;
  return path;
}

SweepRequest request_make(const std::string& users) {
  SweepRequest r;
  r.input.path = users;
  r.k_range = "2..5";
  r.seeds = 2;
  r.sample = 600;
  r.device.device = "cpu";
  r.quiet = true;
  return r;
}

std::vector<std::string> cli_args(const SweepRequest& r, const std::string& out_dir) {
  std::vector<std::string> args = {"sweep",    r.input.path,
                                   "--k",      r.k_range,
                                   "--seeds",  std::to_string(r.seeds),
                                   "--sample", std::to_string(r.sample),
                                   "--device", "cpu",
                                   "--out",    out_dir,
                                   "--quiet"};
  if (r.fit_sample > 0) args.insert(args.end(), {"--fit-sample", std::to_string(r.fit_sample)});
  if (r.hierarchy) args.push_back("--hierarchy");
  return args;
}

using test::fields_split;

// sweep.csv's rows by k: the fields, the seconds column (index 9, a timing) left out.
std::map<int64_t, std::vector<std::string>> sweep_csv_rows(const std::string& path) {
  std::map<int64_t, std::vector<std::string>> rows;
  const std::vector<std::string> lines = lines_split(file_read(path));
  EXPECT_GE(lines.size(), 2u);
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> f = fields_split(lines[i]);
    EXPECT_EQ(f.size(), 11u) << lines[i];
    if (f.size() != 11) continue;
    f.erase(f.begin() + 9);
    rows[std::stoll(f[0])] = f;
  }
  return rows;
}

// The products against the CLI's sweep.csv: the same k, inertia, seeds, metrics and recommended k.
void products_match_csv(const SweepProducts& p, const std::string& csv) {
  const std::map<int64_t, std::vector<std::string>> rows = sweep_csv_rows(csv);
  ASSERT_EQ(rows.size(), p.result.rows.size());
  for (const SweepRow& r : p.result.rows) {
    ASSERT_EQ(rows.count(r.k), 1u) << "k = " << r.k;
    const std::vector<std::string>& f = rows.at(r.k);
    EXPECT_NEAR(std::stod(f[1]), r.inertia, 1e-9 * r.inertia) << "k = " << r.k;
    EXPECT_NEAR(std::stod(f[2]), r.silhouette, 1e-9) << "k = " << r.k;
    EXPECT_NEAR(std::stod(f[3]), r.calinski_harabasz, 1e-9 * r.calinski_harabasz) << "k = " << r.k;
    EXPECT_NEAR(std::stod(f[5]), r.min_share, 1e-12) << "k = " << r.k;
    EXPECT_EQ(std::stoull(f[7]), r.best_seed) << "k = " << r.k;
    EXPECT_EQ(f[9] == "1", r.k == p.result.recommendation.k) << "k = " << r.k;
  }
}

// Segment sizes of the recommended k from the labels, against the CLI's profiles.json.
void labels_match_profiles(const SweepProducts& p, const std::string& profiles_json) {
  const int64_t k = p.result.recommendation.k;
  std::vector<int64_t> sizes(static_cast<size_t>(k), 0);
  for (int32_t l : p.labels) {
    ASSERT_GE(l, 0);
    ASSERT_LT(l, k);
    ++sizes[static_cast<size_t>(l)];
  }
  const nlohmann::json doc = nlohmann::json::parse(file_read(profiles_json));
  ASSERT_EQ(doc.at("segments").size(), static_cast<size_t>(k));
  for (const nlohmann::json& s : doc.at("segments"))
    EXPECT_EQ(s.at("size").get<int64_t>(), sizes.at(s.at("segment").get<size_t>())) << s.dump();
}

void products_against_cli(const SweepRequest& request) {
  ScratchDir dir;
  const test::CliResult r = cli(cli_args(request, dir.file("cli")));
  ASSERT_EQ(r.code, 0) << r.err;
  std::ostringstream notices;
  const SweepProducts p = sweep_segments(request, notices);
  EXPECT_EQ(notices.str(), "");  // quiet
  EXPECT_EQ(p.input.n_rows, static_cast<int64_t>(p.labels.size()));
  products_match_csv(p, dir.file("cli/sweep.csv"));
  labels_match_profiles(p, dir.file("cli/profiles.json"));
  // Written by the layer: the same files as the CLI's, profiles byte for byte.
  std::ostringstream listing;
  sweep_products_write(p, dir.file("lib"), listing, true);
  EXPECT_EQ(listing.str(), "");
  EXPECT_EQ(file_read(dir.file("lib/profiles.csv")), file_read(dir.file("cli/profiles.csv")));
  EXPECT_EQ(file_read(dir.file("lib/profiles.json")), file_read(dir.file("cli/profiles.json")));
  EXPECT_EQ(sweep_csv_rows(dir.file("lib/sweep.csv")), sweep_csv_rows(dir.file("cli/sweep.csv")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("lib/report.html")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("lib/sweep.json")));
}

TEST(SweepSegments, FlatProductsMatchTheCliFiles) {
  ScratchDir dir;
  products_against_cli(request_make(users_generate(dir, 3000)));
}

TEST(SweepSegments, FitSampleProductsMatchTheCliFiles) {
  ScratchDir dir;
  SweepRequest request = request_make(users_generate(dir, 3000));
  request.fit_sample = 1200;
  products_against_cli(request);
}

TEST(SweepSegments, HierarchyProductsMatchTheCliFiles) {
  ScratchDir dir;
  SweepRequest request = request_make(users_generate(dir, 3000));
  request.hierarchy = true;
  products_against_cli(request);
}

// The flat sweep's labels are the recommended fit's nearest centroids: checked by brute force on the prepared X.
TEST(SweepSegments, LabelsAreTheNearestCentroidsOfTheRecommendedFit) {
  ScratchDir dir;
  std::ostringstream notices;
  const SweepProducts p = sweep_segments(request_make(users_generate(dir, 2000)), notices);
  const SweepRow& chosen = sweep_row_recommended(p.result);
  const int64_t d = p.input.n_cols;
  ASSERT_EQ(chosen.centroids.size(), static_cast<size_t>(chosen.k * d));
  for (int64_t i = 0; i < p.input.n_rows; ++i) {
    std::vector<double> dist(static_cast<size_t>(chosen.k), 0.0);
    for (int64_t c = 0; c < chosen.k; ++c)
      for (int64_t j = 0; j < d; ++j) {
        const double diff = p.input.x[i * d + j] - chosen.centroids[c * d + j];
        dist[c] += diff * diff;
      }
    const double best = *std::min_element(dist.begin(), dist.end());
    ASSERT_LE(dist[p.labels[i]], best * (1 + 1e-4) + 1e-6) << "row " << i;
  }
}

TEST(SweepSegments, RequestCheckedBeforeAnyWork) {
  SweepRequest r = request_make("/nonexistent/users.csv");  // never read: the checks come first
  std::ostringstream notices;
  r.seeds = 0;
  EXPECT_THROW(sweep_segments(r, notices), UsageError);
  r = request_make("/nonexistent/users.csv");
  r.k_range = "5..3";
  EXPECT_THROW(sweep_segments(r, notices), UsageError);
  r = request_make("/nonexistent/users.csv");
  r.hierarchy = true;
  r.fit_sample = 100;
  EXPECT_THROW(sweep_segments(r, notices), UsageError);
  r = request_make("/nonexistent/users.csv");
  r.min_share = 1.0;
  EXPECT_THROW(sweep_segments(r, notices), UsageError);
  r = request_make("/nonexistent/users.csv");
  r.input.id_column = "a";
  r.input.weight_column = "a";
  EXPECT_THROW(sweep_segments(r, notices), UsageError);
  r = request_make("/nonexistent/users.csv");
  EXPECT_THROW(sweep_segments(r, notices), DataError);  // valid: the missing file is the first error
}

}  // namespace
}  // namespace kseg
