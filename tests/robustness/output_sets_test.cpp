// The output-set corpus (tests/robustness/output_sets_support.hpp): options checked before any work, special files
// refused without blocking, size limits, models that would break arithmetic, and runs that fail late. After each,
// the earlier complete set in out/ is byte-identical and nothing else appeared.
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/robustness/output_sets_support.hpp"

namespace kseg {
namespace {

using test::SetCase;

const std::vector<std::string> kFit = {"fit", "@u.csv", "--k", "2", "--out", "@out", "--quiet"};
const std::vector<std::string> kSweep = {"sweep", "@u.csv", "--k", "2..3", "--seeds", "1", "--out", "@out", "--quiet"};
const std::vector<std::string> kUpdate = {"update", "@u.csv", "--model", "@out/model.json", "--out", "@out", "--quiet"};
const std::vector<std::string> kProfile = {"profile",           "@u.csv", "--model", "@out/model.json", "--segments",
                                           "@out/segments.csv", "--quiet"};
const std::vector<std::string> kCompare = {"compare", "@out/segments.csv", "@out/segments.csv", "--out", "@out",
                                           "--quiet"};
const std::vector<std::string> kAssign = {
    "assign", "@u.csv", "--model", "@out/model.json", "--out", "@out/assigned.csv", "--quiet"};
const std::vector<std::string> kGenerate = {"generate", "--users", "10", "--out", "@gen.csv", "--quiet"};

std::vector<std::string> with(std::vector<std::string> base, const std::vector<std::string>& extra) {
  base.insert(base.end(), extra.begin(), extra.end());
  return base;
}

// base with the value after `option` replaced.
std::vector<std::string> replaced(std::vector<std::string> base, const std::string& option, const std::string& value) {
  for (size_t i = 0; i + 1 < base.size(); ++i)
    if (base[i] == option) base[i + 1] = value;
  return base;
}

// base with the element equal to from replaced by to.
std::vector<std::string> swapped(std::vector<std::string> base, const std::string& from, const std::string& to) {
  for (std::string& a : base)
    if (a == from) a = to;
  return base;
}

std::function<void(const test::ScratchDir&)> fifo(const std::string& name) {
  return [name](const test::ScratchDir& dir) { ASSERT_EQ(::mkfifo(dir.file(name).c_str(), 0644), 0); };
}

// A copy of out/model.json as bad.json, changed by edit.
std::function<void(const test::ScratchDir&)> model_edited(std::function<void(nlohmann::json&)> edit) {
  return [edit](const test::ScratchDir& dir) {
    nlohmann::json model = nlohmann::json::parse(test::file_read(dir.file("out/model.json")));
    edit(model);
    dir.file_write("bad.json", model.dump());
  };
}

std::vector<SetCase> seed_and_number_cases() {
  std::vector<SetCase> cases;
  const std::vector<std::pair<std::string, std::vector<std::string>>> seeded = {
      {"Fit", kFit}, {"Sweep", kSweep}, {"Update", kUpdate}, {"Generate", kGenerate}};
  for (const auto& [name, base] : seeded) {
    cases.push_back({name + "SeedNegative", with(base, {"--seed", "-1"}), 2,
                     "--seed: expected an integer from 0 to "
                     "18446744073709551615 (no negative"});
    cases.push_back({name + "SeedBeyond64Bits", with(base, {"--seed", "18446744073709551616"}), 2,
                     "--seed: \"18446744073709551616\" is out of range"});
    cases.push_back({name + "SeedNotInteger", with(base, {"--seed", "1e5"}), 2, "--seed: expected an integer"});
  }
  const std::vector<SetCase> numbers = {
      {"KBeyondInt64", replaced(kFit, "--k", "99999999999999999999"), 2,
       "--k: \"99999999999999999999\" is "
       "out of range"},
      {"KFloatText", replaced(kFit, "--k", "1e30"), 2, "--k: expected an integer"},
      {"NInitBeyondInt", with(kFit, {"--n-init", "99999999999"}), 2, "--n-init: \"99999999999\""},
      {"MaxIterBeyondInt", with(kFit, {"--max-iter", "2147483648"}), 2, "--max-iter: \"2147483648\""},
      {"ThreadsBeyondInt", with(kFit, {"--threads", "99999999999"}), 2, "--threads: \"99999999999\""},
      {"UpdateBatchSizeFloat", with(kUpdate, {"--batch-size", "1e3"}), 2, "--batch-size: expected an integer"},
      {"UpdateEpochsBeyondInt", with(kUpdate, {"--epochs", "99999999999"}), 2, "--epochs: \"99999999999\""},
      {"SweepSampleBeyondInt64", with(kSweep, {"--sample", "99999999999999999999"}), 2, "--sample: "},
      {"NInitAboveLimit", with(kFit, {"--n-init", "1001"}), 2, "--n-init is at most 1000 (got 1001)"},
      {"MaxIterAboveLimit", with(kFit, {"--max-iter", "1000001"}), 2, "--max-iter is at most 1000000 (got 1000001)"},
      {"EpochsAboveLimit", with(kUpdate, {"--epochs", "10001"}), 2, "--epochs is at most 10000 (got 10001)"},
      {"SeedsAboveLimit", replaced(kSweep, "--seeds", "1001"), 2, "--seeds is at most 1000 (got 1001)"},
      {"SweepMaxIterAboveLimit", with(kSweep, {"--max-iter", "1000001"}), 2, "--max-iter is at most 1000000"},
  };
  cases.insert(cases.end(), numbers.begin(), numbers.end());
  return cases;
}

std::vector<SetCase> delimiter_and_out_cases() {
  std::vector<SetCase> cases = {
      {"DelimiterQuote", with(kFit, {"--delimiter", "\""}), 2, "--delimiter: a quote cannot separate fields"},
      {"DelimiterNewline", with(kFit, {"--delimiter", "\n"}), 2, "--delimiter: a line break cannot separate"},
      {"DelimiterCR", with(kFit, {"--delimiter", "\r"}), 2, "--delimiter: a line break cannot separate"},
      {"DelimiterEmpty", with(kFit, {"--delimiter", ""}), 2, "--delimiter: expected one character"},
      {"OutEmptyFit", replaced(kFit, "--out", ""), 2, "--out: an empty value"},
      {"OutEmptySweep", replaced(kSweep, "--out", ""), 2, "--out: an empty value"},
      {"OutEmptyUpdate", replaced(kUpdate, "--out", ""), 2, "--out: an empty value"},
      {"OutEmptyCompare", replaced(kCompare, "--out", ""), 2, "--out: an empty value"},
      {"OutEmptyAssign", replaced(kAssign, "--out", ""), 2, "--out: an empty value"},
      {"OutEmptyGenerate", replaced(kGenerate, "--out", ""), 2, "--out: an empty value"},
  };
  const std::vector<std::pair<std::string, std::vector<std::string>>> others = {
      {"Sweep", kSweep},
      {"Assign", kAssign},
      {"Update", kUpdate},
      {"Compare", kCompare},
      {"Profile", kProfile},
      {"Schema", {"schema", "@u.csv"}},
      {"Drift", {"drift", "@u.csv", "--model", "@out/model.json", "--quiet"}}};
  for (const auto& [name, base] : others)
    cases.push_back({name + "DelimiterQuote", with(base, {"--delimiter", "\""}), 2, "--delimiter: a quote"});
  return cases;
}

std::vector<SetCase> column_role_cases() {
  const std::string two = "is given two roles: ";
  return {
      {"IdIsWeight", with(kFit, {"--id-column", "id", "--weight-column", "id"}), 2,
       "column \"id\" " + two + "--id-column and --weight-column"},
      {"IdInColumns", with(kFit, {"--id-column", "id", "--columns", "id,a"}), 2, two + "--id-column and --columns"},
      {"IdCategorical", with(kFit, {"--id-column", "id", "--categorical", "id"}), 2, "--id-column and --categorical"},
      {"IdIgnored", with(kFit, {"--id-column", "id", "--ignore", "id"}), 2, "--id-column and --ignore"},
      {"WeightInColumns", with(kFit, {"--weight-column", "c", "--columns", "a,c"}), 2, "--weight-column and --columns"},
      {"WeightAudited", with(kFit, {"--weight-column", "c", "--audit-columns", "c"}), 2,
       "--weight-column and --audit-columns"},
      {"CategoricalAndNumeric", with(kFit, {"--categorical", "a", "--numeric", "a"}), 2,
       "column \"a\" " + two + "--categorical and --numeric"},
      {"NumericAndDate", with(kFit, {"--numeric", "b", "--date-columns", "b"}), 2, "--numeric and --date-columns"},
      {"IgnoredFeature", with(kFit, {"--columns", "a,b", "--ignore", "b"}), 2, "--columns and --ignore"},
      {"AuditedFeature", with(kFit, {"--columns", "a,b", "--audit-columns", "a"}), 2, "--columns and --audit-columns"},
      {"SweepIdIsWeight", with(kSweep, {"--id-column", "id", "--weight-column", "id"}), 2, "--weight-column"},
      {"SweepCategoricalAndNumeric", with(kSweep, {"--categorical", "c", "--numeric", "c"}), 2, "--numeric"},
      {"SchemaIdInColumns", {"schema", "@u.csv", "--id-column", "id", "--columns", "id"}, 2, "--columns"},
      {"SchemaIgnoredWeight", {"schema", "@u.csv", "--weight-column", "c", "--ignore", "c"}, 2, "--ignore"},
      {"AuditRatioBeforeWork", with(kFit, {"--audit-ratio", "3"}), 2, "--audit-ratio must be between 0 and 1"},
      {"AuditMinDiffBeforeWork", with(kFit, {"--audit-min-diff", "2"}), 2, "--audit-min-diff must be a share"},
      {"SweepAuditRatio", with(kSweep, {"--audit-ratio", "0"}), 2, "--audit-ratio"},
      {"SegmentNamesMissing", with(kFit, {"--segment-names", "@none.csv"}), 1, "--segment-names"},
      {"WarmStartMissing", with(kFit, {"--warm-start", "@none.json"}), 1, "--warm-start"},
  };
}

std::vector<SetCase> special_file_cases() {
  const std::string is_fifo = "it is a FIFO (named pipe), not a regular file";
  const std::string is_dir = "it is a directory, not a regular file";
  const std::string is_device = "it is a character device, not a regular file";
  return {
      {"FitInputFifo", swapped(kFit, "@u.csv", "@p"), 1, is_fifo, fifo("p")},
      {"FitInputDirectory", {"fit", "@out", "--k", "2", "--out", "@o2", "--quiet"}, 1, is_dir},
      {"FitInputDevZero", {"fit", "/dev/zero", "--k", "2", "--out", "@o2", "--quiet"}, 1, is_device},
      {"AssignInputFifo",
       {"assign", "@p", "--model", "@out/model.json", "--out", "@a.csv", "--quiet"},
       1,
       is_fifo,
       fifo("p")},
      {"AssignModelFifo", replaced(kAssign, "--model", "@p"), 1, "the model file", fifo("p")},
      {"AssignModelDirectory", replaced(kAssign, "--model", "@out"), 1, is_dir},
      {"AssignModelDevZero", replaced(kAssign, "--model", "/dev/zero"), 1, is_device},
      {"AssignOutDevNull", replaced(kAssign, "--out", "/dev/null"), 1, "not a regular file"},
      {"AssignOutFifo", replaced(kAssign, "--out", "@p"), 1, "not a regular file", fifo("p")},
      {"WarmStartFifo", with(kFit, {"--warm-start", "@p"}), 1, "--warm-start", fifo("p")},
      {"MatchIdsDevZero", with(kFit, {"--match-ids", "/dev/zero"}), 1, "--match-ids /dev/zero: " + is_device},
      {"SegmentNamesFifo", with(kFit, {"--segment-names", "@p"}), 1, is_fifo, fifo("p")},
      {"InitNpyFifo", with(kFit, {"--init", "@p.npy"}), 1, is_fifo, fifo("p.npy")},
      {"HashKeyFifo", with(kFit, {"--hash-ids", "--hash-key-file", "@p"}), 2, is_fifo, fifo("p")},
      {"HashKeyDirectory", with(kFit, {"--hash-ids", "--hash-key-file", "@out"}), 2, is_dir},
      {"HashKeyDevZero", with(kFit, {"--hash-ids", "--hash-key-file", "/dev/zero"}), 2, is_device},
      {"CompareOldFifo", {"compare", "@p", "@out/segments.csv", "--out", "@out", "--quiet"}, 1, is_fifo, fifo("p")},
      {"CompareNewDevZero", {"compare", "@out/segments.csv", "/dev/zero", "--out", "@out", "--quiet"}, 1, is_device},
      {"ReportProfilesFifo",
       {"report", "@r", "--quiet"},
       1,
       is_fifo,
       [](const test::ScratchDir& dir) {
         std::filesystem::create_directories(dir.file("r"));
         ASSERT_EQ(::mkfifo(dir.file("r/profiles.json").c_str(), 0644), 0);
       }},
      {"ReportSweepFifo", {"report", "@out", "--sweep", "@p", "--quiet"}, 1, is_fifo, fifo("p")},
      {"ProfileSegmentsFifo", replaced(kProfile, "--segments", "@p"), 1, is_fifo, fifo("p")},
      {"ProfileModelFifo", replaced(kProfile, "--model", "@p"), 1, is_fifo, fifo("p")},
      {"ProfileNamesFifo", with(kProfile, {"--segment-names", "@p"}), 1, is_fifo, fifo("p")},
      {"UpdateModelFifo", replaced(kUpdate, "--model", "@p"), 1, is_fifo, fifo("p")},
      {"UpdateInputDevZero",
       {"update", "/dev/zero", "--model", "@out/model.json", "--out", "@out", "--quiet"},
       1,
       is_device},
      {"DriftModelFifo", {"drift", "@u.csv", "--model", "@p", "--quiet"}, 1, is_fifo, fifo("p")},
      {"DriftInputFifo", {"drift", "@p", "--model", "@out/model.json", "--quiet"}, 1, is_fifo, fifo("p")},
      {"HashKeyTooLarge", with(kFit, {"--hash-ids", "--hash-key-file", "@key"}), 2, "accepts at most 64 KiB",
       [](const test::ScratchDir& dir) { dir.file_write("key", std::string(70000, 'k')); }},
      {"NamesFileTooLarge", with(kFit, {"--segment-names", "@names.csv"}), 1, "accepts at most 16 MiB",
       [](const test::ScratchDir& dir) { dir.file_write("names.csv", std::string((17 << 20), 'x')); }},
  };
}

std::vector<SetCase> late_failure_cases() {
  const auto far_centroid = [](nlohmann::json& m) { m["centroids"][0][0] = 1e20; };
  const auto tiny_scale = [](nlohmann::json& m) {
    for (auto& column : m["preparation"]["columns"])
      if (column.contains("scale")) column["scale"] = 1e-30;
  };
  return {
      {"ModelCentroidOverflowAssign", replaced(kAssign, "--model", "@bad.json"), 1,
       "centroids[0] has a squared norm beyond 1e30", model_edited(far_centroid)},
      {"ModelCentroidOverflowUpdate", replaced(kUpdate, "--model", "@bad.json"), 1, "centroids[0]",
       model_edited(far_centroid)},
      {"ModelCentroidOverflowWarmStart", with(kFit, {"--warm-start", "@bad.json"}), 1, "centroids[0]",
       model_edited(far_centroid)},
      {"ModelScaleOverflow", replaced(kAssign, "--model", "@bad.json"), 1, "overflows float arithmetic",
       model_edited(tiny_scale)},
      {"FitNamesUnknownSegmentAfterFit", with(kFit, {"--segment-names", "@names.csv"}), 1,
       "is not one of this fit's segment ids",
       [](const test::ScratchDir& dir) { dir.file_write("names.csv", "segment,name\n7,Seven\n"); }},
      {"FitKAboveRows", replaced(kFit, "--k", "100"), 1, "larger than the number of rows"},
      {"UpdateMissingColumn", swapped(kUpdate, "@u.csv", "@v.csv"), 1, "column \"a\"",
       [](const test::ScratchDir& dir) { dir.file_write("v.csv", "id,b,c\n1,2,3\n"); }},
      {"CompareBadHeader",
       {"compare", "@out/segments.csv", "@s.csv", "--out", "@out", "--quiet"},
       1,
       "s.csv",
       [](const test::ScratchDir& dir) { dir.file_write("s.csv", "who,what\n1,2\n"); }},
      {"ProfileWrongRowCount", swapped(kProfile, "@u.csv", "@v.csv"), 1, "give the segments.csv written for this",
       [](const test::ScratchDir& dir) { dir.file_write("v.csv", "id,a,b,c\n1,2,3,4\n"); }},
      {"SweepKAboveRows", swapped(kSweep, "2..3", "50..51"), 1, "--k up to 51 needs more rows than the 40"},
  };
}

std::vector<SetCase> corpus() {
  std::vector<SetCase> all;
  for (const auto& part : {seed_and_number_cases(), delimiter_and_out_cases(), column_role_cases(),
                           special_file_cases(), late_failure_cases()})
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

class OutputSets : public testing::TestWithParam<SetCase> {};

TEST_P(OutputSets, RefusedAndTheEarlierSetUnchanged) { test::set_case_check(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Corpus, OutputSets, testing::ValuesIn(corpus()), test::set_case_name);

}  // namespace
}  // namespace kseg
