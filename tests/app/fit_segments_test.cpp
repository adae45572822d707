// The fit of the application layer called directly (no command line): its products against the files that
// `kseg fit` writes for the same data, against segment means computed here, and its validation before any work.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "../cli/cli_test_support.hpp"
#include "app/fit_segments.hpp"
#include "host/error.hpp"
#include "host/model/model_file.hpp"

namespace kseg {
namespace {

using test::file_read;
using test::lines_split;

// Four planted groups of users (row i in group i % 4) with three numeric columns and a text id.
std::string users_write(const test::ScratchDir& dir, int64_t n) {
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::ostringstream csv;
  csv << "user_id,spend,visits,tenure\n";
  for (int64_t i = 0; i < n; ++i) {
    const int g = static_cast<int>(i % 4);
    csv << "user" << i << ',' << 20.0 + 30.0 * g + noise(rng) << ',' << 5.0 + (g % 2) * 10.0 + noise(rng) << ','
        << 100.0 + (g / 2) * 200.0 + 3.0 * noise(rng) << '\n';
  }
  return dir.file_write("users.csv", csv.str());
}

FitRequest request_make(const std::string& input, const std::string& out) {
  FitRequest request;
  request.input.path = input;
  request.kmeans.k = 4;
  request.kmeans.seed = 5;
  request.kmeans.n_init = 2;
  request.prep.log = "none";  // centroids are then plain segment means in original units
  request.device.device = "cpu";
  request.out_dir = out;
  request.quiet = true;
  return request;
}

using test::fields_split;

TEST(FitSegments, ProductsAreWhatTheProgramWrites) {
  test::ScratchDir dir;
  const std::string users = users_write(dir, 2000);
  const std::string out = dir.file("cli");
  const test::CliResult cli = test::cli({"fit", users, "--k", "4", "--seed", "5", "--n-init", "2", "--log", "none",
                                         "--device", "cpu", "--out", out, "--quiet"});
  ASSERT_EQ(cli.code, 0) << cli.err;
  std::ostringstream notices;
  const FitProducts p = fit_segments(request_make(users, dir.file("unused")), notices);
  EXPECT_EQ(notices.str(), "");  // quiet
  ASSERT_EQ(p.table.n_rows, 2000);

  // segments.csv: every row's id, stable segment id and distance, in input order.
  const std::vector<std::string> segments = lines_split(file_read(out + "/segments.csv"));
  ASSERT_EQ(segments.size(), 2001u);
  for (int64_t i = 0; i < 2000; ++i) {
    const std::vector<std::string> f = fields_split(segments[static_cast<size_t>(i + 1)]);
    ASSERT_EQ(f.size(), 3u);
    EXPECT_EQ(f[0], "user" + std::to_string(i));
    EXPECT_EQ(std::stoi(f[1]), p.segments[i]) << "row " << i;
    EXPECT_NEAR(std::stod(f[2]), std::sqrt(p.result.sq_distances[i]), 1e-5 * (1.0 + std::stod(f[2])));
  }
  // centroids.csv: sizes and centroids in original units, row by row.
  const std::vector<std::string> centroids = lines_split(file_read(out + "/centroids.csv"));
  ASSERT_EQ(centroids.size(), 5u);
  EXPECT_EQ(centroids[0], "segment,size,spend,visits,tenure");
  for (size_t j = 0; j < 4; ++j) {
    const std::vector<std::string> f = fields_split(centroids[j + 1]);
    EXPECT_EQ(std::stoll(f[0]), p.model.segments.ids[j]);
    EXPECT_EQ(std::stoll(f[1]), p.segment_sizes[j]);
    for (size_t t = 0; t < 3; ++t)
      EXPECT_EQ(std::stof(f[t + 2]), static_cast<float>(p.centroids_original[j * 3 + t])) << centroids[j + 1];
  }
  // model.json and summary.json.
  const Model model = model_load(out + "/model.json");
  EXPECT_EQ(model.centroids, p.model.centroids);
  EXPECT_EQ(model.segments.ids, p.model.segments.ids);
  const nlohmann::json summary = nlohmann::json::parse(file_read(out + "/summary.json"));
  EXPECT_EQ(summary["inertia"].get<double>(), p.result.inertia);
  EXPECT_EQ(summary["segment_sizes"].get<std::vector<int64_t>>(), p.segment_sizes);
  EXPECT_EQ(summary["n_iter"].get<int>(), p.result.runs[p.result.best_run].n_iter);
}

// Independent of the program: the four planted groups are found, and each centroid is its segment's mean.
TEST(FitSegments, CentroidsAreSegmentMeansOfThePlantedGroups) {
  test::ScratchDir dir;
  const FitProducts p = fit_segments(request_make(users_write(dir, 2000), dir.file("o")), std::cerr);
  std::map<int, int32_t> group_segment;
  for (int64_t i = 0; i < 2000; ++i) {
    const auto [it, added] = group_segment.emplace(static_cast<int>(i % 4), p.result.labels[i]);
    EXPECT_EQ(it->second, p.result.labels[i]) << "row " << i << " left its planted group";
  }
  ASSERT_EQ(group_segment.size(), 4u);
  std::vector<double> sums(12, 0.0), counts(4, 0.0);
  for (int64_t i = 0; i < 2000; ++i) {
    const int32_t c = p.result.labels[i];
    counts[c] += 1.0;
    for (size_t t = 0; t < 3; ++t) sums[c * 3 + t] += p.table.columns[t].values[i];
  }
  ASSERT_EQ(p.table.columns.size(), 3u);  // the id column is held apart
  ASSERT_EQ(p.table.columns[0].name, "spend");
  for (int c = 0; c < 4; ++c) {
    EXPECT_EQ(p.segment_sizes[c], 500);
    for (size_t t = 0; t < 3; ++t) {
      const double mean = sums[c * 3 + t] / counts[c];
      EXPECT_NEAR(p.centroids_original[c * 3 + t], mean, 1e-4 * std::abs(mean)) << "segment " << c << " column " << t;
    }
  }
}

// fit_products_write gives the same files as the program (summary.json's timings aside).
TEST(FitSegments, WrittenProductsMatchTheProgramsFiles) {
  test::ScratchDir dir;
  const std::string users = users_write(dir, 1000);
  const std::string cli_out = dir.file("cli"), lib_out = dir.file("lib");
  ASSERT_EQ(test::cli({"fit", users, "--k", "4", "--seed", "5", "--n-init", "2", "--log", "none", "--device", "cpu",
                       "--out", cli_out, "--quiet"})
                .code,
            0);
  const FitProducts p = fit_segments(request_make(users, lib_out), std::cerr);
  std::ostringstream listing;
  fit_products_write(p, listing);
  EXPECT_EQ(listing.str(), "");
  for (const char* name : {"segments.csv", "centroids.csv", "model.json", "profiles.csv", "profiles.json",
                           "segment_names.csv", "report.html"})
    EXPECT_EQ(file_read(lib_out + "/" + name), file_read(cli_out + "/" + name)) << name;
  nlohmann::json a = nlohmann::json::parse(file_read(lib_out + "/summary.json"));
  nlohmann::json b = nlohmann::json::parse(file_read(cli_out + "/summary.json"));
  for (nlohmann::json* s : {&a, &b}) {
    s->erase("seconds");
    s->erase("iterations");
    for (nlohmann::json& run : (*s)["runs"]) run.erase("seconds_init");
  }
  EXPECT_EQ(a, b);
}

TEST(FitSegments, HierarchyProductsHoldTheTree) {
  test::ScratchDir dir;
  FitRequest request = request_make(users_write(dir, 800), dir.file("tree"));
  request.hierarchy = true;
  request.with_path = true;
  const FitProducts p = fit_segments(request, std::cerr);
  ASSERT_TRUE(p.model.tree.has_value());
  EXPECT_EQ(p.model.tree->leaves().size(), 4u);
  EXPECT_EQ(p.model.tree->nodes.size(), 7u);  // a binary tree with 4 leaves
  fit_products_write(p, std::cout);
  const std::vector<std::string> rows = lines_split(file_read(dir.file("tree/segments.csv")));
  ASSERT_EQ(rows.size(), 801u);
  EXPECT_EQ(rows[0], "id,segment,distance,path");
  EXPECT_FALSE(file_read(dir.file("tree/tree.json")).empty());
}

// Every check runs before any work: a bad request fails with UsageError even when the input does not exist.
TEST(FitSegments, RequestsAreValidatedBeforeAnyWork) {
  test::ScratchDir dir;
  const auto refused = [&](const std::function<void(FitRequest&)>& change, const std::string& message) {
    FitRequest request = request_make(dir.file("missing.csv"), dir.file("o"));
    change(request);
    std::ostringstream notices;
    try {
      fit_segments(request, notices);
      ADD_FAILURE() << "accepted: " << message;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
    EXPECT_EQ(notices.str(), "");
  };
  refused([](FitRequest& r) { r.kmeans.k = 0; }, "--k must be at least 1");
  refused([](FitRequest& r) { r.kmeans.init = "kmeans"; }, "--init: expected");
  refused([](FitRequest& r) { r.kmeans.tol = -1.0; }, "--tol");
  refused([](FitRequest& r) { r.scale = "log"; }, "--scale: unknown mode");
  refused([](FitRequest& r) { r.prep.feature_weights = {"spend"}; }, "--feature-weight");
  refused([](FitRequest& r) { r.explain.audit_ratio = 2.0; }, "--audit-ratio");
  refused([](FitRequest& r) { r.with_path = true; }, "--with-path needs --hierarchy");
  refused(
      [](FitRequest& r) {
        r.hierarchy = true;
        r.with_path = true;
        r.out_parts = true;
      },
      "--with-path needs --hierarchy");
  refused([](FitRequest& r) { r.input.weight_column = r.input.id_column = "a"; }, "is given two roles");
  EXPECT_FALSE(std::filesystem::exists(dir.file("o")));
  // An output directory whose files include the input.
  const std::string input = dir.file_write("model.json", "{}");
  FitRequest request = request_make(input, dir.path().string());
  EXPECT_THROW(fit_request_validate(request), UsageError);
}

// The output directory is opened before the work (as kseg fit does): one that cannot be made fails at once, and a
// failed fit leaves an existing set untouched.
TEST(FitSegments, OutputDirectoryFailsEarlyAndKeepsThePreviousSet) {
  test::ScratchDir dir;
  const std::string plain = dir.file_write("plain", "x");
  EXPECT_THROW(FitOutputDir(plain + "/out"), DataError);
  const std::string out = dir.file("out");
  std::filesystem::create_directory(out);
  const std::string kept = dir.file_write("out/segments.csv", "earlier run\n");
  {
    FitOutputDir staged(out);
    FitRequest request = request_make(dir.file_write("bad.csv", "user_id,spend\na,1\nb,2\n"), out);
    request.kmeans.k = 3;  // more segments than users: refused once the rows are known
    EXPECT_THROW(fit_segments(request, std::cerr), DataError);
  }
  EXPECT_EQ(file_read(kept), "earlier run\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator()), 3);
}

}  // namespace
}  // namespace kseg
