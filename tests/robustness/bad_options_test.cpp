// Bad-input corpus, command lines and data that contradict them: k, weights, unknown and contradictory options,
// unwritable outputs, outputs that would overwrite an input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/robustness/bad_input_support.hpp"

namespace kseg {
namespace {

using test::BadInputCase;

const char* const kUsers = "id,a,b\n1,1,5\n2,2,6\n3,9,9\n";

std::vector<std::string> fit_with(std::vector<std::string> extra) {
  std::vector<std::string> args = {"fit", "@u.csv", "--out", "@out", "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// Fits @u.csv into @m so that assign cases have a valid model at @m/model.json.
void model_fit(const test::ScratchDir& dir) {
  ASSERT_EQ(test::cli({"fit", dir.file("u.csv"), "--k", "2", "--out", dir.file("m"), "--quiet"}).code, 0);
}

std::vector<std::string> assign_with(std::vector<std::string> extra) {
  std::vector<std::string> args = {"assign", "@u.csv", "--model", "@m/model.json", "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::vector<BadInputCase> options_corpus() {
  const std::vector<std::pair<std::string, std::string>> users = {{"u.csv", kUsers}};
  const std::string kOneByOneNpy =
      test::npy_bytes("'descr': '<f4', 'fortran_order': False, 'shape': (1, 1)", test::values_bytes<float>({1}));
  return {
      {"KZero", users, fit_with({"--k", "0"}), 2, "--k must be at least 1 (got 0)"},
      {"KNegative", users, fit_with({"--k", "-4"}), 2, "--k must be at least 1 (got -4)"},
      {"KMissing", users, fit_with({}), 2, "--k"},
      {"KNotANumber", users, fit_with({"--k", "many"}), 2, "--k"},
      {"KLargerThanRows", users, fit_with({"--k", "4"}), 1, "k = 4 is larger than the number of rows (3)"},
      {"KHuge", users, fit_with({"--k", "100000000000000"}), 1, "is larger than the number of rows (3)"},
      {"NegativeWeight",
       {{"w.csv", "id,a,w\n1,1,1\n2,2,-0.5\n"}},
       {"fit", "@w.csv", "--k", "1", "--weight-column", "w", "--out", "@out", "--quiet"},
       1,
       "w.csv:3:3: column \"w\": negative weight"},
      {"AllZeroWeights",
       {{"w.csv", "id,a,w\n1,1,0\n2,2,0\n"}},
       {"fit", "@w.csv", "--k", "1", "--weight-column", "w", "--out", "@out", "--quiet"},
       1,
       "the weights sum to 0"},
      {"NanWeight",
       {{"w.csv", "id,a,w\n1,1,1\n2,2,nan\n"}},
       {"fit", "@w.csv", "--k", "1", "--weight-column", "w", "--out", "@out", "--quiet"},
       1,
       "w.csv:3:3: column \"w\": weight \"nan\" is a missing-value spelling"},
      {"UnknownOption", users, fit_with({"--k", "2", "--clusters", "3"}), 2, "--clusters"},
      {"UnknownCommand", {}, {"segment", "@u.csv"}, 2, "unknown command \"segment\" (commands: fit, assign"},
      {"NoCommand", {}, {}, 2, "kseg: "},
      {"UnknownColumn", users, fit_with({"--k", "1", "--columns", "a,zz"}), 2, "no column named \"zz\""},
      {"UnknownIdColumn", users, fit_with({"--k", "1", "--id-column", "zz"}), 2, "no column named \"zz\""},
      {"WeightColumnWithNpy",
       {{"x.npy", kOneByOneNpy}},
       {"fit", "@x.npy", "--k", "1", "--weight-column", "w", "--out", "@out", "--quiet"},
       2,
       "CSV input"},
      {"BadScale", users, fit_with({"--k", "1", "--scale", "wild"}), 2, "--scale"},
      {"BadInit", users, fit_with({"--k", "1", "--init", "kmeans||"}), 2, "--init"},
      {"NegativeTol", users, fit_with({"--k", "1", "--tol", "-1"}), 2, "--tol must be a finite number >= 0"},
      {"ZeroMaxIter", users, fit_with({"--k", "1", "--max-iter", "0"}), 2, "--max-iter must be at least 1"},
      {"ZeroNInit", users, fit_with({"--k", "1", "--n-init", "0"}), 2, "--n-init must be at least 1"},
      {"NegativeThreads", users, fit_with({"--k", "1", "--threads", "-1"}), 2, "--threads must be >= 0"},
      {"MultiCharDelimiter", users, fit_with({"--k", "1", "--delimiter", ";;"}), 2, "--delimiter"},
      {"BadDevice", users, fit_with({"--k", "1", "--device", "tpu"}), 2, "--device"},
      {"OutDirIsAFile",
       users,
       {"fit", "@u.csv", "--k", "1", "--out", "@u.csv/segs", "--quiet"},
       1,
       "cannot create directory"},
      {"OutDirUncreatable",
       users,
       {"fit", "@u.csv", "--k", "1", "--out", "/proc/kseg-cannot-be-here", "--quiet"},
       1,
       "cannot create directory /proc/kseg-cannot-be-here"},
      {"FitOutWouldOverwriteInput",
       {},
       {"fit", "@out/segments.csv", "--k", "1", "--out", "@out", "--quiet"},
       2,
       "fit would overwrite its input"},
      {"AssignOutIsInput", users, assign_with({"--out", "@u.csv"}), 2, "is an input file: choose another output path",
       model_fit},
      {"AssignOutIsModel", users, assign_with({"--out", "@m/model.json"}), 2, "is an input file", model_fit},
      {"AssignOutInMissingDir", users, assign_with({"--out", "@nowhere/a.csv"}), 1, "cannot write", model_fit},
      {"AssignOutIsADirectory", users, assign_with({"--out", "@out"}), 1, "out", model_fit},
      {"AssignZeroBatchRows", users, assign_with({"--out", "@assigned.csv", "--batch-rows", "0"}), 2,
       "--batch-rows must be at least 1", model_fit},
      {"AssignMissingModelColumn",
       {{"u.csv", kUsers}, {"v.csv", "id,b\n1,5\n"}},
       {"assign", "@v.csv", "--model", "@m/model.json", "--out", "@assigned.csv", "--quiet"},
       1,
       "v.csv: column \"a\" is required by the model",
       model_fit},
      {"AssignNpyWrongColumns",
       {{"u.csv", kUsers}, {"x.npy", kOneByOneNpy}},
       {"assign", "@x.npy", "--model", "@m/model.json", "--out", "@assigned.csv", "--quiet"},
       1,
       "the model (",
       model_fit},
      {"AssignInfValue",  // NaN is a missing-value spelling; infinity is an error
       {{"u.csv", kUsers}, {"v.csv", "id,a,b\n1,1,5\n2,2,6\n3,inf,9\n"}},
       {"assign", "@v.csv", "--model", "@m/model.json", "--out", "@assigned.csv", "--quiet"},
       1,
       "v.csv:4:2",
       model_fit},
  };
}

class BadOptions : public testing::TestWithParam<BadInputCase> {};

TEST_P(BadOptions, RefusedAndNothingWritten) { test::bad_input_case_check(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Corpus, BadOptions, testing::ValuesIn(options_corpus()), test::bad_input_case_name);

}  // namespace
}  // namespace kseg
