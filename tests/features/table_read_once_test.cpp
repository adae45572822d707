// The one-pass CSV reader against the two-pass one (schema_infer, then table_load), which stays the oracle: on files
// cut into many small batches, where a column's role shows only late (numbers for many batches then text, a
// missing-value spelling or a bad date at the end, blanks first then dates), the schema, the table and the error
// message must be the same.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "../io/compress_support.hpp"
#include "../io/test_files.hpp"
#include "host/data/schema.hpp"
#include "host/data/table_read_once.hpp"
#include "host/error.hpp"

namespace kseg {
namespace {

struct Outcome {
  std::string error;  // "" when both the schema and the table were read
  SchemaTable read;
};

Outcome two_pass(const std::string& path, const SchemaOptions& o) {
  Outcome out;
  try {
    out.read.schema = schema_infer(path, o);
    out.read.table = table_load(out.read.schema, o);
  } catch (const std::runtime_error& e) {  // DataError or UsageError
    out.error = e.what();
  }
  return out;
}

Outcome one_pass(const std::string& path, const SchemaOptions& o, size_t batch_bytes) {
  Outcome out;
  try {
    out.read = table_read_once(path, o, batch_bytes);
  } catch (const std::runtime_error& e) {  // DataError or UsageError
    out.error = e.what();
  }
  return out;
}

void schemas_expect_equal(const TableSchema& a, const TableSchema& b) {
  EXPECT_EQ(a.n_rows, b.n_rows);
  EXPECT_EQ(a.id_column, b.id_column);
  ASSERT_EQ(a.columns.size(), b.columns.size());
  for (size_t i = 0; i < a.columns.size(); ++i) {
    const ColumnSchema &x = a.columns[i], &y = b.columns[i];
    SCOPED_TRACE(x.name);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.role, y.role);
    EXPECT_EQ(x.audit_categorical, y.audit_categorical);
    EXPECT_EQ(x.missing, y.missing);
    EXPECT_EQ(x.distinct, y.distinct);
    EXPECT_EQ(x.all_numeric, y.all_numeric);
    EXPECT_EQ(x.why, y.why);
  }
}

void tables_expect_equal(const Table& a, const Table& b) {
  EXPECT_EQ(a.n_rows, b.n_rows);
  EXPECT_EQ(a.id_column, b.id_column);
  ASSERT_EQ(a.ids.size(), b.ids.size());
  ASSERT_EQ(a.ids.numbered(), b.ids.numbered());
  if (!a.ids.numbered()) {
    for (int64_t i = 0; i < a.ids.size(); ++i) ASSERT_EQ(a.ids.raw(i), b.ids.raw(i)) << "id " << i;
  }
  ASSERT_EQ(a.columns.size(), b.columns.size());
  for (size_t i = 0; i < a.columns.size(); ++i) {
    const TableColumn &x = a.columns[i], &y = b.columns[i];
    SCOPED_TRACE(x.name);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.role, y.role);
    EXPECT_EQ(x.audit_categorical, y.audit_categorical);
    EXPECT_EQ(x.missing, y.missing);
    ASSERT_EQ(x.values.size(), y.values.size());
    if (!x.values.empty()) {  // bit for bit, so that NaN equals NaN
      EXPECT_EQ(0, std::memcmp(x.values.data(), y.values.data(), x.values.size() * sizeof(float)));
    }
    EXPECT_EQ(x.codes, y.codes);
    EXPECT_EQ(x.levels, y.levels);
    ASSERT_EQ(x.level_index.size(), y.level_index.size());
    for (size_t l = 0; l < y.levels.size(); ++l) EXPECT_EQ(x.level_index.at(y.levels[l]), static_cast<int32_t>(l));
  }
}

// The one-pass read of path equals the two-pass read, at batch sizes from a few records to the whole file.
// Returns the two-pass outcome, for the case's own expectations.
Outcome reads_expect_equal(const std::string& path, const SchemaOptions& o = {},
                           const std::vector<size_t>& batch_sizes = {64, 700, 5000, size_t{16} << 20}) {
  const Outcome expected = two_pass(path, o);
  for (size_t batch_bytes : batch_sizes) {
    SCOPED_TRACE("batch bytes " + std::to_string(batch_bytes));
    const Outcome got = one_pass(path, o, batch_bytes);
    EXPECT_EQ(got.error, expected.error);
    if (!got.error.empty() || !expected.error.empty()) continue;
    schemas_expect_equal(got.read.schema, expected.read.schema);
    tables_expect_equal(got.read.table, expected.read.table);
  }
  return expected;
}

// rows lines of header's columns, cell(row, column) giving each cell.
std::string csv_make(const std::string& header, int rows, const std::function<std::string(int, int)>& cell) {
  int columns = 1;
  for (char c : header) columns += c == ',';
  std::string text = header + "\n";
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < columns; ++c) text += cell(r, c) + (c + 1 < columns ? "," : "\n");
  return text;
}

const ColumnSchema& column_schema(const TableSchema& s, const std::string& name) {
  for (const ColumnSchema& c : s.columns)
    if (c.name == name) return c;
  throw std::runtime_error("no column " + name);
}

// Columns whose role the last batches decide, next to plain ones: each role as the two-pass reader gives it.
TEST(TableReadOnce, ColumnsDecidedLateReadAsInTwoPasses) {
  test::ScratchDir dir;
  const int n = 300;
  const std::string text =
      csv_make("user_id,late_text,late_na,blank_then_dates,blank_then_text,mixed,dates_then_text,plain,device", n,
               [&](int r, int c) -> std::string {
                 const std::string number = std::to_string(r % 37) + "." + std::to_string(r % 7);
                 switch (c) {
                   case 0:
                     return "u" + std::to_string(r);
                   case 1:
                     return r < 250 ? number : "\"t" + std::to_string(r % 5) + "\"";  // 83% numbers: text
                   case 2:
                     return r >= 290 && r % 3 == 0 ? "NA" : number;  // a missing-value spelling late
                   case 3:
                     return r < 200 ? "" : "2024-0" + std::to_string(1 + r % 9) + "-1" + std::to_string(r % 10);
                   case 4:
                     return r < 200 ? " " : (r % 2 ? "gold" : "silver");
                   case 5:
                     return r % 4 == 0 ? "x" + std::to_string(r % 3) : std::to_string(r % 11);
                   case 6:
                     return r < 220 ? "2023-12-" + std::to_string(10 + r % 19) : "soon";  // 73% dates: text
                   case 7:
                     return std::to_string(r * 3 % 101);
                   default:
                     return r % 3 ? "ios" : "web";
                 }
               });
  const std::string path = dir.file_write("late.csv", text);
  const Outcome two = reads_expect_equal(path);
  ASSERT_EQ(two.error, "");
  const TableSchema& s = two.read.schema;
  EXPECT_EQ(column_schema(s, "late_text").role, ColumnRole::categorical);
  EXPECT_EQ(column_schema(s, "late_na").role, ColumnRole::numeric);
  EXPECT_EQ(column_schema(s, "late_na").missing, 3);  // rows 291, 294 and 297
  EXPECT_EQ(column_schema(s, "blank_then_dates").role, ColumnRole::date);
  EXPECT_EQ(column_schema(s, "blank_then_text").role, ColumnRole::categorical);
  EXPECT_EQ(column_schema(s, "mixed").role, ColumnRole::categorical);
  EXPECT_EQ(column_schema(s, "dates_then_text").role, ColumnRole::categorical);
  EXPECT_EQ(column_schema(s, "plain").role, ColumnRole::numeric);
  // A column read as numbers for batches, then text, holds the texts in first-seen order: "0.0" first.
  const TableColumn* late = two.read.table.column_find("late_text");
  ASSERT_NE(late, nullptr);
  EXPECT_EQ(late->levels.front(), "0.0");
  EXPECT_EQ(late->levels.back(), "t4");

  // The same bytes gzip-compressed: the fallback decompresses the stream again.
  reads_expect_equal(dir.file_write("late.csv.gz", test::gzip_bytes(text)));
}

// Errors that need the whole file (an almost numeric column, an almost date column) come before the bad cells of
// forced columns, and of those the first in row order is named, the leftmost on a tie.
TEST(TableReadOnce, ErrorsAsInTwoPasses) {
  test::ScratchDir dir;
  const int n = 300;
  const auto file = [&](const std::string& name, const std::function<std::string(int, int)>& cell) {
    return dir.file_write(name, csv_make("id,a,b,day,w", n, cell));
  };
  const auto plain = [](int r, int c) -> std::string {
    switch (c) {
      case 0:
        return std::to_string(r);
      case 1:
        return std::to_string(r % 13);
      case 2:
        return std::to_string(r % 5) + ".25";
      case 3:
        return "2022-02-" + std::to_string(10 + r % 18);
      default:
        return std::to_string(1 + r % 3);
    }
  };
  const auto with = [&](int row, int column, const std::string& text) {
    return [=](int r, int c) { return r == row && c == column ? text : plain(r, c); };
  };
  SchemaOptions weighted;
  weighted.weight_column = "w";
  EXPECT_EQ(reads_expect_equal(file("ok.csv", plain), weighted).error, "");
  // One text cell in the last row of a column of numbers; one bad date late.
  EXPECT_NE(reads_expect_equal(file("late_text.csv", with(n - 1, 1, "oops"))).error.find("numeric column with bad"),
            std::string::npos);
  EXPECT_NE(reads_expect_equal(file("late_inf.csv", with(n - 2, 2, "inf"))).error, "");
  EXPECT_NE(reads_expect_equal(file("late_date.csv", with(n - 3, 3, "2022-02-30"))).error.find("date column"),
            std::string::npos);
  // Weights: negative late, blank, a missing-value spelling; all zero.
  EXPECT_NE(reads_expect_equal(file("w_neg.csv", with(n - 1, 4, "-1")), weighted).error.find("negative weight"),
            std::string::npos);
  EXPECT_NE(reads_expect_equal(file("w_blank.csv", with(150, 4, "")), weighted).error.find("empty weight"),
            std::string::npos);
  EXPECT_NE(reads_expect_equal(file("w_na.csv", with(150, 4, "NA")), weighted).error.find("missing-value"),
            std::string::npos);
  EXPECT_NE(reads_expect_equal(file("w_zero.csv", [&](int r, int c) { return c == 4 ? "0" : plain(r, c); }), weighted)
                .error.find("sum to 0"),
            std::string::npos);
  // Forced roles: the first bad cell in row order wins, whichever column; on the same row the leftmost.
  SchemaOptions forced;
  forced.numeric = {"a"};
  forced.dates = {"day"};
  const std::string two_bad = file("two_bad.csv", [&](int r, int c) -> std::string {
    if (r == 250 && c == 1) return "many";
    if (r == 120 && c == 3) return "yesterday";
    return plain(r, c);
  });
  EXPECT_NE(reads_expect_equal(two_bad, forced).error.find(":122:4:"), std::string::npos);
  const std::string same_row = file("same_row.csv", [&](int r, int c) -> std::string {
    if (r == 200 && (c == 1 || c == 3)) return "bad";
    return plain(r, c);
  });
  EXPECT_NE(reads_expect_equal(same_row, forced).error.find(":202:2:"), std::string::npos);
  // A level that is not UTF-8, late, before a forced column's bad cell.
  SchemaOptions categorical;
  categorical.categorical = {"b"};
  categorical.numeric = {"a"};
  const std::string latin1 = file("latin1.csv", [&](int r, int c) -> std::string {
    if (r == 280 && c == 2) return "caf\xE9";
    if (r == 290 && c == 1) return "x";
    return plain(r, c);
  });
  EXPECT_NE(reads_expect_equal(latin1, categorical).error.find("UTF-8"), std::string::npos);
}

// Overrides: --columns, --ignore, --audit-columns (numbers for batches, then text: an audit column of categories),
// --categorical on numbers; and a unique text column that the pass finds to be the id only at the end.
TEST(TableReadOnce, OverridesAndATextIdAsInTwoPasses) {
  test::ScratchDir dir;
  const std::string path =
      dir.file_write("o.csv", csv_make("key,spend,visits,note,zip,tier", 300, [](int r, int c) -> std::string {
                       switch (c) {
                         case 0:
                           return "k" + std::to_string(r * 7919 % 300);  // unique, not named like an id
                         case 1:
                           return std::to_string(r % 17) + ".5";
                         case 2:
                           return std::to_string(r % 9);
                         case 3:
                           return r < 200 ? std::to_string(r % 4) : "later";
                         case 4:
                           return "0" + std::to_string(2100 + r % 40);
                         default:
                           return r % 5 ? "gold" : "";
                       }
                     }));
  const Outcome inferred = reads_expect_equal(path);
  ASSERT_EQ(inferred.error, "");
  EXPECT_EQ(inferred.read.schema.id_column, "key");  // "unique text per row"
  SchemaOptions o;
  o.audit = {"note"};
  o.categorical = {"zip"};
  o.ignore = {"visits"};
  const Outcome audited = reads_expect_equal(path, o);
  ASSERT_EQ(audited.error, "");
  EXPECT_TRUE(column_schema(audited.read.schema, "note").audit_categorical);
  SchemaOptions some;
  some.columns = {"spend", "tier"};
  some.id_column = "key";
  reads_expect_equal(path, some);
}

// A text column with kDistinctCap distinct values: with more rows it is an error (almost unique per row), with
// exactly that many and no id it is the id; the one pass stops coding its levels at the cap.
TEST(TableReadOnce, NearUniqueTextAtTheDistinctCap) {
  test::ScratchDir dir;
  const auto unique_text = [&](const std::string& name, int64_t rows) {
    std::string text = "email,spend\n";
    for (int64_t r = 0; r < rows; ++r)
      text += "m" + std::to_string(r % kDistinctCap) + (r >= kDistinctCap ? "b" : "") + "@x.org," +
              std::to_string(r % 10) + "\n";
    return dir.file_write(name, text);
  };
  const std::vector<size_t> batch_sizes = {size_t{1} << 16, size_t{16} << 20};
  EXPECT_NE(reads_expect_equal(unique_text("over.csv", kDistinctCap + 10), {}, batch_sizes).error.find("almost unique"),
            std::string::npos);
  const Outcome at_cap = reads_expect_equal(unique_text("at.csv", kDistinctCap), {}, batch_sizes);
  EXPECT_EQ(at_cap.error, "");
  EXPECT_EQ(at_cap.read.schema.id_column, "email");
}

}  // namespace
}  // namespace kseg
