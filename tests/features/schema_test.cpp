// Schema inference on tricky columns, and the overrides.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "../io/test_files.hpp"
#include "host/data/schema.hpp"
#include "host/error.hpp"

namespace kseg {
namespace {

const ColumnSchema& column(const TableSchema& s, const std::string& name) {
  for (const ColumnSchema& c : s.columns)
    if (c.name == name) return c;
  throw std::runtime_error("no column " + name);
}

TEST(Schema, InfersRolesOfTrickyColumns) {
  test::ScratchDir dir;
  const std::string path = dir.file_write("t.csv",
                                          "user_id,spend,visits,amount,active,signup,zip,device\n"
                                          "a,10.5,3,\"1,234\",true,2024-01-05,02139,ios\n"
                                          "b,,4,\"2,000\",false,2024-02-10,10001,web\n"
                                          "c,7,,\"15\",true,2023-12-31,94105,ios\n");
  const TableSchema s = schema_infer(path, SchemaOptions{});
  EXPECT_EQ(s.n_rows, 3);
  EXPECT_EQ(s.id_column, "user_id");
  EXPECT_EQ(column(s, "user_id").role, ColumnRole::id);
  EXPECT_EQ(column(s, "spend").role, ColumnRole::numeric);  // numbers with blanks stay numeric
  EXPECT_EQ(column(s, "spend").missing, 1);
  EXPECT_EQ(column(s, "visits").missing, 1);
  EXPECT_EQ(column(s, "amount").role, ColumnRole::categorical);  // "1,234" is not a number: thousands separators
  EXPECT_EQ(column(s, "active").role, ColumnRole::categorical);  // booleans as text
  EXPECT_EQ(column(s, "active").distinct, 2);
  EXPECT_EQ(column(s, "signup").role, ColumnRole::date);
  EXPECT_EQ(column(s, "zip").role, ColumnRole::numeric);  // looks numeric: force categorical with --categorical
  EXPECT_EQ(column(s, "device").role, ColumnRole::categorical);

  SchemaOptions o;
  o.categorical = {"zip"};
  o.ignore = {"amount"};
  o.audit = {"active"};
  const TableSchema forced = schema_infer(path, o);
  EXPECT_EQ(column(forced, "zip").role, ColumnRole::categorical);
  EXPECT_EQ(column(forced, "amount").role, ColumnRole::ignore);
  EXPECT_EQ(column(forced, "active").role, ColumnRole::audit);
  EXPECT_TRUE(column(forced, "active").audit_categorical);
  std::ostringstream printed;
  schema_print(forced, printed);
  EXPECT_NE(printed.str().find("--categorical"), std::string::npos);
}

// Distinct values are counted by text (by hash, growing the table many times): "1" and "1.0" are two values, blanks
// are not values, and the count stops at kDistinctCap, marked "+" by schema_print.
TEST(Schema, CountsDistinctTextsUpToTheCap) {
  test::ScratchDir dir;
  std::string text = "level,number,spelled,unique\n";
  const int64_t n = kDistinctCap + 5000;
  for (int64_t i = 0; i < n; ++i) {
    text += "L" + std::to_string(i % 7) + "," + std::to_string(i % 3001) + ",";
    text += (i % 4 == 0 ? "1" : i % 4 == 1 ? "1.0" : i % 4 == 2 ? "" : " ");
    text += "," + std::to_string(i) + "\n";
  }
  const TableSchema s = schema_infer(dir.file_write("d.csv", text), SchemaOptions{});
  EXPECT_EQ(column(s, "level").distinct, 7);
  EXPECT_EQ(column(s, "number").distinct, 3001);
  EXPECT_EQ(column(s, "spelled").distinct, 2);
  EXPECT_EQ(column(s, "spelled").missing, n / 2);
  EXPECT_EQ(column(s, "unique").distinct, kDistinctCap);
  std::ostringstream printed;
  schema_print(s, printed);
  EXPECT_NE(printed.str().find(std::to_string(kDistinctCap) + "+"), std::string::npos) << printed.str();
}

TEST(Schema, DetectsUniqueTextIdAndRefusesNearUniqueText) {
  test::ScratchDir dir;
  std::string text = "customer,segment_hint,email,x\n";
  for (int i = 0; i < 100; ++i)
    text += "c" + std::to_string(i) + "," + (i % 2 ? "a" : "b") + ",user" + std::to_string(i) + "@x.org," +
            std::to_string(i) + "\n";
  const std::string path = dir.file_write("u.csv", text);
  SchemaOptions o;
  o.ignore = {"email"};
  const TableSchema s = schema_infer(path, o);
  EXPECT_EQ(s.id_column, "customer");  // unique text per row
  try {
    schema_infer(path, SchemaOptions{});
    ADD_FAILURE() << "near-unique email column accepted";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("--ignore email"), std::string::npos) << e.what();
  }
}

TEST(Schema, RefusesUnknownAndConflictingOverrides) {
  test::ScratchDir dir;
  const std::string path = dir.file_write("t.csv", "id,a,b\n1,2,x\n2,3,y\n");
  SchemaOptions unknown;
  unknown.categorical = {"nope"};
  EXPECT_THROW(schema_infer(path, unknown), UsageError);
  SchemaOptions twice;
  twice.numeric = {"a"};
  twice.ignore = {"a"};
  EXPECT_THROW(schema_infer(path, twice), UsageError);
}

TEST(Schema, LoadsTypedColumnsAndReportsBadCells) {
  test::ScratchDir dir;
  const std::string path = dir.file_write("t.csv", "id,a,d,c\n1,2.5,2024-03-01,x\n2,,2024-02-29,\n3,4,1970-01-02,y\n");
  const SchemaOptions o;
  const Table t = table_load(schema_infer(path, o), o);
  ASSERT_EQ(t.n_rows, 3);
  const TableColumn* a = t.column_find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_FLOAT_EQ(a->values[0], 2.5f);
  EXPECT_TRUE(std::isnan(a->values[1]));
  EXPECT_EQ(a->missing, 1);
  const TableColumn* d = t.column_find("d");
  EXPECT_EQ(d->role, ColumnRole::date);
  EXPECT_FLOAT_EQ(d->values[2], 1.0f);                 // days since 1970-01-01
  EXPECT_FLOAT_EQ(d->values[0] - d->values[1], 1.0f);  // 2024 is a leap year
  const TableColumn* c = t.column_find("c");
  EXPECT_EQ(c->codes, (std::vector<int32_t>{0, -1, 1}));
  EXPECT_EQ(c->levels, (std::vector<std::string>{"x", "y"}));

  const std::string bad = dir.file_write("b.csv", "id,a\n1,2\n2,abc\n");
  SchemaOptions forced;
  forced.numeric = {"a"};
  try {
    table_load(schema_infer(bad, forced), forced);
    ADD_FAILURE() << "text in a forced numeric column accepted";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("b.csv:3:2: column \"a\""), std::string::npos) << e.what();
  }
}

TEST(Schema, IsoDates) {
  float days = 0.0f;
  EXPECT_TRUE(iso_date_parse("1970-01-01", days));
  EXPECT_EQ(days, 0.0f);
  EXPECT_TRUE(iso_date_parse("2000-03-01T10:00:00Z", days));
  EXPECT_EQ(days, 11017.0f);
  EXPECT_FALSE(iso_date_parse("2023-02-29", days));
  EXPECT_FALSE(iso_date_parse("2023-13-01", days));
  EXPECT_FALSE(iso_date_parse("01/02/2023", days));
}

}  // namespace
}  // namespace kseg
