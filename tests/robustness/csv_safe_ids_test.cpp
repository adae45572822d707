// --csv-safe-ids: ids a spreadsheet would run as formulas (OWASP "CSV Injection": a cell starting with =, +, -, @,
// a tab or a CR) are written as text, a single quote in front and the field quoted; other ids stay byte for byte.
// Without the flag, a one-line notice counts them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/cli/cli_test_support.hpp"

namespace kseg {
namespace {

// Each id's cell as the segments file holds it: the text before ",segment,distance" of each data line.
std::vector<std::string> id_cells(const std::string& segments_csv) {
  std::vector<std::string> cells;
  const std::vector<std::string> lines = test::lines_split(segments_csv);
  for (size_t i = 1; i < lines.size(); ++i) {
    const size_t last = lines[i].rfind(',');
    cells.push_back(lines[i].substr(0, lines[i].rfind(',', last - 1)));
  }
  return cells;
}

const char* const kUsers =
    "id,a\n"
    "=1+2,1\n"
    "+cmd,2\n"
    "-3,3\n"
    "@SUM(A1),10\n"
    "\"\tTAB\",11\n"
    "plain,12\n"
    "\"=HYPERLINK(\"\"x\"\"),y\",13\n"
    "a=b,14\n";

TEST(CsvSafeIds, FormulaLikeIdsBecomeQuotedTextOthersStay) {
  test::ScratchDir dir;
  const std::string users = dir.file_write("u.csv", kUsers);
  const test::CliResult fit = test::cli({"fit", users, "--k", "2", "--out", dir.file("safe"), "--csv-safe-ids"});
  ASSERT_EQ(fit.code, 0) << fit.err;
  EXPECT_EQ(fit.err.find("spreadsheets"), std::string::npos) << "no notice with the flag: " << fit.err;
  const std::vector<std::string> expected = {
      "\"'=1+2\"", "\"'+cmd\"", "\"'-3\"", "\"'@SUM(A1)\"", "\"'\tTAB\"", "plain", "\"'=HYPERLINK(\"\"x\"\"),y\"",
      "a=b"};
  EXPECT_EQ(id_cells(test::file_read(dir.file("safe/segments.csv"))), expected);

  const test::CliResult assign = test::cli({"assign", users, "--model", dir.file("safe/model.json"), "--out",
                                            dir.file("assigned.csv"), "--csv-safe-ids", "--quiet"});
  ASSERT_EQ(assign.code, 0) << assign.err;
  EXPECT_EQ(test::file_read(dir.file("assigned.csv")), test::file_read(dir.file("safe/segments.csv")));
}

TEST(CsvSafeIds, WithoutTheFlagIdsStayAndOneNoticeCountsThem) {
  test::ScratchDir dir;
  const std::string users = dir.file_write("u.csv", kUsers);
  const test::CliResult fit = test::cli({"fit", users, "--k", "2", "--out", dir.file("raw")});
  ASSERT_EQ(fit.code, 0) << fit.err;
  const std::string notice = "kseg: notice: 6 of 8 ids in " + dir.file("raw/segments.csv") +
                             " start with =, +, -, @, a tab or a CR, which spreadsheets run as formulas";
  EXPECT_NE(fit.err.find(notice), std::string::npos) << fit.err;
  const std::vector<std::string> raw = {
      "=1+2", "+cmd", "-3", "@SUM(A1)", "\"\tTAB\"", "plain", "\"=HYPERLINK(\"\"x\"\"),y\"", "a=b"};
  EXPECT_EQ(id_cells(test::file_read(dir.file("raw/segments.csv"))), raw);
  const test::CliResult quiet = test::cli({"fit", users, "--k", "2", "--out", dir.file("raw"), "--quiet"});
  EXPECT_EQ(quiet.err, "");
}

}  // namespace
}  // namespace kseg
