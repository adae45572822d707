// The in-memory Arrow route: a table built with Arrow C++ and handed over through the Arrow C stream interface (as
// pyarrow's __arrow_c_stream__ does) gives the roles and typed columns of the CSV of the same values; streamed batch
// by batch it gives the same rows; unsupported types fail naming the column.
#include <arrow/api.h>
#include <arrow/c/abi.h>
#include <arrow/c/bridge.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "../io/test_files.hpp"
#include "host/data/schema.hpp"
#include "host/error.hpp"
#include "host/parquet/arrow_stream.hpp"

namespace kseg {
namespace {

constexpr int64_t kRows = 300;

// Row i: user_id 500 + i; spend i * 1.25 (null every 7th); plan free/plus/pro by i % 3 ("NA" every 10th, null every
// 11th); seen 2024-01-01 + i days as a timestamp (ms). The CSV twin spells the same values as text.
struct Users {
  std::shared_ptr<arrow::Table> table;
  std::string csv;
};

Users users_make() {
  arrow::Int64Builder ids;
  arrow::DoubleBuilder spend;
  arrow::StringBuilder plan;
  arrow::TimestampBuilder seen(arrow::timestamp(arrow::TimeUnit::MILLI), arrow::default_memory_pool());
  std::string csv = "user_id,spend,plan,seen\n";
  const char* plans[3] = {"free", "plus", "pro"};
  for (int64_t i = 0; i < kRows; ++i) {
    EXPECT_TRUE(ids.Append(500 + i).ok());
    csv.append(std::to_string(500 + i));
    csv.push_back(',');
    if (i % 7 == 0) {
      EXPECT_TRUE(spend.AppendNull().ok());
    } else {
      const double value = static_cast<double>(i) * 1.25;
      EXPECT_TRUE(spend.Append(value).ok());
      csv += std::to_string(value);
    }
    csv.push_back(',');
    if (i % 11 == 0) {
      EXPECT_TRUE(plan.AppendNull().ok());
    } else {
      const std::string text = i % 10 == 0 ? "NA" : plans[i % 3];
      EXPECT_TRUE(plan.Append(text).ok());
      csv += text;
    }
    EXPECT_TRUE(seen.Append((19723 + i) * 86400000LL + 3600000LL).ok());  // 2024-01-01 (day 19723) + i, 01:00
    const int64_t day = 19723 + i;  // ISO text of the day, by the civil-from-days algorithm
    const int64_t z = day + 719468, era = z / 146097, doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365,
                  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    char date[16];
    std::snprintf(date, sizeof(date), "%04lld-%02lld-%02lld", static_cast<long long>(yoe + era * 400 + (m <= 2)),
                  static_cast<long long>(m), static_cast<long long>(d));
    csv.push_back(',');
    csv.append(date);
    csv.push_back('\n');
  }
  std::shared_ptr<arrow::Array> a, b, c, e;
  EXPECT_TRUE(ids.Finish(&a).ok());
  EXPECT_TRUE(spend.Finish(&b).ok());
  EXPECT_TRUE(plan.Finish(&c).ok());
  EXPECT_TRUE(seen.Finish(&e).ok());
  auto schema = arrow::schema({arrow::field("user_id", arrow::int64()), arrow::field("spend", arrow::float64()),
                               arrow::field("plan", arrow::utf8()),
                               arrow::field("seen", arrow::timestamp(arrow::TimeUnit::MILLI))});
  return {arrow::Table::Make(schema, {a, b, c, e}), csv};
}

// The table as a C stream of record batches of at most batch_rows rows, as a producer exports it.
ArrowArrayStream stream_export(const std::shared_ptr<arrow::Table>& table, int64_t batch_rows) {
  auto reader = std::make_shared<arrow::TableBatchReader>(*table);
  reader->set_chunksize(batch_rows);
  ArrowArrayStream stream{};
  EXPECT_TRUE(arrow::ExportRecordBatchReader(reader, &stream).ok());
  return stream;
}

void columns_expect_equal(const Table& expected, const Table& actual) {
  ASSERT_EQ(expected.columns.size(), actual.columns.size());
  EXPECT_EQ(expected.n_rows, actual.n_rows);
  for (size_t c = 0; c < expected.columns.size(); ++c) {
    const TableColumn &x = expected.columns[c], &y = actual.columns[c];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.role, y.role) << x.name;
    EXPECT_EQ(x.missing, y.missing) << x.name;
    EXPECT_EQ(x.levels, y.levels) << x.name;
    EXPECT_EQ(x.codes, y.codes) << x.name;
    ASSERT_EQ(x.values.size(), y.values.size()) << x.name;
    for (size_t i = 0; i < x.values.size(); ++i)
      if (!(std::isnan(x.values[i]) && std::isnan(y.values[i]))) {
        EXPECT_EQ(x.values[i], y.values[i]) << x.name << i;
      }
  }
  for (int64_t i = 0; i < expected.ids.size(); ++i) EXPECT_EQ(expected.ids.raw(i), actual.ids.raw(i)) << i;
}

TEST(ArrowStream, TableReadsAsItsCsvTwin) {
  const Users users = users_make();
  test::ScratchDir dir;
  const std::string csv = dir.file_write("users.csv", users.csv);
  const SchemaOptions options;
  const TableSchema from_csv = schema_infer(csv, options);
  ArrowArrayStream stream = stream_export(users.table, 64);
  ArrowStreamReader reader(&stream, "users");
  EXPECT_EQ(stream.release, nullptr);  // taken over
  EXPECT_EQ(reader.column_names(), (std::vector<std::string>{"user_id", "spend", "plan", "seen"}));
  const TableSchema from_arrow = reader.schema_infer(options);
  ASSERT_EQ(from_arrow.columns.size(), from_csv.columns.size());
  EXPECT_EQ(from_arrow.n_rows, kRows);
  EXPECT_EQ(from_arrow.id_column, "user_id");
  for (size_t c = 0; c < from_csv.columns.size(); ++c) {
    EXPECT_EQ(from_arrow.columns[c].role, from_csv.columns[c].role) << from_csv.columns[c].name;
    EXPECT_EQ(from_arrow.columns[c].missing, from_csv.columns[c].missing) << from_csv.columns[c].name;
    EXPECT_EQ(from_arrow.columns[c].distinct, from_csv.columns[c].distinct) << from_csv.columns[c].name;
  }
  // plan: 28 nulls (i % 11) and 27 "NA" (i % 10 but not i % 11): missing as in the CSV.
  EXPECT_EQ(from_arrow.columns[2].missing, 28 + 27);
  columns_expect_equal(table_load(from_csv, options), reader.table_load(from_arrow));
}

TEST(ArrowStream, BatchesStreamTheSameRowsInOrder) {
  const Users users = users_make();
  test::ScratchDir dir;
  const std::string csv = dir.file_write("users.csv", users.csv);
  const TableSchema schema = schema_infer(csv, SchemaOptions{});
  const Table whole = table_load(schema, SchemaOptions{});
  ArrowArrayStream stream = stream_export(users.table, 70);  // 300 rows: batches of 70, 70, 70, 70, 20
  ArrowStreamReader reader(&stream);
  std::vector<int64_t> firsts;
  Table joined = whole;
  for (TableColumn& c : joined.columns) {
    c.values.clear();
    c.codes.clear();
    c.missing = 0;
  }
  joined.ids = IdColumn();
  joined.n_rows = 0;
  reader.batches_for_each(schema, [&](const Table& batch, int64_t first) {
    firsts.push_back(first);
    for (size_t c = 0; c < batch.columns.size(); ++c) {
      TableColumn& into = joined.columns[c];
      const TableColumn& from = batch.columns[c];
      into.values.insert(into.values.end(), from.values.begin(), from.values.end());
      for (int32_t code : from.codes)
        into.codes.push_back(code < 0 ? -1 : whole.columns[c].level_index.at(from.levels[code]));
      into.missing += from.missing;
    }
    for (int64_t i = 0; i < batch.n_rows; ++i) joined.ids.append(batch.ids.raw(i));
    joined.n_rows += batch.n_rows;
  });
  EXPECT_EQ(firsts, (std::vector<int64_t>{0, 70, 140, 210, 280}));
  columns_expect_equal(whole, joined);
}

TEST(ArrowStream, NestedColumnFailsNamingItUnlessIgnored) {
  arrow::ListBuilder tags(arrow::default_memory_pool(), std::make_shared<arrow::Int64Builder>());
  arrow::DoubleBuilder spend;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(tags.Append().ok());
    ASSERT_TRUE(static_cast<arrow::Int64Builder*>(tags.value_builder())->Append(i).ok());
    ASSERT_TRUE(spend.Append(i * 2.0).ok());
  }
  std::shared_ptr<arrow::Array> a, b;
  ASSERT_TRUE(tags.Finish(&a).ok());
  ASSERT_TRUE(spend.Finish(&b).ok());
  const auto table = arrow::Table::Make(
      arrow::schema({arrow::field("tags", a->type()), arrow::field("spend", arrow::float64())}), {a, b});
  ArrowArrayStream stream = stream_export(table, 8);
  ArrowStreamReader reader(&stream, "frame");
  try {
    reader.schema_infer(SchemaOptions{});
    FAIL() << "a list column was read";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("frame: column \"tags\" has type list<"), std::string::npos) << e.what();
  }
  ArrowArrayStream again = stream_export(table, 8);
  ArrowStreamReader ignoring(&again, "frame");
  SchemaOptions options;
  options.ignore = {"tags"};
  const TableSchema schema = ignoring.schema_infer(options);
  EXPECT_EQ(ignoring.table_load(schema).columns.at(0).values.size(), 20u);
}

}  // namespace
}  // namespace kseg
