// kseg sweep, profile and report in-process: the recommended k on planted segments, the rule's fallbacks, and
// report.html checked for structure (well-formed, self-contained, every segment, numbers equal to profiles.csv),
// and the migration chart kseg compare draws into it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>

#include "../cli/cli_test_support.hpp"
#include "host/error.hpp"
#include "host/report/k_sweep.hpp"
#include "host/report/migration_report.hpp"
#include "host/report/svg_charts.hpp"

namespace kseg {
namespace {

using test::cli;
using test::file_read;
using test::lines_split;

// Four well-separated segments of 40/30/20/10% in 3 numeric columns, with a categorical and an audit column.
std::string planted_csv(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double centre[4][3] = {{0, 0, 0}, {12, 0, 3}, {0, 12, -3}, {12, 12, 9}};
  const char* device[4] = {"ios", "web", "android", "ios"};
  std::ostringstream csv;
  csv << "user_id,spend,visits,tenure_days,device,gender\n";
  for (int i = 0; i < n; ++i) {
    const double r = u(rng);
    const int s = r < 0.4 ? 0 : r < 0.7 ? 1 : r < 0.9 ? 2 : 3;
    csv << "u" << i;
    for (int t = 0; t < 3; ++t) csv << "," << 100 + centre[s][t] + noise(rng);
    csv << "," << (u(rng) < 0.85 ? device[s] : "web") << "," << (u(rng) < (s == 3 ? 0.8 : 0.5) ? "F" : "M") << "\n";
  }
  return csv.str();
}

std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (quoted && line[i] == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (line[i] == '"') {
      quoted = !quoted;
    } else if (line[i] == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += line[i];
    }
  }
  return fields;
}

// XML well-formedness of the page (after its doctype): tags nest and close, attributes are quoted, every & starts an
// entity. Returns "" or what is wrong.
std::string wellformed_check(const std::string& html) {
  size_t i = html.find("<html");
  if (html.rfind("<!DOCTYPE html>", 0) != 0 || i == std::string::npos) return "no doctype or <html>";
  std::vector<std::string> open;
  while (i < html.size()) {
    if (html[i] == '&') {
      const size_t semi = html.find(';', i);
      if (semi == std::string::npos || semi - i > 8) return "bare & at " + std::to_string(i);
      i = semi + 1;
      continue;
    }
    if (html.compare(i, 4, "<!--") == 0) {  // a comment (the migration section's markers)
      const size_t close = html.find("-->", i + 4);
      if (close == std::string::npos) return "unterminated comment at " + std::to_string(i);
      i = close + 3;
      continue;
    }
    if (html[i] == '>') return "bare > at " + std::to_string(i);
    if (html[i] != '<') {
      ++i;
      continue;
    }
    size_t end = i + 1;
    char quote = 0;
    for (; end < html.size() && (quote || html[end] != '>'); ++end) {
      if (quote && html[end] == quote)
        quote = 0;
      else if (!quote && (html[end] == '"' || html[end] == '\''))
        quote = html[end];
      else if (!quote && html[end] == '<')
        return "< inside a tag at " + std::to_string(end);
    }
    if (end >= html.size()) return "unterminated tag at " + std::to_string(i);
    const std::string tag = html.substr(i + 1, end - i - 1);
    const std::string name = tag.substr(tag[0] == '/' ? 1 : 0, tag.find_first_of(" />", 1) - (tag[0] == '/' ? 1 : 0));
    if (tag[0] == '/') {
      if (open.empty() || open.back() != name)
        return "</" + name + "> closes <" + (open.empty() ? "" : open.back()) + ">";
      open.pop_back();
    } else if (tag.back() != '/') {
      open.push_back(name);
    }
    i = end + 1;
    if (name == "style" && tag[0] != '/') i = html.find("</style>", i);
  }
  return open.empty() ? "" : "<" + open.back() + "> never closed";
}

// Every number of profiles.csv (sizes, means, level shares, audit shares) appears in report.html on its segment.
void report_matches_profiles(const std::string& html, const std::string& profiles_csv) {
  int checked = 0;
  for (const std::string& line : lines_split(profiles_csv)) {
    const std::vector<std::string> f = csv_fields(line);
    ASSERT_EQ(f.size(), 10u) << line;
    if (f[0] == "segment") continue;
    const std::string label = html_escape(f[4].empty() ? f[3] : f[3] + "=" + f[4]);
    std::string needle;
    if (f[2] == "size") needle = "data-segment=\"" + f[0] + "\" data-size=\"" + f[5] + "\"";
    if (f[2] == "share") needle = "data-share=\"" + f[5] + "\"";
    if (f[2] == "mean" || f[2] == "level_share")
      needle = "data-segment=\"" + f[0] + "\" data-feature=\"" + label + "\" data-value=\"" + f[5] + "\"";
    if (f[2] == "audit_mean" || f[2] == "audit_level_share")
      needle = "data-segment=\"" + f[0] + "\" data-audit=\"" + label + "\" data-value=\"" + f[5] + "\"";
    EXPECT_NE(html.find(needle), std::string::npos) << needle;
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

TEST(Sweep, RecommendsThePlantedK) {
  test::ScratchDir dir;
  const std::string users = dir.file_write("users.csv", planted_csv(3000, 3));
  const test::CliResult r = cli({"sweep", users, "--k", "2..7", "--seeds", "3", "--sample", "1500", "--out",
                                 dir.file("sw"), "--ignore", "gender,device"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("recommended k = 4: best silhouette"), std::string::npos) << r.out;
  const std::vector<std::string> rows = lines_split(file_read(dir.file("sw/sweep.csv")));
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0],
            "k,inertia,silhouette,calinski_harabasz,davies_bouldin,min_share,stability,best_seed,n_iter,seconds,"
            "recommended");
  EXPECT_EQ(rows[3].substr(0, 2), "4,");
  EXPECT_EQ(rows[3].substr(rows[3].size() - 2), ",1");
  const nlohmann::json sweep = nlohmann::json::parse(file_read(dir.file("sw/sweep.json")));
  EXPECT_EQ(sweep["recommended"]["k"], 4);
  EXPECT_EQ(sweep["silhouette_sample"]["rows"], 1500);
  EXPECT_EQ(sweep["silhouette_sample"]["seed"], 42);
  EXPECT_GT(sweep["rows"][2]["stability"].get<double>(), 0.99);
  const std::string html = file_read(dir.file("sw/report.html"));
  EXPECT_EQ(wellformed_check(html), "");
  EXPECT_NE(html.find("Recommended k = 4"), std::string::npos);
  EXPECT_NE(html.find("Davies-Bouldin"), std::string::npos);
  report_matches_profiles(html, file_read(dir.file("sw/profiles.csv")));
  // The same sweep again: the same numbers (seconds aside).
  ASSERT_EQ(cli({"sweep", users, "--k", "2..7", "--sample", "1500", "--out", dir.file("sw2"), "--ignore",
                 "gender,device", "--quiet"})
                .code,
            0);
  EXPECT_EQ(file_read(dir.file("sw/profiles.csv")), file_read(dir.file("sw2/profiles.csv")));
}

// Columns 0..8 of sweep.csv (all but seconds and the recommended flag).
std::vector<std::string> sweep_numbers(const std::string& csv) {
  std::vector<std::string> out;
  for (const std::string& line : lines_split(csv)) out.push_back(line.substr(0, line.rfind(',', line.rfind(',') - 1)));
  return out;
}

// --fit-sample: fits on a sample, judged on every row. The planted k is still found; the inertia and shares are of
// all rows (the sizes in profiles.csv add up to every user); a sample as large as the input is no sample at all; a
// k the sample cannot hold is refused naming the option.
TEST(Sweep, FitSampleFitsOnASampleAndJudgesOnAllRows) {
  test::ScratchDir dir;
  const std::string users = dir.file_write("users.csv", planted_csv(3000, 3));
  const test::CliResult r = cli({"sweep", users, "--k", "2..6", "--seeds", "2", "--sample", "1500", "--fit-sample",
                                 "600", "--out", dir.file("fs"), "--ignore", "gender,device"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("fits on 600 sampled users"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("recommended k = 4"), std::string::npos) << r.out;
  const nlohmann::json sweep = nlohmann::json::parse(file_read(dir.file("fs/sweep.json")));
  EXPECT_EQ(sweep["fit_rows"], 600);
  EXPECT_EQ(sweep["n_rows"], 3000);
  int64_t users_in_profiles = 0;
  for (const std::string& line : lines_split(file_read(dir.file("fs/profiles.csv")))) {
    std::vector<std::string> f;  // segment,name,kind,column,level,value,... (no quoted names in this data)
    for (size_t a = 0, b = 0; b != std::string::npos; a = b + 1)
      f.push_back(line.substr(a, (b = line.find(',', a)) - a));
    if (f.size() > 5 && f[2] == "size") users_in_profiles += std::stoll(f[5]);
  }
  EXPECT_EQ(users_in_profiles, 3000);
  // Inertia of all 3000 rows, close to that of the fit on all rows (not a fifth of it, as 600 rows would give).
  const double inertia_sample_fit = sweep["rows"][2]["inertia"].get<double>();
  ASSERT_EQ(cli({"sweep", users, "--k", "2..6", "--seeds", "2", "--sample", "1500", "--out", dir.file("all"),
                 "--ignore", "gender,device", "--quiet"})
                .code,
            0);
  const nlohmann::json all = nlohmann::json::parse(file_read(dir.file("all/sweep.json")));
  const double inertia_full_fit = all["rows"][2]["inertia"].get<double>();
  EXPECT_GT(inertia_sample_fit, 0.98 * inertia_full_fit);  // same scale: all 3000 rows, near the full fit's
  EXPECT_LT(inertia_sample_fit, 1.10 * inertia_full_fit);
  ASSERT_EQ(cli({"sweep", users, "--k", "2..6", "--seeds", "2", "--sample", "1500", "--fit-sample", "3000", "--out",
                 dir.file("same"), "--ignore", "gender,device", "--quiet"})
                .code,
            0);
  EXPECT_EQ(sweep_numbers(file_read(dir.file("same/sweep.csv"))), sweep_numbers(file_read(dir.file("all/sweep.csv"))));
  const test::CliResult small = cli({"sweep", users, "--k", "2..12", "--fit-sample", "10", "--out", dir.file("x")});
  EXPECT_EQ(small.code, 1);
  EXPECT_NE(small.err.find("of --fit-sample"), std::string::npos) << small.err;
  EXPECT_EQ(cli({"sweep", users, "--fit-sample", "-1", "--out", dir.file("x")}).code, 2);
}

SweepRow row(int64_t k, double silhouette, double min_share, double stability) {
  SweepRow r;
  r.k = k;
  r.silhouette = silhouette;
  r.min_share = min_share;
  r.stability = stability;
  return r;
}

TEST(Sweep, RuleAndItsFallbacksAreStated) {
  // k = 3 has the best silhouette but a 1% segment; k = 5 is unstable: k = 4 wins.
  std::vector<SweepRow> rows = {row(2, 0.40, 0.30, 1.0), row(3, 0.70, 0.01, 1.0), row(4, 0.55, 0.10, 0.95),
                                row(5, 0.60, 0.05, 0.50)};
  SweepRecommendation r = sweep_recommend(rows, 0.02, 0.8);
  EXPECT_EQ(r.k, 4);
  EXPECT_FALSE(r.fallback);
  EXPECT_NE(r.reason.find("(k = 2, 4)"), std::string::npos) << r.reason;
  // Nothing stable enough: the stability condition is dropped, and said so.
  for (SweepRow& x : rows) x.stability = 0.5;
  r = sweep_recommend(rows, 0.02, 0.8);
  EXPECT_EQ(r.k, 5);
  EXPECT_TRUE(r.fallback);
  EXPECT_NE(r.reason.find("no k met both"), std::string::npos) << r.reason;
  // No k keeps 2% in every segment: the best silhouette overall.
  r = sweep_recommend(rows, 0.5, 0.8);
  EXPECT_EQ(r.k, 3);
  EXPECT_NE(r.reason.find("no k had its smallest segment"), std::string::npos) << r.reason;
  // One seed: stability not measured, not required.
  const std::vector<SweepRow> single = {row(2, 0.4, 0.3, std::nan("")), row(3, 0.5, 0.3, std::nan(""))};
  r = sweep_recommend(single, 0.02, 0.8);
  EXPECT_EQ(r.k, 3);
  EXPECT_NE(r.reason.find("stability not measured"), std::string::npos) << r.reason;
}

TEST(Sweep, KRangesAndBadOptions) {
  EXPECT_EQ(k_range_parse("2..5"), (std::vector<int64_t>{2, 3, 4, 5}));
  EXPECT_EQ(k_range_parse("3,5,8"), (std::vector<int64_t>{3, 5, 8}));
  EXPECT_EQ(k_range_parse("6"), (std::vector<int64_t>{6}));
  for (const char* bad : {"1..4", "5..3", "a..b", "3,3", "", "2..", "4,2"})
    EXPECT_THROW(k_range_parse(bad), UsageError) << bad;
  test::ScratchDir dir;
  const std::string users = dir.file_write("users.csv", planted_csv(50, 1));
  EXPECT_EQ(cli({"sweep", users, "--k", "1..3", "--out", dir.file("o")}).code, 2);
  EXPECT_EQ(cli({"sweep", users, "--seeds", "0", "--out", dir.file("o")}).code, 2);
  const test::CliResult big = cli({"sweep", users, "--k", "2..60", "--out", dir.file("o"), "--quiet"});
  EXPECT_EQ(big.code, 1);
  EXPECT_NE(big.err.find("needs more rows"), std::string::npos) << big.err;
}

TEST(Report, FitWritesProfilesAndAStructurallySoundReport) {
  test::ScratchDir dir;
  const std::string users = dir.file_write("users.csv", planted_csv(2000, 5));
  const test::CliResult r =
      cli({"fit", users, "--k", "4", "--n-init", "3", "--audit-columns", "gender", "--out", dir.file("fit")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("report.html"), std::string::npos) << r.out;
  const std::string html = file_read(dir.file("fit/report.html"));
  EXPECT_EQ(wellformed_check(html), "");
  for (const char* forbidden : {"<script", "http:", "https:", "@font-face", "url(", "<link", "<img", "<iframe"})
    EXPECT_EQ(html.find(forbidden), std::string::npos) << forbidden;
  for (int s = 0; s < 4; ++s) EXPECT_NE(html.find("id=\"segment-" + std::to_string(s) + "\""), std::string::npos);
  EXPECT_NE(html.find("Fairness audit"), std::string::npos);
  report_matches_profiles(html, file_read(dir.file("fit/profiles.csv")));
  const nlohmann::json profiles = nlohmann::json::parse(file_read(dir.file("fit/profiles.json")));
  double shares = 0.0;
  for (const nlohmann::json& s : profiles["segments"]) shares += s["share"].get<double>();
  EXPECT_NEAR(shares, 1.0, 1e-12);
  // The 10% segment is 80% F against about 53% overall: flagged.
  EXPECT_NE(html.find("class=\"flag\""), std::string::npos);
  const std::vector<std::string> names = lines_split(file_read(dir.file("fit/segment_names.csv")));
  ASSERT_EQ(names.size(), 5u);
  EXPECT_EQ(names[0], "segment,name");
}

TEST(Report, ProfileRecomputesFitsProfilesAndNamesCarryThrough) {
  test::ScratchDir dir;
  const std::string users = dir.file_write("users.csv", planted_csv(1500, 9));
  ASSERT_EQ(cli({"fit", users, "--k", "4", "--audit-columns", "gender", "--out", dir.file("fit"), "--quiet"}).code, 0);
  const test::CliResult p = cli({"profile", users, "--model", dir.file("fit/model.json"), "--segments",
                                 dir.file("fit/segments.csv"), "--audit-columns", "gender", "--out", dir.file("p")});
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_EQ(file_read(dir.file("p/profiles.csv")), file_read(dir.file("fit/profiles.csv")));
  EXPECT_EQ(file_read(dir.file("p/segment_names.csv")), file_read(dir.file("fit/segment_names.csv")));
  // Rename one segment; report and profile carry the name.
  const std::string names = dir.file_write("names.csv", "segment,name\n2,\"Weekend <shoppers> & co\"\n");
  ASSERT_EQ(cli({"report", dir.file("fit"), "--segment-names", names, "--quiet"}).code, 0);
  const std::string html = file_read(dir.file("fit/report.html"));
  EXPECT_NE(html.find("Weekend &lt;shoppers&gt; &amp; co"), std::string::npos);
  EXPECT_EQ(wellformed_check(html), "");
  ASSERT_EQ(cli({"profile", users, "--model", dir.file("fit/model.json"), "--segments", dir.file("fit/segments.csv"),
                 "--segment-names", names, "--out", dir.file("p2"), "--quiet"})
                .code,
            0);
  EXPECT_NE(file_read(dir.file("p2/segment_names.csv")).find("2,Weekend <shoppers> & co\n"), std::string::npos);
  EXPECT_NE(file_read(dir.file("p2/profiles.csv")).find("2,Weekend <shoppers> & co,size,"), std::string::npos);
  // Errors: a names file naming a segment that does not exist; segments of another input; no profiles.json.
  const std::string bad = dir.file_write("bad.csv", "segment,name\n9,x\n");
  EXPECT_EQ(cli({"report", dir.file("fit"), "--segment-names", bad}).code, 1);
  const std::string other = dir.file_write("other.csv", planted_csv(100, 1));
  const test::CliResult mismatch = cli({"profile", other, "--model", dir.file("fit/model.json"), "--segments",
                                        dir.file("fit/segments.csv"), "--out", dir.file("p3")});
  EXPECT_EQ(mismatch.code, 1);
  EXPECT_NE(mismatch.err.find("has 1500 rows but"), std::string::npos) << mismatch.err;
  EXPECT_EQ(cli({"report", dir.file("p3")}).code, 1);
}

// Count of non-overlapping occurrences of what in text.
size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// The value of attribute name="…" in the tag starting at from.
std::string attribute(const std::string& html, size_t from, const std::string& name) {
  const size_t end = html.find('>', from);
  const size_t at = html.find(" " + name + "=\"", from);
  if (at == std::string::npos || at > end) return "";
  const size_t begin = at + name.size() + 3;
  return html.substr(begin, html.find('"', begin) - begin);
}

TEST(Report, CompareDrawsTheMigrationChartOnceAndReportAndProfileKeepIt) {
  test::ScratchDir dir;
  ASSERT_EQ(
      cli({"fit", dir.file_write("a.csv", planted_csv(1200, 3)), "--k", "4", "--out", dir.file("old"), "--quiet"}).code,
      0);
  ASSERT_EQ(
      cli({"fit", dir.file_write("b.csv", planted_csv(1200, 4)), "--k", "3", "--out", dir.file("new"), "--quiet"}).code,
      0);
  const std::string old_segments = dir.file("old/segments.csv"), new_segments = dir.file("new/segments.csv");
  const test::CliResult r = cli({"compare", old_segments, new_segments, "--out", dir.file("cmp")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("report.html (migration chart)"), std::string::npos) << r.out;
  const std::string html = file_read(dir.file("new/report.html"));
  EXPECT_EQ(wellformed_check(html), "");
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(occurrences(html, "<!-- kseg:migration -->"), 1u);
  EXPECT_EQ(occurrences(html, "<section id=\"migration\""), 1u);

  // One cell per (old segment or appeared) × (new segment or disappeared), with migration.csv's count.
  const std::vector<std::string> rows = lines_split(file_read(dir.file("cmp/migration.csv")));
  ASSERT_EQ(rows.size(), 6u);  // header, 4 old segments, appeared
  std::vector<std::string> header;
  std::stringstream fields(rows[0]);
  for (std::string f; std::getline(fields, f, ',');) header.push_back(f);  // old_segment,0,1,2,disappeared,total
  std::map<std::pair<std::string, std::string>, std::string> expected;
  for (size_t i = 1; i < rows.size(); ++i) {
    std::stringstream cells(rows[i]);
    std::vector<std::string> v;
    for (std::string f; std::getline(cells, f, ',');) v.push_back(f);
    for (size_t k = 1; k + 1 < header.size(); ++k) expected[{v[0], header[k]}] = v[k];
  }
  ASSERT_EQ(expected.size(), 5u * 4u);
  std::map<std::pair<std::string, std::string>, std::string> drawn;
  for (size_t at = html.find("data-old=\""); at != std::string::npos; at = html.find("data-old=\"", at + 1)) {
    const size_t tag = html.rfind('<', at);
    const auto key = std::make_pair(attribute(html, tag, "data-old"), attribute(html, tag, "data-new"));
    EXPECT_EQ(drawn.count(key), 0u) << key.first << " -> " << key.second;
    drawn[key] = attribute(html, tag, "data-count");
  }
  EXPECT_EQ(drawn, expected);
  // The headline numbers are compare.json's; new segments carry their names from profiles.json.
  const nlohmann::json j = nlohmann::json::parse(file_read(dir.file("cmp/compare.json")));
  const nlohmann::json profiles = nlohmann::json::parse(file_read(dir.file("new/profiles.json")));
  char changed[32];
  std::snprintf(changed, sizeof changed, "%.1f%%", 100.0 * j["changed_share"].get<double>());
  const size_t section = html.find("<section id=\"migration\"");
  EXPECT_NE(html.find(changed, section), std::string::npos) << changed;
  EXPECT_NE(html.find("disappeared", section), std::string::npos);
  const std::string name = profiles["segments"][0]["name"];
  EXPECT_NE(html.find(">0 · " + html_escape(name) + "<", section), std::string::npos) << name;

  // Again: the section is replaced, not added, and the page is the same bytes. kseg report keeps it.
  ASSERT_EQ(cli({"compare", old_segments, new_segments, "--out", dir.file("cmp"), "--quiet"}).code, 0);
  EXPECT_EQ(file_read(dir.file("new/report.html")), html);
  ASSERT_EQ(cli({"report", dir.file("new"), "--quiet"}).code, 0);
  const std::string rewritten = file_read(dir.file("new/report.html"));
  EXPECT_EQ(occurrences(rewritten, "<section id=\"migration\""), 1u);
  EXPECT_EQ(migration_section_find(rewritten, "r"), migration_section_find(html, "h"));
  // kseg profile rewrites the page from the users and keeps it too.
  const test::CliResult profiled =
      cli({"profile", dir.file("b.csv"), "--model", dir.file("new/model.json"), "--segments", new_segments, "--quiet"});
  ASSERT_EQ(profiled.code, 0) << profiled.err;
  const std::string reprofiled = file_read(dir.file("new/report.html"));
  EXPECT_EQ(wellformed_check(reprofiled), "");
  EXPECT_EQ(occurrences(reprofiled, "<!-- kseg:migration -->"), 1u);
  EXPECT_EQ(occurrences(reprofiled, "<section id=\"migration\""), 1u);
  EXPECT_EQ(migration_section_find(reprofiled, "p"), migration_section_find(html, "h"));

  // No report beside the new segments nor in --out: a notice, and no report is made.
  std::filesystem::create_directories(dir.file("plain"));
  dir.file_write("plain/segments.csv", file_read(new_segments));
  const test::CliResult none = cli({"compare", old_segments, dir.file("plain/segments.csv"), "--out", dir.file("c2")});
  ASSERT_EQ(none.code, 0) << none.err;
  EXPECT_NE(none.err.find("migration chart was not drawn"), std::string::npos) << none.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("plain/report.html")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("c2/report.html")));

  // A damaged report (a begin marker without its end) is an error naming it, and is left as it was.
  const std::string damaged = html.substr(0, html.find("<!-- /kseg:migration -->"));
  dir.file_write("new/report.html", damaged);
  const test::CliResult bad = cli({"compare", old_segments, new_segments, "--out", dir.file("cmp")});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("report.html: damaged report"), std::string::npos) << bad.err;
  EXPECT_EQ(file_read(dir.file("new/report.html")), damaged);
}

TEST(Report, MigrationSectionGoesIntoPagesWithoutASlot) {
  const std::string older = "<html><body><main><h1>x</h1></main></body></html>";
  const std::string section = std::string(kMigrationBegin) + "<p>m</p>" + kMigrationEnd;
  const std::string once = migration_section_replace(older, section, "r.html");
  EXPECT_EQ(once, "<html><body><main><h1>x</h1>" + section + "</main></body></html>");
  const std::string other = std::string(kMigrationBegin) + "<p>n</p>" + kMigrationEnd;
  EXPECT_EQ(migration_section_replace(once, other, "r.html"),
            "<html><body><main><h1>x</h1>" + other + "</main></body></html>");
  EXPECT_EQ(migration_section_find(older, "r.html"), "");
  EXPECT_THROW(migration_section_replace("<p>not a report</p>", section, "r.html"), DataError);
}

}  // namespace
}  // namespace kseg
