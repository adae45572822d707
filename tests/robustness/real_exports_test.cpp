// Real exports: missing values spelt as text (pandas' set, --na-values, the model's setting in assign, drift, update
// and profile), almost-numeric and almost-date columns with bad cells, non-unique ids, and text encodings (invalid
// UTF-8, UTF-16/32 byte order marks, CR-only line endings). Every refusal is checked by the bad-input corpus rules:
// exit code, one stderr line naming file:line:column, nothing written.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "host/data/missing_values.hpp"
#include "tests/robustness/bad_input_support.hpp"

namespace kseg {
namespace {

using test::BadInputCase;
using test::cli;
using test::CliResult;
using test::file_read;
using test::ScratchDir;

using Rows = std::vector<std::vector<std::string>>;

// n users with an id, two numeric columns, a categorical one and a date, all varying so that k = 2 has structure.
Rows users(int n) {
  static const char* plans[] = {"basic", "plus", "pro"};
  Rows rows = {{"id", "orders", "spend", "plan", "signup"}};
  for (int i = 0; i < n; ++i) {
    const int group = (i * 5) % 7 < 3;
    char date[16];
    std::snprintf(date, sizeof(date), "2021-%02d-%02d", 1 + (i * 7) % 12, 1 + (i * 11) % 28);
    rows.push_back({"u" + std::to_string(i), std::to_string((i * 7) % 23 + 1 + 40 * group),
                    std::to_string((i * 13) % 31) + ".5", plans[(i + group) % 3], date});
  }
  return rows;
}

std::string csv(const Rows& rows) {
  std::string text;
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) text += (c ? "," : "") + row[c];
    text += '\n';
  }
  return text;
}

// users(n) with cell (row r, column c) replaced; rows count from 0 after the header (file line r + 2).
std::string users_with(int n, std::vector<std::pair<std::pair<int, int>, std::string>> cells) {
  Rows rows = users(n);
  for (const auto& [at, text] : cells) rows[static_cast<size_t>(at.first) + 1][static_cast<size_t>(at.second)] = text;
  return csv(rows);
}

constexpr int kOrders = 1, kPlan = 3, kSignup = 4;

// fit FILE --k K --out @out --quiet EXTRA..., on the scratch dir's file.
std::vector<std::string> fit_args(const std::string& file, std::vector<std::string> extra = {},
                                  const std::string& k = "2") {
  std::vector<std::string> args = {"fit", "@" + file, "--k", k, "--out", "@out", "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// The role and missing count `kseg schema` prints for column name.
std::pair<std::string, std::string> schema_row(const std::string& out, const std::string& name) {
  for (const std::string& line : test::lines_split(out)) {
    std::istringstream in(line);
    std::string column, role, missing;
    if (in >> column >> role >> missing && column == name) return {role, missing};
  }
  return {"(absent)", ""};
}

// --- Missing values spelt as text read exactly like blanks ---------------------------------------------------------

struct Spelled {
  std::string name;      // test name
  std::string spelling;  // the cell text
  int column = kOrders;
  std::vector<std::string> options;  // extra fit options
};

std::string PrintSpelled(const testing::TestParamInfo<Spelled>& p) { return p.param.name; }

std::string alnum(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += c;
    } else {
      static const char hex[] = "0123456789ABCDEF";
      out += std::string("_") + hex[(c >> 4) & 15] + hex[c & 15];
    }
  }
  return out;
}

std::vector<Spelled> spelled_cases() {
  std::vector<Spelled> cases;
  for (const std::string& s : kDefaultMissingSpellings) {
    cases.push_back({"Numeric" + alnum(s), s, kOrders, {}});
    cases.push_back({"Categorical" + alnum(s), s, kPlan, {}});
  }
  cases.push_back({"DateNA", "NA", kSignup, {}});
  cases.push_back({"DateNULL", "NULL", kSignup, {}});
  cases.push_back({"SpacesAroundNA", "  NA ", kOrders, {}});
  cases.push_back({"TabsAroundNull", "\tnull\t", kPlan, {}});
  cases.push_back({"QuotedNA", "\"NA\"", kOrders, {}});
  cases.push_back({"TabOnly", "\t", kOrders, {}});
  cases.push_back({"CustomSentinel", "-999", kOrders, {"--na-values", "-999,unknown"}});
  cases.push_back({"CustomWord", "unknown", kPlan, {"--na-values", "-999,unknown"}});
  cases.push_back({"CustomWithSpaces", "n.a.", kOrders, {"--na-values", " n.a. , missing"}});
  return cases;
}

class MissingSpellings : public testing::TestWithParam<Spelled> {};

// The file with the spelling in three cells gives byte for byte the outputs of the same file with those cells blank
// (fit: segments, centroids, model; assign with that model), read from the same path so model.json's input agrees.
TEST_P(MissingSpellings, ReadLikeBlankCells) {
  const Spelled& p = GetParam();
  ScratchDir dir;
  const std::string input = dir.file("users.csv");
  const auto run = [&](const std::string& cell, const std::string& out) {
    dir.file_write("users.csv",
                   users_with(60, {{{0, p.column}, cell}, {{17, p.column}, cell}, {{59, p.column}, cell}}));
    std::vector<std::string> args = {"fit", input, "--k", "2", "--out", dir.file(out), "--quiet"};
    args.insert(args.end(), p.options.begin(), p.options.end());
    const CliResult fit = cli(args);
    EXPECT_EQ(fit.code, 0) << fit.err;
    const CliResult assign = cli({"assign", input, "--model", dir.file(out + "/model.json"), "--out",
                                  dir.file(out + "/assigned.csv"), "--quiet"});
    EXPECT_EQ(assign.code, 0) << assign.err;
  };
  run(p.spelling, "spelled");
  run("", "blank");
  for (const char* name : {"segments.csv", "centroids.csv", "model.json", "assigned.csv"}) {
    const std::string spelled = file_read(dir.file(std::string("spelled/") + name));
    EXPECT_FALSE(spelled.empty()) << name;
    EXPECT_TRUE(spelled == file_read(dir.file(std::string("blank/") + name))) << name << " differs";
  }
  // The column kept its role: three missing cells, not a level or a text column.
  const nlohmann::json summary = nlohmann::json::parse(file_read(dir.file("spelled/summary.json")));
  for (const auto& column : summary.at("columns"))
    if (column.at("name") == users(0)[0][static_cast<size_t>(p.column)]) {
      EXPECT_EQ(column.at("missing"), 3) << column;
    }
}

INSTANTIATE_TEST_SUITE_P(Corpus, MissingSpellings, testing::ValuesIn(spelled_cases()), PrintSpelled);

TEST(MissingValues, TheDefaultSetIsPandasPlusDash) {
  // pandas.read_csv's documented default na_values (2.x), written out independently of kseg's list.
  std::vector<std::string> pandas = {"",     "#N/A",   "#N/A N/A", "#NA",  "-1.#IND", "-1.#QNAN", "-NaN",
                                     "-nan", "1.#IND", "1.#QNAN",  "<NA>", "N/A",     "NA",       "NULL",
                                     "NaN",  "None",   "n/a",      "nan",  "null"};
  const MissingValues defaults = MissingValues::defaults();
  for (const std::string& s : pandas) EXPECT_TRUE(defaults.missing(s)) << s;
  EXPECT_TRUE(defaults.missing("-"));
  for (const char* s : {"Na", "NAN", "none", "0", "-1", "1.5", "n", "NA NA", "#N/A N/A x", "nul", "inf", "--"})
    EXPECT_FALSE(defaults.missing(s)) << s;
  EXPECT_EQ(defaults.spellings().size(), pandas.size());  // 18 spellings + "-" (the empty one is a blank)
  const MissingValues blanks = MissingValues::from_option("");
  EXPECT_TRUE(blanks.missing("") && blanks.missing("  ") && blanks.missing("\t"));
  EXPECT_FALSE(blanks.missing("NA") || blanks.missing("nan") || blanks.missing("-"));
}

// pandas itself is the reference: every cell it reads as NaN with its defaults kseg reads as missing, and the other way
// round, "-" aside (kseg's addition). Cells are quoted, without blanks around (pandas keeps those, kseg trims them).
// Skipped where the .venv interpreter or pandas is missing.
TEST(MissingValues, AgreesWithPandasReadCsv) {
  if (!std::filesystem::exists(KSEG_PYTHON))
    GTEST_SKIP() << "no " << KSEG_PYTHON << " (scripts/install-python-deps.sh)";
  std::vector<std::string> texts = {"",    "x",   "Na",   "NAN",    "none", "NONE",   "Null", "0", "-1",
                                    "1.5", "inf", "-inf", "#n/a",   "n.a.", "#N/A N", "<na>", "-", "--",
                                    "N A", "NaT", "nil",  "1.#INF", "n/a/", "-NAN",   "+nan"};
  texts.insert(texts.end(), kDefaultMissingSpellings.begin(), kDefaultMissingSpellings.end());
  ScratchDir dir;
  std::string file = "id,a\n";
  for (size_t i = 0; i < texts.size(); ++i) file += std::to_string(i) + ",\"" + texts[i] + "\"\n";
  const std::string input = dir.file_write("cells.csv", file);
  const std::string script =
      "import pandas as pd, sys; f = pd.read_csv(sys.argv[1], dtype=str); "
      "print(''.join('1' if v else '0' for v in f['a'].isna()))";
  const std::string command = std::string(KSEG_PYTHON) + " -c \"" + script + "\" " + input + " 2>&1";
  std::string flags;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    while (std::fgets(buffer, sizeof(buffer), pipe)) flags += buffer;
    ::pclose(pipe);
  }
  if (flags.find("No module named") != std::string::npos) GTEST_SKIP() << "pandas is not installed: " << flags;
  while (!flags.empty() && flags.back() == '\n') flags.pop_back();
  ASSERT_EQ(flags.size(), texts.size()) << flags;
  const MissingValues defaults = MissingValues::defaults();
  for (size_t i = 0; i < texts.size(); ++i)
    EXPECT_EQ(defaults.missing(texts[i]), flags[i] == '1' || texts[i] == "-") << "\"" << texts[i] << "\"";
}

// The model keeps the setting; assign, drift, update and profile read cells as fit did.
TEST(MissingValues, TheModelKeepsTheSettingForEveryCommand) {
  ScratchDir dir;
  const std::string input = dir.file("users.csv");
  const std::string out = "out";  // the same paths for both runs: updated/model.json names the model it came from
  const auto outputs = [&](const std::string& cell) {
    dir.file_write("users.csv", users_with(60, {{{4, kOrders}, cell}, {{9, kPlan}, cell}, {{30, kOrders}, cell}}));
    const std::string model = dir.file(out + "/model.json");
    EXPECT_EQ(cli({"fit", input, "--k", "2", "--out", dir.file(out), "--quiet", "--na-values", "n.a.,?"}).code, 0);
    const std::vector<std::vector<std::string>> runs = {
        {"drift", input, "--model", model, "--out", dir.file(out + "/drift.json"), "--quiet"},
        {"update", input, "--model", model, "--out", dir.file(out + "/updated"), "--quiet"},
        {"profile", input, "--model", model, "--segments", dir.file(out + "/segments.csv"), "--out",
         dir.file(out + "/profiled"), "--quiet"}};
    for (const auto& args : runs) {
      const CliResult r = cli(args);
      EXPECT_EQ(r.code, 0) << args[0] << ": " << r.err;
    }
    std::string all;
    for (const char* name : {"model.json", "drift.json", "updated/model.json", "profiled/profiles.csv"})
      all += std::string(name) + "\n" + file_read(dir.file(out + "/" + name));
    return all;
  };
  const std::string spelled = outputs("?");
  const nlohmann::json model = nlohmann::json::parse(file_read(dir.file("out/model.json")));
  EXPECT_TRUE(spelled == outputs(""));
  EXPECT_EQ(model.at("preparation").at("na_values"), nlohmann::json::array({"?", "n.a."}));
}

// A model written before na_values existed reads blanks only, as it was fitted: on a file without spellings it
// scores exactly as a model with the setting, and "NA" in its numeric column is still refused.
TEST(MissingValues, AnOldModelReadsBlanksOnly) {
  ScratchDir dir;
  const std::string input = dir.file_write("users.csv", users_with(50, {{{3, kOrders}, ""}}));
  ASSERT_EQ(cli({"fit", input, "--k", "2", "--out", dir.file("out"), "--quiet"}).code, 0);
  nlohmann::json model = nlohmann::json::parse(file_read(dir.file("out/model.json")));
  ASSERT_TRUE(model.at("preparation").contains("na_values"));
  model.at("preparation").erase("na_values");
  dir.file_write("old.json", model.dump(2));
  for (const char* m : {"out/model.json", "old.json"})
    ASSERT_EQ(
        cli({"assign", input, "--model", dir.file(m), "--out", dir.file(std::string(m) + ".csv"), "--quiet"}).code, 0);
  EXPECT_EQ(file_read(dir.file("old.json.csv")), file_read(dir.file("out/model.json.csv")));
  EXPECT_EQ(file_read(dir.file("old.json.csv")), file_read(dir.file("out/segments.csv")));

  dir.file_write("na.csv", users_with(50, {{{3, kOrders}, "NA"}}));
  const CliResult old_model =
      cli({"assign", dir.file("na.csv"), "--model", dir.file("old.json"), "--out", dir.file("old_na.csv"), "--quiet"});
  EXPECT_EQ(old_model.code, 1);
  EXPECT_NE(old_model.err.find("na.csv:5:2: column \"orders\": \"NA\" is not a number"), std::string::npos)
      << old_model.err;
  EXPECT_EQ(cli({"assign", dir.file("na.csv"), "--model", dir.file("out/model.json"), "--out", dir.file("new_na.csv"),
                 "--quiet"})
                .code,
            0);
}

TEST(MissingValues, SchemaCountsSpellingsAsMissing) {
  ScratchDir dir;
  const std::string input = dir.file_write("u.csv", users_with(20, {{{2, kOrders}, "NA"}, {{5, kOrders}, "null"}}));
  const CliResult r = cli({"schema", input});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(schema_row(r.out, "orders"), std::make_pair(std::string("numeric"), std::string("2"))) << r.out;
  const CliResult blanks_only = cli({"schema", input, "--na-values", ""});
  EXPECT_EQ(blanks_only.code, 1);  // 18 of 20 are numbers: a numeric column with bad cells
  EXPECT_NE(blanks_only.err.find("u.csv:4:2: column \"orders\": \"NA\" is not a number, yet 18 of 20"),
            std::string::npos)
      << blanks_only.err;
}

// --- Almost-numeric and almost-date columns --------------------------------------------------------------------

TEST(AlmostNumeric, BelowTheThresholdTheColumnIsCategorical) {
  ScratchDir dir;
  // 8 numbers and 2 words of 10: 80% < 90%, text values.
  const std::string input = dir.file_write("u.csv", "id,size\n1,1\n2,2\n3,3\n4,S\n5,5\n6,6\n7,M\n8,8\n9,9\n10,10\n");
  const CliResult r = cli({"schema", input});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(schema_row(r.out, "size").first, "categorical") << r.out;
}

TEST(AlmostNumeric, TheWaysOutInTheMessageWork) {
  ScratchDir dir;
  const std::string input = dir.file_write("u.csv", users_with(40, {{{6, kOrders}, "n.a."}}));
  const std::string out = dir.file("out");
  EXPECT_EQ(cli({"fit", input, "--k", "2", "--out", out, "--quiet"}).code, 1);
  EXPECT_EQ(cli({"fit", input, "--k", "2", "--out", out, "--quiet", "--na-values", "n.a."}).code, 0);
  EXPECT_EQ(cli({"fit", input, "--k", "2", "--out", out, "--quiet", "--categorical", "orders"}).code, 0);
  EXPECT_EQ(cli({"fit", input, "--k", "2", "--out", out, "--quiet", "--ignore", "orders"}).code, 0);
}

// --- Ids ---------------------------------------------------------------------------------------------------------

TEST(DuplicateIds, FitWarnsOnceWithTheDistinctCount) {
  ScratchDir dir;
  Rows rows = users(30);
  for (int i = 20; i < 30; ++i) rows[static_cast<size_t>(i) + 1][0] = "u" + std::to_string(i % 4);  // 10 repeats
  const std::string input = dir.file_write("u.csv", csv(rows));
  const CliResult r = cli({"fit", input, "--k", "2", "--out", dir.file("out")});
  ASSERT_EQ(r.code, 0) << r.err;
  int warnings = 0;
  for (const std::string& line : test::lines_split(r.err)) {
    if (line.find("warning") == std::string::npos) continue;
    ++warnings;
    EXPECT_NE(line.find("10 of 30 rows"), std::string::npos) << line;
    EXPECT_NE(line.find("20 distinct ids in 30 rows"), std::string::npos) << line;
    EXPECT_NE(line.find("kseg compare refuses"), std::string::npos) << line;
  }
  EXPECT_EQ(warnings, 1) << r.err;
  const CliResult quiet = cli({"fit", input, "--k", "2", "--out", dir.file("out"), "--quiet"});
  EXPECT_EQ(quiet.code, 0);
  EXPECT_TRUE(quiet.err.empty()) << quiet.err;
}

TEST(Encodings, IdsThatAreNotUtf8PassThroughByteForByte) {
  ScratchDir dir;
  const std::string input = dir.file_write("u.csv", users_with(20, {{{4, 0}, "caf\xE9"}}));
  ASSERT_EQ(cli({"fit", input, "--k", "2", "--out", dir.file("out"), "--quiet"}).code, 0);
  EXPECT_NE(file_read(dir.file("out/segments.csv")).find("\ncaf\xE9,"), std::string::npos);
}

TEST(Encodings, BytesInAnIgnoredColumnAreNotRead) {
  ScratchDir dir;
  const std::string input = dir.file_write("u.csv", users_with(20, {{{4, kPlan}, "caf\xE9"}}));
  EXPECT_EQ(cli({"fit", input, "--k", "2", "--out", dir.file("out"), "--quiet", "--ignore", "plan"}).code, 0);
}

// --- The refusals: exit code, one line naming the place, nothing written -------------------------------------------

// A model fitted on users(60) in @model/, for the assign cases.
void model_fit(const test::ScratchDir& dir) {
  dir.file_write("train.csv", users_with(60, {}));
  ASSERT_EQ(cli({"fit", dir.file("train.csv"), "--k", "2", "--out", dir.file("model"), "--quiet"}).code, 0);
}

std::string numbers_then(int good, const std::string& bad) {
  std::string text = "id,x\n";
  for (int i = 0; i < good; ++i) text += std::to_string(i) + "," + std::to_string(i % 17) + "\n";
  return text + std::to_string(good) + "," + bad + "\n";
}

std::string ways_out(const std::string& column) {
  return "fix them, list their spelling in --na-values, or use --categorical " + column + " or --ignore " + column;
}

std::vector<BadInputCase> numeric_corpus() {
  const std::string after_10k = numbers_then(10000, "n/k");
  return {
      {"BadNumberFirstRow",
       {{"u.csv", users_with(40, {{{0, kOrders}, "abc"}})}},
       fit_args("u.csv"),
       1,
       "u.csv:2:2: column \"orders\": \"abc\" is not a number, yet 39 of 40 filled cells are numbers: a numeric "
       "column with bad cells; " +
           ways_out("orders")},
      {"BadNumberLastRow",
       {{"u.csv", users_with(40, {{{39, kOrders}, "12 items"}})}},
       fit_args("u.csv"),
       1,
       "u.csv:41:2: column \"orders\": \"12 items\" is not a number, yet 39 of 40"},
      {"BadNumberAfterTenThousandRows",
       {{"u.csv", after_10k}},
       fit_args("u.csv"),
       1,
       "u.csv:10002:2: column \"x\": \"n/k\" is not a number, yet 10000 of 10001"},
      {"BadNumberInSchemaCommand",
       {{"u.csv", after_10k}},
       {"schema", "@u.csv"},
       1,
       "u.csv:10002:2: column \"x\": \"n/k\" is not a number"},
      {"BadNumberInSweep",
       {{"u.csv", users_with(40, {{{5, kOrders}, "?"}})}},
       {"sweep", "@u.csv", "--k", "2..3", "--out", "@out", "--quiet"},
       1,
       "u.csv:7:2: column \"orders\": \"?\" is not a number"},
      {"BadNumberInDryRun",
       {{"u.csv", users_with(40, {{{5, kOrders}, "?"}})}},
       {"fit", "@u.csv", "--k", "2", "--dry-run"},
       1,
       "u.csv:7:2: column \"orders\""},
      {"ThreeBadNumbersNamed",
       {{"u.csv", users_with(40, {{{3, kOrders}, "x"}, {{10, kOrders}, "y"}, {{20, kOrders}, "z"}})}},
       fit_args("u.csv"),
       1,
       "u.csv:5:2: column \"orders\": \"x\" is not a number, yet 37 of 40 filled cells are numbers; other bad "
       "cells: line 12 \"y\", line 22 \"z\""},
      {"FourBadNumbersCounted",
       {{"u.csv",
         users_with(40, {{{3, kOrders}, "x"}, {{10, kOrders}, "y"}, {{20, kOrders}, "z"}, {{30, kOrders}, "w"}})}},
       fit_args("u.csv"),
       1,
       "line 22 \"z\" (4 in all)"},
      {"ExactlyNinetyPercent",
       {{"u.csv", "id,size\n1,1\n2,2\n3,3\n4,S\n5,5\n6,6\n7,7\n8,8\n9,9\n10,10\n"}},
       fit_args("u.csv", {}, "1"),
       1,
       "u.csv:5:2: column \"size\": \"S\" is not a number, yet 9 of 10"},
      {"NotFreeTextWhenAlmostNumeric",
       {{"u.csv",
         [] {
           std::string t = "id,amount\n";
           for (int i = 0; i < 300; ++i) t += std::to_string(i) + "," + std::to_string(i * 1.37) + "\n";
           return t + "300,pending\n301,pending\n";
         }()}},
       fit_args("u.csv"),
       1,
       "u.csv:302:2: column \"amount\": \"pending\" is not a number, yet 300 of 302"},
      {"OutOfFloatRange",
       {{"u.csv", users_with(40, {{{8, kOrders}, "1e400"}})}},
       fit_args("u.csv"),
       1,
       "u.csv:10:2: column \"orders\": \"1e400\" is outside the float range"},
      {"NegativeOutOfFloatRange",
       {{"u.csv", users_with(40, {{{8, kOrders}, "-3.5e38"}})}},
       fit_args("u.csv"),
       1,
       "u.csv:10:2: column \"orders\": \"-3.5e38\" is outside the float range"},
      {"Infinity",
       {{"u.csv", users_with(40, {{{8, kOrders}, "inf"}})}},
       fit_args("u.csv"),
       1,
       "u.csv:10:2: column \"orders\": \"inf\" is not a finite number"},
      {"NegativeInfinityWord",
       {{"u.csv", users_with(40, {{{8, kOrders}, "-Infinity"}})}},
       fit_args("u.csv"),
       1,
       "u.csv:10:2: column \"orders\": \"-Infinity\" is not a finite number"},
      {"UppercaseNanIsNotASpelling",
       {{"u.csv", users_with(40, {{{8, kOrders}, "NAN"}})}},
       fit_args("u.csv"),
       1,
       "u.csv:10:2: column \"orders\": \"NAN\" is not a finite number"},
      {"NanWithBlanksOnly",
       {{"u.csv", users_with(40, {{{8, kOrders}, "nan"}})}},
       fit_args("u.csv", {"--na-values", ""}),
       1,
       "u.csv:10:2: column \"orders\": \"nan\" is not a finite number"},
      {"NaWithBlanksOnly",
       {{"u.csv", users_with(40, {{{8, kOrders}, "NA"}})}},
       fit_args("u.csv", {"--na-values", ""}),
       1,
       "u.csv:10:2: column \"orders\": \"NA\" is not a number"},
      {"NaNotInACustomList",
       {{"u.csv", users_with(40, {{{8, kOrders}, "NA"}, {{9, kOrders}, "n.a."}})}},
       fit_args("u.csv", {"--na-values", "n.a."}),
       1,
       "u.csv:10:2: column \"orders\": \"NA\" is not a number, yet 38 of 39"},
      {"SmallColumnOfNumbersWithInf",
       {{"u.csv", "id,x\n1,3\n2,inf\n3,4\n"}},
       fit_args("u.csv", {}, "1"),
       1,
       "u.csv:3:2: column \"x\": \"inf\" is not a finite number (NaN and infinity are not allowed) in a column of "
       "numbers"},
      {"ForcedNumericWithText",
       {{"u.csv", users_with(40, {{{8, kOrders}, "abc"},
                                  {{9, kOrders}, "abd"},
                                  {{10, kOrders}, "abe"},
                                  {{11, kOrders}, "abf"},
                                  {{12, kOrders}, "abg"}})}},
       fit_args("u.csv", {"--numeric", "orders"}),
       1,
       "u.csv:10:2: column \"orders\": \"abc\" is not a number"},
      {"AssignTextInNumericColumn",
       {{"new.csv", users_with(20, {{{8, kOrders}, "abc"}})}},
       {"assign", "@new.csv", "--model", "@model/model.json", "--out", "@assigned.csv", "--quiet"},
       1,
       "new.csv:10:2: column \"orders\": \"abc\" is not a number",
       model_fit},
      {"AssignInfInNumericColumn",
       {{"new.csv", users_with(20, {{{2, kOrders}, "inf"}})}},
       {"assign", "@new.csv", "--model", "@model/model.json", "--out", "@assigned.csv", "--quiet"},
       1,
       "new.csv:4:2: column \"orders\": \"inf\" is not a finite number",
       model_fit},
      {"DriftTextInNumericColumn",
       {{"new.csv", users_with(20, {{{8, kOrders}, "abc"}})}},
       {"drift", "@new.csv", "--model", "@model/model.json", "--quiet"},
       1,
       "new.csv:10:2: column \"orders\": \"abc\" is not a number",
       model_fit},
      {"UpdateTextInNumericColumn",
       {{"new.csv", users_with(20, {{{8, kOrders}, "abc"}})}},
       {"update", "@new.csv", "--model", "@model/model.json", "--out", "@out", "--quiet"},
       1,
       "new.csv:10:2: column \"orders\": \"abc\" is not a number",
       model_fit},
      {"WeightSpelledMissing",
       {{"u.csv", "id,a,w\n1,1,2\n2,2,NA\n3,3,1\n"}},
       {"fit", "@u.csv", "--k", "1", "--weight-column", "w", "--out", "@out", "--quiet"},
       1,
       "u.csv:3:3: column \"w\": weight \"NA\" is a missing-value spelling"},
  };
}

std::vector<BadInputCase> date_corpus() {
  const auto dates_then = [](int good, const std::string& bad) {
    std::string text = "id,signup\n";
    for (int i = 0; i < good; ++i) text += std::to_string(i) + ",2020-0" + std::to_string(1 + i % 9) + "-15\n";
    return text + std::to_string(good) + "," + bad + "\n";
  };
  return {
      {"BadDateFirstRow",
       {{"u.csv", users_with(40, {{{0, kSignup}, "yesterday"}})}},
       fit_args("u.csv"),
       1,
       "u.csv:2:5: column \"signup\": \"yesterday\" is not an ISO 8601 date (YYYY-MM-DD), yet 39 of 40 filled "
       "cells are dates: a date column with bad cells; " +
           ways_out("signup")},
      {"BadDateLastRow",
       {{"u.csv", users_with(40, {{{39, kSignup}, "2021-02-30"}})}},
       fit_args("u.csv"),
       1,
       "u.csv:41:5: column \"signup\": \"2021-02-30\" is not an ISO 8601 date"},
      {"BadMonth",
       {{"u.csv", users_with(40, {{{7, kSignup}, "2021-13-01"}})}},
       fit_args("u.csv"),
       1,
       "u.csv:9:5: column \"signup\": \"2021-13-01\" is not an ISO 8601 date"},
      {"OtherDateFormat",
       {{"u.csv", users_with(40, {{{7, kSignup}, "03/04/2021"}})}},
       fit_args("u.csv"),
       1,
       "u.csv:9:5: column \"signup\": \"03/04/2021\" is not an ISO 8601 date"},
      {"BadDateAfterTenThousandRows",
       {{"u.csv", dates_then(10000, "2020-02-31")}},
       fit_args("u.csv", {}, "1"),
       1,
       "u.csv:10002:2: column \"signup\": \"2020-02-31\" is not an ISO 8601 date (YYYY-MM-DD), yet 10000 of 10001"},
      {"DateSpelledMissingWithBlanksOnly",
       {{"u.csv", users_with(40, {{{7, kSignup}, "NULL"}})}},
       fit_args("u.csv", {"--na-values", ""}),
       1,
       "u.csv:9:5: column \"signup\": \"NULL\" is not an ISO 8601 date"},
  };
}

std::string utf16le(const std::string& ascii) {
  std::string out = "\xFF\xFE";
  for (char c : ascii) out += std::string(1, c) + '\0';
  return out;
}

std::string utf16be(const std::string& ascii) {
  std::string out = "\xFE\xFF";
  for (char c : ascii) out += std::string(1, '\0') + c;
  return out;
}

std::vector<BadInputCase> encoding_corpus() {
  const std::string ascii = csv(users(20));
  const std::string utf8_advice = "is not valid UTF-8 (byte 4); the file is not UTF-8 (Latin-1 or Windows-1252?)";
  return {
      {"Latin1HeaderName",
       {{"u.csv", "id,caf\xE9,b\n1,1,x\n2,2,y\n"}},
       fit_args("u.csv", {}, "1"),
       1,
       "u.csv:1:2: column name \"caf\\xE9\" " + utf8_advice},
      {"Latin1HeaderNameOfAnIgnoredColumn",
       {{"u.csv", "id,caf\xE9,b\n1,1,1\n2,2,2\n"}},
       fit_args("u.csv", {"--ignore", "b"}, "1"),
       1,
       "u.csv:1:2: column name \"caf\\xE9\" is not valid UTF-8"},
      {"Latin1HeaderInSchema",
       {{"u.csv", "id,caf\xE9\n1,1\n"}},
       {"schema", "@u.csv"},
       1,
       "u.csv:1:2: column name \"caf\\xE9\" is not valid UTF-8"},
      {"Latin1HeaderInAssign",
       {{"new.csv", "id,orders,spend,plan,signup,caf\xE9\n1,2,3.5,pro,2021-01-01,1\n"}},
       {"assign", "@new.csv", "--model", "@model/model.json", "--out", "@assigned.csv", "--quiet"},
       1,
       "new.csv:1:6: column name \"caf\\xE9\" is not valid UTF-8",
       model_fit},
      {"Latin1Category",
       {{"u.csv", users_with(20, {{{6, kPlan}, "caf\xE9"}})}},
       fit_args("u.csv"),
       1,
       "u.csv:8:4: column \"plan\": \"caf\\xE9\" " + utf8_advice},
      {"Latin1CategoryAfterTenThousandRows",
       {{"u.csv",
         [] {
           std::string t = "id,x,city\n";
           for (int i = 0; i < 10000; ++i) t += std::to_string(i) + "," + std::to_string(i % 9) + ",Paris\n";
           return t + "10000,1,M\xFCnchen\n";
         }()}},
       fit_args("u.csv", {}, "1"),
       1,
       "u.csv:10002:3: column \"city\": \"M\\xFCnchen\" is not valid UTF-8 (byte 2)"},
      {"OverlongSlashInCategory",
       {{"u.csv", users_with(20, {{{3, kPlan}, "a\xC0\xAF"}})}},
       fit_args("u.csv"),
       1,
       "u.csv:5:4: column \"plan\": \"a\\xC0\\xAF\" is not valid UTF-8 (byte 2)"},
      {"SurrogateInCategory",
       {{"u.csv", users_with(20, {{{3, kPlan}, "\xED\xA0\x80"}})}},
       fit_args("u.csv"),
       1,
       "u.csv:5:4: column \"plan\": \"\\xED\\xA0\\x80\" is not valid UTF-8 (byte 1)"},
      {"TruncatedSequenceInCategory",
       {{"u.csv", users_with(20, {{{19, kPlan}, "pro\xE2\x82"}})}},
       fit_args("u.csv"),
       1,
       "u.csv:21:4: column \"plan\": \"pro\\xE2\\x82\" is not valid UTF-8 (byte 4)"},
      {"Latin1CategoryInAssign",
       {{"new.csv", users_with(20, {{{2, kPlan}, "caf\xE9"}})}},
       {"assign", "@new.csv", "--model", "@model/model.json", "--out", "@assigned.csv", "--quiet"},
       1,
       "new.csv:4:4: column \"plan\": \"caf\\xE9\" is not valid UTF-8",
       model_fit},
      {"Latin1AuditColumnInProfile",
       {{"aud.csv",
         [] {
           Rows rows = users(60);
           rows[0].push_back("region");
           for (size_t i = 1; i < rows.size(); ++i) rows[i].push_back(i == 30 ? "S\xE3o Paulo" : "north");
           return csv(rows);
         }()}},
       {"profile", "@aud.csv", "--model", "@model/model.json", "--segments", "@model/segments.csv", "--audit-columns",
        "region", "--out", "@out", "--quiet"},
       1,
       "aud.csv:31:6: column \"region\": \"S\\xE3o Paulo\" is not valid UTF-8 (byte 2)",
       model_fit},
      {"NaValuesNotUtf8",
       {{"u.csv", ascii}},
       fit_args("u.csv", {"--na-values",
                          "NA,n\xE9"
                          "ant"}),
       2,
       "--na-values: \"NA,n\\xE9ant\" is not valid UTF-8"},
      {"Utf16LittleEndian",
       {{"u.csv", utf16le(ascii)}},
       fit_args("u.csv"),
       1,
       "u.csv: the file is UTF-16LE text (by its byte order mark); kseg reads UTF-8: convert it, e.g. iconv -f UTF-16 "
       "-t UTF-8"},
      {"Utf16BigEndian", {{"u.csv", utf16be(ascii)}}, fit_args("u.csv"), 1, "u.csv: the file is UTF-16BE text"},
      {"Utf16InSchema", {{"u.csv", utf16le(ascii)}}, {"schema", "@u.csv"}, 1, "u.csv: the file is UTF-16LE text"},
      {"Utf16InAssign",
       {{"new.csv", utf16le(ascii)}},
       {"assign", "@new.csv", "--model", "@model/model.json", "--out", "@assigned.csv", "--quiet"},
       1,
       "new.csv: the file is UTF-16LE text",
       model_fit},
      {"Utf16BomOnly", {{"u.csv", "\xFF\xFE"}}, fit_args("u.csv"), 1, "u.csv: the file is UTF-16LE text"},
      {"Utf32LittleEndian",
       {{"u.csv", std::string("\xFF\xFE\0\0i\0\0\0", 8)}},
       fit_args("u.csv"),
       1,
       "u.csv: the file is UTF-32LE text (by its byte order mark); kseg reads UTF-8: convert it, e.g. iconv -f "
       "UTF-32"},
      {"Utf32BigEndian",
       {{"u.csv", std::string("\0\0\xFE\xFF\0\0\0i", 8)}},
       fit_args("u.csv"),
       1,
       "u.csv: the file is UTF-32BE text"},
      {"CarriageReturnOnly",
       {{"u.csv",
         [&] {
           std::string t = ascii;
           for (char& c : t)
             if (c == '\n') c = '\r';
           return t;
         }()}},
       fit_args("u.csv"),
       1,
       "u.csv:1: the lines end with a carriage return alone (classic Mac OS line endings); convert them to LF, e.g. "
       "tr '\\r' '\\n' < "},
      {"CarriageReturnOnlyQuotedHeader",
       {{"u.csv", "\"id\",\"a\"\r\"1\",\"2\"\r\"2\",\"3\"\r"}},
       fit_args("u.csv", {}, "1"),
       1,
       "u.csv:1: the lines end with a carriage return alone"},
      {"CarriageReturnOnlyInSchema",
       {{"u.csv", "id,a\r1,2\r2,3\r"}},
       {"schema", "@u.csv"},
       1,
       "u.csv:1: the lines end with a carriage return alone"},
      {"CarriageReturnOnlyAfterBom",
       {{"u.csv", "\xEF\xBB\xBFid,a\r1,2\r2,3\r"}},
       fit_args("u.csv", {}, "1"),
       1,
       "u.csv:1: the lines end with a carriage return alone"},
  };
}

class RealExportRefusals : public testing::TestWithParam<BadInputCase> {};

TEST_P(RealExportRefusals, OneLineAtThePlaceAndNothingWritten) { test::bad_input_case_check(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Numbers, RealExportRefusals, testing::ValuesIn(numeric_corpus()), test::bad_input_case_name);
INSTANTIATE_TEST_SUITE_P(Dates, RealExportRefusals, testing::ValuesIn(date_corpus()), test::bad_input_case_name);
INSTANTIATE_TEST_SUITE_P(Encodings, RealExportRefusals, testing::ValuesIn(encoding_corpus()),
                         test::bad_input_case_name);

// CRLF files and CR inside a quoted field stay readable: only a bare CR ending the header's line is refused.
TEST(Encodings, CrlfAndQuotedCarriageReturnsAreRead) {
  ScratchDir dir;
  std::string crlf = csv(users(20));
  std::string converted;
  for (char c : crlf) converted += c == '\n' ? std::string("\r\n") : std::string(1, c);
  EXPECT_EQ(cli({"fit", dir.file_write("crlf.csv", converted), "--k", "2", "--out", dir.file("a"), "--quiet"}).code, 0);
  const std::string quoted = "id,note,x\r\n1,\"two\rlines\",1\r\n2,\"b\",2\r\n3,\"c\",3\r\n";
  EXPECT_EQ(cli({"fit", dir.file_write("q.csv", quoted), "--k", "1", "--out", dir.file("b"), "--quiet"}).code, 0);
}

}  // namespace
}  // namespace kseg
