// Bad-input corpus, the newer front ends: profile-build's event logs and options, measure's outcomes and segments,
// plan, generate and doctor options. Each case: exit code, one stderr line naming the file:line:column or the option,
// nothing written (in-process and as the built program, tests/robustness/bad_input_support.hpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/robustness/bad_input_support.hpp"

namespace kseg {
namespace {

using test::BadInputCase;

const char* const kEventHeader = "user_id,order_time,amount\n";

// An event log: the header, a good first event, then `line` (the log's line 3).
std::string log_with(const std::string& line) { return std::string(kEventHeader) + "u1,2024-01-01,5\n" + line + "\n"; }

std::vector<std::string> build_args(const std::string& file, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"profile-build",   "@" + file, "--out",         "@pb/users.csv",
                                   "--user-column",   "user_id",  "--time-column", "order_time",
                                   "--amount-column", "amount",   "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::string not_a_time(const std::string& text) {
  return "e.csv:3:2: column \"order_time\": \"" + text + "\" is not an ISO 8601 date or timestamp";
}

std::string not_an_amount(const std::string& text) {
  return "e.csv:3:3: column \"amount\": \"" + text + "\" is not a finite number";
}

std::vector<BadInputCase> event_log_corpus() {
  const std::vector<std::pair<std::string, std::string>> ok = {{"e.csv", log_with("u2,2024-01-03,3")}};
  return {
      {"TimeAfterYear9999",
       {{"e.csv", log_with("u2,10000-01-01,3")}},
       build_args("e.csv"),
       1,
       not_a_time("10000-01-01")},
      {"TimeNegativeYear",
       {{"e.csv", log_with("u2,-2024-01-01,3")}},
       build_args("e.csv"),
       1,
       not_a_time("-2024-01-01")},
      {"TimeFebruary30", {{"e.csv", log_with("u2,2024-02-30,3")}}, build_args("e.csv"), 1, not_a_time("2024-02-30")},
      {"TimeHour25",
       {{"e.csv", log_with("u2,2024-01-02T25:00:00Z,3")}},
       build_args("e.csv"),
       1,
       not_a_time("2024-01-02T25:00:00Z")},
      {"TimeZoneOffset25",
       {{"e.csv", log_with("u2,2024-01-02T10:00:00+25:00,3")}},
       build_args("e.csv"),
       1,
       not_a_time("2024-01-02T10:00:00+25:00")},
      {"TimeEmpty", {{"e.csv", log_with("u2,,3")}}, build_args("e.csv"), 1, not_a_time("")},
      {"TimeMissingSpelling", {{"e.csv", log_with("u2,NULL,3")}}, build_args("e.csv"), 1, not_a_time("NULL")},
      {"UserEmpty",
       {{"e.csv", log_with(",2024-01-02,3")}},
       build_args("e.csv"),
       1,
       "e.csv:3:1: column \"user_id\": empty user id"},
      {"UserNA",
       {{"e.csv", log_with("NA,2024-01-02,3")}},
       build_args("e.csv"),
       1,
       "e.csv:3:1: column \"user_id\": user id \"NA\" is a missing-value spelling"},
      {"UserNull",
       {{"e.csv", log_with(" NULL ,2024-01-02,3")}},
       build_args("e.csv"),
       1,
       "e.csv:3:1: column \"user_id\": user id \" NULL \" is a missing-value spelling"},
      {"AmountDollar", {{"e.csv", log_with("u2,2024-01-02,$12")}}, build_args("e.csv"), 1, not_an_amount("$12")},
      {"AmountBeyondDouble",
       {{"e.csv", log_with("u2,2024-01-02,1e999")}},
       build_args("e.csv"),
       1,
       not_an_amount("1e999")},
      // Finite, but two of them sum to infinity (written to users.csv as "inf" before the limit).
      {"AmountsSummingPastDouble",
       {{"e.csv", log_with("u1,2024-01-02,1e308\nu1,2024-01-03,1e308")}},
       build_args("e.csv"),
       1,
       "e.csv:3:3: column \"amount\": \"1e308\" is beyond ±1e15"},
      // Options whose output columns would repeat (a users.csv fit refuses), and an option given empty (read as not
      // given before: the defaults were built).
      {"WindowsTwice",
       {{"e.csv", log_with("u2,2024-01-02,3")}},
       build_args("e.csv", {"--windows", "7,30,7"}),
       2,
       "--windows: 7 is given twice"},
      {"LastTwice",
       {{"e.csv", log_with("u2,2024-01-02,3")}},
       build_args("e.csv", {"--last", "amount", "--last", "amount"}),
       2,
       "--last: column \"amount\" is given twice"},
      {"IdNamedLikeAFeature",
       {{"e.csv", "frequency,order_time\nu1,2024-01-01\n"}},
       {"profile-build", "@e.csv", "--out", "@pb/users.csv", "--user-column", "frequency", "--time-column",
        "order_time", "--quiet"},
       2,
       "the profile would have two columns named \"frequency\""},
      {"FamiliesEmpty",
       {{"e.csv", log_with("u2,2024-01-02,3")}},
       build_args("e.csv", {"--families", ""}),
       2,
       "--families: an empty value"},
      // "nan" and "NA" are missing-value spellings, read as a missing amount (a positive test in
      // tests/events/profile_build_na_test.cpp); infinity is not one.
      {"AmountInf", {{"e.csv", log_with("u2,2024-01-02,inf")}}, build_args("e.csv"), 1, not_an_amount("inf")},
      {"AmountNaWithText",
       {{"e.csv", log_with("u2,2024-01-02,NA dollars")}},
       build_args("e.csv"),
       1,
       not_an_amount("NA dollars")},
      {"AmountThousandsSeparator",
       {{"e.csv", log_with("u2,2024-01-02,\"1,234\"")}},
       build_args("e.csv"),
       1,
       not_an_amount("1,234")},
      {"HeaderOnly", {{"e.csv", kEventHeader}}, build_args("e.csv"), 1, "e.csv: no events"},
      {"EmptyLog", {{"e.csv", ""}}, build_args("e.csv"), 1, "e.csv: is empty: a header row is required"},
      {"RaggedEvent",
       {{"e.csv", log_with("u2,2024-01-03")}},
       build_args("e.csv"),
       1,
       "e.csv:3:3: expected 3 fields, found 2"},
      {"DelimiterGuessedWrong",
       {{"e.csv", "user_id;order_time;amount\nu1;2024-01-01;5\n"}},
       build_args("e.csv"),
       1,
       "e.csv:1:1: the header is one column \"user_id;order_time;amount\" and line 2 splits by ';' into as many "
       "fields: the file looks ';'-separated: add --delimiter ';'"},
      {"AsOfNotADate", ok, build_args("e.csv", {"--as-of", "2024-13-01"}), 2, "--as-of: \"2024-13-01\""},
      {"AsOfBeforeEveryEvent", ok, build_args("e.csv", {"--as-of", "1900-01-01"}), 1,
       "no events on or before --as-of 1900-01-01"},
      {"WindowZero", ok, build_args("e.csv", {"--windows", "0,7"}), 2, "--windows: 0 is not a window length"},
      {"WindowBeyondInt", ok, build_args("e.csv", {"--windows", "99999999999"}), 2, "--windows: \"99999999999\""},
      {"FamilyUnknown", ok, build_args("e.csv", {"--families", "rfm,xyz"}), 2, "--families: unknown family \"xyz\""},
      {"MaxCategoriesNegative", ok, build_args("e.csv", {"--max-categories", "-1"}), 2, "--max-categories"},
      {"CategoryColumnUnknown", ok, build_args("e.csv", {"--category-column", "zz"}), 2,
       "--category-column: no column \"zz\""},
      {"LogIsADirectory", {}, build_args("out"), 1, "out: it is a directory, not a regular file"},
      {"OutIsTheLogThroughALink",
       ok,
       {"profile-build", "@e.csv", "--out", "@link.csv", "--user-column", "user_id", "--time-column", "order_time",
        "--quiet"},
       2,
       "is the event log itself",
       [](const test::ScratchDir& dir) { std::filesystem::create_symlink("e.csv", dir.file("link.csv")); }},
      {"OutIsItsOwnSpecFile",
       ok,
       {"profile-build", "@e.csv", "--out", "@pb/profile_build.json", "--user-column", "user_id", "--time-column",
        "order_time", "--quiet"},
       2,
       "is also --out: each output needs its own path"},
      {"OutUnderAFile",
       ok,
       {"profile-build", "@e.csv", "--out", "@e.csv/users.csv", "--user-column", "user_id", "--time-column",
        "order_time", "--quiet"},
       1,
       "e.csv is not a directory"},
      // A failed build creates no directory for --out (the tree check sees any new entry).
      {"FailedBuildCreatesNoDirectory",
       {{"e.csv", log_with("u2,2024-02-30,3")}},
       {"profile-build", "@e.csv", "--out", "@new/deeper/users.csv", "--user-column", "user_id", "--time-column",
        "order_time", "--quiet"},
       1,
       not_a_time("2024-02-30")},
  };
}

std::vector<BadInputCase> spec_corpus() {
  const std::string log = log_with("u2,2024-01-03,3");
  // A real spec from a build of e.csv into @s/, then edited: replace `from` by `to` in its text.
  const auto spec_edit = [](const std::string& from, const std::string& to) {
    return [from, to](const test::ScratchDir& dir) {
      ASSERT_EQ(test::cli({"profile-build", dir.file("e.csv"), "--out", dir.file("s/users.csv"), "--user-column",
                           "user_id", "--time-column", "order_time", "--quiet"})
                    .code,
                0);
      std::string text = test::file_read(dir.file("s/profile_build.json"));
      const size_t at = text.find(from);
      ASSERT_NE(at, std::string::npos) << from << " not in " << text;
      dir.file_write("spec.json", text.replace(at, from.size(), to));
    };
  };
  const std::vector<std::string> with_spec = {"profile-build", "@e.csv",     "--out",  "@pb/users.csv",
                                              "--spec",        "@spec.json", "--quiet"};
  return {
      {"SpecNotJson", {{"e.csv", log}, {"spec.json", "{"}}, with_spec, 1, "spec.json: malformed profile_build.json"},
      {"SpecNotASpec",
       {{"e.csv", log}, {"spec.json", "{\"version\": 1}"}},
       with_spec,
       1,
       "spec.json: not a profile_build.json written by kseg profile-build"},
      {"SpecMissing",
       {{"e.csv", log}},
       {"profile-build", "@e.csv", "--out", "@pb/u.csv", "--spec", "@none.json"},
       1,
       "--spec: cannot read"},
      {"SpecNewerVersion",
       {{"e.csv", log}},
       with_spec,
       1,
       "spec.json: spec version 99 is not supported",
       spec_edit("\"version\": 1", "\"version\": 99")},
      {"SpecVersionFraction",
       {{"e.csv", log}},
       with_spec,
       1,
       "spec.json: \"version\" is 1.5, not a whole number",
       spec_edit("\"version\": 1", "\"version\": 1.5")},
      {"SpecWindowBeyondDouble",
       {{"e.csv", log}},
       with_spec,
       1,
       "spec.json: \"windows[0]\" is 1e+300, not a whole number from -2147483648 to 2147483647",
       spec_edit("\"windows\": [\n    7,", "\"windows\": [\n    1e300,")},
      {"SpecMaxCategoriesBeyondInt",
       {{"e.csv", log}},
       with_spec,
       1,
       "spec.json: \"max_categories\" is 1099511627776, not a whole number",
       spec_edit("\"max_categories\": 10", "\"max_categories\": 1099511627776")},
      {"SpecNegativeWindow",
       {{"e.csv", log}},
       with_spec,
       1,
       "spec.json: --windows: -5 is not a window length",
       spec_edit("\"windows\": [\n    7,", "\"windows\": [\n    -5,")},
      {"SpecWindowTwice",
       {{"e.csv", log}},
       with_spec,
       1,
       "spec.json: --windows: 7 is given twice",
       spec_edit("\"windows\": [\n    7,\n    30,\n    90\n  ]", "\"windows\": [7, 30, 7]")},
      {"SpecWindowsNotAList",
       {{"e.csv", log}},
       with_spec,
       1,
       "spec.json: \"windows\" is \"7\", not a list",
       spec_edit("\"windows\": [\n    7,\n    30,\n    90\n  ]", "\"windows\": \"7\"")},
  };
}

// A segments file of 40 users in 2 segments and their campaign outcomes, 20 per group.
std::string segments_csv() {
  std::string text = "id,segment\n";
  for (int i = 0; i < 40; ++i) text += "u" + std::to_string(i) + "," + std::to_string(i % 2) + "\n";
  return text;
}

std::string outcomes_with(int row, const std::string& cells) {
  std::string text = "user_id,group,pre,converted,revenue\n";
  for (int i = 0; i < 40; ++i)
    text += i == row
                ? cells + "\n"
                : "u" + std::to_string(i) + "," + (i % 4 < 2 ? "control" : "treatment") + "," + std::to_string(i % 5) +
                      "," + std::to_string(i % 3 == 0) + "," + std::to_string(i % 7) + "\n";
  return text;
}

std::vector<BadInputCase> campaign_corpus() {
  const std::vector<std::pair<std::string, std::string>> ok = {{"s.csv", segments_csv()},
                                                               {"o.csv", outcomes_with(-1, "")}};
  const auto measure = [](const std::string& outcomes, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"measure", "@" + outcomes, "--segments", "@s.csv", "--out", "@m", "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const auto with = [&ok](const std::string& name, const std::string& bytes) {
    std::vector<std::pair<std::string, std::string>> files = ok;
    files.push_back({name, bytes});
    return files;
  };
  const auto plan = [](std::vector<std::string> extra) {
    std::vector<std::string> args = {"plan", "--segments", "@s.csv"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  return {
      {"OutcomesHeaderOnly", with("h.csv", "user_id,group,pre,converted,revenue\n"), measure("h.csv"), 1,
       "h.csv: no rows"},
      {"OutcomeSpelledMissing", with("b.csv", outcomes_with(3, "u3,treatment,1,1,NA")), measure("b.csv"), 1,
       "b.csv:5:5: column \"revenue\": \"NA\" is not a number"},
      {"OutcomeBeyondDouble", with("b.csv", outcomes_with(3, "u3,treatment,1,1,1e999")), measure("b.csv"), 1,
       "b.csv:5:5: column \"revenue\": \"1e999\" is not a number"},
      // Finite, but their sums and squares overflow (the revenue rows were inf and empty before the limit).
      {"OutcomesSummingPastDouble", with("b.csv", outcomes_with(3, "u3,treatment,1,1,1e308")), measure("b.csv"), 1,
       "b.csv:5:5: column \"revenue\": \"1e308\" is beyond ±1e15"},
      {"PreMetricSquaringPastDouble", with("b.csv", outcomes_with(3, "u3,treatment,1e200,1,1")),
       measure("b.csv", {"--pre-metric", "pre"}), 1, "b.csv:5:3: column \"pre\": \"1e200\" is beyond ±1e15"},
      {"GroupEmpty", with("b.csv", outcomes_with(3, "u3,,1,1,1")), measure("b.csv"), 1,
       "b.csv:5:2: column \"group\" is empty"},
      {"IdRepeated", with("b.csv", outcomes_with(3, "u2,treatment,1,1,1")), measure("b.csv"), 1,
       "b.csv:5:1: id \"u2\" repeats line 4"},
      {"NoControlGroup", ok, measure("o.csv", {"--control", "holdout"}), 1,
       "no users in the control group \"holdout\""},
      {"WeightNegative", with("b.csv", outcomes_with(3, "u3,treatment,-5,1,1")),
       measure("b.csv", {"--weight-column", "pre"}), 1, "b.csv:5:3: weight -5 is negative"},
      {"MetricUnknown", ok, measure("o.csv", {"--metrics", "zz"}), 1, "o.csv: no column \"zz\" (--metrics)"},
      {"SplitNotANumber", ok, measure("o.csv", {"--split", "50/abc"}), 2, "--split 50/abc: \"abc\""},
      {"SplitZero", ok, measure("o.csv", {"--split", "0/0"}), 2, "--split 0/0"},
      {"AlphaAboveOne", ok, measure("o.csv", {"--alpha", "2"}), 2, "--alpha must lie in (0, 1)"},
      {"AlphaNan", ok, measure("o.csv", {"--alpha", "nan"}), 2, "--alpha must lie in (0, 1)"},
      {"BootstrapNegative", ok, measure("o.csv", {"--bootstrap", "-1"}), 2, "--bootstrap must lie in [0, 1000000]"},
      {"BootstrapBeyondInt", ok, measure("o.csv", {"--bootstrap", "99999999999"}), 2, "--bootstrap: \"99999999999\""},
      {"SegmentNotAnId",
       with("bad.csv", "id,segment\nu1,0\nu2,x\n"),
       {"measure", "@o.csv", "--segments", "@bad.csv", "--out", "@m", "--quiet"},
       1,
       "bad.csv:3:2: segment \"x\" is not a segment id"},
      {"SegmentBeyondInt32",
       with("bad.csv", "id,segment\nu1,2147483648\n"),
       {"measure", "@o.csv", "--segments", "@bad.csv", "--out", "@m", "--quiet"},
       1,
       "bad.csv:2:2: segment \"2147483648\" is not a segment id"},
      {"SegmentsHeaderOnly",
       with("bad.csv", "id,segment\n"),
       {"measure", "@o.csv", "--segments", "@bad.csv", "--out", "@m", "--quiet"},
       1,
       "bad.csv: no rows"},
      {"OutcomesNamedLikeTheOutput", ok, measure("m/measure.csv"), 2, "is the OUTCOMES file",
       [](const test::ScratchDir& dir) {
         std::filesystem::create_directories(dir.file("m"));
         dir.file_write("m/measure.csv", outcomes_with(-1, ""));
       }},
      {"OutIsAFile",
       ok,
       {"measure", "@o.csv", "--segments", "@s.csv", "--out", "@o.csv", "--quiet"},
       1,
       "o.csv is not a directory"},
      {"PlanRateZero", ok, plan({"--baseline-rate", "0", "--mde", "0.1"}), 2, "--baseline-rate must lie in (0, 1)"},
      {"PlanRateNan", ok, plan({"--baseline-rate", "nan", "--mde", "0.1"}), 2, "--baseline-rate must lie in (0, 1)"},
      {"PlanLiftLeavesRates", ok, plan({"--baseline-rate", "0.5", "--mde", "10"}), 2, "--mde is the relative lift"},
      // p1 − p0 underflows: the size is infinite; it was printed as -9223372036854775808 users.
      {"PlanLiftTooSmallForAnyPopulation", ok, plan({"--baseline-rate", "1e-300", "--mde", "1e-300"}), 2,
       "--mde: a lift this small needs more than 10^15 users per group"},
      {"PlanLiftTiny", ok, plan({"--baseline-rate", "0.04", "--mde", "1e-9"}), 2, "more than 10^15 users per group"},
      {"PlanPowerOne", ok, plan({"--baseline-rate", "0.04", "--mde", "0.1", "--power", "1"}), 2,
       "--power must lie in (0, 1)"},
      {"PlanSegmentsDirectory",
       ok,
       {"plan", "--segments", "@out", "--baseline-rate", "0.04", "--mde", "0.1"},
       1,
       "it is a directory"},
  };
}

std::vector<BadInputCase> generate_doctor_corpus() {
  const auto generate = [](std::vector<std::string> extra) {
    std::vector<std::string> args = {"generate", "--users", "10", "--out", "@g.csv", "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  return {
      {"GenerateUsersZero", {}, {"generate", "--users", "0", "--out", "@g.csv"}, 2, "--users must be at least 1"},
      {"GenerateUsersNegative", {}, {"generate", "--users", "-5", "--out", "@g.csv"}, 2, "--users must be at least 1"},
      {"GenerateDriftAboveOne", {}, generate({"--drift", "2"}), 2, "--drift must lie in [0, 1]"},
      {"GenerateDriftNan", {}, generate({"--drift", "nan"}), 2, "--drift must lie in [0, 1]"},
      {"GenerateChurnNegative", {}, generate({"--churn", "-0.1"}), 2, "--churn must lie in [0, 1]"},
      {"GenerateSeedNegative", {}, generate({"--seed", "-1"}), 2, "--seed"},
      // Two outputs at one path: the second replaced the first (exit 0).
      {"GenerateEventsAtTheUsersPath",
       {},
       generate({"--events", "@./g.csv"}),
       2,
       "is also --out: each output needs its own path"},
      {"GenerateCampaignAtTheEventsPath",
       {},
       generate({"--events", "@e.csv", "--campaign", "@e.csv"}),
       2,
       "is also --events"},
      {"GenerateEventsIntoADirectory", {}, generate({"--events", "@out"}), 1, "it is a directory"},
      {"GenerateOutIsADirectory", {}, {"generate", "--users", "10", "--out", "@out"}, 1, "it is a directory"},
      {"GenerateOutDevice", {}, {"generate", "--users", "10", "--out", "/dev/full"}, 1, "not a regular file"},
      {"DoctorKZero", {}, {"doctor", "--k", "0"}, 2, "--users must be >= --k >= 1"},
      {"DoctorUsersBelowK", {}, {"doctor", "--users", "10", "--k", "100"}, 2, "--users must be >= --k >= 1"},
      {"DoctorThreadsNegative", {}, {"doctor", "--threads", "-1"}, 2, "--threads must be >= 0"},
      {"DoctorUsersNotANumber", {}, {"doctor", "--users", "many"}, 2, "--users"},
  };
}

class BadCommands : public testing::TestWithParam<BadInputCase> {};

TEST_P(BadCommands, RefusedWithLocationAndNothingWritten) { test::bad_input_case_check(GetParam()); }

INSTANTIATE_TEST_SUITE_P(EventLogs, BadCommands, testing::ValuesIn(event_log_corpus()), test::bad_input_case_name);
INSTANTIATE_TEST_SUITE_P(Specs, BadCommands, testing::ValuesIn(spec_corpus()), test::bad_input_case_name);
INSTANTIATE_TEST_SUITE_P(Campaigns, BadCommands, testing::ValuesIn(campaign_corpus()), test::bad_input_case_name);
INSTANTIATE_TEST_SUITE_P(GenerateDoctor, BadCommands, testing::ValuesIn(generate_doctor_corpus()),
                         test::bad_input_case_name);

}  // namespace
}  // namespace kseg
