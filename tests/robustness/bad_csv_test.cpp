// Bad-input corpus, CSV inputs: malformed structure, bad header, bad numbers, oversized and binary input.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/robustness/bad_input_support.hpp"

namespace kseg {
namespace {

using test::BadInputCase;

// fit FILE --k K --out @out --quiet, on the scratch dir's file.
std::vector<std::string> fit_args(const std::string& file, const std::string& k = "1") {
  return {"fit", "@" + file, "--k", k, "--out", "@out", "--quiet"};
}

// fit FILE --k 1 --weight-column w: w is read as numbers whatever the schema decides for the features.
std::vector<std::string> weighted_fit_args(const std::string& file) {
  return {"fit", "@" + file, "--k", "1", "--weight-column", "w", "--out", "@out", "--quiet"};
}

std::string garbage_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string bytes(n, '\0');
  for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
  return bytes;
}

std::vector<BadInputCase> csv_corpus() {
  const std::string bom = "\xEF\xBB\xBF";
  return {
      {"RaggedRowTooMany",
       {{"r.csv", "id,a\n1,1\n2,2,2\n"}},
       fit_args("r.csv"),
       1,
       "r.csv:3:3: expected 2 fields, found 3"},
      {"RaggedRowTooFew",
       {{"r.csv", "id,a,b\n1,1,1\n2,2\n"}},
       fit_args("r.csv"),
       1,
       "r.csv:3:3: expected 3 fields, found 2"},
      {"RaggedRowLastLineNoNewline", {{"r.csv", "id,a\n1,1\n2"}}, fit_args("r.csv"), 1, "r.csv:3:2: expected 2 fields"},
      {"UnterminatedQuote",
       {{"q.csv", "id,a\n1,1\n\"2,2\n3,3\n"}},
       fit_args("q.csv"),
       1,
       "q.csv:3:1: unterminated quoted field"},
      {"UnterminatedQuoteInHeader",
       {{"q.csv", "id,\"a\n1,1\n"}},
       fit_args("q.csv"),
       1,
       "q.csv:1:2: unterminated quoted field"},
      {"StrayQuoteInUnquotedField",
       {{"q.csv", "id,a\n1,1\"2\n"}},
       fit_args("q.csv"),
       1,
       "q.csv:2:2: quote inside an unquoted field"},
      {"TextAfterClosingQuote",
       {{"q.csv", "id,a\n\"1\"x,1\n"}},
       fit_args("q.csv"),
       1,
       "q.csv:2:1: unexpected character 'x' after a closing quote"},
      {"BomOnly", {{"b.csv", bom}}, fit_args("b.csv"), 1, "b.csv: is empty: a header row is required"},
      {"BomAndHeaderOnly",
       {{"b.csv", bom + "id,a\r\n"}},
       fit_args("b.csv"),
       1,
       "b.csv: the file has a header but no data"},
      {"EmptyFile", {{"e.csv", ""}}, fit_args("e.csv"), 1, "e.csv: is empty: a header row is required"},
      {"BlankLinesOnly", {{"e.csv", "\n\r\n\n"}}, fit_args("e.csv"), 1, "e.csv: is empty"},
      {"HeaderOnly", {{"h.csv", "id,a,b\n"}}, fit_args("h.csv"), 1, "h.csv: the file has a header but no data rows"},
      {"DuplicateColumnName",
       {{"d.csv", "id,a,a\n1,1,1\n"}},
       fit_args("d.csv"),
       1,
       "d.csv:1:3: duplicate column name \"a\" (also column 2)"},
      {"DuplicateColumnNameQuoted",
       {{"d.csv", "id,a,\"a\"\n1,1,1\n"}},
       fit_args("d.csv"),
       1,
       "d.csv:1:3: duplicate column name \"a\""},
      {"EmptyColumnName", {{"n.csv", "id,,b\n1,1,1\n"}}, fit_args("n.csv"), 1, "n.csv:1:2: empty column name"},
      {"WhitespaceColumnName", {{"n.csv", "id,a, \t\n1,1,1\n"}}, fit_args("n.csv"), 1, "n.csv:1:3: empty column name"},
      // Numbers: the weight column is numeric whatever the schema inference decides for feature columns.
      {"NanValue",
       {{"v.csv", "id,a,w\n1,1,2\n2,2,NaN\n"}},
       weighted_fit_args("v.csv"),
       1,
       "v.csv:3:3: column \"w\": weight \"NaN\" is a missing-value spelling"},
      {"InfValue",
       {{"v.csv", "id,a,w\n1,1,inf\n"}},
       weighted_fit_args("v.csv"),
       1,
       "v.csv:2:3: column \"w\": \"inf\" is not a finite number"},
      {"NegativeInfinityValue",
       {{"v.csv", "id,a,w\n1,1,1\n2,1,-Infinity\n"}},
       weighted_fit_args("v.csv"),
       1,
       "v.csv:3:3: column \"w\": \"-Infinity\" is not a finite number"},
      {"EmptyValue",
       {{"v.csv", "id,a,w\n1,1,2\n2,2,\n"}},
       weighted_fit_args("v.csv"),
       1,
       "v.csv:3:3: column \"w\": empty"},
      {"BlankValue", {{"v.csv", "id,a,w\n1,1,  \n"}}, weighted_fit_args("v.csv"), 1, "v.csv:2:3: column \"w\": empty"},
      {"AboveFloatRange",
       {{"v.csv", "id,a,w\n1,1,1\n2,2,3.5e38\n"}},
       weighted_fit_args("v.csv"),
       1,
       "v.csv:3:3: column \"w\": \"3.5e38\""},
      {"BelowFloatRange",
       {{"v.csv", "id,a,w\n1,1,-1e39\n"}},
       weighted_fit_args("v.csv"),
       1,
       "v.csv:2:3: column \"w\": \"-1e39\""},
      {"NotANumber",
       {{"v.csv", "id,a,w\n1,1,1\n2,2,two\n"}},
       weighted_fit_args("v.csv"),
       1,
       "v.csv:3:3: column \"w\": \"two\" is not a"},
      {"NulBytesInNumber",
       {{"z.csv", std::string("id,a,w\n1,1,1\0"
                              "2\n",
                              15)}},
       weighted_fit_args("z.csv"),
       1,
       "z.csv:2:3: column \"w\""},
      {"TenMegabyteSingleLine",
       {{"l.csv", "id,a,w\n1,1," + std::string(10u << 20, '7') + "\n"}},
       weighted_fit_args("l.csv"),
       1,
       "l.csv:2:3: column \"w\": \"" + std::string(16, '7')},
      {"TenMegabyteRaggedLine",
       {{"l.csv", "id,a\n" + std::string(10u << 20, ',') + "\n"}},
       fit_args("l.csv"),
       1,
       "l.csv:2:3: expected 2 fields, found 10485761"},
      {"BinaryGarbage", {{"g.csv", garbage_bytes(4096, 7)}}, fit_args("g.csv"), 1, "g.csv:1:"},
      {"BinaryGarbageNoQuotes",
       {{"g.bin",
         [] {
           std::string b = garbage_bytes(4096, 11);
           for (char& c : b)
             if (c == '"') c = 'x';
           return b;
         }()}},
       fit_args("g.bin"),
       1,
       "g.bin:"},
      // A NUL byte in a name or a category would be written into model.json as "\u0000": binary data, not text.
      {"NulInColumnName",
       {{"z.csv", std::string("id,a\0b,c\n1,2,3\n2,3,4\n3,1,1\n", 27)}},
       fit_args("z.csv"),
       1,
       "z.csv:1:2: column name \"a\\x00b\" holds a control byte (byte 2, NUL)"},
      {"NulInCategory",
       {{"z.csv", std::string("id,a,c\n1,x\0y,3\n2,z,4\n3,x,1\n", 27)}},
       fit_args("z.csv"),
       1,
       "z.csv:2:2: column \"a\": \"x\\x00y\" holds a control byte (byte 2, NUL)"},
      {"ControlByteInCategory",
       {{"z.csv", "id,a,c\n1,x,3\n2,z\x01,4\n3,x,1\n"}},
       fit_args("z.csv"),
       1,
       "z.csv:3:2: column \"a\": \"z\\x01\" holds a control byte (byte 2)"},
      // A file separated by another delimiter would read as one column: when the first data row splits by the
      // delimiter the header holds into as many fields, it is refused at the header.
      {"SemicolonFileNoComma",
       {{"s.csv", "id;a;b\n1;2;3\n2;3;4\n3;5;6\n"}},
       fit_args("s.csv"),
       1,
       "s.csv:1:1: the header is one column \"id;a;b\" and line 2 splits by ';' into as many fields: the file looks "
       "';'-separated: add --delimiter ';'"},
      {"CommaFileReadWithSemicolon",
       {{"c.csv", "id,a,b\n1,2,x;y\n2,3,4\n"}},
       {"fit", "@c.csv", "--k", "1", "--delimiter", ";", "--out", "@out", "--quiet"},
       1,
       "c.csv:1:1: the header is one column \"id,a,b\" and line 2 splits by ',' into as many fields: the file looks "
       "','-separated: add --delimiter ','"},
      {"TabFileReadWithComma",
       {{"t.csv", "id\ta\tb\n1\t2\t3\n"}},
       fit_args("t.csv"),
       1,
       "t.csv:1:1: the header is one column \"id\\x09a\\x09b\" and line 2 splits by tab into as many fields: the "
       "file looks tab-separated: add --delimiter tab"},
      // Otherwise the first row the given delimiter splits (here on a decimal comma) fails with the same hint.
      {"SemicolonFileLaterComma",
       {{"s.csv", "id;a;b\n1;2;3;4\n2;3,5;4\n"}},
       fit_args("s.csv"),
       1,
       "s.csv:3:2: expected 1 fields, found 2; the file looks ';'-separated (its header is one field holding ';'): "
       "add --delimiter ';'"},
      {"MissingFile", {}, fit_args("absent.csv"), 1, "absent.csv"},
      {"InputIsADirectory", {}, fit_args("out"), 1, "out: it is a directory, not a regular file"},
  };
}

class BadCsv : public testing::TestWithParam<BadInputCase> {};

TEST_P(BadCsv, RefusedWithLocationAndNothingWritten) { test::bad_input_case_check(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Corpus, BadCsv, testing::ValuesIn(csv_corpus()), test::bad_input_case_name);

}  // namespace
}  // namespace kseg
