// kseg generate → fit → assign in-process: output files, their formats, and the promises between them.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../io/test_files.hpp"
#include "app/backend_select.hpp"
#include "cli_test_support.hpp"
#include "host/io/npy_writer.hpp"

namespace kseg {
namespace {

using test::cli;
using test::file_read;
using test::lines_split;

TEST(CliFit, WritesSegmentFilesThatAssignReproduces) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "3000", "--seed", "5", "--out", users, "--quiet"}).code, 0);
  const std::string out = dir.file("seg");
  const test::CliResult fit = cli({"fit", users, "--k", "4", "--out", out, "--seed", "9", "--device", "cpu"});
  ASSERT_EQ(fit.code, 0) << fit.err;
  EXPECT_NE(fit.err.find("seed 9"), std::string::npos);  // the seed is always echoed

  const std::vector<std::string> segments = lines_split(file_read(out + "/segments.csv"));
  ASSERT_EQ(segments.size(), 3001u);
  EXPECT_EQ(segments[0], "id,segment,distance");
  EXPECT_EQ(segments[1].rfind("u00000000,", 0), 0u);  // ids in input order
  EXPECT_EQ(segments[3000].rfind("u00002999,", 0), 0u);

  const nlohmann::json summary = nlohmann::json::parse(file_read(out + "/summary.json"));
  EXPECT_EQ(summary["k"], 4);
  EXPECT_EQ(summary["n"], 3000);
  EXPECT_EQ(summary["d"], 7 + 3 + 3 + 6);  // numeric features + one-hot device, plan, country
  EXPECT_EQ(summary["seed"], 9);
  EXPECT_EQ(summary["device"], "cpu");
  int64_t total = 0;
  for (int64_t s : summary["segment_sizes"]) total += s;
  EXPECT_EQ(total, 3000);
  EXPECT_EQ(summary["iterations"].size(), summary["n_iter"].get<size_t>());

  const std::string assigned = dir.file("assigned.csv");
  const test::CliResult assign = cli({"assign", users, "--model", out + "/model.json", "--out", assigned});
  ASSERT_EQ(assign.code, 0) << assign.err;
  EXPECT_EQ(file_read(assigned), file_read(out + "/segments.csv"));
}

TEST(CliFit, CentroidsAreSegmentMeansInOriginalUnits) {
  test::ScratchDir dir;
  const std::string users =
      dir.file_write("u.csv", "user_id,spend,visits\na,10,1\nb,12,2\nc,11,1\nd,100,30\ne,104,32\nf,102,31\n");
  ASSERT_EQ(cli({"fit", users, "--k", "2", "--out", dir.file("o"), "--quiet"}).code, 0);
  const std::vector<std::string> rows = lines_split(file_read(dir.file("o/centroids.csv")));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], "segment,size,spend,visits");
  // Segment means of the raw rows, whichever segment number the seed gives them; float rounding of the
  // standardise → inverse round trip allowed.
  std::vector<std::vector<double>> found;
  for (size_t i = 1; i < rows.size(); ++i) {
    std::vector<double> v;
    std::istringstream fields(rows[i]);
    for (std::string f; std::getline(fields, f, ',');) v.push_back(std::stod(f));
    found.push_back(v);
  }
  if (found[0][2] > found[1][2]) std::swap(found[0], found[1]);
  const std::vector<std::vector<double>> expected = {{3, 11, 4.0 / 3.0}, {3, 102, 31}};
  for (int s = 0; s < 2; ++s)
    for (int t = 0; t < 3; ++t) EXPECT_NEAR(found[s][t + 1], expected[s][t], 1e-5 * expected[s][t]) << rows[s + 1];
}

TEST(CliFit, PassesIdsThroughByteForByte) {
  test::ScratchDir dir;
  const std::string users =
      dir.file_write("q.csv", "id,x\n\"Smith, J\",1\n\"say \"\"hi\"\"\",2\nplain,3\n\"line\nbreak\",4\n");
  ASSERT_EQ(cli({"fit", users, "--k", "2", "--out", dir.file("o"), "--quiet"}).code, 0);
  const std::string text = file_read(dir.file("o/segments.csv"));
  EXPECT_NE(text.find("\n\"Smith, J\","), std::string::npos);
  EXPECT_NE(text.find("\n\"say \"\"hi\"\"\","), std::string::npos);
  EXPECT_NE(text.find("\nplain,"), std::string::npos);
  EXPECT_NE(text.find("\n\"line\nbreak\","), std::string::npos);
}

TEST(CliFit, NpyInputIsNumberedFromZero) {
  test::ScratchDir dir;
  std::vector<float> x = {0, 0, 0.1f, 0, 5, 5, 5.1f, 5, 9, 9};
  npy_write(dir.file("x.npy"), x.data(), 5, 2);
  ASSERT_EQ(cli({"fit", dir.file("x.npy"), "--k", "2", "--out", dir.file("o"), "--quiet"}).code, 0);
  const std::vector<std::string> rows = lines_split(file_read(dir.file("o/segments.csv")));
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[1].rfind("0,", 0), 0u);
  EXPECT_EQ(rows[5].rfind("4,", 0), 0u);
  EXPECT_EQ(lines_split(file_read(dir.file("o/centroids.csv")))[0], "segment,size,f0,f1");
}

TEST(CliFit, SameFilesForOneAndTwoThreads) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "20000", "--seed", "3", "--out", users, "--quiet"}).code, 0);
  for (const char* threads : {"1", "2"})
    ASSERT_EQ(cli({"fit", users, "--k", "7", "--n-init", "2", "--threads", threads, "--out",
                   dir.file(std::string("t") + threads), "--quiet", "--device", "cpu"})
                  .code,
              0);
  for (const char* file : {"segments.csv", "centroids.csv", "model.json"})
    EXPECT_EQ(file_read(dir.file(std::string("t1/") + file)), file_read(dir.file(std::string("t2/") + file))) << file;
}

// --algorithm hamerly gives the segments of the default Lloyd pass (centroids within rounding of the sums), and on one
// or two threads the same files; an unknown algorithm is a usage error before any work.
TEST(CliFit, HamerlyGivesTheSegmentsOfLloyd) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "20000", "--seed", "5", "--out", users, "--quiet"}).code, 0);
  const auto fit = [&](const std::string& algorithm, const char* threads) {
    const std::string out = dir.file(algorithm + threads);
    EXPECT_EQ(cli({"fit", users, "--k", "6", "--seed", "2", "--algorithm", algorithm, "--threads", threads, "--out",
                   out, "--quiet", "--device", "cpu"})
                  .code,
              0);
    return out;
  };
  const std::string lloyd = fit("lloyd", "2"), hamerly = fit("hamerly", "2"), hamerly_one = fit("hamerly", "1");
  const auto segments = [](const std::string& dir_path) {
    std::vector<std::string> labels;
    for (const std::string& row : lines_split(file_read(dir_path + "/segments.csv")))
      labels.push_back(row.substr(0, row.rfind(',')));  // id and segment, without the distance's last digits
    return labels;
  };
  EXPECT_EQ(segments(lloyd), segments(hamerly));
  for (const char* file : {"segments.csv", "centroids.csv", "model.json"})
    EXPECT_EQ(file_read(hamerly + "/" + file), file_read(hamerly_one + "/" + file)) << file;
  const test::CliResult bad = cli({"fit", users, "--k", "6", "--algorithm", "elkan", "--out", dir.file("bad")});
  EXPECT_NE(bad.code, 0);
  EXPECT_NE(bad.err.find("--algorithm"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("bad")));
}

// --threads bounds every OpenMP loop of the command (not only the backend's) while it runs, and is restored after, so
// one in-process command does not change the next one's thread count.
TEST(CliFit, ThreadsOptionHoldsForTheCommandAndIsRestored) {
  const int before = omp_get_max_threads();
  {
    const ThreadLimitScope limit(1);
    EXPECT_EQ(omp_get_max_threads(), 1);
    int seen = 0;
#pragma omp parallel reduction(+ : seen)
    seen += 1;
    EXPECT_EQ(seen, 1);
  }
  EXPECT_EQ(omp_get_max_threads(), before);
  {
    const ThreadLimitScope unchanged(0);
    EXPECT_EQ(omp_get_max_threads(), before);
  }
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "2000", "--seed", "3", "--out", users, "--quiet"}).code, 0);
  ASSERT_EQ(
      cli({"fit", users, "--k", "3", "--threads", "1", "--out", dir.file("o"), "--quiet", "--device", "cpu"}).code, 0);
  EXPECT_EQ(omp_get_max_threads(), before);
}

TEST(CliFit, WeightsInitFileAndToleranceZero) {
  test::ScratchDir dir;
  const std::string users = dir.file_write("w.csv", "id,a,b,w\n1,0,0,1\n2,0,1,3\n3,10,10,1\n4,10,11,1\n5,0,0.5,0\n");
  std::vector<float> init = {0, 0, 10, 10};
  npy_write(dir.file("init.npy"), init.data(), 2, 2);
  const test::CliResult r = cli({"fit", users, "--k", "2", "--weight-column", "w", "--init", dir.file("init.npy"),
                                 "--tol", "0", "--scale", "none", "--out", dir.file("o"), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<std::string> rows = lines_split(file_read(dir.file("o/centroids.csv")));
  EXPECT_EQ(rows[0], "segment,size,a,b");
  EXPECT_EQ(rows[1], "0,3,0,0.75");  // weighted mean of b: (0·1 + 1·3 + 0.5·0) / 4
  EXPECT_EQ(rows[2], "1,2,10,10.5");
  const nlohmann::json summary = nlohmann::json::parse(file_read(dir.file("o/summary.json")));
  EXPECT_TRUE(summary["converged"].get<bool>());
  EXPECT_EQ(summary["iterations"].back()["labels_changed"], 0);
}

}  // namespace
}  // namespace kseg
