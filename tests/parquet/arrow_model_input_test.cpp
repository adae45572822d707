// Users for a saved model from an in-memory Arrow table (the Python package's route): model_input_for_each walks the
// stream one batch at a time with row numbers across batches; drift_measure and model_update on a model in memory
// and a stream give what they give on the model file and the CSV of the same values; a stream read once refuses a
// second epoch unless it can be reopened.
#include <arrow/api.h>
#include <arrow/c/abi.h>
#include <arrow/c/bridge.h>
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "../io/test_files.hpp"
#include "app/drift_measure.hpp"
#include "app/fit_segments.hpp"
#include "app/model_input.hpp"
#include "app/model_update.hpp"
#include "host/error.hpp"
#include "host/model/model_file.hpp"
#include "host/parquet/arrow_stream.hpp"

namespace kseg {
namespace {

constexpr int64_t kRows = 400;

struct Users {
  std::shared_ptr<arrow::Table> table;
  std::string csv;
};

// Three groups of orders and spend, moved up by shift; values are multiples of 1/4, exact in text and in binary. No
// id column: users are row numbers.
Users users_make(double shift) {
  arrow::DoubleBuilder orders, spend;
  std::string csv = "orders,spend\n";
  for (int64_t i = 0; i < kRows; ++i) {
    const double o = static_cast<double>(i % 3) * 10.0 + static_cast<double>(i % 7) * 0.25 + shift;
    const double s = static_cast<double>(i % 3) * 40.0 + static_cast<double>(i % 5) * 0.5 + 2.0 * shift;
    EXPECT_TRUE(orders.Append(o).ok());
    EXPECT_TRUE(spend.Append(s).ok());
    csv += std::to_string(o) + "," + std::to_string(s) + "\n";
  }
  std::shared_ptr<arrow::Array> a, b;
  EXPECT_TRUE(orders.Finish(&a).ok());
  EXPECT_TRUE(spend.Finish(&b).ok());
  auto schema = arrow::schema({arrow::field("orders", arrow::float64()), arrow::field("spend", arrow::float64())});
  return {arrow::Table::Make(schema, {a, b}), csv};
}

// The table as a reader of a C stream of batches of at most batch_rows rows, as pyarrow exports one.
std::shared_ptr<ArrowStreamReader> stream_make(const std::shared_ptr<arrow::Table>& table, int64_t batch_rows) {
  auto batches = std::make_shared<arrow::TableBatchReader>(table);  // shares the table: it outlives the caller's
  batches->set_chunksize(batch_rows);
  ArrowArrayStream stream{};
  EXPECT_TRUE(arrow::ExportRecordBatchReader(batches, &stream).ok());
  return std::make_shared<ArrowStreamReader>(&stream, "the table");
}

// A model fitted on the CSV of users_make(0), saved at dir/model.json.
std::string model_fit(const test::ScratchDir& dir) {
  FitRequest request;
  request.input.path = dir.file_write("users.csv", users_make(0.0).csv);
  request.kmeans.k = 3;
  request.device.device = "cpu";
  request.quiet = true;
  std::ostringstream notices;
  const FitProducts fit = fit_segments(request, notices);
  model_save(dir.file("model.json"), fit.model);
  return dir.file("model.json");
}

TEST(ArrowModelInput, StreamIsWalkedBatchByBatchWithRowNumbers) {
  test::ScratchDir dir;
  const Model model = model_load(model_fit(dir));
  InputOptions input;
  input.table = stream_make(users_make(1.0).table, 64);
  const ModelInputOptions options{"the model", ',', 1, 1 << 20, ""};
  std::vector<int64_t> sizes;
  std::vector<std::string> ids;
  model_input_for_each(model, input, options, [&](const Table& table, const IdColumn& table_ids, int64_t first) {
    sizes.push_back(table.n_rows);
    std::string id;
    table_ids.append_to(id, first);
    ids.push_back(id);
  });
  EXPECT_EQ(sizes, (std::vector<int64_t>{64, 64, 64, 64, 64, 64, 16}));
  EXPECT_EQ(ids, (std::vector<std::string>{"0", "64", "128", "192", "256", "320", "384"}));
  EXPECT_EQ(input_name(input), "the table");
}

TEST(ArrowModelInput, DriftOfAStreamEqualsDriftOfItsCsv) {
  test::ScratchDir dir;
  const std::string model_path = model_fit(dir);
  const Users moved = users_make(3.0);
  std::ostringstream notices;
  DriftRequest from_file;
  from_file.input.path = dir.file_write("new.csv", moved.csv);
  from_file.model = model_path;
  from_file.device.device = "cpu";
  from_file.quiet = true;
  DriftRequest from_stream = from_file;
  from_stream.input.path.clear();
  from_stream.input.table = stream_make(moved.table, 50);
  from_stream.model = "the model";
  from_stream.model_loaded = std::make_shared<const Model>(model_load(model_path));
  const DriftProducts a = drift_measure(from_file, notices), b = drift_measure(from_stream, notices);
  EXPECT_EQ(drift_report_json(a.report, a.thresholds), drift_report_json(b.report, b.thresholds));
  EXPECT_EQ(b.report.rows, kRows);
  EXPECT_TRUE(b.report.refit);  // moved by 3 orders and 6 spend: there is drift to find
}

TEST(ArrowModelInput, UpdateOfAReopenedStreamEqualsUpdateOfItsCsv) {
  test::ScratchDir dir;
  const std::string model_path = model_fit(dir);
  const Users moved = users_make(2.0);
  std::ostringstream notices;
  UpdateRequest from_file;
  from_file.input.path = dir.file_write("new.csv", moved.csv);
  from_file.model = model_path;
  from_file.params.epochs = 2;
  from_file.params.step.batch_size = 64;
  from_file.device.device = "cpu";
  from_file.quiet = true;
  UpdateRequest from_stream = from_file;
  from_stream.input.path.clear();
  from_stream.input.table = stream_make(moved.table, kRows);  // one batch, as the CSV's one chunk
  from_stream.model_loaded = std::make_shared<const Model>(model_load(model_path));
  int reopened = 0;
  from_stream.table_reopen = [&]() {
    ++reopened;
    return stream_make(moved.table, kRows);
  };
  const UpdateProducts a = model_update(from_file, notices), b = model_update(from_stream, notices);
  EXPECT_EQ(reopened, 1);
  EXPECT_EQ(a.model.centroids, b.model.centroids);
  EXPECT_EQ(a.model.segments.ids, b.model.segments.ids);
  EXPECT_EQ(a.run.state.counts, b.run.state.counts);
  EXPECT_EQ(b.rows, kRows);
  EXPECT_NE(a.model.centroids, model_load(model_path).centroids);  // it moved
  const nlohmann::json summary = update_summary(b);
  EXPECT_EQ(summary["input"], "the table");
  EXPECT_EQ(summary["input_format"], "arrow");

  // A stream that cannot be reopened is read once: a second epoch is refused before any work.
  from_stream.table_reopen = nullptr;
  from_stream.input.table = stream_make(moved.table, kRows);
  EXPECT_THROW(model_update(from_stream, notices), UsageError);
  from_stream.params.epochs = 1;
  EXPECT_EQ(model_update(from_stream, notices).rows, kRows);
}

}  // namespace
}  // namespace kseg
