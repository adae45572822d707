// Real-looking user tables through the CLI: mixed numeric/categorical columns with gaps, planted segments,
// and assign replaying the model's preparation on new, shuffled or re-ordered files.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "cli_test_support.hpp"
#include "host/metrics/adjusted_rand.hpp"

namespace kseg {
namespace {

using test::cli;
using test::file_read;
using test::lines_split;

struct Planted {
  std::vector<std::string> rows;  // CSV lines without header
  std::vector<int32_t> truth;
};

// Four planted segments: heavy-tailed spend, a rate, device and plan levels, and about 4% missing cells.
Planted planted_make(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double spend[4] = {20, 300, 60, 2000};
  const double rate[4] = {0.1, 0.5, 0.8, 0.3};
  const char* device[4] = {"ios", "android", "web", "ios"};
  const char* plan[4] = {"free", "pro", "plus", "pro"};
  Planted p;
  for (int i = 0; i < n; ++i) {
    const int s = static_cast<int>(u(rng) * 4);
    std::ostringstream row;
    row << "id" << i << ",";
    if (u(rng) > 0.04) row << spend[s] * std::exp(0.25 * noise(rng));
    row << "," << std::clamp(rate[s] + 0.04 * noise(rng), 0.0, 1.0) << ",";
    row << (u(rng) < 0.9 ? device[s] : "web") << "," << (u(rng) < 0.04 ? "" : plan[s]);
    p.rows.push_back(row.str());
    p.truth.push_back(s);
  }
  return p;
}

std::vector<int32_t> segments_of(const std::string& path) {
  std::vector<int32_t> labels;
  for (const std::string& line : lines_split(file_read(path))) {
    if (line.rfind("id,", 0) == 0) continue;
    const size_t a = line.find(',');
    labels.push_back(std::stoi(line.substr(a + 1, line.find(',', a + 1) - a - 1)));
  }
  return labels;
}

TEST(CliMixed, RecoversPlantedSegmentsFromMixedColumns) {
  test::ScratchDir dir;
  const Planted p = planted_make(4000, 5);
  std::string text = "user_id,spend,open_rate,device,plan\n";
  for (const std::string& r : p.rows) text += r + "\n";
  const std::string users = dir.file_write("users.csv", text);
  const test::CliResult r = cli({"fit", users, "--k", "4", "--n-init", "3", "--log", "spend", "--out", dir.file("o")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("\"spend\" log1p-transformed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("missing values imputed"), std::string::npos) << r.err;
  EXPECT_GE(adjusted_rand_index(segments_of(dir.file("o/segments.csv")), p.truth), 0.95);

  const nlohmann::json summary = nlohmann::json::parse(file_read(dir.file("o/summary.json")));
  EXPECT_EQ(summary["columns"][0]["role"], "id");
  EXPECT_EQ(summary["columns"][3]["role"], "categorical");
  EXPECT_TRUE(summary["preparation"]["columns"][0]["log1p"].get<bool>());
  EXPECT_GT(summary["preparation"]["columns"][0]["imputed"].get<int>(), 0);
  const std::string header = lines_split(file_read(dir.file("o/centroids.csv")))[0];
  EXPECT_NE(header.find("device=ios"), std::string::npos) << header;
  EXPECT_NE(header.find("plan=(missing)"), std::string::npos) << header;
}

TEST(CliMixed, AssignReplaysThePreparationOnNewFiles) {
  test::ScratchDir dir;
  const Planted p = planted_make(1500, 9);
  std::string text = "user_id,spend,open_rate,device,plan\n";
  for (const std::string& r : p.rows) text += r + "\n";
  const std::string users = dir.file_write("users.csv", text);
  ASSERT_EQ(cli({"fit", users, "--k", "4", "--out", dir.file("o"), "--quiet"}).code, 0);
  const std::string model = dir.file("o/model.json");
  const std::vector<std::string> fitted = lines_split(file_read(dir.file("o/segments.csv")));

  ASSERT_EQ(cli({"assign", users, "--model", model, "--out", dir.file("same.csv"), "--quiet"}).code, 0);
  EXPECT_EQ(file_read(dir.file("same.csv")), file_read(dir.file("o/segments.csv")));

  // A shuffled subset with the columns re-ordered and an extra column: the same rows, the same answers.
  std::vector<size_t> order(p.rows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(3));
  std::map<std::string, std::string> expected;
  std::string shuffled = "plan,extra,device,open_rate,spend,user_id\n";
  for (size_t k = 0; k < 300; ++k) {
    std::vector<std::string> f;
    std::istringstream in(p.rows[order[k]]);
    for (std::string cell; std::getline(in, cell, ',');) f.push_back(cell);
    f.resize(5);
    shuffled += f[4] + ",zz," + f[3] + "," + f[2] + "," + f[1] + "," + f[0] + "\n";
    expected[f[0]] = fitted[order[k] + 1];
  }
  ASSERT_EQ(cli({"assign", dir.file_write("sub.csv", shuffled), "--model", model, "--out", dir.file("sub_out.csv"),
                 "--quiet"})
                .code,
            0);
  const std::vector<std::string> scored = lines_split(file_read(dir.file("sub_out.csv")));
  ASSERT_EQ(scored.size(), 301u);
  for (size_t k = 1; k < scored.size(); ++k) EXPECT_EQ(scored[k], expected[scored[k].substr(0, scored[k].find(','))]);

  // An unseen level is scored and reported; a missing column is an error naming it.
  const test::CliResult unseen = cli({"assign",
                                      dir.file_write("new.csv",
                                                     "user_id,spend,open_rate,device,plan\n"
                                                     "n1,50,0.5,smart-tv,pro\n"),
                                      "--model", model, "--out", dir.file("new_out.csv")});
  EXPECT_EQ(unseen.code, 0) << unseen.err;
  EXPECT_NE(unseen.err.find("\"device\": 1 users had a level unseen at fit"), std::string::npos) << unseen.err;
  const test::CliResult missing = cli({"assign", dir.file_write("m.csv", "user_id,spend,device,plan\nn1,50,ios,pro\n"),
                                       "--model", model, "--out", dir.file("m_out.csv")});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("column \"open_rate\" is required by the model"), std::string::npos) << missing.err;
}

TEST(CliMixed, SchemaCommandAndDryRunPrintRoles) {
  test::ScratchDir dir;
  const std::string users = dir.file_write("u.csv", "user_id,zip,device\na,02139,ios\nb,10001,web\nc,,ios\n");
  const test::CliResult schema = cli({"schema", users, "--categorical", "zip"});
  ASSERT_EQ(schema.code, 0) << schema.err;
  EXPECT_NE(schema.out.find("zip"), std::string::npos);
  EXPECT_NE(schema.out.find("--categorical"), std::string::npos) << schema.out;
  const test::CliResult dry = cli({"fit", users, "--k", "2", "--dry-run", "--out", dir.file("o")});
  ASSERT_EQ(dry.code, 0);
  EXPECT_NE(dry.out.find("device"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.file("o/segments.csv")));
}

}  // namespace
}  // namespace kseg
