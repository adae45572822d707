// A control byte (NUL at least) in a categorical cell is refused on the reading paths other than fit's one-pass reader
// (covered by the bad-CSV corpus): assign and profile read a table against a saved model with the two-pass
// TableBatchReader. The bytes would otherwise reach segments.csv, profiles.json or a refit's model.json.
#include <gtest/gtest.h>

#include <string>

#include "../cli/cli_test_support.hpp"

namespace kseg {
namespace {

using test::cli;

TEST(ControlBytes, NulInCategoryRefusedWhenScoringAgainstAModel) {
  test::ScratchDir dir;
  const std::string ok = dir.file_write("ok.csv", "id,a,c\n1,x,3\n2,z,4\n3,x,1\n4,z,2\n");
  const std::string bad = dir.file_write("bad.csv", std::string("id,a,c\n1,x,3\n2,z\0w,4\n", 21));
  const test::CliResult fit = cli({"fit", ok, "--k", "1", "--categorical", "a", "--out", dir.file("m"), "--quiet"});
  ASSERT_EQ(fit.code, 0) << fit.err;
  const test::CliResult assigned =
      cli({"assign", bad, "--model", dir.file("m/model.json"), "--out", dir.file("as"), "--quiet"});
  EXPECT_EQ(assigned.code, 1);
  EXPECT_NE(assigned.err.find("bad.csv:3:2: column \"a\": \"z\\x00w\" holds a control byte (byte 2, NUL)"),
            std::string::npos)
      << assigned.err;
  // A control byte other than tab, CR and LF is refused too; a tab inside a quoted level is text.
  const std::string bell = dir.file_write("bell.csv", "id,a,c\n1,x,3\n2,\"z\x07\",4\n");
  const test::CliResult rang =
      cli({"assign", bell, "--model", dir.file("m/model.json"), "--out", dir.file("as2"), "--quiet"});
  EXPECT_EQ(rang.code, 1);
  EXPECT_NE(rang.err.find("bell.csv:3:2: column \"a\": \"z\\x07\" holds a control byte (byte 2)"), std::string::npos)
      << rang.err;
  const std::string tab = dir.file_write("tab.csv", "id,a,c\n1,x,3\n2,\"z\tw\",4\n");
  const test::CliResult tabbed =
      cli({"assign", tab, "--model", dir.file("m/model.json"), "--out", dir.file("as3"), "--quiet"});
  EXPECT_EQ(tabbed.code, 0) << tabbed.err;
}

}  // namespace
}  // namespace kseg
