// The columnar Parquet converters: every Arrow type kseg reads (int32, int64, float, double, bool, date32,
// timestamp[ms], timestamp[us] with a time zone, dictionary text with nulls, a dictionary whose values look numeric),
// read as dictionary arrays or as plain strings, with a record batch boundary inside a row group, give the products
// of the CSV twin that spells the same values as text.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../cli/cli_test_support.hpp"
#include "parquet_test_support.hpp"

namespace kseg {
namespace {

using test::cli;
using test::file_read;

// 270,000 rows: more than one record batch (262,144 rows), so with one row group the batch boundary falls inside it.
// 'plan' is dictionary text with nulls and a missing spelling whose dictionary order differs from the first-seen
// order, and whose level 'late' first appears in the second batch; 'zip' is dictionary text of numbers (a numeric
// column, as in the CSV); 'seen_tz' is a New York timestamp whose UTC date is the day after the local one at night. The
// CSV spells timestamps as their UTC dates, so that the distinct counts (of dates) agree too.
constexpr const char* kTypesTable = R"(
import datetime as dt, random, numpy as np
random.seed(8)
n = 270000
def maybe(i, k, v): return None if i % k == 0 else v
ids = ['c%06d' % i for i in range(n)]
spend = [maybe(i, 17, random.randint(0, 40000) / 8) for i in range(n)]
visits = [maybe(i, 23, random.randint(0, 60)) for i in range(n)]
orders = [random.randint(0, 9) for i in range(n)]
rate = [maybe(i, 13, float(np.float32(random.random()))) for i in range(n)]
member = [maybe(i, 19, random.random() < 0.3) for i in range(n)]
plan = [maybe(i, 29, 'NA' if i % 31 == 0 else ('late' if i > 262200 and i % 5 == 0 else random.choice(['free', 'plus', 'pro']))) for i in range(n)]
zip_ = [maybe(i, 41, random.choice(['10115', '20095', '80331', 'NA'])) for i in range(n)]
day0 = dt.date(2020, 1, 1)
signup = [maybe(i, 37, day0 + dt.timedelta(days=random.randint(0, 1500))) for i in range(n)]
utc = dt.timezone.utc
seen = [maybe(i, 43, dt.datetime(2024, 1, 1, tzinfo=utc) + dt.timedelta(minutes=random.randint(0, 300 * 1440))) for i in range(n)]
plan_dict = pa.DictionaryArray.from_arrays(
    pa.array([['zeta', 'late', 'pro', 'plus', 'free', 'NA'].index(p) if p is not None else None for p in plan], pa.int32()),
    pa.array(['zeta', 'late', 'pro', 'plus', 'free', 'NA']))
t = pa.table({'user_id': pa.array(ids), 'spend': pa.array(spend, pa.float64()), 'visits': pa.array(visits, pa.int32()),
              'orders': pa.array(orders, pa.int64()), 'rate': pa.array(rate, pa.float32()),
              'member': pa.array(member, pa.bool_()), 'plan': plan_dict,
              'zip': pa.array(zip_, pa.string()).dictionary_encode(),
              'signup': pa.array(signup, pa.date32()),
              'seen_ms': pa.array([None if s is None else s.replace(tzinfo=None) for s in seen], pa.timestamp('ms')),
              'seen_tz': pa.array(seen, pa.timestamp('us', tz='America/New_York'))})
# Dictionary pages (text read as Arrow dictionaries) in one row group; then plain strings without the Arrow schema.
pq.write_table(t, 'dict.parquet', row_group_size=n)
pq.write_table(t, 'plain.parquet', row_group_size=n, use_dictionary=False, store_schema=False)
def text(v):
    if v is None: return ''
    if isinstance(v, bool): return 'true' if v else 'false'
    if isinstance(v, float): return repr(v)
    if isinstance(v, dt.datetime): return v.strftime('%Y-%m-%d')  # the UTC date, which kseg reads a timestamp as
    return str(v)
with open('types.csv', 'w') as f:
    f.write(','.join(t.column_names) + '\n')
    for row in zip(ids, spend, visits, orders, rate, member, plan, zip_, signup, seen, seen):
        f.write(','.join(text(v) for v in row) + '\n')
)";

TEST(ParquetColumns, EveryTypeAsDictionaryOrPlainTextReadsAsTheCsvTwin) {
  const std::string why = test::parquet_unavailable();
  if (!why.empty()) GTEST_SKIP() << why;
  test::ScratchDir dir;
  ASSERT_EQ(test::python_run(dir, kTypesTable), 0);
  const test::CliResult schema = cli({"schema", dir.file("types.csv")});
  ASSERT_EQ(schema.code, 0) << schema.err;
  // The CSV's roles, derived from the values above: zip's numbers make it numeric, booleans and plan categorical.
  EXPECT_NE(schema.out.find("zip                          numeric"), std::string::npos) << schema.out;
  EXPECT_NE(schema.out.find("member                       categorical"), std::string::npos) << schema.out;
  EXPECT_NE(schema.out.find("seen_tz                      date"), std::string::npos) << schema.out;
  const std::vector<std::string> options = {"--k", "4", "--seed", "5", "--as-of", "2025-01-01", "--quiet"};
  const auto fit = [&](const std::string& input, const std::string& out) {
    std::vector<std::string> args = {"fit", dir.file(input), "--out", dir.file(out)};
    args.insert(args.end(), options.begin(), options.end());
    const test::CliResult r = cli(args);
    EXPECT_EQ(r.code, 0) << r.err;
  };
  fit("types.csv", "from_csv");
  for (const char* input : {"dict.parquet", "plain.parquet"}) {
    SCOPED_TRACE(input);
    const test::CliResult s = cli({"schema", dir.file(input)});
    ASSERT_EQ(s.code, 0) << s.err;
    EXPECT_EQ(schema.out.substr(schema.out.find('\n')), s.out.substr(s.out.find('\n')));
    fit(input, "from_parquet");
    test::fit_products_expect_equal(dir);
  }
}

}  // namespace
}  // namespace kseg
