// Bad-input corpus, Arrow IPC event logs for profile-build: a truncated file, a wrong magic under an IPC name, the
// magic alone, a stream (not a file) named .arrow, and a hostile record batch whose string offsets point past its
// data (which the reader must refuse, not follow). Each gives one "not a readable Arrow IPC file" line, exit 1, and
// leaves the outputs as they were. Files are written by pyarrow (KSEG_PYTHON); skipped with the reason where kseg
// lacks Arrow support or Python lacks pyarrow.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/parquet/parquet_test_support.hpp"
#include "tests/robustness/bad_input_support.hpp"

namespace kseg {
namespace {

using test::BadInputCase;

// A good uncompressed IPC file ok.arrow of 50 events (users "u0".."u49"), then edited into x.arrow in Python.
std::function<void(const test::ScratchDir&)> damaged(const std::string& edit) {
  const std::string program =
      "import pyarrow.ipc as ipc\n"
      "t = pa.table({'user': [f'u{i}' for i in range(50)], 'time': pa.array(range(50), pa.timestamp('s')), "
      "'amount': [float(i) for i in range(50)]})\n"
      "with ipc.new_file('ok.arrow', t.schema) as w:\n    w.write_table(t)\n"
      "d = open('ok.arrow', 'rb').read()\nopen('x.arrow', 'wb').write(" +
      edit + ")\nos.remove('ok.arrow')\n";
  return [program](const test::ScratchDir& dir) { ASSERT_EQ(test::python_run(dir, program), 0) << program; };
}

std::vector<BadInputCase> ipc_corpus() {
  const std::vector<std::string> build = {"profile-build",   "@x.arrow", "--out",         "@pb/users.csv",
                                          "--user-column",   "user",     "--time-column", "time",
                                          "--amount-column", "amount",   "--quiet"};
  const std::string unreadable = "x.arrow: not a readable Arrow IPC file (";
  // The user column's offsets are the int32 run 0, 2, 4, ... ("u0", "u1", ...): the third is set beyond the data.
  const std::string offsets = "(0).to_bytes(4, 'little') + (2).to_bytes(4, 'little') + (4).to_bytes(4, 'little')";
  return {
      {"Truncated", {}, build, 1, unreadable, damaged("d[:len(d) // 2]")},
      {"WrongMagic", {}, build, 1, unreadable, damaged("b'ARROW2' + d[6:-6] + b'ARROW2'")},
      {"MagicOnly", {}, build, 1, unreadable, damaged("b'ARROW1\\0\\0ARROW1'")},
      {"FooterLengthBeyondFile",
       {},
       build,
       1,
       unreadable,
       damaged("d[:-10] + (2**31 - 1).to_bytes(4, 'little') + b'ARROW1'")},
      {"StreamNamedArrow",
       {},
       build,
       1,
       unreadable,
       [](const test::ScratchDir& dir) {
         ASSERT_EQ(test::python_run(dir,
                                    "import pyarrow.ipc as ipc\n"
                                    "with ipc.new_stream('x.arrow', pa.schema([('user', pa.string())])) as w:\n"
                                    "    w.write_batch(pa.record_batch([pa.array(['a'])], names=['user']))\n"),
                   0);
       }},
      {"OffsetsPastTheData",
       {},
       build,
       1,
       unreadable,
       damaged("d.replace(" + offsets +
               ", (0).to_bytes(4, 'little') + (2).to_bytes(4, 'little') + "
               "(2**30).to_bytes(4, 'little'), 1) if d.count(" +
               offsets + ") == 1 else exit(3)")},
  };
}

class BadIpc : public testing::TestWithParam<BadInputCase> {};

TEST_P(BadIpc, RefusedNamingTheFileAndNothingWritten) {
  const std::string why = test::parquet_unavailable();
  if (!why.empty()) GTEST_SKIP() << why;
  test::bad_input_case_check(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadIpc, testing::ValuesIn(ipc_corpus()), test::bad_input_case_name);

}  // namespace
}  // namespace kseg
