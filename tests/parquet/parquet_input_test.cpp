// Parquet input: the same table as Parquet and as CSV gives byte-identical products; the Arrow types map onto kseg's
// roles (nulls, dictionaries, timestamps); a directory of parts reads as one table; nested types and damaged files
// fail with one line and write nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "../cli/cli_test_support.hpp"
#include "parquet_test_support.hpp"

namespace kseg {
namespace {

using test::cli;
using test::file_read;

#define PARQUET_OR_SKIP()                                \
  do {                                                   \
    const std::string why = test::parquet_unavailable(); \
    if (!why.empty()) GTEST_SKIP() << why;               \
  } while (0)

// fit of a CSV and of its Parquet twin: byte-identical segments and centroids, the same model.
void fits_compare(const test::ScratchDir& dir, const std::string& csv, const std::string& parquet,
                  const std::vector<std::string>& options = {}) {
  std::vector<std::string> a = {"fit", csv, "--k", "4", "--seed", "3", "--out", dir.file("from_csv"), "--quiet"};
  std::vector<std::string> b = {"fit",    parquet, "--k", "4", "--seed", "3", "--out", dir.file("from_parquet"),
                                "--quiet"};
  a.insert(a.end(), options.begin(), options.end());
  b.insert(b.end(), options.begin(), options.end());
  const test::CliResult from_csv = cli(a), from_parquet = cli(b);
  ASSERT_EQ(from_csv.code, 0) << from_csv.err;
  ASSERT_EQ(from_parquet.code, 0) << from_parquet.err;
  test::fit_products_expect_equal(dir);
}

TEST(ParquetInput, GeneratedUsersGiveTheSameProductsAsTheCsv) {
  PARQUET_OR_SKIP();
  test::ScratchDir dir;
  ASSERT_EQ(cli({"generate", "--users", "4000", "--seed", "11", "--out", dir.file("u.csv"), "--quiet"}).code, 0);
  // pyarrow infers int64, double and string columns; row groups of 700 rows, so batches cross row groups.
  ASSERT_EQ(test::python_run(dir, "pq.write_table(pcsv.read_csv('u.csv'), 'u.parquet', row_group_size=700)\n"), 0);
  fits_compare(dir, dir.file("u.csv"), dir.file("u.parquet"));
  // schema: the same roles, missing and distinct counts (only the path in the first line differs).
  const test::CliResult a = cli({"schema", dir.file("u.csv")}), b = cli({"schema", dir.file("u.parquet")});
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(a.out.substr(a.out.find('\n')), b.out.substr(b.out.find('\n')));
  // assign and drift stream the Parquet file batch by batch: the same outputs as from the CSV.
  const std::string model = dir.file("from_csv/model.json");
  ASSERT_EQ(cli({"assign", dir.file("u.parquet"), "--model", model, "--out", dir.file("a.csv"), "--quiet"}).code, 0);
  EXPECT_EQ(file_read(dir.file("a.csv")), file_read(dir.file("from_csv/segments.csv")));
  ASSERT_EQ(cli({"drift", dir.file("u.csv"), "--model", model, "--out", dir.file("d_csv.json")}).code, 0);
  ASSERT_EQ(cli({"drift", dir.file("u.parquet"), "--model", model, "--out", dir.file("d_pq.json")}).code, 0);
  EXPECT_EQ(file_read(dir.file("d_csv.json")), file_read(dir.file("d_pq.json")));
}

// Nulls in every kind of column, a dictionary-encoded categorical, a timestamp and a date32 column, an int id:
// the CSV twin spells the same values as text (empty cells for nulls, ISO dates).
constexpr const char* kTypedTable = R"(
import datetime as dt, random
random.seed(5)
n = 600
ids = list(range(1000, 1000 + n))
spend = [None if i % 17 == 0 else random.randint(0, 4000) / 4 for i in range(n)]
visits = [None if i % 23 == 0 else random.randint(0, 60) for i in range(n)]
plan = [None if i % 29 == 0 else random.choice(['free', 'plus', 'pro']) for i in range(n)]
seen = [dt.datetime(2024, 1, 1) + dt.timedelta(hours=random.randint(0, 24 * 300)) for i in range(n)]
seen = [None if i % 31 == 0 else s for i, s in enumerate(seen)]
born = [None if i % 37 == 0 else dt.date(1960, 1, 1) + dt.timedelta(days=random.randint(0, 15000)) for i in range(n)]
t = pa.table({'user_id': pa.array(ids, pa.int64()), 'spend': pa.array(spend, pa.float64()),
              'visits': pa.array(visits, pa.int32()),
              'plan': pa.array(plan, pa.string()).dictionary_encode(),
              'last_seen': pa.array(seen, pa.timestamp('ms')), 'birth': pa.array(born, pa.date32())})
pq.write_table(t, 'typed.parquet', row_group_size=128)
def text(v):
    if v is None: return ''
    if isinstance(v, float): return repr(v)
    if isinstance(v, dt.datetime): return v.strftime('%Y-%m-%dT%H:%M:%S')
    return str(v)
with open('typed.csv', 'w') as f:
    f.write('user_id,spend,visits,plan,last_seen,birth\n')
    for row in zip(ids, spend, visits, plan, seen, born):
        f.write(','.join(text(v) for v in row) + '\n')
)";

TEST(ParquetInput, NullsDictionariesAndTimestampsReadAsTheirCsvTwin) {
  PARQUET_OR_SKIP();
  test::ScratchDir dir;
  ASSERT_EQ(test::python_run(dir, kTypedTable), 0);
  const test::CliResult schema = cli({"schema", dir.file("typed.parquet")});
  ASSERT_EQ(schema.code, 0) << schema.err;
  const std::string& s = schema.out;
  // Roles from the Arrow types: timestamp and date32 → date, dictionary<string> → categorical, nulls counted missing.
  EXPECT_NE(s.find("last_seen                    date                20"), std::string::npos) << s;
  EXPECT_NE(s.find("birth                        date                17"), std::string::npos) << s;
  EXPECT_NE(s.find("plan                         categorical         21"), std::string::npos) << s;
  EXPECT_NE(s.find("spend                        numeric             36"), std::string::npos) << s;
  EXPECT_NE(s.find("user_id                      id"), std::string::npos) << s;
  fits_compare(dir, dir.file("typed.csv"), dir.file("typed.parquet"), {"--as-of", "2025-01-01"});
}

TEST(ParquetInput, DirectoryOfPartsReadsAsOneTableInNameOrder) {
  PARQUET_OR_SKIP();
  test::ScratchDir dir;
  ASSERT_EQ(cli({"generate", "--users", "2500", "--seed", "4", "--out", dir.file("u.csv"), "--quiet"}).code, 0);
  // Parts written out of name order, beside the files Spark leaves (_SUCCESS, .crc) that must be skipped.
  ASSERT_EQ(test::python_run(dir, R"(
t = pcsv.read_csv('u.csv')
os.mkdir('parts')
for i, (a, b) in reversed(list(enumerate([(0, 900), (900, 1000), (1900, 600)]))):
    pq.write_table(t.slice(a, b), 'parts/part-%05d.parquet' % i, row_group_size=400)
    open('parts/.part-%05d.parquet.crc' % i, 'w').write('x')
open('parts/_SUCCESS', 'w').close()
)"),
            0);
  fits_compare(dir, dir.file("u.csv"), dir.file("parts"));
}

TEST(ParquetInput, NestedColumnFailsNamingItsTypeUnlessIgnored) {
  PARQUET_OR_SKIP();
  test::ScratchDir dir;
  ASSERT_EQ(test::python_run(dir, R"(
t = pa.table({'spend': [1.0, 2.0, 30.0, 31.0], 'tags': pa.array([[1], [2, 3], [], [4]], pa.list_(pa.int64()))})
pq.write_table(t, 'nested.parquet')
)"),
            0);
  const test::CliResult bad = cli({"fit", dir.file("nested.parquet"), "--k", "2", "--out", dir.file("o"), "--quiet"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("column \"tags\" has type list<"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("--ignore tags"), std::string::npos) << bad.err;
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("o/segments.csv")));
  const test::CliResult ok =
      cli({"fit", dir.file("nested.parquet"), "--k", "2", "--out", dir.file("o"), "--ignore", "tags", "--quiet"});
  EXPECT_EQ(ok.code, 0) << ok.err;
}

TEST(ParquetInput, TruncatedOrCorruptFileFailsWithOneLineAndWritesNothing) {
  PARQUET_OR_SKIP();
  test::ScratchDir dir;
  ASSERT_EQ(cli({"generate", "--users", "1000", "--seed", "2", "--out", dir.file("u.csv"), "--quiet"}).code, 0);
  ASSERT_EQ(test::python_run(dir, "pq.write_table(pcsv.read_csv('u.csv'), 'u.parquet')\n"), 0);
  const std::string whole = file_read(dir.file("u.parquet"));
  const std::string truncated = dir.file_write("truncated.parquet", whole.substr(0, whole.size() / 2));
  // The footer intact but a data page overwritten: the damage shows only when the pages are decoded.
  std::string damaged = whole;
  for (size_t i = 200; i < 2200 && i < damaged.size(); ++i) damaged[i] = static_cast<char>(i * 7);
  const std::string corrupt = dir.file_write("corrupt.parquet", damaged);
  const std::string garbage = dir.file_write("garbage.parquet", "PAR1 this is not a parquet file at all");
  for (const std::string& input : {truncated, corrupt, garbage}) {
    const std::string out = dir.file("out_" + std::filesystem::path(input).stem().string());
    const test::CliResult r = cli({"fit", input, "--k", "3", "--out", out, "--quiet"});
    EXPECT_EQ(r.code, 1) << input << ": " << r.err;
    EXPECT_NE(r.err.find(input), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out + "/segments.csv")) << input;
    EXPECT_FALSE(std::filesystem::exists(out + "/model.json")) << input;
  }
}

// A build without Parquet support (KSEG_PARQUET=OFF, no pyarrow) still recognises the file by its magic bytes and
// says in one line how to get support.
TEST(ParquetInput, WithoutSupportTheErrorSaysHowToGetIt) {
  if (parquet_support_built()) GTEST_SKIP() << "this kseg has Parquet support; the test is for builds without it";
  test::ScratchDir dir;
  const std::string input = dir.file_write("users.data", std::string("PAR1\0\0\0\0PAR1", 12));
  const test::CliResult r = cli({"fit", input, "--k", "2", "--out", dir.file("o"), "--quiet"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("built without Parquet support: run scripts/install-deps.sh and rebuild"), std::string::npos)
      << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace
}  // namespace kseg
