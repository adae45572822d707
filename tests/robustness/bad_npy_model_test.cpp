// Bad-input corpus, .npy inputs and model files: truncation, unsupported layouts, impossible shapes, bad values,
// damaged or tampered models.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "tests/robustness/bad_input_support.hpp"

namespace kseg {
namespace {

using test::BadInputCase;

std::string f4_npy(const std::string& shape, const std::vector<float>& values) {
  return test::npy_bytes("'descr': '<f4', 'fortran_order': False, 'shape': " + shape, test::values_bytes(values));
}

std::vector<std::string> fit_args(const std::string& file) {
  return {"fit", "@" + file, "--k", "1", "--out", "@out", "--quiet"};
}

// Fits a small model into @m, then writes @bad.json: edit(the model's text).
std::function<void(const test::ScratchDir&)> model_edit(std::function<std::string(const std::string&)> edit) {
  return [edit](const test::ScratchDir& dir) {
    const std::string users = dir.file_write("m.csv", "id,a,b\n1,1,5\n2,2,6\n3,9,9\n");
    ASSERT_EQ(test::cli({"fit", users, "--k", "2", "--out", dir.file("m"), "--quiet"}).code, 0);
    dir.file_write("bad.json", edit(test::file_read(dir.file("m/model.json"))));
  };
}

// model_edit replacing the first `from` by `to`.
std::function<void(const test::ScratchDir&)> model_tamper(const std::string& from, const std::string& to) {
  return model_edit([from, to](const std::string& text) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from << " not in " << text;
    return at == std::string::npos ? text : std::string(text).replace(at, from.size(), to);
  });
}

// The model text with its first centroid value replaced by `value`.
std::string first_centroid_value_replace(std::string text, const std::string& value) {
  const size_t begin = text.find_first_of("-0123456789", text.find("\"centroids\""));
  const size_t end = text.find_first_of(",\n", begin);
  return text.replace(begin, end - begin, value);
}

std::vector<std::string> assign_args(const std::string& model = "bad.json") {
  return {"assign", "@m.csv", "--model", "@" + model, "--out", "@assigned.csv", "--quiet"};
}

std::vector<BadInputCase> npy_corpus() {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const std::string good = f4_npy("(3, 2)", {1, 2, 3, 4, 5, 6});
  return {
      {"NpyTruncatedData",
       {{"t.npy", good.substr(0, good.size() - 3)}},
       fit_args("t.npy"),
       1,
       "t.npy: truncated: expected 24 bytes of data, found 21"},
      {"NpyTruncatedHeader", {{"t.npy", good.substr(0, 40)}}, fit_args("t.npy"), 1, "t.npy: truncated header"},
      {"NpyTooShortForMagic", {{"t.npy", "\x93NUM"}}, fit_args("t.npy"), 1, "t.npy: not a NumPy .npy file"},
      {"NpyBadMagic", {{"t.npy", "PK\x03\x04" + good.substr(4)}}, fit_args("t.npy"), 1, "(bad magic bytes)"},
      {"NpyUnknownVersion",
       {{"t.npy", test::npy_bytes("'descr': '<f4', 'fortran_order': False, 'shape': (1, 1)",
                                  test::values_bytes<float>({1}), 4)}},
       fit_args("t.npy"),
       1,
       "unsupported .npy format version 4.0"},
      {"NpyWrongDtypeComplex",
       {{"t.npy", test::npy_bytes("'descr': '<c8', 'fortran_order': False, 'shape': (2, 1)", std::string(16, '\0'))}},
       fit_args("t.npy"),
       1,
       "t.npy: unsupported dtype '<c8'"},
      {"NpyWrongDtypeBool",
       {{"t.npy", test::npy_bytes("'descr': '|b1', 'fortran_order': False, 'shape': (2, 1)", std::string(2, '\0'))}},
       fit_args("t.npy"),
       1,
       "unsupported dtype '|b1'"},
      {"NpyWrongDtypeString",
       {{"t.npy", test::npy_bytes("'descr': '<U4', 'fortran_order': False, 'shape': (1, 1)", std::string(16, '\0'))}},
       fit_args("t.npy"),
       1,
       "unsupported dtype '<U4'"},
      {"NpyBigEndianNaN",
       {{"t.npy", test::npy_bytes("'descr': '>f4', 'fortran_order': False, 'shape': (1, 1)",
                                  std::string("\x7f\xc0\x00\x00", 4))}},
       fit_args("t.npy"),
       1,
       "t.npy: row 0, column 0: NaN value"},
      {"NpyStructuredDtype",
       {{"t.npy",
         test::npy_bytes("'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1, 1)", std::string(4, '\0'))}},
       fit_args("t.npy"),
       1,
       "structured arrays cannot be read"},
      {"NpyFortranOrderInfinity",
       {{"t.npy", test::npy_bytes("'descr': '<f4', 'fortran_order': True, 'shape': (3, 2)",
                                  test::values_bytes<float>({1, 2, 3, 4, INFINITY, 6}))}},
       fit_args("t.npy"),
       1,
       "t.npy: row 1, column 1: infinite value"},
      {"Npy3D",
       {{"t.npy", f4_npy("(1, 3, 2)", {1, 2, 3, 4, 5, 6})}},
       fit_args("t.npy"),
       1,
       "expected a 2-D array, found shape (1, 3, 2)"},
      {"Npy1D",
       {{"t.npy", f4_npy("(6,)", {1, 2, 3, 4, 5, 6})}},
       fit_args("t.npy"),
       1,
       "expected a 2-D array, found shape (6,)"},
      {"NpyHugeShapeOverflow",
       {{"t.npy", f4_npy("(4611686018427387904, 4611686018427387904)", {1, 2})}},
       fit_args("t.npy"),
       1,
       "declares more data than any file holds, found 8 bytes"},
      {"NpyHugeShapeBeyondFile",
       {{"t.npy", f4_npy("(1000000000000, 8)", {1, 2})}},
       fit_args("t.npy"),
       1,
       "t.npy: truncated: expected 32000000000000 bytes of data, found 8"},
      {"NpyShapeDimensionOverflow",
       {{"t.npy", f4_npy("(99999999999999999999, 1)", {1})}},
       fit_args("t.npy"),
       1,
       "shape dimension too large"},
      {"NpyTrailingBytes", {{"t.npy", good + "xx"}}, fit_args("t.npy"), 1, "the file has trailing bytes"},
      {"NpyNoRows", {{"t.npy", f4_npy("(0, 2)", {})}}, fit_args("t.npy"), 1, "t.npy: the array has no rows"},
      {"NpyNan",
       {{"t.npy", f4_npy("(2, 2)", {1, 2, 3, nan})}},
       fit_args("t.npy"),
       1,
       "t.npy: row 1, column 1: NaN value"},
      {"NpyInf",
       {{"t.npy", f4_npy("(2, 2)", {1, -inf, 3, 4})}},
       fit_args("t.npy"),
       1,
       "t.npy: row 0, column 1: infinite value"},
      {"NpyFloat64OutOfFloatRange",
       {{"t.npy", test::npy_bytes("'descr': '<f8', 'fortran_order': False, 'shape': (2, 1)",
                                  test::values_bytes<double>({1.0, -1e300}))}},
       fit_args("t.npy"),
       1,
       "t.npy: row 1, column 0: value -1e+300 is outside the float32 range"},
      {"NpyUnknownHeaderKey",
       {{"t.npy",
         test::npy_bytes("'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), 'x': 1", std::string(4, '\0'))}},
       fit_args("t.npy"),
       1,
       "unexpected key 'x' in the header"},
      {"NpyInitWrongShape",
       {{"u.csv", "id,a,b\n1,1,1\n2,2,2\n3,3,3\n"}, {"init.npy", f4_npy("(3, 2)", {1, 2, 3, 4, 5, 6})}},
       {"fit", "@u.csv", "--k", "2", "--init", "@init.npy", "--out", "@out", "--quiet"},
       1,
       "init.npy: expected 2 × 2 starting centroids (k × features), found 3 × 2"},
      {"ModelMissing", {{"m.csv", "id,a\n1,1\n"}}, assign_args("nothing.json"), 1, "cannot read the model file"},
      {"ModelTruncated",
       {},
       assign_args(),
       1,
       "bad.json: not a readable kseg model (invalid JSON",
       model_edit([](const std::string& text) { return text.substr(0, text.size() / 2); })},
      {"ModelEmpty",
       {{"bad.json", ""}, {"m.csv", "id,a\n1,1\n"}},
       assign_args(),
       1,
       "bad.json: not a readable kseg model"},
      {"ModelNotAnObject",
       {{"bad.json", "[1, 2]"}, {"m.csv", "id,a\n1,1\n"}},
       assign_args(),
       1,
       "bad.json: not a kseg model file"},
      {"ModelNewerVersion",
       {},
       assign_args(),
       1,
       "bad.json: model format version 99 was written by a newer kseg",
       model_tamper("\"format_version\": 1", "\"format_version\": 99")},
      {"ModelVersionZero",
       {},
       assign_args(),
       1,
       "bad.json: invalid model format version 0",
       model_tamper("\"format_version\": 1", "\"format_version\": 0")},
      {"ModelVersionNotANumber",
       {},
       assign_args(),
       1,
       "bad.json: \"format_version\" is \"1\", not a whole number",
       model_tamper("\"format_version\": 1", "\"format_version\": \"1\"")},
      {"ModelTooFewCentroids",
       {},
       assign_args(),
       1,
       "bad.json: n_clusters disagrees with the number of centroids",
       model_tamper("\"n_clusters\": 2", "\"n_clusters\": 3")},
      {"ModelFeatureCountDisagrees",
       {},
       assign_args(),
       1,
       "bad.json: n_features disagrees",
       model_tamper("\"n_features\": 2", "\"n_features\": 3")},
      {"ModelExtraCentroidValue",
       {},
       assign_args(),
       1,
       "bad.json: a centroid has the wrong number of values",
       model_tamper("\"centroids\": [\n    [\n", "\"centroids\": [\n    [\n 7,")},
      {"ModelNanCentroid",
       {},
       assign_args(),
       1,
       "bad.json: a centroid value is not a finite number",
       model_edit([](const std::string& text) { return first_centroid_value_replace(text, "\"NaN\""); })},
      {"ModelNanLiteral",
       {},
       assign_args(),
       1,
       "bad.json: not a readable kseg model (invalid JSON",
       model_tamper("\"centroids\": [\n    [\n", "\"centroids\": [\n    [\n NaN,")},
      {"ModelNegativeScale",
       {},
       assign_args(),
       1,
       "bad.json: damaged preparation section",
       model_tamper("\"scale\": 3.", "\"scale\": -3.")},
  };
}

class BadNpyOrModel : public testing::TestWithParam<BadInputCase> {};

TEST_P(BadNpyOrModel, RefusedWithLocationAndNothingWritten) { test::bad_input_case_check(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Corpus, BadNpyOrModel, testing::ValuesIn(npy_corpus()), test::bad_input_case_name);

}  // namespace
}  // namespace kseg
