// SegmentScorer (app/segment_scorer.hpp) fed batches by the caller, against kseg assign's file; the stable ids of
// the nearest centroid by brute force; the assign request's checks.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "../cli/cli_test_support.hpp"
#include "app/model_input.hpp"
#include "app/segment_scorer.hpp"
#include "app/segments_assign.hpp"
#include "host/error.hpp"
#include "host/io/number_format.hpp"
#include "host/model/model_file.hpp"

namespace kseg {
namespace {

using test::cli;
using test::file_read;
using test::lines_split;

// The whole file as one table, read the way assign reads it (the model's columns).
Table users_read(const Model& model, const std::string& path) {
  Table all;
  ModelInputOptions options;
  options.model_path = path;
  model_input_for_each(model, path, options, [&](const Table& table, const IdColumn&, int64_t) {
    EXPECT_EQ(all.n_rows, 0) << "expected one batch";
    all = table;
  });
  return all;
}

// Rows [first, first + n) of a table: what a caller streaming its own batches would hand the scorer.
Table rows_slice(const Table& table, int64_t first, int64_t n) {
  Table part;
  part.path = table.path;
  part.n_rows = n;
  part.missing = table.missing;
  for (const TableColumn& column : table.columns) {
    TableColumn c = column;
    if (!c.values.empty()) c.values.assign(column.values.begin() + first, column.values.begin() + first + n);
    if (!c.codes.empty()) c.codes.assign(column.codes.begin() + first, column.codes.begin() + first + n);
    part.columns.push_back(std::move(c));
  }
  return part;
}

DeviceOptions cpu_device() {
  DeviceOptions device;
  device.device = "cpu";
  return device;
}

// "segment,distance" of every row, as assign writes them, from the scorer fed batches of batch rows.
std::vector<std::string> scored_in_batches(const Model& model, const Table& users, AssignMode mode, int64_t batch) {
  SegmentScorer scorer(model, cpu_device(), mode);
  std::vector<std::string> rows;
  for (int64_t first = 0; first < users.n_rows; first += batch) {
    const int64_t n = std::min(batch, users.n_rows - first);
    const SegmentScores scores = scorer.score(rows_slice(users, first, n));
    EXPECT_EQ(scores.segments.size(), static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      std::string row = std::to_string(scores.segments[i]) + ",";
      float_append(row, scores.distances[i]);
      rows.push_back(row);
    }
  }
  EXPECT_TRUE(scorer.score(rows_slice(users, 0, 0)).segments.empty());  // an empty batch in the stream
  EXPECT_EQ(scorer.rows(), users.n_rows);
  return rows;
}

// "segment,distance" of every row of assign's output (the id column dropped).
std::vector<std::string> assigned_read(const std::string& path) {
  std::vector<std::string> rows = lines_split(file_read(path));
  EXPECT_EQ(rows.at(0), "id,segment,distance");
  rows.erase(rows.begin());
  for (std::string& row : rows) row = row.substr(row.find(',') + 1);
  return rows;
}

TEST(SegmentScorer, BatchesGiveWhatAssignWrites) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "2500", "--seed", "3", "--out", users, "--quiet"}).code, 0);
  ASSERT_EQ(cli({"fit", users, "--k", "5", "--out", dir.file("m"), "--device", "cpu", "--quiet"}).code, 0);
  const test::CliResult assign = cli({"assign", users, "--model", dir.file("m/model.json"), "--out",
                                      dir.file("assigned.csv"), "--device", "cpu", "--quiet"});
  ASSERT_EQ(assign.code, 0) << assign.err;
  const Model model = model_load(dir.file("m/model.json"));
  const Table table = users_read(model, users);
  ASSERT_EQ(table.n_rows, 2500);
  const std::vector<std::string> expected = assigned_read(dir.file("assigned.csv"));
  EXPECT_EQ(scored_in_batches(model, table, AssignMode::tree, 2500), expected);
  EXPECT_EQ(scored_in_batches(model, table, AssignMode::tree, 333), expected);  // batches of two sizes: 333 and 169
}

TEST(SegmentScorer, TreeModelsBothWays) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "2000", "--seed", "4", "--out", users, "--quiet"}).code, 0);
  ASSERT_EQ(cli({"fit", users, "--k", "6", "--hierarchy", "--out", dir.file("t"), "--device", "cpu", "--quiet"}).code,
            0);
  const Model model = model_load(dir.file("t/model.json"));
  ASSERT_TRUE(model.tree.has_value());
  const Table table = users_read(model, users);
  for (const auto& [mode, name] : {std::pair{AssignMode::tree, "tree"}, {AssignMode::nearest_leaf, "nearest-leaf"}}) {
    const std::string out = dir.file(std::string(name) + ".csv");
    ASSERT_EQ(cli({"assign", users, "--model", dir.file("t/model.json"), "--out", out, "--assign", name, "--device",
                   "cpu", "--quiet"})
                  .code,
              0);
    EXPECT_EQ(scored_in_batches(model, table, mode, 700), assigned_read(out)) << name;
  }
  // The two ways differ on this data, so a scorer taking the wrong one fails above.
  EXPECT_NE(assigned_read(dir.file("tree.csv")), assigned_read(dir.file("nearest-leaf.csv")));
}

TEST(SegmentScorer, StableIdOfTheNearestCentroid) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "1500", "--seed", "6", "--out", users, "--quiet"}).code, 0);
  ASSERT_EQ(cli({"fit", users, "--k", "4", "--out", dir.file("m"), "--device", "cpu", "--quiet"}).code, 0);
  Model model = model_load(dir.file("m/model.json"));
  model.segments.ids = {40, 7, 12, 3};  // as after an update that reassigned centres
  const Table table = users_read(model, users);
  const int64_t n = table.n_rows, d = model.pipeline.n_features();
  std::vector<float> x(static_cast<size_t>(n * d));
  model.pipeline.transform(table, x.data());
  SegmentScorer scorer(model, cpu_device());
  const SegmentScores scores = scorer.score(table);
  for (int64_t i = 0; i < n; ++i) {  // brute force in double: the nearest centroid row and its distance
    int64_t best = 0;
    double best_sq = std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < model.n_clusters; ++j) {
      double sq = 0.0;
      for (int64_t t = 0; t < d; ++t) sq += std::pow(double{x[i * d + t]} - model.centroids[j * d + t], 2);
      if (sq < best_sq) best_sq = sq, best = j;
    }
    ASSERT_EQ(scores.segments[i], model.segments.ids[best]) << "row " << i;
    ASSERT_NEAR(scores.distances[i], std::sqrt(best_sq), 1e-3 * (1.0 + std::sqrt(best_sq))) << "row " << i;
  }
}

TEST(SegmentScorer, MissingColumnIsADataError) {
  test::ScratchDir dir;
  const std::string users = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "500", "--seed", "2", "--out", users, "--quiet"}).code, 0);
  ASSERT_EQ(cli({"fit", users, "--k", "3", "--out", dir.file("m"), "--device", "cpu", "--quiet"}).code, 0);
  const Model model = model_load(dir.file("m/model.json"));
  Table table = users_read(model, users);
  table.columns.erase(table.columns.begin());
  SegmentScorer scorer(model, cpu_device());
  EXPECT_THROW(scorer.score(table), DataError);
}

TEST(AssignRequest, EveryCheckBeforeWork) {
  AssignRequest request;
  request.input.path = "users.csv";
  request.model = "model.json";
  EXPECT_NO_THROW(assign_request_validate(request));
  AssignRequest bad = request;
  bad.batch_rows = 0;
  EXPECT_THROW(assign_request_validate(bad), UsageError);
  bad = request;
  bad.assign_mode = "nearest";
  EXPECT_THROW(assign_request_validate(bad), UsageError);
  bad = request;
  bad.out = "";
  EXPECT_THROW(assign_request_validate(bad), UsageError);
  bad = request;
  bad.input.id_column = "user_id";  // the model names the id column
  EXPECT_THROW(assign_request_validate(bad), UsageError);
  bad = request;
  bad.device.device = "tpu";
  EXPECT_THROW(assign_request_validate(bad), UsageError);
}

}  // namespace
}  // namespace kseg
