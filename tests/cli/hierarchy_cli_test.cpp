// kseg fit --hierarchy and --min-size / --min-share in-process: tree.json, model.json's tree, centroids.csv's parent
// column, assign walking the tree or taking the nearest leaf, summary.json, a tree with a minimum segment size,
// report.html's parent cards, and refused combinations.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_test_support.hpp"
#include "host/model/model_file.hpp"
#include "host/report/svg_charts.hpp"

namespace kseg {
namespace {

using test::cli;
using test::file_read;
using test::lines_split;

// The segment column of a segments file, in row order.
std::vector<std::string> segment_column(const std::string& path) {
  std::vector<std::string> labels;
  for (const std::string& line : lines_split(file_read(path))) {
    const size_t a = line.find(',');
    labels.push_back(line.substr(a + 1, line.find(',', a + 1) - a - 1));
  }
  return labels;
}

TEST(CliHierarchy, WritesTheTreeAndAssignWalksIt) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "4000", "--seed", "3", "--out", users, "--quiet"}).code, 0);
  const std::string out = dir.file("tree");
  const test::CliResult fit =
      cli({"fit", users, "--k", "5", "--hierarchy", "--out", out, "--device", "cpu", "--n-init", "2"});
  ASSERT_EQ(fit.code, 0) << fit.err;
  EXPECT_NE(fit.err.find("tree of 5 segments from 4 splits"), std::string::npos) << fit.err;

  const nlohmann::json tree = nlohmann::json::parse(file_read(out + "/tree.json"));
  EXPECT_EQ(tree["split"], "largest-inertia");
  ASSERT_EQ(tree["nodes"].size(), 9u);
  EXPECT_EQ(tree["nodes"][0]["size"], 4000);
  EXPECT_EQ(tree["nodes"][0]["path"], "0");
  std::map<int64_t, int64_t> leaf_parent;  // segment id → parent node
  for (const nlohmann::json& node : tree["nodes"])
    if (!node["segment"].is_null()) leaf_parent[node["segment"].get<int64_t>()] = node["parent"].get<int64_t>();
  ASSERT_EQ(leaf_parent.size(), 5u);

  // centroids.csv: segment,size,parent,... with each segment's parent from tree.json.
  const std::vector<std::string> rows = lines_split(file_read(out + "/centroids.csv"));
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0].rfind("segment,size,parent,", 0), 0u);
  for (size_t r = 1; r < rows.size(); ++r) {
    const std::vector<std::string> f = [&] {
      std::vector<std::string> fields;
      std::stringstream in(rows[r]);
      for (std::string s; std::getline(in, s, ',');) fields.push_back(s);
      return fields;
    }();
    EXPECT_EQ(std::stoll(f[2]), leaf_parent.at(std::stoll(f[0])));
  }

  const Model model = model_load(out + "/model.json");
  ASSERT_TRUE(model.tree.has_value());
  EXPECT_EQ(model.tree->nodes.size(), 9u);
  EXPECT_EQ(nlohmann::json::parse(file_read(out + "/model.json"))["format_version"], 3);
  const nlohmann::json summary = nlohmann::json::parse(file_read(out + "/summary.json"));
  EXPECT_EQ(summary["hierarchy"]["nodes"], 9);

  // Walking the tree puts the training users where the splits put them: segments.csv again.
  const test::CliResult walk = cli({"assign", users, "--model", out + "/model.json", "--out", dir.file("walk.csv")});
  ASSERT_EQ(walk.code, 0) << walk.err;
  EXPECT_EQ(segment_column(dir.file("walk.csv")), segment_column(out + "/segments.csv"));
  // The nearest leaf: every distance is at most the walk's (it is the minimum over the leaves).
  const test::CliResult nearest = cli(
      {"assign", users, "--model", out + "/model.json", "--out", dir.file("nearest.csv"), "--assign", "nearest-leaf"});
  ASSERT_EQ(nearest.code, 0) << nearest.err;
  const std::vector<std::string> w = lines_split(file_read(dir.file("walk.csv")));
  const std::vector<std::string> n = lines_split(file_read(dir.file("nearest.csv")));
  ASSERT_EQ(w.size(), n.size());
  for (size_t i = 1; i < w.size(); ++i) {
    const double dw = std::stod(w[i].substr(w[i].rfind(',') + 1));
    const double dn = std::stod(n[i].substr(n[i].rfind(',') + 1));
    EXPECT_LE(dn, dw * (1 + 1e-5) + 1e-6) << "row " << i;
  }

  // A flat fit into the same directory removes the tree.json it no longer matches.
  ASSERT_EQ(cli({"fit", users, "--k", "3", "--out", out, "--quiet"}).code, 0);
  EXPECT_FALSE(std::filesystem::exists(out + "/tree.json"));
}

TEST(CliHierarchy, WithPathAndRefreshByMatchingIds) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "3000", "--seed", "4", "--out", users, "--quiet"}).code, 0);
  const std::string out = dir.file("a");
  ASSERT_EQ(
      cli({"fit", users, "--k", "4", "--hierarchy", "--split", "largest", "--with-path", "--out", out, "--quiet"}).code,
      0);
  const nlohmann::json tree = nlohmann::json::parse(file_read(out + "/tree.json"));
  EXPECT_EQ(tree["split"], "largest");
  std::map<std::string, std::string> path_of;  // segment id → path, from tree.json
  for (const nlohmann::json& node : tree["nodes"])
    if (!node["segment"].is_null()) path_of[std::to_string(node["segment"].get<int64_t>())] = node["path"];
  const std::vector<std::string> rows = lines_split(file_read(out + "/segments.csv"));
  ASSERT_EQ(rows[0], "id,segment,distance,path");
  for (size_t i = 1; i < rows.size(); ++i) {
    std::vector<std::string> f;
    std::stringstream in(rows[i]);
    for (std::string v; std::getline(in, v, ',');) f.push_back(v);
    ASSERT_EQ(f.size(), 4u) << rows[i];
    EXPECT_EQ(f[3], path_of.at(f[1]));
    EXPECT_EQ(f[3].rfind("0/", 0), 0u);  // every path starts at the root
  }
  // A refit of a later snapshot keeps the old tree's segment ids by matching leaves (--match-ids).
  const std::string later = dir.file("later.csv");
  ASSERT_EQ(cli({"generate", "--users", "3000", "--seed", "4", "--drift", "0.1", "--out", later, "--quiet"}).code, 0);
  const test::CliResult refit = cli(
      {"fit", later, "--k", "4", "--hierarchy", "--match-ids", out + "/model.json", "--out", dir.file("b"), "--quiet"});
  ASSERT_EQ(refit.code, 0) << refit.err;
  const nlohmann::json summary = nlohmann::json::parse(file_read(dir.file("b/summary.json")));
  EXPECT_FALSE(summary["matching"].is_null());
  EXPECT_TRUE(model_load(dir.file("b/model.json")).tree.has_value());
}

TEST(CliHierarchy, SweepCutsOneTreeAndReportsKeepTheTree) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "2000", "--seed", "6", "--out", users, "--quiet"}).code, 0);
  const test::CliResult sweep = cli({"sweep", users, "--k", "2..5", "--hierarchy", "--seeds", "2", "--sample", "500",
                                     "--out", dir.file("s"), "--quiet"});
  ASSERT_EQ(sweep.code, 0) << sweep.err;
  const nlohmann::json doc = nlohmann::json::parse(file_read(dir.file("s/sweep.json")));
  ASSERT_EQ(doc["rows"].size(), 4u);
  // Each k's inertia is that of kseg fit --hierarchy with the same k and the row's best seed.
  for (const nlohmann::json& row : doc["rows"]) {
    const std::string k = std::to_string(row["k"].get<int64_t>());
    const std::string out = dir.file("fit" + k);
    ASSERT_EQ(cli({"fit", users, "--k", k, "--hierarchy", "--seed", std::to_string(row["best_seed"].get<uint64_t>()),
                   "--out", out, "--quiet"})
                  .code,
              0);
    const nlohmann::json summary = nlohmann::json::parse(file_read(out + "/summary.json"));
    EXPECT_NEAR(row["inertia"].get<double>(), summary["inertia"].get<double>(), 1e-9 * summary["inertia"].get<double>())
        << "k = " << k;
  }
  // kseg report rewrites report.html from the files and keeps the tree section of a tree model.
  const std::string fit = dir.file("fit4");
  EXPECT_NE(file_read(fit + "/report.html").find("<h2>Segment tree</h2>"), std::string::npos);
  ASSERT_EQ(cli({"report", fit, "--out", dir.file("again.html"), "--quiet"}).code, 0);
  EXPECT_NE(file_read(dir.file("again.html")).find("<h2>Segment tree</h2>"), std::string::npos);
  EXPECT_EQ(cli({"sweep", users, "--k", "2..3", "--hierarchy", "--fit-sample", "500", "--out", dir.file("t")}).code, 2);
}

TEST(CliHierarchy, BadCombinationsAreUsageErrors) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "300", "--seed", "3", "--out", users, "--quiet"}).code, 0);
  test::CliResult r = cli({"fit", users, "--k", "3", "--hierarchy", "--split", "widest", "--out", dir.file("o")});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--split"), std::string::npos) << r.err;
  r = cli({"fit", users, "--k", "3", "--min-share", "1.5", "--out", dir.file("o")});
  EXPECT_EQ(r.code, 2);
  r = cli({"fit", users, "--k", "3", "--with-path", "--out", dir.file("o")});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--with-path needs --hierarchy"), std::string::npos) << r.err;
  ASSERT_EQ(cli({"fit", users, "--k", "3", "--out", dir.file("flat"), "--quiet"}).code, 0);
  r = cli({"assign", users, "--model", dir.file("flat/model.json"), "--assign", "nearest", "--out", dir.file("a.csv")});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--assign"), std::string::npos) << r.err;
}

TEST(CliMinSize, SummaryReportsDissolvedSegmentsAndSizesHold) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "3000", "--seed", "8", "--out", users, "--quiet"}).code, 0);
  const std::string out = dir.file("m");
  const test::CliResult fit = cli({"fit", users, "--k", "12", "--min-share", "0.08", "--out", out, "--device", "cpu"});
  ASSERT_EQ(fit.code, 0) << fit.err;
  const nlohmann::json summary = nlohmann::json::parse(file_read(out + "/summary.json"));
  const int64_t k = summary["k"];
  EXPECT_LT(k, 12);
  EXPECT_EQ(summary["min_size"]["k_requested"], 12);
  EXPECT_EQ(summary["min_size"]["dissolved"], 12 - k);
  EXPECT_DOUBLE_EQ(summary["min_size"]["minimum"].get<double>(), 240.0);
  EXPECT_NE(fit.err.find("dissolved " + std::to_string(12 - k) + " segments"), std::string::npos) << fit.err;
  std::map<std::string, int64_t> counts;  // from segments.csv, not from the summary
  const std::vector<std::string> labels = segment_column(out + "/segments.csv");
  for (size_t i = 1; i < labels.size(); ++i) ++counts[labels[i]];
  EXPECT_EQ(static_cast<int64_t>(counts.size()), k);
  for (const auto& [segment, count] : counts) EXPECT_GE(count, 240) << "segment " << segment;

  const test::CliResult impossible = cli({"fit", users, "--k", "4", "--min-size", "5000", "--out", dir.file("x")});
  EXPECT_EQ(impossible.code, 1);
  EXPECT_NE(impossible.err.find("minimum size 5000"), std::string::npos) << impossible.err;
}

TEST(CliHierarchy, MinimumSizeClosesSplitsAndTheReportShowsParentCards) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "3000", "--seed", "8", "--out", users, "--quiet"}).code, 0);
  const std::string out = dir.file("t");
  const test::CliResult fit =
      cli({"fit", users, "--k", "12", "--hierarchy", "--min-share", "0.08", "--out", out, "--device", "cpu"});
  ASSERT_EQ(fit.code, 0) << fit.err;
  const nlohmann::json summary = nlohmann::json::parse(file_read(out + "/summary.json"));
  const int64_t k = summary["k"];
  EXPECT_LT(k, 12);  // 12 segments of 240 users each cannot come out of bisections of these 3000 users
  EXPECT_GE(k, 2);
  EXPECT_EQ(summary["min_size"]["k_requested"], 12);
  EXPECT_EQ(summary["min_size"]["k"], k);
  EXPECT_DOUBLE_EQ(summary["min_size"]["minimum"].get<double>(), 240.0);
  EXPECT_GE(summary["min_size"]["closed"].get<int64_t>(), 1);
  EXPECT_NE(fit.err.find("the tree stops at " + std::to_string(k) + " segments, not 12"), std::string::npos) << fit.err;
  std::map<std::string, int64_t> counts;  // from segments.csv, not from the summary
  const std::vector<std::string> labels = segment_column(out + "/segments.csv");
  for (size_t i = 1; i < labels.size(); ++i) ++counts[labels[i]];
  EXPECT_EQ(static_cast<int64_t>(counts.size()), k);
  for (const auto& [segment, count] : counts) EXPECT_GE(count, 240) << "segment " << segment;

  // report.html: a card per parent below the root (k − 1 splits, less the root), each named as in profiles.json,
  // whose sizes are those of tree.json's nodes.
  const nlohmann::json tree = nlohmann::json::parse(file_read(out + "/tree.json"));
  const nlohmann::json profiles = nlohmann::json::parse(file_read(out + "/profiles.json"));
  const std::string html = file_read(out + "/report.html");
  ASSERT_EQ(profiles["tree_parents"].size(), static_cast<size_t>(k - 2));
  size_t cards = 0;
  for (size_t at = html.find("class=\"card parent\""); at != std::string::npos;
       at = html.find("class=\"card parent\"", at + 1))
    ++cards;
  EXPECT_EQ(cards, static_cast<size_t>(k - 2));
  for (const nlohmann::json& parent : profiles["tree_parents"]) {
    const int64_t node = parent["node"];
    EXPECT_GT(node, 0);
    EXPECT_TRUE(tree["nodes"][node]["segment"].is_null()) << "node " << node << " is a leaf";
    EXPECT_EQ(parent["size"], tree["nodes"][node]["size"]);
    EXPECT_NE(html.find("<h3>node " + std::to_string(node) + " · " + html_escape(parent["name"].get<std::string>()) +
                        "</h3>"),
              std::string::npos)
        << parent["name"];
  }
  // kseg report rebuilds the page from the files with the same cards.
  ASSERT_EQ(cli({"report", out, "--out", dir.file("again.html"), "--quiet"}).code, 0);
  const std::string again = file_read(dir.file("again.html"));
  EXPECT_NE(again.find("class=\"card parent\""), std::string::npos);
}

}  // namespace
}  // namespace kseg
