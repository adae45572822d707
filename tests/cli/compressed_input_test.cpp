// kseg on gzip and Zstandard copies of a CSV: fit, assign, drift and profile give byte for byte the outputs of the
// plain file (the model differs only in the input's name), whatever the compressed file is called.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli_test_support.hpp"
#include "tests/io/compress_support.hpp"

namespace kseg {
namespace {

using test::cli;
using test::file_read;

// model.json without the fields that name the input file.
nlohmann::json model_unnamed(const std::string& path) {
  nlohmann::json model = nlohmann::json::parse(file_read(path));
  model["fit"].erase("input");
  return model;
}

TEST(CompressedInput, FitAndAssignMatchThePlainCsv) {
  test::ScratchDir dir;
  const std::string plain = dir.file("users.csv");
  ASSERT_EQ(cli({"generate", "--users", "6000", "--seed", "8", "--out", plain, "--quiet"}).code, 0);
  const std::string text = file_read(plain);
  const std::vector<std::pair<std::string, std::string>> copies = {
      {dir.file_write("users.csv.gz", test::gzip_bytes(text)), "csv-gzip"},
      {dir.file_write("users.csv.zst", test::zstd_bytes(text)), "csv-zstd"},
      {dir.file_write("gzip_named.csv",
                      test::gzip_bytes(text.substr(0, 100000)) + test::gzip_bytes(text.substr(100000))),
       "csv-gzip"},
  };
  const auto fit = [&](const std::string& input, const std::string& out) {
    const test::CliResult r =
        cli({"fit", input, "--k", "5", "--seed", "3", "--out", out, "--device", "cpu", "--quiet"});
    ASSERT_EQ(r.code, 0) << r.err;
  };
  fit(plain, dir.file("plain_out"));
  const std::string model = dir.file("plain_out/model.json");
  ASSERT_EQ(cli({"assign", plain, "--model", model, "--out", dir.file("plain_assigned.csv"), "--quiet"}).code, 0);
  for (const auto& [input, format] : copies) {
    const std::string out = dir.file("out_" + std::to_string(input.size()));
    fit(input, out);
    for (const char* name : {"segments.csv", "centroids.csv", "profiles.csv"})
      EXPECT_EQ(file_read(dir.file("plain_out/") + name), file_read(out + "/" + name)) << input << ": " << name;
    EXPECT_EQ(model_unnamed(model), model_unnamed(out + "/model.json")) << input;
    const nlohmann::json summary = nlohmann::json::parse(file_read(out + "/summary.json"));
    EXPECT_EQ(summary["input_format"], format);
    EXPECT_EQ(summary["input_conversion"], "");
    EXPECT_EQ(summary["n"], 6000);

    const std::string assigned = dir.file("assigned.csv");
    const test::CliResult a = cli({"assign", input, "--model", model, "--out", assigned, "--quiet"});
    ASSERT_EQ(a.code, 0) << a.err;
    EXPECT_EQ(file_read(dir.file("plain_assigned.csv")), file_read(assigned)) << input;
  }
  // drift reads the stream like the plain file: the same report.
  for (const std::string& input : {plain, copies[1].first}) {
    const test::CliResult r =
        cli({"drift", input, "--model", model, "--out", dir.file("drift_" + std::to_string(input.size()) + ".json")});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  EXPECT_EQ(file_read(dir.file("drift_" + std::to_string(plain.size()) + ".json")),
            file_read(dir.file("drift_" + std::to_string(copies[1].first.size()) + ".json")));
}

}  // namespace
}  // namespace kseg
