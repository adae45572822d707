// profile_build from Parquet event logs against the CSV of the same log: the test draws a random log, writes it as
// the CSV text kseg reads and as raw numbers that pyarrow (the .venv interpreter, KSEG_PYTHON) turns into typed
// Parquet columns (int64 user ids, timestamps of several units and zones, date32, ISO strings, dictionary
// categories, nulls), and users.csv and profile_build.json must agree byte for byte. Skipped, with the reason,
// where pyarrow or Parquet support is missing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "../io/test_files.hpp"
#include "host/error.hpp"
#include "host/events/profile_build.hpp"
#include "host/parquet/parquet_input.hpp"
#include "profile_twins.hpp"

namespace kseg {
namespace {

// raw.csv (user, seconds since 1970 in UTC, milliseconds, amount, category, device; empty = null) → events.parquet
// (or a directory of two parts) with the time column in the form argv[3] names.
const char* kWriter = R"PY(
import sys, os
import pyarrow as pa, pyarrow.csv as pc, pyarrow.parquet as pq, pyarrow.compute as pcc

raw, out, form = sys.argv[1], sys.argv[2], sys.argv[3]
types = {"user": pa.int64(), "sec": pa.int64(), "ms": pa.int64(), "amount": pa.float64(), "cat": pa.string(),
         "device": pa.string(), "text": pa.string()}
t = pc.read_csv(raw, convert_options=pc.ConvertOptions(column_types=types, strings_can_be_null=True))
ms = pcc.add(pcc.multiply(t["sec"], 1000), t["ms"])
if form == "offset":  # the zone of the CSV's "+02:00" texts
    time = ms.cast(pa.timestamp("ms", tz="+02:00"))
elif form == "offset_west":  # west of UTC, not a whole hour
    time = ms.cast(pa.timestamp("ms", tz="-03:30"))
elif form == "utc":
    time = pcc.multiply(ms, 1000).cast(pa.timestamp("us", tz="UTC"))
elif form == "naive":
    time = pcc.multiply(ms, 1000000).cast(pa.timestamp("ns"))
elif form == "date32":
    time = pa.array([s // 86400 for s in t["sec"].to_pylist()], pa.int32()).cast(pa.date32())
else:  # "text": the CSV's own time texts
    time = t["text"]
table = pa.table({"user": t["user"], "time": time, "amount": t["amount"],
                  "cat": pcc.dictionary_encode(t["cat"]), "device": t["device"]})
if os.path.splitext(out)[1] == ".parquet":
    pq.write_table(table, out, row_group_size=700)
else:  # a directory of parts, as Spark writes them
    os.makedirs(out)
    half = table.num_rows // 2
    pq.write_table(table.slice(0, half), os.path.join(out, "part-00000.parquet"), row_group_size=500)
    pq.write_table(table.slice(half), os.path.join(out, "part-00001.parquet"), row_group_size=900)
    open(os.path.join(out, "_SUCCESS"), "w").close()
)PY";

// A random unsorted log: 64-bit user ids, times around the end of 2023 (some before 1970 on purpose, for the
// rounding down of negative times), empty amounts and categories, refunds. form: how the CSV writes times.
test::EventLogs logs_draw(const std::string& form, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const char* cats[] = {"books", "toys", "home", "", "garden"};
  const char* devices[] = {"ios", "web", "", "android"};
  test::EventLogs logs;
  for (int i = 0; i < 4000; ++i) {
    const int64_t user = 9000000000000LL + static_cast<int64_t>(rng() % 400) * 7919;
    int64_t sec = 1700000000 + static_cast<int64_t>(rng() % (120 * 86400));
    if (i % 997 == 0) sec = -1000 - static_cast<int64_t>(rng() % 100000);
    const int ms = static_cast<int>(rng() % 1000);
    std::string amount = rng() % 9 == 0 ? "" : std::to_string(static_cast<double>(rng() % 100000) / 97.0);
    if (!amount.empty() && rng() % 15 == 0) amount = "-" + amount;
    const std::string cat = cats[rng() % 5], device = devices[rng() % 4];
    std::string text;
    if (form == "offset") text = test::iso_time_text(sec + 7200, ms, "+02:00");
    if (form == "offset_west") text = test::iso_time_text(sec - 12600, ms, "-03:30");
    if (form == "utc") text = test::iso_time_text(sec, ms, "Z");
    if (form == "naive") text = test::iso_time_text(sec, ms, "");
    if (form == "date32") text = test::iso_time_text(sec, 0, "").substr(0, 10);
    if (form == "text") {  // mixed zones in one column of strings
      const char* zones[] = {"-05:00", "+05:00", "Z"};
      const int64_t offsets[] = {-5 * 3600, 5 * 3600, 0};
      text = test::iso_time_text(sec + offsets[i % 3], ms, zones[i % 3]);
    }
    logs.add(user, sec, ms, amount, cat, device, text);
  }
  return logs;
}

TEST(ProfileParquet, EveryTimeFormGivesTheCsvTablesByteForByte) {
  const std::string why = test::python_module_missing("pyarrow.parquet", true);
  if (!why.empty()) GTEST_SKIP() << why;
  for (const std::string form : {"offset", "offset_west", "utc", "naive", "date32", "text"}) {
    SCOPED_TRACE(form);
    test::ScratchDir dir;
    const test::EventLogs logs = logs_draw(form, 11);
    const std::string raw = dir.file_write("raw.csv", logs.raw), csv = dir.file_write("events.csv", logs.csv);
    const std::string parquet = dir.file("events.parquet");
    test::python_script_run(dir, kWriter, raw + " " + parquet + " " + form);
    ProfileBuildRequest r = test::request_all_features();
    r.threads = 2;
    const auto from_csv = test::twin_outputs_expect_equal(r, csv, parquet, dir);
    EXPECT_GT(from_csv.first.size(), 400u * 30u);  // 400 users with every column
  }
}

TEST(ProfileParquet, DirectoryOfPartsSharesOfSpendAndAsOf) {
  const std::string why = test::python_module_missing("pyarrow.parquet", true);
  if (!why.empty()) GTEST_SKIP() << why;
  test::ScratchDir dir;
  const test::EventLogs logs = logs_draw("offset", 12);
  const std::string raw = dir.file_write("raw.csv", logs.raw), csv = dir.file_write("events.csv", logs.csv);
  const std::string parts = dir.file("events");
  test::python_script_run(dir, kWriter, raw + " " + parts + " offset");
  test::parts_expect_csvs(csv, parts, dir);
}

TEST(ProfileParquet, BadCellsAndTypesNamePartRowColumn) {
  const std::string why = test::python_module_missing("pyarrow.parquet", true);
  if (!why.empty()) GTEST_SKIP() << why;
  test::ScratchDir dir;
  ASSERT_NO_FATAL_FAILURE(test::python_script_run(dir, R"PY(
import sys, pyarrow as pa, pyarrow.parquet as pq
d = sys.argv[1]
t = pa.timestamp("s")
pq.write_table(pa.table({"user": pa.array(["a", None, "c"]), "time": pa.array([0, 86400, 2 * 86400], t),
                         "amount": [1.0, 2.0, 3.0]}), d + "/null_user.parquet")
pq.write_table(pa.table({"user": ["a", "b"], "time": pa.array([0, None], t), "amount": [1.0, 2.0]}),
               d + "/null_time.parquet")
pq.write_table(pa.table({"user": ["a", "b"], "time": pa.array([0, 1], t), "amount": ["1", "2"]}),
               d + "/text_amount.parquet")
pq.write_table(pa.table({"user": ["a", "b"], "time": pa.array([0, 1], t), "amount": [1.0, float("inf")]}),
               d + "/inf_amount.parquet")
)PY",
                                                  dir.path().string()));
  ProfileBuildRequest r = test::request_user_time_amount();
  const auto message = [&](const std::string& file) {
    r.events_path = dir.file(file);
    return test::profile_build_error(r);
  };
  EXPECT_NE(message("null_user.parquet").find("null_user.parquet: row 2: column \"user\": no user id (null)"),
            std::string::npos)
      << message("null_user.parquet");
  EXPECT_NE(message("null_time.parquet").find("null_time.parquet: row 2: column \"time\": no time (null)"),
            std::string::npos)
      << message("null_time.parquet");
  EXPECT_NE(message("text_amount.parquet").find("column \"amount\" has type string"), std::string::npos)
      << message("text_amount.parquet");
  EXPECT_NE(message("inf_amount.parquet").find("inf_amount.parquet: row 2: column \"amount\": an infinite amount"),
            std::string::npos)
      << message("inf_amount.parquet");
  r.events_path = dir.file("null_user.parquet");
  r.category_column = "cat";
  EXPECT_THROW(profile_build(r), UsageError);  // no such column: named with the file's columns
}

}  // namespace
}  // namespace kseg
