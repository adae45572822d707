// kseg fit --match-ids / --warm-start, compare, drift and update, in-process: stable ids end to end, and the fit's
// sample weights in drift and update.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "../cli/cli_test_support.hpp"

namespace kseg {
namespace {

using test::cli;
using test::file_read;
using test::lines_split;

// id → segment from a segments.csv.
std::map<std::string, int> segments_read(const std::string& path) {
  std::map<std::string, int> out;
  const std::vector<std::string> lines = lines_split(file_read(path));
  for (size_t i = 1; i < lines.size(); ++i) {
    const size_t a = lines[i].find(','), b = lines[i].find(',', a + 1);
    out[lines[i].substr(0, a)] = std::stoi(lines[i].substr(a + 1, b - a - 1));
  }
  return out;
}

double inertia_of(const std::string& segments_csv) {
  double total = 0.0;
  const std::vector<std::string> lines = lines_split(file_read(segments_csv));
  for (size_t i = 1; i < lines.size(); ++i) {
    const double d = std::stod(lines[i].substr(lines[i].rfind(',') + 1));
    total += d * d;
  }
  return total;
}

// Planted 2-D blobs: (centre x, centre y, rows, spread) per blob, ids "<tag><row>".
std::string blobs_csv(const std::vector<std::array<double, 4>>& blobs, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string text = "user_id,x,y\n";
  int row = 0;
  for (const auto& b : blobs) {
    std::normal_distribution<double> noise(0.0, b[3]);
    for (int i = 0; i < static_cast<int>(b[2]); ++i, ++row)
      text += "u" + std::to_string(row) + "," + std::to_string(b[0] + noise(rng)) + "," +
              std::to_string(b[1] + noise(rng)) + "\n";
  }
  return text;
}

TEST(MatchIds, ShuffledModelIdsAreRestored) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "4000", "--seed", "3", "--out", users, "--quiet"}).code, 0);
  ASSERT_EQ(cli({"fit", users, "--k", "5", "--out", dir.file("a"), "--seed", "4", "--quiet"}).code, 0);
  // The same model with its centroid rows shuffled and renamed: row r holds old row order[r] with id ids[r].
  nlohmann::json model = nlohmann::json::parse(file_read(dir.file("a/model.json")));
  const std::vector<int> order = {3, 0, 4, 1, 2};
  const std::vector<int> ids = {17, 2, 40, 8, 5};
  nlohmann::json centroids = nlohmann::json::array();
  std::map<int, int> id_of_old_row;
  for (size_t r = 0; r < order.size(); ++r) {
    centroids.push_back(model["centroids"][order[r]]);
    id_of_old_row[order[r]] = ids[r];
  }
  model["centroids"] = centroids;
  model["segment_ids"] = ids;
  model["segment_names"] = {"", "bargain hunters", "", "", "loyal"};
  model["next_segment_id"] = 41;
  model["format_version"] = 2;
  dir.file_write("shuffled.json", model.dump());

  const test::CliResult fit = cli({"fit", users, "--k", "5", "--out", dir.file("b"), "--seed", "4", "--match-ids",
                                   dir.file("shuffled.json"), "--quiet"});
  ASSERT_EQ(fit.code, 0) << fit.err;
  const std::map<std::string, int> before = segments_read(dir.file("a/segments.csv"));
  const std::map<std::string, int> after = segments_read(dir.file("b/segments.csv"));
  ASSERT_EQ(before.size(), after.size());
  for (const auto& [id, segment] : before) ASSERT_EQ(after.at(id), id_of_old_row.at(segment)) << id;
  const nlohmann::json summary = nlohmann::json::parse(file_read(dir.file("b/summary.json")));
  EXPECT_TRUE(summary["matching"]["new_ids"].empty());
  EXPECT_TRUE(summary["matching"]["retired"].empty());
  const nlohmann::json b = nlohmann::json::parse(file_read(dir.file("b/model.json")));
  EXPECT_EQ(b["format_version"], 2);
  EXPECT_EQ(b["next_segment_id"], 41);
  // Names travel with their ids; assign writes the stable ids too.
  for (size_t j = 0; j < 5; ++j) {
    if (b["segment_ids"][j] == 2) {
      EXPECT_EQ(b["segment_names"][j], "bargain hunters");
    }
  }
  ASSERT_EQ(cli({"assign", users, "--model", dir.file("b/model.json"), "--out", dir.file("b.csv"), "--quiet"}).code, 0);
  EXPECT_EQ(file_read(dir.file("b.csv")), file_read(dir.file("b/segments.csv")));
  // centroids.csv rows carry the stable ids.
  const std::vector<std::string> rows = lines_split(file_read(dir.file("b/centroids.csv")));
  std::vector<int> written;
  for (size_t r = 1; r < rows.size(); ++r) written.push_back(std::stoi(rows[r].substr(0, rows[r].find(','))));
  std::sort(written.begin(), written.end());
  EXPECT_EQ(written, (std::vector<int>{2, 5, 8, 17, 40}));
}

TEST(WarmStart, ASplitSegmentKeepsItsIdOnTheLargerHalf) {
  test::ScratchDir dir;
  // Week 1: three segments. Week 2: the one at (0, 10) splits 60/40 into (0, 11.6) and (0, 7.6).
  dir.file_write("w1.csv", blobs_csv({{0, 0, 400, 0.5}, {10, 0, 400, 0.5}, {0, 10, 400, 0.5}}, 1));
  dir.file_write("w2.csv",
                 blobs_csv({{0, 0, 400, 0.5}, {10, 0, 400, 0.5}, {0, 11.6, 240, 0.4}, {0, 7.6, 160, 0.4}}, 2));
  const std::vector<std::string> prep = {"--log", "none", "--quiet"};
  std::vector<std::string> fit1 = {"fit", dir.file("w1.csv"), "--k", "3", "--out", dir.file("w1")};
  fit1.insert(fit1.end(), prep.begin(), prep.end());
  ASSERT_EQ(cli(fit1).code, 0);
  const std::map<std::string, int> week1 = segments_read(dir.file("w1/segments.csv"));
  const int split_id = week1.at("u800");  // rows 800.. are the third blob in both weeks
  for (const std::string mode : {"--warm-start", "--match-ids"}) {
    const std::string out = dir.file(std::string("w2") + mode);
    std::vector<std::string> fit2 = {"fit", dir.file("w2.csv"),       "--k", "4", "--out", out,
                                     mode,  dir.file("w1/model.json")};
    fit2.insert(fit2.end(), prep.begin(), prep.end());
    const test::CliResult r = cli(fit2);
    ASSERT_EQ(r.code, 0) << r.err;
    const std::map<std::string, int> week2 = segments_read(out + "/segments.csv");
    EXPECT_EQ(week2.at("u0"), week1.at("u0")) << mode;
    EXPECT_EQ(week2.at("u400"), week1.at("u400")) << mode;
    EXPECT_EQ(week2.at("u800"), split_id) << mode;  // the larger half (rows 800..1039)
    EXPECT_EQ(week2.at("u1100"), 3) << mode;        // the smaller half: a new id
    const nlohmann::json m = nlohmann::json::parse(file_read(out + "/summary.json"))["matching"];
    EXPECT_EQ(m["new_ids"], nlohmann::json::array({3})) << mode;
    EXPECT_TRUE(m["retired"].empty()) << mode;
    EXPECT_EQ(m["warm_start"], mode == "--warm-start");
  }
  // Shrinking back to 2 segments retires one id, reported by id.
  std::vector<std::string> fit3 = {"fit",   dir.file("w2.csv"), "--k",          "2",
                                   "--out", dir.file("w3"),     "--warm-start", dir.file("w1/model.json")};
  fit3.insert(fit3.end(), prep.begin(), prep.end());
  ASSERT_EQ(cli(fit3).code, 0);
  const nlohmann::json m = nlohmann::json::parse(file_read(dir.file("w3/summary.json")))["matching"];
  EXPECT_EQ(m["retired"].size(), 1u);
  EXPECT_EQ(m["next_segment_id"], 3);
}

TEST(Compare, MigrationFilesFromTwoSegmentFiles) {
  test::ScratchDir dir;
  dir.file_write("old.csv", "id,segment,distance\na,0,1\n\"b\",0,1\nc,1,1\nd,1,1\ne,2,1\n");
  dir.file_write("new.csv", "id,segment,distance\nf,3,1\nd,1,1\nc,1,1\nb,1,1\na,0,1\n");
  const test::CliResult r = cli({"compare", dir.file("old.csv"), dir.file("new.csv"), "--out", dir.file("cmp")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("25.0% changed segment"), std::string::npos) << r.out;
  EXPECT_EQ(file_read(dir.file("cmp/migration.csv")),
            "old_segment,0,1,3,disappeared,total\n0,1,1,0,0,2\n1,0,2,0,0,2\n2,0,0,0,1,1\nappeared,0,0,1,0,1\n");
  const nlohmann::json j = nlohmann::json::parse(file_read(dir.file("cmp/compare.json")));
  EXPECT_EQ(j["appeared"], 1);
  EXPECT_EQ(j["disappeared"], 1);
  EXPECT_EQ(j["segments"][2]["flag"], "major");
  EXPECT_NE(file_read(dir.file("cmp/segment_psi.csv")).find("0,2,1,0.4,0.2,"), std::string::npos);

  dir.file_write("dup.csv", "id,segment\na,0\na,1\n");
  const test::CliResult dup = cli({"compare", dir.file("dup.csv"), dir.file("new.csv"), "--out", dir.file("x")});
  EXPECT_EQ(dup.code, 1);
  EXPECT_NE(dup.err.find("dup.csv:3:1: id \"a\" repeats line 2"), std::string::npos) << dup.err;
  dir.file_write("bad.csv", "id,segment\na,-1\n");
  EXPECT_EQ(cli({"compare", dir.file("bad.csv"), dir.file("new.csv"), "--out", dir.file("x")}).code, 1);
}

TEST(Drift, SameUsersAreStableAndShiftedUsersCallForARefit) {
  test::ScratchDir dir;
  const std::string week1 = dir.file("w1.csv"), week2 = dir.file("w2.csv");
  ASSERT_EQ(cli({"generate", "--users", "5000", "--seed", "8", "--out", week1, "--quiet"}).code, 0);
  ASSERT_EQ(cli({"generate", "--users", "5000", "--seed", "8", "--drift", "0.8", "--out", week2, "--quiet"}).code, 0);
  ASSERT_EQ(cli({"fit", week1, "--k", "6", "--out", dir.file("m"), "--quiet"}).code, 0);
  const test::CliResult same =
      cli({"drift", week1, "--model", dir.file("m/model.json"), "--out", dir.file("same.json")});
  ASSERT_EQ(same.code, 0) << same.err;
  const nlohmann::json s = nlohmann::json::parse(file_read(dir.file("same.json")));
  EXPECT_FALSE(s["refit_recommended"]);
  for (const nlohmann::json& f : s["features"]) EXPECT_LT(f["psi"].get<double>(), 1e-9) << f["name"];
  EXPECT_NEAR(s["mean_distance"]["change"].get<double>(), 0.0, 1e-6);

  const test::CliResult moved =
      cli({"drift", week2, "--model", dir.file("m/model.json"), "--out", dir.file("moved.json")});
  ASSERT_EQ(moved.code, 0) << moved.err;
  EXPECT_NE(moved.out.find("refit recommended"), std::string::npos) << moved.out;
  const nlohmann::json m = nlohmann::json::parse(file_read(dir.file("moved.json")));
  EXPECT_TRUE(m["refit_recommended"]);
  double recency = 0.0;
  for (const nlohmann::json& f : m["features"])
    if (f["name"] == "recency_days") recency = f["psi"];
  EXPECT_GE(recency, 0.1);

  // A model without training statistics (older kseg) is refused with a reason.
  nlohmann::json old = nlohmann::json::parse(file_read(dir.file("m/model.json")));
  old.erase("training_statistics");
  dir.file_write("old.json", old.dump());
  const test::CliResult refused = cli({"drift", week1, "--model", dir.file("old.json")});
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("no training statistics"), std::string::npos);
}

TEST(Update, MiniBatchFromAPoorStartReachesFullLloydAndKeepsIds) {
  test::ScratchDir dir;
  dir.file_write("u.csv", blobs_csv({{0, 0, 3000, 1}, {12, 0, 2000, 1}, {0, 12, 1500, 1}, {12, 12, 1000, 1}}, 5));
  const std::string users = dir.file("u.csv");
  ASSERT_EQ(
      cli({"fit", users, "--k", "4", "--out", dir.file("full"), "--n-init", "3", "--log", "none", "--quiet"}).code, 0);
  ASSERT_EQ(cli({"fit", users, "--k", "4", "--out", dir.file("poor"), "--init", "random", "--max-iter", "1", "--log",
                 "none", "--seed", "5", "--quiet"})
                .code,
            0);
  const test::CliResult up = cli({"update", users, "--model", dir.file("poor/model.json"), "--out", dir.file("up"),
                                  "--memory", "0", "--epochs", "3", "--quiet"});
  ASSERT_EQ(up.code, 0) << up.err;
  ASSERT_EQ(cli({"assign", users, "--model", dir.file("up/model.json"), "--out", dir.file("up.csv"), "--quiet"}).code,
            0);
  const double full = inertia_of(dir.file("full/segments.csv"));
  EXPECT_GT(inertia_of(dir.file("poor/segments.csv")), 1.1 * full);  // the start is far from the optimum
  EXPECT_LE(inertia_of(dir.file("up.csv")), 1.02 * full);
  const nlohmann::json summary = nlohmann::json::parse(file_read(dir.file("up/summary.json")));
  EXPECT_EQ(summary["epochs"].size(), 3u);
  const nlohmann::json model = nlohmann::json::parse(file_read(dir.file("up/model.json")));
  // Ids stay, except for centres reassigned (new ids, old ones retired), all reported.
  const size_t reassigned = summary["ids"]["new_ids"].size();
  EXPECT_EQ(summary["ids"]["retired"].size(), reassigned);
  EXPECT_EQ(model["next_segment_id"], 4 + static_cast<int>(reassigned));

  EXPECT_EQ(cli({"update", users, "--model", dir.file("poor/model.json"), "--memory", "2"}).code, 2);
  EXPECT_EQ(cli({"update", users, "--model", dir.file("poor/model.json"), "--batch-size", "0"}).code, 2);
}

TEST(Refresh, ContradictoryOptionsAreUsageErrors) {
  test::ScratchDir dir;
  const std::string users = dir.file_write("u.csv", "id,x\na,1\nb,2\nc,3\n");
  ASSERT_EQ(cli({"fit", users, "--k", "2", "--out", dir.file("m"), "--quiet"}).code, 0);
  const std::string model = dir.file("m/model.json");
  EXPECT_EQ(cli({"fit", users, "--k", "2", "--warm-start", model, "--match-ids", model}).code, 2);
  EXPECT_EQ(cli({"fit", users, "--k", "2", "--warm-start", model, "--n-init", "3"}).code, 2);
  EXPECT_EQ(cli({"fit", users, "--k", "2", "--warm-start", model, "--init", "random"}).code, 2);
  EXPECT_EQ(cli({"fit", users, "--k", "2", "--match-ids", dir.file("none.json"), "--out", dir.file("o")}).code, 1);
  // Names: segment,name for ids of this fit; an unknown id is an error naming the line.
  dir.file_write("names.csv", "segment,name\n1,\"big, spenders\"\n");
  ASSERT_EQ(
      cli({"fit", users, "--k", "2", "--out", dir.file("n"), "--segment-names", dir.file("names.csv"), "--quiet"}).code,
      0);
  const nlohmann::json named = nlohmann::json::parse(file_read(dir.file("n/model.json")));
  EXPECT_EQ(named["segment_names"], nlohmann::json::array({"", "big, spenders"}));
  dir.file_write("bad_names.csv", "segment,name\n7,x\n");
  const test::CliResult bad =
      cli({"fit", users, "--k", "2", "--out", dir.file("n2"), "--segment-names", dir.file("bad_names.csv"), "--quiet"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("bad_names.csv:2:1"), std::string::npos) << bad.err;
}

// Sample weights in drift and update: a row of integer weight w counts as w copied rows.
struct UsersCsv {
  std::string weighted;  // x,y,w
  std::string copied;    // x,y: each row repeated w times
};

// Three planted blobs; a row's weight is weight(blob, row) (an integer >= 0).
template <class Weight>
UsersCsv users_csv(uint64_t seed, Weight weight) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  const double centres[3][2] = {{0, 0}, {10, 0}, {0, 10}};
  UsersCsv csv{"x,y,w\n", "x,y\n"};
  for (int blob = 0; blob < 3; ++blob)
    for (int r = 0; r < 300; ++r) {
      const std::string xy =
          std::to_string(centres[blob][0] + noise(rng)) + "," + std::to_string(centres[blob][1] + noise(rng));
      const int w = weight(blob, r);
      csv.weighted += xy + "," + std::to_string(w) + "\n";
      for (int c = 0; c < w; ++c) csv.copied += xy + "\n";
    }
  return csv;
}

nlohmann::json json_read(const std::string& path) { return nlohmann::json::parse(file_read(path)); }

TEST(WeightedDrift, IntegerWeightsEqualCopiedRowsAndReweightingIsSeen) {
  test::ScratchDir dir;
  const UsersCsv train = users_csv(1, [](int blob, int r) { return (r + blob) % 4; });
  dir.file_write("train.csv", train.weighted);
  ASSERT_EQ(
      cli({"fit", dir.file("train.csv"), "--k", "3", "--weight-column", "w", "--out", dir.file("m"), "--quiet"}).code,
      0);
  const nlohmann::json stats = json_read(dir.file("m/model.json"))["training_statistics"];
  EXPECT_EQ(stats["weight_column"], "w");

  // Later users: blob 0 weighs more. Weighted by w, and the same users copied (no w column: once each).
  const UsersCsv later = users_csv(2, [](int blob, int r) { return blob == 0 ? 3 + r % 2 : r % 3; });
  dir.file_write("later.csv", later.weighted);
  dir.file_write("later_copied.csv", later.copied);
  const test::CliResult a = cli({"drift", dir.file("later.csv"), "--model", dir.file("m/model.json"), "--out",
                                 dir.file("weighted.json"), "--quiet"});
  ASSERT_EQ(a.code, 0) << a.err;
  const test::CliResult b = cli(
      {"drift", dir.file("later_copied.csv"), "--model", dir.file("m/model.json"), "--out", dir.file("copied.json")});
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_NE(b.err.find("no such column"), std::string::npos) << b.err;  // said, not silent
  const nlohmann::json weighted = json_read(dir.file("weighted.json")), copied = json_read(dir.file("copied.json"));
  EXPECT_EQ(weighted["weight_column"], "w");
  EXPECT_EQ(copied["weight_column"], "");
  ASSERT_EQ(weighted["features"].size(), 2u);
  for (size_t f = 0; f < 2; ++f) {
    EXPECT_NEAR(weighted["features"][f]["psi"].get<double>(), copied["features"][f]["psi"].get<double>(), 1e-9);
    // Blob 0 holds about a third of the training weight and half of the new weight.
    EXPECT_GE(weighted["features"][f]["psi"].get<double>(), 0.1) << weighted["features"][f]["name"];
  }
  EXPECT_NEAR(weighted["mean_distance"]["new"].get<double>(), copied["mean_distance"]["new"].get<double>(), 1e-6);

  // The same users counted once each (the weight column under another name): the reweighting is not seen.
  std::string renamed = later.weighted;
  renamed.replace(0, 6, "x,y,v\n");
  dir.file_write("later_unweighted.csv", renamed);
  ASSERT_EQ(cli({"drift", dir.file("later_unweighted.csv"), "--model", dir.file("m/model.json"), "--out",
                 dir.file("unweighted.json"), "--quiet"})
                .code,
            0);
  const nlohmann::json unweighted = json_read(dir.file("unweighted.json"));
  for (size_t f = 0; f < 2; ++f)
    EXPECT_LT(unweighted["features"][f]["psi"].get<double>(), weighted["features"][f]["psi"].get<double>() / 2);

  dir.file_write("zero.csv", "x,y,w\n1,2,0\n3,4,0\n");
  const test::CliResult zero = cli({"drift", dir.file("zero.csv"), "--model", dir.file("m/model.json")});
  EXPECT_EQ(zero.code, 1);
  EXPECT_NE(zero.err.find("weights sum to 0"), std::string::npos) << zero.err;
}

TEST(WeightedUpdate, IntegerWeightsEqualCopiedRowsInOneBatch) {
  test::ScratchDir dir;
  const UsersCsv train = users_csv(3, [](int, int r) { return 1 + r % 2; });
  dir.file_write("train.csv", train.weighted);
  ASSERT_EQ(
      cli({"fit", dir.file("train.csv"), "--k", "3", "--weight-column", "w", "--out", dir.file("m"), "--quiet"}).code,
      0);
  // New users whose weights pull the centres; one batch holds the whole file, so the steps see the same users.
  const UsersCsv later = users_csv(4, [](int blob, int r) { return blob == 1 ? r % 5 : 1; });
  dir.file_write("later.csv", later.weighted);
  dir.file_write("later_copied.csv", later.copied);
  for (const char* name : {"later", "later_copied"}) {
    const test::CliResult r =
        cli({"update", dir.file(std::string(name) + ".csv"), "--model", dir.file("m/model.json"), "--out",
             dir.file(std::string("up_") + name), "--batch-size", "100000", "--epochs", "2", "--quiet"});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  const nlohmann::json a = json_read(dir.file("up_later/model.json")),
                       b = json_read(dir.file("up_later_copied/model.json"));
  const nlohmann::json sa = json_read(dir.file("up_later/summary.json"));
  EXPECT_EQ(sa["weight_column"], "w");
  EXPECT_EQ(json_read(dir.file("up_later_copied/summary.json"))["weight_column"], "");
  ASSERT_EQ(a["centroids"].size(), b["centroids"].size());
  for (size_t j = 0; j < a["centroids"].size(); ++j)
    for (size_t t = 0; t < a["centroids"][j].size(); ++t)
      EXPECT_NEAR(a["centroids"][j][t].get<double>(), b["centroids"][j][t].get<double>(), 1e-4) << j << "," << t;
  const std::vector<double> wa = a["fit"]["segment_weights"], wb = b["fit"]["segment_weights"];
  ASSERT_EQ(wa.size(), wb.size());
  for (size_t j = 0; j < wa.size(); ++j) EXPECT_NEAR(wa[j], wb[j], 1e-9);

  // Unweighted, the same file moves the centres elsewhere.
  std::string renamed = later.weighted;
  renamed.replace(0, 6, "x,y,v\n");
  dir.file_write("later_unweighted.csv", renamed);
  ASSERT_EQ(cli({"update", dir.file("later_unweighted.csv"), "--model", dir.file("m/model.json"), "--out",
                 dir.file("up_plain"), "--batch-size", "100000", "--epochs", "2", "--quiet"})
                .code,
            0);
  const nlohmann::json c = json_read(dir.file("up_plain/model.json"));
  double moved = 0.0;
  for (size_t j = 0; j < a["centroids"].size(); ++j)
    for (size_t t = 0; t < a["centroids"][j].size(); ++t)
      moved += std::abs(a["centroids"][j][t].get<double>() - c["centroids"][j][t].get<double>());
  EXPECT_GT(moved, 1e-3);
}

// A weighted fit keeps each segment's weight sum in model.json, and update starts its counts from memory × those
// sums (not from row counts): the final counts less what the new rows added are the start.
TEST(WeightedUpdate, CountsStartFromTheFitsWeightSums) {
  test::ScratchDir dir;
  // Weights 0.5 … 2.75 in steps of 0.25: exact in float and double.
  std::string train = "id,x,y,w\n";
  std::vector<double> weights;
  std::mt19937_64 rng(8);
  std::normal_distribution<double> noise(0.0, 1.0);
  for (int r = 0; r < 600; ++r) {
    weights.push_back(0.5 + 0.25 * ((r * 7) % 10));
    train += "r" + std::to_string(r) + "," + std::to_string((r % 3) * 10 + noise(rng)) + "," +
             std::to_string((r % 3 == 2) * 10 + noise(rng)) + "," + std::to_string(weights.back()) + "\n";
  }
  dir.file_write("train.csv", train);
  ASSERT_EQ(
      cli({"fit", dir.file("train.csv"), "--k", "3", "--weight-column", "w", "--out", dir.file("m"), "--quiet"}).code,
      0);
  const nlohmann::json model = json_read(dir.file("m/model.json"));
  const std::vector<int> ids = model["segment_ids"];
  std::map<int, double> expected;  // segment id → Σ w of its rows, from segments.csv
  const std::map<std::string, int> segment_of = segments_read(dir.file("m/segments.csv"));
  for (int r = 0; r < 600; ++r) expected[segment_of.at("r" + std::to_string(r))] += weights[r];
  ASSERT_TRUE(model["fit"].contains("segment_weights"));
  const std::vector<double> stored = model["fit"]["segment_weights"];
  const std::vector<int64_t> sizes = model["fit"]["segment_sizes"];
  ASSERT_EQ(stored.size(), 3u);
  double rows_vs_weights = 0.0;
  for (size_t j = 0; j < 3; ++j) {
    EXPECT_NEAR(stored[j], expected[ids[j]], 1e-9) << j;
    rows_vs_weights += std::abs(stored[j] - static_cast<double>(sizes[j]));
  }
  EXPECT_GT(rows_vs_weights, 1.0);  // the weights do not sum to the row counts

  // New users with integer weights; one epoch, no reassignment: final counts − this epoch's additions = the start.
  dir.file_write("later.csv", "id,x,y,w\na,0.1,0.2,2\nb,10.3,0.1,1\nc,0.2,9.8,3\nd,9.9,-0.3,1\n");
  const test::CliResult up = cli({"update", dir.file("later.csv"), "--model", dir.file("m/model.json"), "--out",
                                  dir.file("up"), "--memory", "0.5", "--reassignment-ratio", "0", "--quiet"});
  ASSERT_EQ(up.code, 0) << up.err;
  const nlohmann::json summary = json_read(dir.file("up/summary.json"));
  const std::vector<double> final_counts = summary["segment_weights"];
  const std::vector<int64_t> added = summary["segment_sizes_last_epoch"];
  ASSERT_EQ(final_counts.size(), 3u);
  for (size_t j = 0; j < 3; ++j)
    EXPECT_NEAR(final_counts[j] - static_cast<double>(added[j]), 0.5 * stored[j], 1e-9) << j;

  // An unweighted fit records no weights, and update starts from its sizes.
  ASSERT_EQ(
      cli({"fit", dir.file("train.csv"), "--k", "3", "--columns", "x,y", "--out", dir.file("plain"), "--quiet"}).code,
      0);
  EXPECT_FALSE(json_read(dir.file("plain/model.json"))["fit"].contains("segment_weights"));
}

}  // namespace
}  // namespace kseg
