#include "host/io/csv_reader.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "host/error.hpp"
#include "tests/io/test_files.hpp"

namespace kseg {
namespace {

// Everything a reader delivers, gathered across batches.
struct CsvTable {
  std::vector<std::vector<std::string>> fields;
  std::vector<std::vector<std::string>> raw;
  std::vector<int64_t> lines;
  int n_batches = 0;
};

CsvTable csv_read_all(const std::string& path, size_t batch_bytes, int n_threads, CsvOptions options = {}) {
  CsvReader reader(path, options);
  CsvTable table;
  reader.batches_for_each(batch_bytes, n_threads, [&](const CsvRecordBatch& batch) {
    EXPECT_EQ(batch.first_record, static_cast<int64_t>(table.fields.size()));
    EXPECT_EQ(batch.n_fields, static_cast<int>(reader.header().size()));
    for (int64_t r = 0; r < batch.n_records; ++r) {
      std::vector<std::string> fields, raw;
      for (int c = 0; c < batch.n_fields; ++c) {
        fields.emplace_back(batch.field(r, c));
        raw.emplace_back(batch.field_raw(r, c));
      }
      table.fields.push_back(fields);
      table.raw.push_back(raw);
      table.lines.push_back(batch.line(r));
    }
    ++table.n_batches;
  });
  return table;
}

// The message of the DataError that opening and reading the whole file raises, or "" when none is raised.
std::string csv_error(const std::string& path, size_t batch_bytes = 1 << 20, int n_threads = 1) {
  try {
    csv_read_all(path, batch_bytes, n_threads);
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

using Rows = std::vector<std::vector<std::string>>;

TEST(csv_reader, ReadsHeaderAndRecords) {
  test::ScratchDir dir;
  const std::string path = dir.file_write("a.csv", "id,orders,spend\n1,3,9.5\n2,0,0\n");
  CsvReader reader(path);
  EXPECT_EQ(reader.path(), path);
  EXPECT_EQ(reader.header(), (std::vector<std::string>{"id", "orders", "spend"}));
  EXPECT_EQ(reader.records_count(), 2);
  const CsvTable t = csv_read_all(path, 1 << 20, 1);
  EXPECT_EQ(t.fields, (Rows{{"1", "3", "9.5"}, {"2", "0", "0"}}));
  EXPECT_EQ(t.lines, (std::vector<int64_t>{2, 3}));
}

TEST(csv_reader, QuotedFieldsKeepDelimitersAndUndoubleQuotes) {
  test::ScratchDir dir;
  const std::string path =
      dir.file_write("q.csv", "id,\"na,me\"\n\"1\",\"a,b\"\n2,\"say \"\"hi\"\"\"\n3,\"\"\n4,\"\"\"\"\n5,plain\n");
  CsvReader reader(path);
  EXPECT_EQ(reader.header(), (std::vector<std::string>{"id", "na,me"}));
  const CsvTable t = csv_read_all(path, 1 << 20, 1);
  EXPECT_EQ(t.fields, (Rows{{"1", "a,b"}, {"2", "say \"hi\""}, {"3", ""}, {"4", "\""}, {"5", "plain"}}));
  EXPECT_EQ(
      t.raw,
      (Rows{{"\"1\"", "\"a,b\""}, {"2", "\"say \"\"hi\"\"\""}, {"3", "\"\""}, {"4", "\"\"\"\""}, {"5", "plain"}}));
}

TEST(csv_reader, FieldRawKeepsBytesExactly) {
  test::ScratchDir dir;
  const std::string path = dir.file_write("r.csv", "id,v\n\"007\", 42 \n 0x1\t,\"\"\"q\"\"\"\n");
  const CsvTable t = csv_read_all(path, 1 << 20, 1);
  EXPECT_EQ(t.raw, (Rows{{"\"007\"", " 42 "}, {" 0x1\t", "\"\"\"q\"\"\""}}));
  EXPECT_EQ(t.fields, (Rows{{"007", " 42 "}, {" 0x1\t", "\"q\""}}));
}

TEST(csv_reader, EmbeddedNewlinesKeepLaterLineNumbers) {
  test::ScratchDir dir;
  const std::string path =
      dir.file_write("n.csv", "id,note\n1,\"two\nlines\"\n2,x\n3,\"a\r\nb\nc\"\r\n4,y\n\"5\n\",\"\n\"\n6,z\n");
  CsvReader reader(path);
  EXPECT_EQ(reader.records_count(), 6);
  const CsvTable t = csv_read_all(path, 1 << 20, 1);
  EXPECT_EQ(t.fields,
            (Rows{{"1", "two\nlines"}, {"2", "x"}, {"3", "a\r\nb\nc"}, {"4", "y"}, {"5\n", "\n"}, {"6", "z"}}));
  EXPECT_EQ(t.lines, (std::vector<int64_t>{2, 4, 5, 8, 9, 12}));
}

// The line of each field: its record's line in a record of one line (not counted: a count per cell made wide tables
// quadratic in their columns), later after a quoted line break, in batches of every size.
TEST(csv_reader, FieldLinesCountQuotedLineBreaksOnly) {
  test::ScratchDir dir;
  const std::string path = dir.file_write("n.csv", "a,b,c\n1,\"x\ny\",2\n3,4,5\n\"\n\n\",6,\"7\r\n\"\n8,9,10");
  const std::vector<std::vector<int64_t>> expected = {{2, 2, 3}, {4, 4, 4}, {5, 7, 7}, {9, 9, 9}};
  for (const size_t batch_bytes : {size_t{1}, size_t{8}, size_t{1} << 20}) {
    CsvReader reader(path);
    std::vector<std::vector<int64_t>> lines;
    reader.batches_for_each(batch_bytes, 1, [&](const CsvRecordBatch& batch) {
      for (int64_t r = 0; r < batch.n_records; ++r) {
        lines.emplace_back();
        for (int c = 0; c < batch.n_fields; ++c) lines.back().push_back(batch.field_line(r, c));
      }
    });
    EXPECT_EQ(lines, expected) << "batches of " << batch_bytes << " bytes";
  }
}

TEST(csv_reader, HandlesCrlfLineEndings) {
  test::ScratchDir dir;
  const std::string path = dir.file_write("c.csv", "a,b\r\n1,2\r\n\"3\",\"x\"\r\n5,\r\n");
  CsvReader reader(path);
  EXPECT_EQ(reader.header(), (std::vector<std::string>{"a", "b"}));
  const CsvTable t = csv_read_all(path, 1 << 20, 1);
  EXPECT_EQ(t.fields, (Rows{{"1", "2"}, {"3", "x"}, {"5", ""}}));
  EXPECT_EQ(t.raw[1], (std::vector<std::string>{"\"3\"", "\"x\""}));
  EXPECT_EQ(t.lines, (std::vector<int64_t>{2, 3, 4}));
}

TEST(csv_reader, SkipsUtf8ByteOrderMark) {
  test::ScratchDir dir;
  const std::string path = dir.file_write("bom.csv", "\xEF\xBB\xBFid,x\n1,2\n");
  CsvReader reader(path);
  EXPECT_EQ(reader.header(), (std::vector<std::string>{"id", "x"}));
  EXPECT_EQ(csv_read_all(path, 1 << 20, 1).lines, (std::vector<int64_t>{2}));
}

TEST(csv_reader, ReadsFinalRecordWithoutTrailingNewline) {
  test::ScratchDir dir;
  for (const std::string last : {"3,4", "3,\"4\"", "3,4\r"}) {
    const std::string path = dir.file_write("t.csv", "a,b\n1,2\n" + last);
    CsvReader reader(path);
    EXPECT_EQ(reader.records_count(), 2) << last;
    EXPECT_EQ(csv_read_all(path, 1 << 20, 1).fields, (Rows{{"1", "2"}, {"3", "4"}})) << last;
  }
}

TEST(csv_reader, SkipsBlankLinesAndKeepsLineNumbers) {
  test::ScratchDir dir;
  const std::string path = dir.file_write("b.csv", "\n\r\na,b\n\n1,2\n\r\n\n3,4\n\n");
  CsvReader reader(path);
  EXPECT_EQ(reader.header(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(reader.records_count(), 2);
  const CsvTable t = csv_read_all(path, 1 << 20, 1);
  EXPECT_EQ(t.fields, (Rows{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(t.lines, (std::vector<int64_t>{5, 8}));
}

TEST(csv_reader, HonoursDelimiterOption) {
  test::ScratchDir dir;
  const std::string path = dir.file_write("s.csv", "a;b\n\"1;2\";3,5\n");
  const CsvTable t = csv_read_all(path, 1 << 20, 1, CsvOptions{';'});
  EXPECT_EQ(t.fields, (Rows{{"1;2", "3,5"}}));
}

TEST(csv_reader, HeaderOnlyFileHasNoRecords) {
  test::ScratchDir dir;
  const std::string path = dir.file_write("h.csv", "a,b\n\n");
  CsvReader reader(path);
  EXPECT_EQ(reader.records_count(), 0);
  const CsvTable t = csv_read_all(path, 1 << 20, 2);
  EXPECT_EQ(t.n_batches, 0);
}

TEST(csv_reader, BatchSizesAndThreadCountsAgree) {
  // Mixed plain, quoted, escaped and multi-line fields, CRLF and blank lines, so batch cuts land everywhere.
  std::mt19937 rng(12345);
  std::string text = "id,name,value\n";
  int64_t expected = 0;
  for (int i = 0; i < 2000; ++i) {
    const int kind = static_cast<int>(rng() % 6);
    const std::string name = kind == 0   ? "\"n," + std::to_string(i) + "\""
                             : kind == 1 ? "\"q\"\"" + std::to_string(i) + "\"\"\""
                             : kind == 2 ? "\"line\n" + std::to_string(i) + "\""
                                         : "n" + std::to_string(i);
    text += std::to_string(i) + "," + name + "," + std::to_string(rng() % 1000) + (kind == 3 ? "\r\n" : "\n");
    if (kind == 4) text += "\n";
    ++expected;
  }
  test::ScratchDir dir;
  const std::string path = dir.file_write("m.csv", text);
  CsvReader reader(path);
  EXPECT_EQ(reader.records_count(), expected);
  const CsvTable reference = csv_read_all(path, size_t{1} << 30, 1);
  ASSERT_EQ(static_cast<int64_t>(reference.fields.size()), expected);
  EXPECT_EQ(reference.n_batches, 1);
  EXPECT_EQ(reference.fields[7][0], "7");
  for (const auto& [batch_bytes, n_threads] :
       std::vector<std::pair<size_t, int>>{{1, 1}, {64, 1}, {64, 2}, {1000, 2}, {size_t{1} << 30, 2}}) {
    const CsvTable t = csv_read_all(path, batch_bytes, n_threads);
    EXPECT_EQ(t.fields, reference.fields) << batch_bytes << " bytes, " << n_threads << " threads";
    EXPECT_EQ(t.raw, reference.raw) << batch_bytes << " bytes, " << n_threads << " threads";
    EXPECT_EQ(t.lines, reference.lines) << batch_bytes << " bytes, " << n_threads << " threads";
    if (batch_bytes < 1000) {
      EXPECT_GT(t.n_batches, 100);
    }
  }
}

TEST(csv_reader_errors, EmptyFileNeedsHeader) {
  test::ScratchDir dir;
  for (const std::string content : {"", "\xEF\xBB\xBF", "\n\r\n\n"}) {
    const std::string path = dir.file_write("e.csv", content);
    EXPECT_EQ(csv_error(path), path + ": is empty: a header row is required");
  }
}

TEST(csv_reader_errors, MissingFileIsReported) {
  test::ScratchDir dir;
  const std::string path = dir.file("missing.csv");
  EXPECT_EQ(csv_error(path), "cannot read " + path + ": No such file or directory");
}

TEST(csv_reader_errors, RaggedRecordsNameLineAndField) {
  test::ScratchDir dir;
  const std::string few = dir.file_write("few.csv", "a,b,c\n1,2,3\n\"x\ny\",5\n");
  EXPECT_EQ(csv_error(few), few + ":3:3: expected 3 fields, found 2");
  const std::string many = dir.file_write("many.csv", "a,b,c\n1,2,3\n\n1,2,3,4\n");
  EXPECT_EQ(csv_error(many), many + ":4:4: expected 3 fields, found 4");
}

TEST(csv_reader_errors, UnterminatedQuoteIsLocatedWhereItOpened) {
  test::ScratchDir dir;
  const std::string path = dir.file_write("u.csv", "a,b\n1,\"x\ny\"\n2,\"open\n3,4\n");
  const std::string expected = path + ":4:2: unterminated quoted field: the quote opened here is never closed";
  EXPECT_EQ(csv_error(path), expected);
  EXPECT_EQ(csv_error(path, 8, 2), expected);
  CsvReader reader(path);
  try {
    reader.records_count();
    ADD_FAILURE() << "records_count accepted an open quote";
  } catch (const DataError& e) {
    EXPECT_EQ(e.what(), expected);
  }
  const std::string header = dir.file_write("uh.csv", "a,\"b\n1,2\n");
  EXPECT_EQ(csv_error(header), header + ":1:2: unterminated quoted field: the quote opened here is never closed");
}

TEST(csv_reader_errors, StrayQuoteInUnquotedField) {
  test::ScratchDir dir;
  const std::string path = dir.file_write("s.csv", "a,b\n1,ab\"c\n2,3\n");
  EXPECT_EQ(csv_error(path),
            path + ":2:2: quote inside an unquoted field; quote the whole field and double the inner quotes");
  // After a multi-line field the error is on the physical line of the quote.
  const std::string later = dir.file_write("s2.csv", "a,b\n\"x\ny\",z\"\n");
  EXPECT_EQ(csv_error(later),
            later + ":3:2: quote inside an unquoted field; quote the whole field and double the inner quotes");
}

TEST(csv_reader_errors, TextAfterClosingQuote) {
  test::ScratchDir dir;
  const std::string path = dir.file_write("t.csv", "a,b,c\n1,2,3\n4,\"ab\"c,6\n");
  EXPECT_EQ(csv_error(path),
            path + ":3:2: unexpected character 'c' after a closing quote; a quoted field must end at a delimiter");
  const std::string space = dir.file_write("t2.csv", "a,b\n\"1\" ,2\n");
  EXPECT_EQ(csv_error(space),
            space + ":2:1: unexpected character ' ' after a closing quote; a quoted field must end at a delimiter");
}

TEST(csv_reader_errors, DuplicateColumnNames) {
  test::ScratchDir dir;
  const std::string path = dir.file_write("d.csv", "\n\"id\",x,id\n1,2,3\n");
  EXPECT_EQ(csv_error(path), path + ":2:3: duplicate column name \"id\" (also column 1); rename one");
}

TEST(csv_reader_errors, EmptyOrBlankColumnNames) {
  test::ScratchDir dir;
  const std::string empty = dir.file_write("e.csv", "a,,b\n1,2,3\n");
  EXPECT_EQ(csv_error(empty), empty + ":1:2: empty column name; every column needs a name");
  const std::string blank = dir.file_write("b.csv", "a,b,\" \t\"\n1,2,3\n");
  EXPECT_EQ(csv_error(blank), blank + ":1:3: empty column name; every column needs a name");
  const std::string trailing = dir.file_write("t.csv", "a,b,\r\n1,2,3\r\n");
  EXPECT_EQ(csv_error(trailing), trailing + ":1:3: empty column name; every column needs a name");
}

TEST(csv_reader_errors, FirstErrorWinsAcrossThreads) {
  std::string text = "a,b\n";
  for (int i = 0; i < 500; ++i) text += std::to_string(i) + (i == 100 || i == 400 ? ",1,2\n" : ",1\n");
  test::ScratchDir dir;
  const std::string path = dir.file_write("f.csv", text);
  const std::string expected = path + ":102:3: expected 2 fields, found 3";
  EXPECT_EQ(csv_error(path, size_t{1} << 20, 2), expected);
  EXPECT_EQ(csv_error(path, 64, 2), expected);
}

TEST(csv_float_parse, AcceptsNumbers) {
  EXPECT_EQ(csv_float_parse("1e3", "u.csv", 2, 1, "x"), 1000.0f);
  EXPECT_EQ(csv_float_parse(" 2.5 ", "u.csv", 2, 1, "x"), 2.5f);
  EXPECT_EQ(csv_float_parse("\t-7\t", "u.csv", 2, 1, "x"), -7.0f);
  const float negative_zero = csv_float_parse("-0", "u.csv", 2, 1, "x");
  EXPECT_EQ(negative_zero, 0.0f);
  EXPECT_TRUE(std::signbit(negative_zero));
  EXPECT_EQ(csv_float_parse("3.4028235e38", "u.csv", 2, 1, "x"), 3.4028235e38f);
  float v = 0.0f;
  EXPECT_TRUE(csv_float_try_parse("0.1", v));
  EXPECT_EQ(v, 0.1f);
}

TEST(csv_float_parse, RejectsWithLocatedMessages) {
  const auto error = [](std::string_view text) {
    try {
      csv_float_parse(text, "users.csv", 17, 3, "orders");
    } catch (const DataError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error(""), "users.csv:17:3: column \"orders\": empty value");
  EXPECT_EQ(error("  "), "users.csv:17:3: column \"orders\": empty value");
  EXPECT_EQ(error("abc"), "users.csv:17:3: column \"orders\": \"abc\" is not a number");
  EXPECT_EQ(error("1,234"), "users.csv:17:3: column \"orders\": \"1,234\" is not a number");
  EXPECT_EQ(error("nan"),
            "users.csv:17:3: column \"orders\": \"nan\" is not a finite number (NaN and infinity are not allowed)");
  EXPECT_EQ(error("-inf"),
            "users.csv:17:3: column \"orders\": \"-inf\" is not a finite number (NaN and infinity are not allowed)");
  EXPECT_EQ(error("1e39"), "users.csv:17:3: column \"orders\": \"1e39\" is outside the float range (float overflow)");
  float v = 0.0f;
  for (const char* text : {"", "abc", "nan", "inf", "1e39", "-1e39", "1,234", "1 2", "0x10"}) {
    EXPECT_FALSE(csv_float_try_parse(text, v)) << text;
  }
}

}  // namespace
}  // namespace kseg
