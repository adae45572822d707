// Parquet follows the CSV missing-value rules where they apply: nulls and NaN are missing; string columns are read as
// CSV cells are (missing-value spellings, --na-values, numbers and dates in text, the almost-numeric check), so a
// Parquet file of strings and the CSV of the same text give the same roles and byte-identical products.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "../cli/cli_test_support.hpp"
#include "parquet_test_support.hpp"

namespace kseg {
namespace {

using test::cli;
using test::file_read;

// The start of a line of `kseg schema` for a column: name, role and missing count in its columns.
std::string schema_line(const std::string& name, const std::string& role, long long missing) {
  char line[128];
  std::snprintf(line, sizeof(line), "  %-28s %-12s %9lld ", name.c_str(), role.c_str(), missing);
  return line;
}

#define PARQUET_OR_SKIP()                                \
  do {                                                   \
    const std::string why = test::parquet_unavailable(); \
    if (!why.empty()) GTEST_SKIP() << why;               \
  } while (0)

// Every column a string column in Parquet, the same texts in the CSV twin (None: an empty cell / a null). spend is
// numbers with missing-value spellings, seen is dates with them, plan is text with them, score is a float column with
// NaN (pandas' missing float).
constexpr const char* kStringTable = R"(
import random, math
random.seed(9)
n = 500
spellings = ['NA', 'n/a', 'NULL', '-', '', None, 'nan']
def pick(i, value):
    return spellings[i % len(spellings)] if i % 11 == 0 else value
spend = [pick(i, '%.2f' % (random.randint(0, 90000) / 100)) for i in range(n)]
seen = [pick(i + 3, '2024-%02d-%02d' % (random.randint(1, 12), random.randint(1, 28))) for i in range(n)]
plan = [pick(i + 5, random.choice(['free', 'plus', 'pro'])) for i in range(n)]
score = [float('nan') if i % 13 == 0 else random.random() * 10 for i in range(n)]
t = pa.table({'spend': pa.array(spend, pa.string()), 'seen': pa.array(seen, pa.string()),
              'plan': pa.array(plan, pa.string()).dictionary_encode(), 'score': pa.array(score, pa.float64())})
pq.write_table(t, 'strings.parquet', row_group_size=128)
def text(v):
    if v is None: return ''
    if isinstance(v, float): return '' if math.isnan(v) else repr(v)
    return v
with open('strings.csv', 'w') as f:
    f.write('spend,seen,plan,score\n')
    for row in zip(spend, seen, plan, score):
        f.write(','.join(text(v) for v in row) + '\n')
)";

TEST(ParquetMissingValues, StringColumnsWithSpellingsReadAsTheirCsvTwin) {
  PARQUET_OR_SKIP();
  test::ScratchDir dir;
  ASSERT_EQ(test::python_run(dir, kStringTable), 0);
  const test::CliResult a = cli({"schema", dir.file("strings.csv")}), b = cli({"schema", dir.file("strings.parquet")});
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_EQ(b.code, 0) << b.err;
  // The same roles, missing and distinct counts: spend numeric and seen a date column despite their spellings.
  EXPECT_EQ(a.out.substr(a.out.find('\n')), b.out.substr(b.out.find('\n')));
  // Rows i ≡ 0 (spend), 8 (seen), 6 (plan) mod 11 hold a spelling or a null: 46, 45, 45 of 500; score's NaN every
  // 13th row: 39.
  EXPECT_NE(b.out.find(schema_line("spend", "numeric", 46)), std::string::npos) << b.out;
  EXPECT_NE(b.out.find(schema_line("seen", "date", 45)), std::string::npos) << b.out;
  EXPECT_NE(b.out.find(schema_line("plan", "categorical", 45)), std::string::npos) << b.out;
  EXPECT_NE(b.out.find(schema_line("score", "numeric", 39)), std::string::npos) << b.out;
  const std::vector<std::string> fit = {"--k", "3", "--seed", "4", "--as-of", "2025-01-01", "--quiet", "--out"};
  std::vector<std::string> from_csv = {"fit", dir.file("strings.csv")},
                           from_parquet = {"fit", dir.file("strings.parquet")};
  from_csv.insert(from_csv.end(), fit.begin(), fit.end());
  from_parquet.insert(from_parquet.end(), fit.begin(), fit.end());
  from_csv.push_back(dir.file("c"));
  from_parquet.push_back(dir.file("p"));
  ASSERT_EQ(cli(from_csv).code, 0);
  const test::CliResult r = cli(from_parquet);
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* name : {"segments.csv", "centroids.csv"})
    EXPECT_EQ(file_read(dir.file(std::string("c/") + name)), file_read(dir.file(std::string("p/") + name))) << name;
  // assign reads the Parquet strings with the model's spellings: the fit's own segments again.
  ASSERT_EQ(cli({"assign", dir.file("strings.parquet"), "--model", dir.file("c/model.json"), "--out", dir.file("a.csv"),
                 "--quiet"})
                .code,
            0);
  EXPECT_EQ(file_read(dir.file("a.csv")), file_read(dir.file("c/segments.csv")));
}

TEST(ParquetMissingValues, AlmostNumericStringColumnFailsNamingRowsAndNaValuesMendsIt) {
  PARQUET_OR_SKIP();
  test::ScratchDir dir;
  // 40 numbers and two "?" cells (rows 8 and 31, 1-based), which no default spelling covers.
  ASSERT_EQ(test::python_run(dir, R"(
spend = [str(i * 3 + 1) for i in range(42)]
spend[7] = '?'
spend[30] = '?'
pq.write_table(pa.table({'spend': spend, 'visits': list(range(42))}), 'almost.parquet', row_group_size=10)
)"),
            0);
  const test::CliResult bad = cli({"fit", dir.file("almost.parquet"), "--k", "2", "--out", dir.file("o"), "--quiet"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("almost.parquet: row 8: column \"spend\": \"?\" is not a number"), std::string::npos)
      << bad.err;
  EXPECT_NE(bad.err.find("other bad cells: row 31"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("--na-values"), std::string::npos) << bad.err;
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("o")));
  const test::CliResult mended = cli({"schema", dir.file("almost.parquet"), "--na-values", "?"});
  ASSERT_EQ(mended.code, 0) << mended.err;
  EXPECT_NE(mended.out.find(schema_line("spend", "numeric", 2)), std::string::npos) << mended.out;
}

TEST(ParquetMissingValues, InfinityInAFloatColumnIsABadCellNotAValue) {
  PARQUET_OR_SKIP();
  test::ScratchDir dir;
  ASSERT_EQ(test::python_run(dir, R"(
spend = [float(i) for i in range(30)]
spend[12] = float('inf')
pq.write_table(pa.table({'spend': spend, 'visits': list(range(30))}), 'inf.parquet')
)"),
            0);
  const test::CliResult r = cli({"fit", dir.file("inf.parquet"), "--k", "2", "--out", dir.file("o"), "--quiet"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("inf.parquet: row 13: column \"spend\": \"inf\" is not a finite number"), std::string::npos)
      << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace
}  // namespace kseg
