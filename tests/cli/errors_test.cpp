// Bad input and bad invocations: one line naming the place, the right exit code, and no output files.
#include <gtest/gtest.h>

#include <filesystem>

#include "../io/test_files.hpp"
#include "cli_test_support.hpp"

namespace kseg {
namespace {

using test::cli;

// Runs fit, expects `code` and a message containing `fragment`, and checks nothing was written to the output dir.
void expect_fit_fails(const test::ScratchDir& dir, std::vector<std::string> args, int code,
                      const std::string& fragment) {
  const std::string out = dir.file("out");
  args.insert(args.begin(), "fit");
  args.insert(args.end(), {"--out", out, "--quiet"});
  const test::CliResult r = cli(args);
  EXPECT_EQ(r.code, code) << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << "stderr: " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  EXPECT_FALSE(std::filesystem::exists(out + "/segments.csv"));
  EXPECT_FALSE(std::filesystem::exists(out + "/model.json"));
}

TEST(CliErrors, UsageErrorsExitTwo) {
  test::ScratchDir dir;
  const std::string users = dir.file_write("u.csv", "id,a\n1,1\n2,2\n3,3\n");
  expect_fit_fails(dir, {users, "--k", "2", "--bogus"}, 2, "--bogus");
  expect_fit_fails(dir, {users, "--k", "0"}, 2, "--k must be at least 1");
  expect_fit_fails(dir, {users}, 2, "--k");
  expect_fit_fails(dir, {users, "--k", "2", "--scale", "wild"}, 2, "--scale");
  expect_fit_fails(dir, {users, "--k", "2", "--device", "tpu"}, 2, "--device");
  expect_fit_fails(dir, {users, "--k", "2", "--columns", "nope"}, 2, "no column named \"nope\"");
  expect_fit_fails(dir, {users, "--k", "2", "--ignore", "a", "--numeric", "a"}, 2, "two roles");
  expect_fit_fails(dir, {users, "--k", "2", "--impute", "guess"}, 2, "--impute");
  expect_fit_fails(dir, {users, "--k", "2", "--feature-weight", "a"}, 2, "--feature-weight");
  expect_fit_fails(dir, {users, "--k", "2", "--feature-weight", "zz=2"}, 2, "not a feature column");
  expect_fit_fails(dir, {users, "--k", "2", "--init", "kmeans"}, 2, "--init");
  EXPECT_EQ(cli({}).code, 2);
  EXPECT_EQ(cli({"frobnicate"}).code, 2);
}

TEST(CliErrors, DataErrorsExitOneWithLocation) {
  test::ScratchDir dir;
  expect_fit_fails(dir, {dir.file("missing.csv"), "--k", "2"}, 1, "missing.csv");
  // Text in a column forced numeric; infinity is not a finite number either (NaN is a missing-value spelling).
  expect_fit_fails(dir, {dir.file_write("a.csv", "id,a,b\n1,2,3\n2,abc,4\n"), "--k", "1", "--numeric", "a"}, 1,
                   "a.csv:3:2: column \"a\": \"abc\" is not a number");
  // A bad cell after a quoted field with line breaks: the line where the cell is, not where its record starts.
  expect_fit_fails(dir,
                   {dir.file_write("q.csv", "id,note,a\n1,plain,2\n2,\"two\nline\nnote\",abc\n"), "--k", "1",
                    "--numeric", "a", "--ignore", "note"},
                   1, "q.csv:5:3: column \"a\"");
  expect_fit_fails(dir, {dir.file_write("n.csv", "id,a,b\n1,inf,1\n2,3,2\n"), "--k", "1", "--numeric", "a"}, 1,
                   "n.csv:2:2");
  expect_fit_fails(dir, {dir.file_write("e.csv", "id,a\n1,\n2,\n"), "--k", "1"}, 1, "no usable feature columns");
  expect_fit_fails(dir, {dir.file_write("ew.csv", "id,a,w\n1,1,\n2,2,1\n"), "--k", "1", "--weight-column", "w"}, 1,
                   "ew.csv:2:3: column \"w\": empty weight");
  expect_fit_fails(
      dir, {dir.file_write("d.csv", "id,a,s\n1,1,2024-01-01\n2,2,yesterday\n"), "--k", "1", "--date-columns", "s"}, 1,
      "d.csv:3:3");
  expect_fit_fails(
      dir, {dir.file_write("u.csv", "id,a,email\n1,1,a@x\n2,2,b@x\n3,3,c@x\n"), "--k", "1", "--max-levels", "2"}, 1,
      "add --ignore email");
  expect_fit_fails(dir, {dir.file_write("r.csv", "id,a\n1,2,3\n"), "--k", "1"}, 1, "r.csv:2");
  expect_fit_fails(dir, {dir.file_write("k.csv", "id,a\n1,1\n2,2\n"), "--k", "3"}, 1, "larger than the number of rows");
  expect_fit_fails(dir, {dir.file_write("h.csv", "id,a\n"), "--k", "1"}, 1, "no data rows");
  expect_fit_fails(dir, {dir.file_write("w.csv", "id,a,w\n1,1,1\n2,2,-1\n"), "--k", "1", "--weight-column", "w"}, 1,
                   "w.csv:3:3");
  expect_fit_fails(dir, {dir.file_write("z.csv", "id,a,w\n1,1,0\n2,2,0\n"), "--k", "1", "--weight-column", "w"}, 1,
                   "sum to 0");
}

TEST(CliErrors, SizesBeyondMemoryAreRefusedUpFront) {
  test::ScratchDir dir;
  // A sparse .npy declaring 10^8 × 1000 float32 (400 GB): valid on disk, impossible in memory.
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000, 1000), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  const std::string path = dir.file_write("huge.npy", bytes);
  std::filesystem::resize_file(path, bytes.size() + uint64_t(100000000) * 1000 * 4);
  expect_fit_fails(dir, {path, "--k", "2"}, 1, "GiB of memory are available");
}

TEST(CliErrors, AssignRefusesBadModelsAndMissingColumns) {
  test::ScratchDir dir;
  const std::string users = dir.file_write("u.csv", "id,a,b\n1,1,5\n2,2,6\n3,9,9\n");
  ASSERT_EQ(cli({"fit", users, "--k", "2", "--out", dir.file("m"), "--quiet"}).code, 0);
  const std::string model = dir.file("m/model.json");
  const std::string out = dir.file("scored.csv");

  const test::CliResult missing =
      cli({"assign", dir.file_write("v.csv", "id,b\n1,5\n"), "--model", model, "--out", out});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("column \"a\" is required by the model"), std::string::npos) << missing.err;

  std::string text = test::file_read(model);
  const test::CliResult newer =
      cli({"assign", users, "--model",
           dir.file_write("newer.json",
                          std::string(text).replace(text.find("\"format_version\": 1"), 19, "\"format_version\": 99")),
           "--out", out});
  EXPECT_EQ(newer.code, 1);
  EXPECT_NE(newer.err.find("newer kseg"), std::string::npos) << newer.err;

  const test::CliResult truncated =
      cli({"assign", users, "--model", dir.file_write("t.json", text.substr(0, text.size() / 2)), "--out", out});
  EXPECT_EQ(truncated.code, 1);
  EXPECT_NE(truncated.err.find("t.json"), std::string::npos);

  const test::CliResult same = cli({"assign", users, "--model", model, "--out", users});
  EXPECT_EQ(same.code, 2);
  EXPECT_FALSE(std::filesystem::exists(out));  // no failed call left a file
}

TEST(CliErrors, ExplicitCudaWithoutGpuSaysWhy) {
  test::ScratchDir dir;
  const std::string users = dir.file_write("u.csv", "id,a\n1,1\n2,2\n");
  const test::CliResult r = cli({"fit", users, "--k", "1", "--device", "cuda", "--out", dir.file("o")});
  if (r.code == 0) GTEST_SKIP() << "a usable GPU is present: the no-GPU message cannot be checked here";
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no usable GPU"), std::string::npos) << r.err;
  const test::CliResult fallback = cli({"fit", users, "--k", "1", "--out", dir.file("o")});
  EXPECT_EQ(fallback.code, 0);
  EXPECT_NE(fallback.err.find("running on the CPU"), std::string::npos) << fallback.err;
}

}  // namespace
}  // namespace kseg
