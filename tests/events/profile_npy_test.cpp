// profile_build from a directory of NumPy columns (DIR/<column>.npy) against the CSV of the same log: the test draws a
// random log, writes it as the CSV text kseg reads and as raw numbers that numpy (the .venv interpreter, KSEG_PYTHON)
// saves as one .npy per column in the dtypes named (integer, byte-string and unicode ids; datetime64 of every unit,
// dates and ISO strings; float, float32 and integer amounts; byte-string, unicode and integer texts), and users.csv
// and profile_build.json must agree byte for byte. Then the refusals: NaT, an empty id, columns of different lengths,
// dtypes it cannot read, a truncated file. Skipped, with the reason, where numpy is missing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "../io/test_files.hpp"
#include "host/error.hpp"
#include "host/events/event_time.hpp"
#include "host/events/profile_build.hpp"
#include "host/parquet/columnar_events.hpp"
#include "profile_twins.hpp"

namespace kseg {
namespace {

// raw.csv (user, seconds since 1970, milliseconds, amount text, cat, device, the CSV's time text; empty amount = NaN)
// → OUT/<column>.npy in the dtypes argv[3] names: "user,time,amount,text".
const char* kWriter = R"PY(
import sys, os, csv
import numpy as np

raw, out, form = sys.argv[1], sys.argv[2], sys.argv[3]
user_kind, time_kind, amount_kind, text_kind = form.split(",")
rows = list(csv.DictReader(open(raw)))
os.makedirs(out)
users = [int(r["user"]) for r in rows]
user = {"i8": np.array(users, "<i8"), "u4": np.array([u % 4000000000 for u in users], "<u4"),
        "S": np.array([str(u) for u in users], "S"), "U": np.array([str(u) for u in users], "U")}[user_kind]
ms = np.array([int(r["sec"]) * 1000 + int(r["ms"]) for r in rows], "<i8")
if time_kind.startswith("M8"):
    unit = time_kind[3:-1]
    if unit == "D":
        time = np.array([int(r["sec"]) // 86400 for r in rows], "<i8").astype("<M8[D]")
    else:
        scale = {"s": None, "ms": 1, "us": 1000, "ns": 1000000}[unit]
        values = np.array([int(r["sec"]) for r in rows], "<i8") if scale is None else ms * scale
        time = values.astype(time_kind)
else:  # "S" or "U": the CSV's own time texts
    time = np.array([r["text"] for r in rows], time_kind)
amount = np.array([float(r["amount"]) if r["amount"] else np.nan for r in rows])
if amount_kind == "<i4":
    amount = np.array([int(r["amount"]) if r["amount"] else 0 for r in rows], "<i4")
else:
    amount = amount.astype(amount_kind)
texts = {"cat": [r["cat"] for r in rows], "device": [r["device"] for r in rows]}
for name, values in texts.items():
    np.save(os.path.join(out, name + ".npy"), np.array(values, text_kind))
np.save(os.path.join(out, "user.npy"), user)
np.save(os.path.join(out, "time.npy"), time)
np.save(os.path.join(out, "amount.npy"), amount)
)PY";

// A random unsorted log (some times before 1970, for the rounding down of negative times). Amounts are cents, quarters
// for f4 (exact in a float), whole units for i4 (never empty: an integer column has no missing value); user ids below
// 4·10^9 so that u4 holds them.
test::EventLogs logs_draw(const std::string& form, uint64_t seed) {
  const size_t time_at = form.find(',') + 1;
  const std::string time_kind = form.substr(time_at, form.find(',', time_at) - time_at);
  const bool whole = form.find(",<i4,") != std::string::npos, seconds = time_kind == "M8[s]";
  const bool quarters = form.find(",<f4,") != std::string::npos;
  std::mt19937_64 rng(seed);
  const char* cats[] = {"books", "toys", "home", "", "garden"};
  const char* devices[] = {"ios", "web", "", "android"};
  test::EventLogs logs;
  for (int i = 0; i < 3000; ++i) {
    const int64_t user = 3000000000LL + static_cast<int64_t>(rng() % 300) * 7919;
    int64_t sec = 1700000000 + static_cast<int64_t>(rng() % (120 * 86400));
    if (i % 997 == 0) sec = -1000 - static_cast<int64_t>(rng() % 100000);
    const int ms = seconds ? 0 : static_cast<int>(rng() % 1000);
    const int64_t units = static_cast<int64_t>(rng() % 100000) * (rng() % 15 == 0 ? -1 : 1);
    std::string amount = test::amount_text(units, whole, quarters);
    if (!whole && rng() % 9 == 0) amount = "";
    const std::string cat = cats[rng() % 5], device = devices[rng() % 4];
    std::string text = test::iso_time_text(sec, ms, i % 2 ? "Z" : "");
    if (time_kind == "M8[D]") text = text.substr(0, 10);
    logs.add(user, sec, ms, amount, cat, device, text);
  }
  return logs;
}

TEST(ProfileNpy, EveryDtypeGivesTheCsvTablesByteForByte) {
  const std::string why = test::python_module_missing("numpy", false);
  if (!why.empty()) GTEST_SKIP() << why;
  // user,time,amount,text dtypes, each in at least one form.
  for (const std::string form : {"i8,M8[ms],<f8,S", "S,M8[s],<f4,U", "U,M8[us],<i4,S", "u4,M8[ns],<f8,U",
                                 "i8,M8[D],<f8,S", "S,S,<f8,S", "U,U,<f8,U"}) {
    SCOPED_TRACE(form);
    test::ScratchDir dir;
    const test::EventLogs logs = logs_draw(form, 21);
    const std::string raw = dir.file_write("raw.csv", logs.raw), csv = dir.file_write("events.csv", logs.csv);
    ASSERT_NO_FATAL_FAILURE(test::python_script_run(dir, kWriter, raw + " " + dir.file("events") + " '" + form + "'"));
    EXPECT_TRUE(npy_events_input_is(dir.file("events")));
    EXPECT_EQ(columnar_events_column_names(dir.file("events")),
              (std::vector<std::string>{"amount", "cat", "device", "time", "user"}));
    for (int threads : {1, 2}) {
      ProfileBuildRequest r = test::request_all_features();
      r.threads = threads;
      const auto from_csv = test::twin_outputs_expect_equal(r, csv, dir.file("events"), dir);
      EXPECT_GT(from_csv.first.size(), 300u * 30u);  // 300 users with every column
    }
  }
}

TEST(ProfileNpy, BadColumnsNameTheFile) {
  const std::string why = test::python_module_missing("numpy", false);
  if (!why.empty()) GTEST_SKIP() << why;
  test::ScratchDir dir;
  test::python_script_run(dir, R"PY(
import sys, os, numpy as np
d = sys.argv[1]
def log(name, user=["a", "b", "c"], time=None, amount=[1.0, 2.0, 3.0]):
    os.makedirs(os.path.join(d, name))
    t = np.array([0, 86400, 2 * 86400], "<M8[s]") if time is None else time
    for col, values in (("user", np.array(user) if not isinstance(user, np.ndarray) else user), ("time", t),
                        ("amount", np.array(amount) if not isinstance(amount, np.ndarray) else amount)):
        np.save(os.path.join(d, name, col + ".npy"), values, allow_pickle=True)
log("nat", time=np.array([0, "NaT", 0], "<M8[s]"))
log("empty_user", user=np.array([b"a", b"", b"c"]))
log("lengths", amount=[1.0, 2.0])
log("object_user", user=np.array(["a", "b", "c"], dtype=object))
log("big_endian", amount=np.array([1.0, 2.0, 3.0], ">f8"))
log("two_d", amount=np.ones((3, 2)))
log("float_time", time=np.array([0.0, 1.0, 2.0]))
log("inf_amount", amount=[1.0, np.inf, 3.0])
log("huge_amount", amount=[1.0, 2.0, -2e15])
log("bad_unicode", user=np.frombuffer(np.array([97, 0x110000, 98], "<u4").tobytes(), "<U1"))
log("truncated")
raw = open(os.path.join(d, "truncated", "amount.npy"), "rb").read()
open(os.path.join(d, "truncated", "amount.npy"), "wb").write(raw[:-5])
)PY",
                          dir.path().string());
  ProfileBuildRequest r = test::request_user_time_amount();
  const auto expect_message = [&](const std::string& log, const std::string& fragment) {
    r.events_path = dir.file(log);
    const std::string message = test::profile_build_error(r);
    EXPECT_NE(message.find(fragment), std::string::npos) << log << ": " << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;  // one line
  };
  expect_message("nat", "nat: row 2: column \"time\": no time (null)");
  expect_message("empty_user", "empty_user: row 2: column \"user\": empty user id");
  expect_message("lengths", "amount.npy has 2 rows and");
  expect_message("object_user", "user.npy: dtype '|O' cannot be an event column");
  expect_message("big_endian", "amount.npy: dtype '>f8' cannot be an event column");
  expect_message("two_d", "amount.npy: an event column is a 1-D array (n,)");
  expect_message("float_time", "time.npy: profile-build reads datetime64");
  expect_message("inf_amount", "inf_amount: row 2: column \"amount\": an infinite amount");
  expect_message("huge_amount", "huge_amount: row 3: column \"amount\": -2000000000000000 is beyond ±1e15");
  expect_message("bad_unicode", "user.npy: row 2: not a Unicode character");
  expect_message("truncated", "amount.npy: the shape declares 3 rows of 8 bytes, the file holds 19 bytes");
  r.events_path = dir.file("nat");
  r.category_column = "cat";
  EXPECT_THROW(profile_build(r), UsageError);  // no such column: named with the directory's columns
}

}  // namespace
}  // namespace kseg
