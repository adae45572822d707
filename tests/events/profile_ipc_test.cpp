// profile_build from Arrow IPC event logs (Feather v2) against the CSV of the same log: the test draws a random log,
// writes it as the CSV text kseg reads and as raw numbers that pyarrow (the .venv interpreter, KSEG_PYTHON) turns into
// an IPC file of typed columns (user ids as integers, strings, large strings, string views or dictionaries; times as
// timestamps of every unit with and without zones, date32, date64 or ISO strings; amounts as doubles, floats, integers
// or decimals; nulls; LZ4 and ZSTD buffers; a file, a directory of parts, a file known only by its magic bytes).
// users.csv and profile_build.json must agree byte for byte. Skipped, with the reason, where pyarrow or Arrow support
// is missing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "../io/test_files.hpp"
#include "host/error.hpp"
#include "host/events/event_time.hpp"
#include "host/events/profile_build.hpp"
#include "host/parquet/columnar_events.hpp"
#include "host/parquet/parquet_input.hpp"
#include "profile_twins.hpp"

namespace kseg {
namespace {

// raw.csv (user, seconds since 1970 in UTC, milliseconds, amount text, cat, device, the CSV's time text; empty = null)
// → an IPC file (or a directory of parts) with the column types argv[3] names: "user,time,amount,text,compression".
const char* kWriter = R"PY(
import sys, os
import pyarrow as pa, pyarrow.csv as pc, pyarrow.compute as pcc, pyarrow.ipc as ipc

raw, out, form = sys.argv[1], sys.argv[2], sys.argv[3]
user_kind, time_kind, amount_kind, text_kind, compression = form.split(",")
types = {"user": pa.int64(), "sec": pa.int64(), "ms": pa.int64(), "amount": pa.string(), "cat": pa.string(),
         "device": pa.string(), "text": pa.string()}
t = pc.read_csv(raw, convert_options=pc.ConvertOptions(column_types=types, strings_can_be_null=True))
user = {"int64": t["user"], "uint64": t["user"].cast(pa.uint64()), "string": t["user"].cast(pa.string()),
        "large": t["user"].cast(pa.large_string()), "view": t["user"].cast(pa.string_view()),
        "dict": pcc.dictionary_encode(t["user"].cast(pa.string()))}[user_kind]
ms = pcc.add(pcc.multiply(t["sec"], 1000), t["ms"])
if time_kind.startswith("ts_"):  # ts_UNIT_ZONE: the zone "-" for none
    _, unit, zone = time_kind.split("_")
    scale = {"s": None, "ms": 1, "us": 1000, "ns": 1000000}[unit]
    values = t["sec"] if scale is None else pcc.multiply(ms, scale)
    time = values.cast(pa.timestamp(unit, tz=None if zone == "-" else zone))
elif time_kind == "date32":
    time = pa.array([s // 86400 for s in t["sec"].to_pylist()], pa.int32()).cast(pa.date32())
elif time_kind == "date64":
    time = pa.array([s // 86400 * 86400000 for s in t["sec"].to_pylist()], pa.date64())
else:  # "text": the CSV's own time texts
    time = t["text"]
amount_types = {"float64": pa.float64(), "float32": pa.float32(), "int32": pa.int32(), "decimal": pa.decimal128(14, 2)}
amount = t["amount"].cast(amount_types[amount_kind])
cat = pcc.dictionary_encode(t["cat"].combine_chunks())
if text_kind == "udict":  # unsigned dictionary indices, which IPC (unlike Parquet) can hold
    cat = pa.DictionaryArray.from_arrays(cat.indices.cast(pa.uint8()), cat.dictionary)
device = t["device"].cast(pa.large_string() if text_kind == "large" else pa.string())
table = pa.table({"user": user, "time": time, "amount": amount, "cat": cat, "device": device})
options = ipc.IpcWriteOptions(compression=None if compression == "none" else compression)

def write(path, table, batch_rows):
    with ipc.new_file(path, table.schema, options=options) as w:
        for batch in table.to_batches(max_chunksize=batch_rows):
            w.write_batch(batch)

if os.path.splitext(out)[1] != "":  # one file (the name may hide what it is: detected by its magic bytes)
    write(out, table, 700)
else:  # a directory of parts, as Spark writes them
    os.makedirs(out)
    half = table.num_rows // 2
    write(os.path.join(out, "part-00000.arrow"), table.slice(0, half), 500)
    write(os.path.join(out, "part-00001.feather"), table.slice(half), 900)
    open(os.path.join(out, "_SUCCESS"), "w").close()
)PY";

// The CSV's text of a time in the form the IPC column has ("ts_UNIT_ZONE", "date32", "date64", "text").
std::string time_form_text(const std::string& kind, int64_t sec, int ms, int i) {
  if (kind == "date32" || kind == "date64") return test::iso_time_text(sec, 0, "").substr(0, 10);
  if (kind == "text") {  // mixed zones in one column of strings
    const char* zones[] = {"-05:00", "+05:00", "Z"};
    const int64_t offsets[] = {-5 * 3600, 5 * 3600, 0};
    return test::iso_time_text(sec + offsets[i % 3], ms, zones[i % 3]);
  }
  const std::string zone = kind.substr(kind.rfind('_') + 1);
  if (zone == "-") return test::iso_time_text(sec, ms, "");
  if (zone == "UTC") return test::iso_time_text(sec, ms, "Z");
  const int64_t minutes = (zone[0] == '-' ? -1 : 1) * (std::stoi(zone.substr(1, 2)) * 60 + std::stoi(zone.substr(4)));
  return test::iso_time_text(sec + minutes * 60, ms, zone);
}

// A random unsorted log: 64-bit user ids, times around the end of 2023 (some before 1970 on purpose, for the rounding
// down of negative times), empty amounts and categories, refunds. Amounts are cents, quarters for float32 (exact in
// a float) and whole units for int32, so every type holds the CSV's number exactly.
test::EventLogs logs_draw(const std::string& form, uint64_t seed) {
  const size_t time_at = form.find(',') + 1;
  const std::string time_kind = form.substr(time_at, form.find(',', time_at) - time_at);
  const bool whole = form.find(",int32,") != std::string::npos, quarters = form.find(",float32,") != std::string::npos;
  const bool seconds = time_kind.rfind("ts_s_", 0) == 0;
  std::mt19937_64 rng(seed);
  const char* cats[] = {"books", "toys", "home", "", "garden"};
  const char* devices[] = {"ios", "web", "", "android"};
  test::EventLogs logs;
  for (int i = 0; i < 3000; ++i) {
    const int64_t user = 9000000000000LL + static_cast<int64_t>(rng() % 300) * 7919;
    int64_t sec = 1700000000 + static_cast<int64_t>(rng() % (120 * 86400));
    if (i % 997 == 0) sec = -1000 - static_cast<int64_t>(rng() % 100000);
    const int ms = seconds ? 0 : static_cast<int>(rng() % 1000);
    const int64_t units = static_cast<int64_t>(rng() % 100000) * (rng() % 15 == 0 ? -1 : 1);
    std::string amount = test::amount_text(units, whole, quarters);
    if (rng() % 9 == 0) amount = "";
    const std::string cat = cats[rng() % 5], device = devices[rng() % 4];
    const std::string text = time_form_text(time_kind, sec, ms, i);
    logs.add(user, sec, ms, amount, cat, device, text);
  }
  return logs;
}

TEST(ProfileIpc, EveryColumnTypeAndCompressionGivesTheCsvTablesByteForByte) {
  const std::string why = test::python_module_missing("pyarrow.ipc", true);
  if (!why.empty()) GTEST_SKIP() << why;
  // user,time,amount,text,compression: each type in at least one form; the file name last (".bin": by magic only).
  const std::vector<std::pair<std::string, std::string>> forms = {
      {"int64,ts_ms_+02:00,float64,dict,none", "events.arrow"},
      {"string,ts_us_UTC,decimal,udict,lz4", "events.feather"},
      {"large,ts_ns_-,float32,large,zstd", "events.ipc"},
      {"view,ts_s_-03:30,int32,dict,none", "events.bin"},
      {"dict,date32,float64,udict,zstd", "events.arrow"},
      {"uint64,date64,decimal,large,lz4", "events.arrow"},
      {"string,text,float64,dict,none", "events.arrow"},
  };
  for (const auto& [form, name] : forms) {
    SCOPED_TRACE(form);
    test::ScratchDir dir;
    const test::EventLogs logs = logs_draw(form, 11);
    const std::string raw = dir.file_write("raw.csv", logs.raw), csv = dir.file_write("events.csv", logs.csv);
    const std::string ipc = dir.file(name);
    ASSERT_NO_FATAL_FAILURE(test::python_script_run(dir, kWriter, raw + " " + ipc + " " + form));
    EXPECT_TRUE(ipc_input_is(ipc));
    const ProfileBuildRequest r = test::request_all_features();
    const auto from_csv = test::twin_outputs_expect_equal(r, csv, ipc, dir);
    EXPECT_GT(from_csv.first.size(), 300u * 30u);  // 300 users with every column
  }
}

TEST(ProfileIpc, DirectoryOfPartsSharesOfSpendAndAsOf) {
  const std::string why = test::python_module_missing("pyarrow.ipc", true);
  if (!why.empty()) GTEST_SKIP() << why;
  test::ScratchDir dir;
  const std::string form = "string,ts_ms_+02:00,float64,dict,lz4";
  const test::EventLogs logs = logs_draw(form, 12);
  const std::string raw = dir.file_write("raw.csv", logs.raw), csv = dir.file_write("events.csv", logs.csv);
  const std::string parts = dir.file("events");
  ASSERT_NO_FATAL_FAILURE(test::python_script_run(dir, kWriter, raw + " " + parts + " " + form));
  EXPECT_TRUE(ipc_input_is(parts));
  EXPECT_EQ(ipc_parts_list(parts).size(), 2u);  // _SUCCESS left out
  test::parts_expect_csvs(csv, parts, dir);
}

TEST(ProfileIpc, BadCellsTypesAndFilesNamePartRowColumn) {
  const std::string why = test::python_module_missing("pyarrow.ipc", true);
  if (!why.empty()) GTEST_SKIP() << why;
  test::ScratchDir dir;
  // Batches of 2 rows, so that a row number counts the batches before it.
  ASSERT_NO_FATAL_FAILURE(test::python_script_run(dir, R"PY(
import sys, os, pyarrow as pa, pyarrow.ipc as ipc
d = sys.argv[1]
t = pa.timestamp("s")
def write(name, cols):
    table = pa.table(cols)
    with ipc.new_file(os.path.join(d, name), table.schema) as w:
        for b in table.to_batches(max_chunksize=2):
            w.write_batch(b)
write("null_user.arrow", {"user": ["a", "b", "c", None], "time": pa.array([0, 1, 2, 3], t), "amount": [1.0] * 4})
write("null_time.arrow", {"user": ["a", "b", "c"], "time": pa.array([0, 1, None], t), "amount": [1.0] * 3})
write("text_amount.arrow", {"user": ["a", "b"], "time": pa.array([0, 1], t), "amount": ["1", "2"]})
write("inf_amount.arrow", {"user": ["a", "b", "c"], "time": pa.array([0, 1, 2], t), "amount": [1.0, 2.0, float("inf")]})
write("list_user.arrow", {"user": [[1], [2]], "time": pa.array([0, 1], t), "amount": [1.0, 2.0]})
os.makedirs(os.path.join(d, "parts"))
write("parts/a.arrow", {"user": ["a"], "time": pa.array([0], t), "amount": [1.0]})
write("parts/b.arrow", {"user": ["b"], "time": pa.array([1], t)})
ok = open(os.path.join(d, "null_user.arrow"), "rb").read()
open(os.path.join(d, "truncated.arrow"), "wb").write(ok[: len(ok) // 2])
open(os.path.join(d, "magic_only.arrow"), "wb").write(b"ARROW1\0\0")
open(os.path.join(d, "csv_named.arrow"), "w").write("user,time,amount\na,2024-01-01,1\n")
with ipc.new_stream(os.path.join(d, "stream.arrow"), pa.schema([("user", pa.string())])) as w:
    w.write_batch(pa.record_batch([pa.array(["a"])], names=["user"]))
)PY",
                                                  dir.path().string()));
  ProfileBuildRequest r = test::request_user_time_amount();
  const auto expect_message = [&](const std::string& file, const std::string& fragment) {
    r.events_path = dir.file(file);
    const std::string message = test::profile_build_error(r);
    EXPECT_NE(message.find(fragment), std::string::npos) << file << ": " << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;  // one line
  };
  expect_message("null_user.arrow", "null_user.arrow: row 4: column \"user\": no user id (null)");
  expect_message("null_time.arrow", "null_time.arrow: row 3: column \"time\": no time (null)");
  expect_message("text_amount.arrow", "text_amount.arrow: column \"amount\" has type string");
  expect_message("inf_amount.arrow", "inf_amount.arrow: row 3: column \"amount\": an infinite amount");
  expect_message("list_user.arrow", "list_user.arrow: column \"user\" has type list<item: int64>");
  expect_message("parts", "b.arrow: no column named \"amount\"");
  for (const char* damaged : {"truncated.arrow", "magic_only.arrow", "csv_named.arrow", "stream.arrow"})
    expect_message(damaged, std::string(damaged) + ": not a readable Arrow IPC file (");
  r.events_path = dir.file("null_user.arrow");
  r.category_column = "cat";
  EXPECT_THROW(profile_build(r), UsageError);  // no such column: named with the file's columns
}

}  // namespace
}  // namespace kseg
