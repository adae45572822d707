// The Parquet event reader's row groups decoded by several threads and handed over in file order
// (parquet_events_for_each): pyarrow (the .venv interpreter, KSEG_PYTHON) writes a log as parts of several row groups,
// with a dictionary-encoded and a plain string column and nulls, and dumps its rows as text; the batches the reader
// hands over, on 1 to 5 threads and with batches of 16 rows (many per row group, so the workers wait for room), must
// give the same rows in the same order, with their places in the log and in their part. A damaged row group's error
// comes after every row before it; an error thrown by the caller stops the workers; and profile_build from the parts
// gives the CSV's users.csv byte for byte, as does an Arrow IPC log of dictionary columns (their entries hashed once
// per batch). Skipped, with the reason, where pyarrow or Parquet support is missing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "../events/profile_twins.hpp"
#include "host/error.hpp"
#include "host/parquet/parquet_events.hpp"

namespace kseg {
namespace {

// argv: raw.csv (user,ms,cents,cat,device; empty = null), the output directory, and "damage" to overwrite the first
// page header of the last row group of part-00001 with garbage. Writes part-0000{0,1,2}.parquet (row groups of 37, 100
// and 250 rows; cat dictionary-encoded, device plain) and expected.txt: per row "user|seconds|cents|cat|device|part
// file|row in part" (N for null; seconds rounded down).
const char* kWriter = R"PY(
import sys, os
import pyarrow as pa, pyarrow.csv as pc, pyarrow.parquet as pq, pyarrow.compute as pcc

raw, out = sys.argv[1], sys.argv[2]
types = {"user": pa.string(), "ms": pa.int64(), "cents": pa.int64(), "cat": pa.string(), "device": pa.string()}
t = pc.read_csv(raw, convert_options=pc.ConvertOptions(column_types=types, strings_can_be_null=True))
table = pa.table({"user": t["user"], "time": t["ms"].cast(pa.timestamp("ms", tz="UTC")),
                  "amount": pcc.divide(t["cents"].cast(pa.float64()), 100.0), "cat": t["cat"], "device": t["device"]})
os.makedirs(out)
bounds, sizes, lines = [0, 900, 1500, table.num_rows], [37, 100, 250], []
for p in range(3):
    name = "part-%05d.parquet" % p
    part = table.slice(bounds[p], bounds[p + 1] - bounds[p])
    pq.write_table(part, os.path.join(out, name), row_group_size=sizes[p], use_dictionary=["cat"])
    for k in range(part.num_rows):
        u, ms, c, cat, dev = (t[col][bounds[p] + k].as_py() for col in ["user", "ms", "cents", "cat", "device"])
        f = lambda v: "N" if v is None else str(v)
        lines.append("|".join([f(u), f(None if ms is None else ms // 1000), f(c), f(cat), f(dev), name, str(k)]))
open(os.path.join(os.path.dirname(out), "expected.txt"), "w").write("\n".join(lines) + "\n")
if len(sys.argv) > 3:
    path = os.path.join(out, "part-00001.parquet")
    meta = pq.ParquetFile(path).metadata
    at = meta.row_group(meta.num_row_groups - 1).column(0).data_page_offset
    with open(path, "r+b") as f:
        f.seek(at)
        f.write(b"\xff" * 64)
)PY";

struct PipelineLog {
  test::ScratchDir dir;
  std::string parts, expected;
  int64_t rows = 0;
};

// 2300 rows (900, 600 and 800 per part) of 150 users; every 11th amount, 13th cat and 7th device null, every 97th
// time null (not with csv_twin: the build refuses it), some times before 1970 (the rounding down). damage: see
// kWriter. csv_twin: the same log as the CSV kseg reads (times as ISO text in UTC).
void log_write(PipelineLog& log, bool damage, std::string* csv_twin) {
  std::mt19937_64 rng(5);
  const char* cats[] = {"books", "toys", "home", "garden"};
  const char* devices[] = {"ios", "web", "android"};
  std::string raw = "user,ms,cents,cat,device\n";
  if (csv_twin) *csv_twin = "user,time,amount,cat,device\n";
  for (int i = 0; i < 2300; ++i) {
    const std::string user = "u" + std::to_string(rng() % 150);
    const int64_t ms = (i % 61 == 0 ? -5000000000LL : 1700000000000LL) + static_cast<int64_t>(rng() % 9000000000ULL);
    const std::string cents = i % 11 == 0 ? "" : std::to_string(static_cast<int64_t>(rng() % 20000) - 1000);
    const std::string cat = i % 13 == 0 ? "" : cats[rng() % 4], device = i % 7 == 0 ? "" : devices[rng() % 3];
    const bool no_time = i % 97 == 50 && csv_twin == nullptr;
    raw += user + "," + (no_time ? "" : std::to_string(ms)) + "," + cents + "," + cat + "," + device + "\n";
    if (csv_twin) {
      const int64_t sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
      const std::string amount = cents.empty() ? "" : std::to_string(static_cast<double>(std::stoll(cents)) / 100.0);
      *csv_twin += user + "," + test::iso_time_text(sec, static_cast<int>(ms - sec * 1000), "Z") + "," + amount + "," +
                   cat + "," + device + "\n";
    }
  }
  const std::string raw_path = log.dir.file_write("raw.csv", raw);
  log.parts = log.dir.file("events");
  test::python_script_run(log.dir, kWriter, raw_path + " " + log.parts + (damage ? " damage" : ""));
  log.expected = test::file_read(log.dir.file("expected.txt"));
  log.rows = 2300;
}

ParquetEventColumns columns_of(const std::string& parts, int threads, int64_t batch_rows) {
  ParquetEventColumns c{parts, "user", "time", "amount", {"cat", "device"}};
  c.threads = threads;
  c.batch_rows = batch_rows;
  return c;
}

// The rows handed over, as kWriter dumps them; fails the test where a batch's places in the log do not follow on.
std::string rows_dump(const ParquetEventColumns& c, int64_t* rows_read = nullptr) {
  std::string out;
  int64_t next = 0, in_part = 0;
  std::string part;
  const auto take = [&](const ParquetEventBatch& b) {
    EXPECT_EQ(b.first_record, next);
    if (b.part != part) in_part = 0;
    part = b.part;
    EXPECT_EQ(b.row_in_part, in_part);
    EXPECT_EQ(b.time_kind, EventTimeKind::instant);
    const auto text = [](std::string_view v) { return v.empty() ? std::string("N") : std::string(v); };
    for (size_t i = 0; i < static_cast<size_t>(b.n_rows); ++i) {
      const double a = b.amount_at(static_cast<int64_t>(i));
      const int64_t t = b.time_value[i];
      const std::string_view user = b.user_at(static_cast<int64_t>(i));
      out += (user.data() ? std::string(user) : "N") + "|" +
             (t == ParquetEventBatch::kEventTimeNull ? "N" : std::to_string(t)) + "|" +
             (std::isnan(a) ? "N" : std::to_string(std::llround(a * 100))) + "|" + text(b.text[0][i]) + "|" +
             text(b.text[1][i]) + "|" + std::filesystem::path(b.part).filename().string() + "|" +
             std::to_string(b.row_in_part + static_cast<int64_t>(i)) + "\n";
    }
    next += b.n_rows;
    in_part += b.n_rows;
    if (rows_read) *rows_read = next;
  };
  parquet_events_for_each(c, SingleProcess(), take);
  return out;
}

// Every test writes its logs with pyarrow: skipped, with the reason, where it is missing.
class ParquetEventsPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = test::python_module_missing("pyarrow.parquet", true);
    if (!why.empty()) GTEST_SKIP() << why;
  }
};

TEST_F(ParquetEventsPipeline, RowsInFileOrderOnAnyThreadsAndBatchSize) {
  PipelineLog log;
  log_write(log, false, nullptr);
  ASSERT_EQ(std::count(log.expected.begin(), log.expected.end(), '\n'), log.rows);
  for (int threads : {1, 2, 5})
    for (int64_t batch_rows : {0, 16}) {
      SCOPED_TRACE(std::to_string(threads) + " threads, batches of " + std::to_string(batch_rows));
      EXPECT_EQ(rows_dump(columns_of(log.parts, threads, batch_rows)), log.expected);
    }
}

TEST_F(ParquetEventsPipeline, DamagedRowGroupFailsAfterEveryRowBeforeIt) {
  PipelineLog log;
  log_write(log, true, nullptr);
  // part-00000: 900 rows; part-00001: 600 rows in row groups of 100, the last (rows 500..599) damaged.
  for (int threads : {1, 3}) {
    SCOPED_TRACE(threads);
    int64_t rows_read = 0;
    try {
      rows_dump(columns_of(log.parts, threads, 16), &rows_read);
      ADD_FAILURE() << "no DataError";
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find("part-00001.parquet"), std::string::npos) << e.what();
    }
    EXPECT_EQ(rows_read, 900 + 500);
  }
}

TEST_F(ParquetEventsPipeline, CallersErrorStopsTheWorkers) {
  PipelineLog log;
  log_write(log, false, nullptr);
  for (int threads : {1, 4}) {
    int batches = 0;
    const auto stop_at_fifth = [&](const ParquetEventBatch&) {
      if (++batches == 5) throw std::runtime_error("stop");
    };
    EXPECT_THROW(parquet_events_for_each(columns_of(log.parts, threads, 16), SingleProcess(), stop_at_fifth),
                 std::runtime_error);
    EXPECT_EQ(batches, 5);
  }
}

TEST_F(ParquetEventsPipeline, ProfileOfPartsAndRowGroupsIsTheCsvs) {
  PipelineLog log;
  std::string twin;
  log_write(log, false, &twin);
  const std::string csv = log.dir.file_write("events.csv", twin);
  ProfileBuildRequest r = test::request_all_features();
  for (int threads : {1, 4}) {
    SCOPED_TRACE(threads);
    r.threads = threads;
    const auto from_csv = test::twin_outputs_expect_equal(r, csv, log.parts, log.dir);
    EXPECT_GT(from_csv.first.size(), 150u * 30u);  // 150 users with every column
  }
}

// Arrow IPC with the user, cat and device columns as dictionaries (pandas categoricals read by pyarrow are so), in
// record batches of 200 rows: each batch's entries are hashed once (150 users), except the last batch's (100 rows,
// fewer than the entries: its cells are hashed one by one), so a user met both ways must land in one partition.
TEST_F(ParquetEventsPipeline, DictionaryColumnsOfArrowIpcGiveTheCsvs) {
  PipelineLog log;
  std::string twin;
  log_write(log, false, &twin);
  const std::string csv = log.dir.file_write("events.csv", twin), ipc = log.dir.file("events.arrow");
  ASSERT_NO_FATAL_FAILURE(test::python_script_run(log.dir, R"PY(
import sys, glob, pyarrow as pa, pyarrow.parquet as pq, pyarrow.compute as pcc, pyarrow.ipc as ipc
t = pa.concat_tables([pq.read_table(f) for f in sorted(glob.glob(sys.argv[1] + "/part-*.parquet"))])
t = pa.table({c: pcc.dictionary_encode(t[c]) if c in ("user", "cat", "device") else t[c] for c in t.column_names})
with ipc.new_file(sys.argv[2], t.schema) as w:
    w.write_table(t, max_chunksize=200)
)PY",
                                                  log.parts + " " + ipc));
  test::twin_outputs_expect_equal(test::request_all_features(), csv, ipc, log.dir);
}

}  // namespace
}  // namespace kseg
