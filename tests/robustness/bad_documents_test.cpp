// Bad-input corpus, documents kseg wrote and a person edited (model.json, profiles.json, sweep.json: integers that
// are floats, beyond their type or fractions), .npy headers the first corpus does not try, and outputs that name an
// input. Plus the symbolic-link output: the link is kept and its file replaced.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/robustness/bad_input_support.hpp"

namespace kseg {
namespace {

using test::BadInputCase;

// 60 users in two clear groups.
const std::string kUsers = [] {
  std::string text = "id,a,b\n";
  for (int i = 0; i < 60; ++i)
    text += std::to_string(i) + "," + std::to_string(i % 2 ? 10 + i % 7 : i % 5) + "," + std::to_string(i % 3) + "\n";
  return text;
}();

// Fits u.csv into @m (model.json, profiles.json, ...), then writes bad.json: m/<file> with edit applied.
std::function<void(const test::ScratchDir&)> fitted_and_edited(const std::string& file,
                                                               std::function<void(nlohmann::json&)> edit) {
  return [file, edit](const test::ScratchDir& dir) {
    ASSERT_EQ(test::cli({"fit", dir.file("u.csv"), "--k", "2", "--out", dir.file("m"), "--quiet"}).code, 0);
    nlohmann::json doc = nlohmann::json::parse(test::file_read(dir.file("m/" + file)));
    edit(doc);
    dir.file_write(file == "model.json" ? "bad.json" : "m/" + file, doc.dump(1));
  };
}

void model_fit(const test::ScratchDir& dir) {
  ASSERT_EQ(test::cli({"fit", dir.file("u.csv"), "--k", "2", "--out", dir.file("m"), "--quiet"}).code, 0);
}

std::vector<std::string> assign_bad_model() {
  return {"assign", "@u.csv", "--model", "@bad.json", "--out", "@assigned.csv", "--quiet"};
}

std::string not_whole(const std::string& field, const std::string& value) {
  return "\"" + field + "\" is " + value + ", not a whole number from ";
}

std::vector<BadInputCase> json_corpus() {
  const std::vector<std::pair<std::string, std::string>> users = {{"u.csv", kUsers}};
  const std::vector<std::string> report = {"report", "@m", "--quiet"};
  return {
      // Read as INT_MIN before (a float beyond int: undefined behaviour), or silently truncated / wrapped.
      {"ModelVersionBeyondInt", users, assign_bad_model(), 1, "bad.json: " + not_whole("format_version", "1e+300"),
       fitted_and_edited("model.json", [](nlohmann::json& m) { m["format_version"] = 1e300; })},
      {"ModelVersionFraction", users, assign_bad_model(), 1, "bad.json: " + not_whole("format_version", "1.9"),
       fitted_and_edited("model.json", [](nlohmann::json& m) { m["format_version"] = 1.9; })},
      {"ModelClustersBeyondInt64", users, assign_bad_model(), 1,
       not_whole("n_clusters", "18446744073709551615") + "-9223372036854775808",
       fitted_and_edited("model.json", [](nlohmann::json& m) { m["n_clusters"] = UINT64_MAX; })},
      {"ModelSegmentIdFloat", users, assign_bad_model(), 1, not_whole("segment_ids[1]", "1e+300"),
       fitted_and_edited("model.json", [](nlohmann::json& m) { m["segment_ids"][1] = 1e300; })},
      {"ModelSegmentIdsNotAList", users, assign_bad_model(), 1, "\"segment_ids\" is \"0,1\", not a list",
       fitted_and_edited("model.json", [](nlohmann::json& m) { m["segment_ids"] = "0,1"; })},
      {"ModelStatisticsRowsFloat", users, assign_bad_model(), 1, not_whole("n_rows", "6.5"),
       fitted_and_edited("model.json", [](nlohmann::json& m) { m["training_statistics"]["n_rows"] = 6.5; })},
      {"ProfilesSizeBeyondInt64", users, report, 1, "profiles.json: " + not_whole("size", "1e+300"),
       fitted_and_edited("profiles.json", [](nlohmann::json& p) { p["segments"][0]["size"] = 1e300; })},
      {"ProfilesSegmentBeyondInt32", users, report, 1, not_whole("segment", "1099511627776"),
       fitted_and_edited("profiles.json", [](nlohmann::json& p) { p["segments"][0]["segment"] = 1099511627776; })},
      {"ProfilesTopFeatureFloat", users, report, 1, not_whole("top_features[0]", "0.5"),
       fitted_and_edited("profiles.json", [](nlohmann::json& p) { p["segments"][0]["top_features"][0] = 0.5; })},
      {"ProfilesTopFeatureOutOfRange", users, report, 1, "has a top feature out of range",
       fitted_and_edited("profiles.json", [](nlohmann::json& p) { p["segments"][0]["top_features"][0] = 999; })},
      {"ProfilesNotJson", users, report, 1, "profiles.json: not valid JSON",
       [](const test::ScratchDir& dir) {
         model_fit(dir);
         dir.file_write("m/profiles.json", "{\"format\": \"kseg-profiles\", ");
       }},
      {"ProfilesNotProfiles", users, report, 1, "profiles.json: not a kseg profiles.json",
       [](const test::ScratchDir& dir) {
         model_fit(dir);
         dir.file_write("m/profiles.json", "[]");
       }},
      {"SweepRowKBeyondInt64",
       users,
       {"report", "@m", "--sweep", "@sw", "--quiet"},
       1,
       "sweep.json: " + not_whole("k", "1e+300"),
       [](const test::ScratchDir& dir) {
         model_fit(dir);
         ASSERT_EQ(
             test::cli({"sweep", dir.file("u.csv"), "--k", "2..3", "--seeds", "1", "--out", dir.file("sw"), "--quiet"})
                 .code,
             0);
         nlohmann::json s = nlohmann::json::parse(test::file_read(dir.file("sw/sweep.json")));
         s["rows"][0]["k"] = 1e300;
         dir.file_write("sw/sweep.json", s.dump());
       }},
  };
}

std::string f4_npy(const std::string& shape, const std::vector<float>& values) {
  return test::npy_bytes("'descr': '<f4', 'fortran_order': False, 'shape': " + shape, test::values_bytes(values));
}

// A .npy whose little-endian header-length field says `length` whatever the header holds.
std::string npy_with_header_length(uint16_t length) {
  std::string bytes = f4_npy("(2, 2)", {1, 2, 3, 4});
  bytes[8] = static_cast<char>(length & 0xff);
  bytes[9] = static_cast<char>(length >> 8);
  return bytes;
}

std::vector<BadInputCase> npy_corpus() {
  const std::vector<std::string> fit = {"fit", "@x.npy", "--k", "1", "--out", "@out", "--quiet"};
  return {
      // Zero columns hold no bytes whatever the row count: the size check passed and the reader hung.
      {"NpyZeroColumnsHugeRows",
       {{"x.npy", f4_npy("(4000000000000000000, 0)", {})}},
       fit,
       1,
       "x.npy: the array has no columns: shape (4000000000000000000, 0)"},
      {"NpyZeroColumns", {{"x.npy", f4_npy("(5, 0)", {})}}, fit, 1, "x.npy: the array has no columns"},
      {"NpyRepeatedKey",
       {{"x.npy", test::npy_bytes("'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (2, 2)",
                                  test::values_bytes<float>({1, 2, 3, 4}))}},
       fit,
       1,
       "x.npy: the header repeats the key 'descr'"},
      {"NpyObjectDtype",
       {{"x.npy", test::npy_bytes("'descr': '|O', 'fortran_order': False, 'shape': (1, 1)", std::string(8, '\0'))}},
       fit,
       1,
       "x.npy: unsupported dtype '|O'"},
      {"NpyDatetimeDtype",
       {{"x.npy", test::npy_bytes("'descr': '<M8[D]', 'fortran_order': False, 'shape': (1, 1)", std::string(8, '\0'))}},
       fit,
       1,
       "x.npy: unsupported dtype '<M8[D]'"},
      {"NpyHeaderLengthZero", {{"x.npy", npy_with_header_length(0)}}, fit, 1, "x.npy: malformed header"},
      {"NpyHeaderLengthBeyondFile", {{"x.npy", npy_with_header_length(65535)}}, fit, 1, "x.npy: truncated header"},
      {"NpyShapeNegative",
       {{"x.npy", f4_npy("(-2, 2)", {1, 2, 3, 4})}},
       fit,
       1,
       "'shape' must be a tuple of non-negative integers"},
      {"NpyShapeNested",
       {{"x.npy", f4_npy("((2,), 2)", {1, 2, 3, 4})}},
       fit,
       1,
       "'shape' must be a tuple of non-negative integers"},
      {"NpyFortranOrderText",
       {{"x.npy", test::npy_bytes("'descr': '<f4', 'fortran_order': 'yes', 'shape': (2, 2)",
                                  test::values_bytes<float>({1, 2, 3, 4}))}},
       fit,
       1,
       "'fortran_order' must be True or False"},
      {"NpyZeroRowsAssign",
       {{"u.csv", kUsers}, {"x.npy", f4_npy("(0, 2)", {})}},
       {"assign", "@x.npy", "--model", "@m/model.json", "--out", "@assigned.csv", "--quiet"},
       1,
       "x.npy",
       model_fit},
  };
}

std::vector<BadInputCase> output_names_input_corpus() {
  const std::vector<std::pair<std::string, std::string>> users = {{"u.csv", kUsers}};
  const std::string destroys = ": writing it would destroy that input";
  return {
      // drift --out replaced the model it had just read, with exit 0.
      {"DriftOutIsTheModel",
       users,
       {"drift", "@u.csv", "--model", "@m/model.json", "--out", "@m/model.json"},
       2,
       "is the --model file",
       model_fit},
      {"DriftOutIsTheInputOtherSpelling",
       users,
       {"drift", "@u.csv", "--model", "@m/model.json", "--out", "@m/../u.csv", "--quiet"},
       2,
       "is the INPUT file",
       model_fit},
      {"DriftOutLinksToTheModel",
       users,
       {"drift", "@u.csv", "--model", "@m/model.json", "--out", "@link.json", "--quiet"},
       2,
       "is the --model file",
       [](const test::ScratchDir& dir) {
         model_fit(dir);
         std::filesystem::create_symlink(dir.file("m/model.json"), dir.file("link.json"));
       }},
      {"ReportOutIsProfiles",
       users,
       {"report", "@m", "--out", "@m/profiles.json", "--quiet"},
       2,
       "is the DIR/profiles.json file",
       model_fit},
      {"ReportOutIsTheModel",
       users,
       {"report", "@m", "--out", "@m/model.json", "--quiet"},
       2,
       "is the DIR/model.json file",
       model_fit},
      {"ReportOutIsTheNamesFile",
       {{"u.csv", kUsers}, {"names.csv", "segment,name\n0,A\n"}},
       {"report", "@m", "--segment-names", "@names.csv", "--out", "@names.csv", "--quiet"},
       2,
       "is the --segment-names file",
       model_fit},
      {"AssignOutHardLinkOfInput",
       users,
       {"assign", "@u.csv", "--model", "@m/model.json", "--out", "@hard.csv", "--quiet"},
       2,
       "is an input file",
       [](const test::ScratchDir& dir) {
         model_fit(dir);
         std::filesystem::create_hard_link(dir.file("u.csv"), dir.file("hard.csv"));
       }},
  };
}

class BadDocuments : public testing::TestWithParam<BadInputCase> {};

TEST_P(BadDocuments, RefusedWithLocationAndNothingWritten) { test::bad_input_case_check(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Json, BadDocuments, testing::ValuesIn(json_corpus()), test::bad_input_case_name);
INSTANTIATE_TEST_SUITE_P(Npy, BadDocuments, testing::ValuesIn(npy_corpus()), test::bad_input_case_name);
INSTANTIATE_TEST_SUITE_P(OutputNamesInput, BadDocuments, testing::ValuesIn(output_names_input_corpus()),
                         test::bad_input_case_name);

// An output path that is a symbolic link: the file it points to is replaced, the link kept (it was replaced by a
// regular file, leaving the target stale), as an output directory given as a link is written through.
TEST(SymlinkedOutputs, TheLinkIsKeptAndItsFileReplaced) {
  test::ScratchDir dir;
  dir.file_write("u.csv", kUsers);
  model_fit(dir);
  std::filesystem::create_directories(dir.file("real"));
  dir.file_write("real/assigned.csv", "earlier\n");
  std::filesystem::create_symlink("real/assigned.csv", dir.file("assigned.csv"));
  std::filesystem::create_symlink("real/none.csv", dir.file("dangling.csv"));
  for (const char* out : {"assigned.csv", "dangling.csv"}) {
    const test::CliResult r = test::cli(
        {"assign", dir.file("u.csv"), "--model", dir.file("m/model.json"), "--out", dir.file(out), "--quiet"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(std::filesystem::is_symlink(dir.file(out))) << out;
  }
  const std::string written = test::file_read(dir.file("real/assigned.csv"));
  EXPECT_EQ(written.rfind("id,segment,distance\n", 0), 0u) << written;
  EXPECT_EQ(test::file_read(dir.file("real/none.csv")), written);            // the dangling link's file now exists
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))  // no temporary file left anywhere
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
  for (const auto& entry : std::filesystem::directory_iterator(dir.file("real")))
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
}

}  // namespace
}  // namespace kseg
