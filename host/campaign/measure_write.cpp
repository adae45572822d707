// measure.csv, measure.json and the campaign section of report.html.
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "host/campaign/measure.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/number_format.hpp"
#include "host/output/file_set.hpp"
#include "host/output/segment_files.hpp"
#include "host/report/campaign_report.hpp"

namespace kseg {
namespace {

std::string number(double v) {
  if (std::isnan(v)) return "";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::string text;
  double_append(text, v);
  return text;
}

nlohmann::json json_number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

std::string segment_text(int32_t segment) { return segment < 0 ? "all" : std::to_string(segment); }

nlohmann::json interval_json(const Interval& i) { return {json_number(i.low), json_number(i.high)}; }

nlohmann::json srm_json(const SrmResult& srm) {
  return {{"chi_square", json_number(srm.chi_square)},
          {"df", srm.df},
          {"p", json_number(srm.p_value)},
          {"mismatch", srm.mismatch}};
}

nlohmann::json row_json(const MeasureRow& r) {
  return {{"segment", segment_text(r.segment)},
          {"variant", r.variant},
          {"metric", r.metric},
          {"kind", r.rate ? "rate" : "mean"},
          {"n_control", r.n_control},
          {"n_variant", r.n_variant},
          {"control_value", json_number(r.control_value)},
          {"control_ci", interval_json(r.control_ci)},
          {"variant_value", json_number(r.variant_value)},
          {"variant_ci", interval_json(r.variant_ci)},
          {"difference", json_number(r.difference)},
          {"ci", interval_json(r.ci)},
          {"se", json_number(r.se)},
          {"relative_lift", json_number(r.relative_lift)},
          {"p", json_number(r.p_value)},
          {"p_bh", json_number(r.p_bh)},
          {"p_holm", json_number(r.p_holm)},
          {"significant", r.significant},
          {"bootstrap_ci", interval_json(r.bootstrap_ci)},
          {"mde", json_number(r.mde)},
          {"mde_relative", json_number(r.mde_relative)},
          {"cuped",
           {{"theta", json_number(r.cuped_theta)},
            {"difference", json_number(r.cuped_difference)},
            {"ci", interval_json(r.cuped_ci)},
            {"p", json_number(r.cuped_p)},
            {"p_bh", json_number(r.cuped_p_bh)},
            {"variance_reduction", json_number(r.variance_reduction)}}}};
}

void text_write(const std::string& path, const std::string& text) {
  AtomicFile file(path);
  file.write(text);
  file.commit();
}

}  // namespace

std::string measure_csv(const MeasureProducts& p) {
  std::string text =
      "segment,variant,metric,kind,n_control,n_variant,control_value,control_low,control_high,variant_value,variant_"
      "low,"
      "variant_high,difference,low,high,relative_lift,p,p_bh,p_holm,significant,bootstrap_low,bootstrap_high,mde,"
      "mde_relative,cuped_theta,cuped_difference,cuped_low,cuped_high,cuped_p,cuped_p_bh,variance_reduction\n";
  for (const MeasureRow& r : p.rows) {
    const double values[] = {r.n_control,     r.n_variant,      r.control_value,   r.control_ci.low, r.control_ci.high,
                             r.variant_value, r.variant_ci.low, r.variant_ci.high, r.difference,     r.ci.low,
                             r.ci.high,       r.relative_lift,  r.p_value,         r.p_bh,           r.p_holm};
    text += segment_text(r.segment) + "," + csv_field_escape(r.variant) + "," + csv_field_escape(r.metric) + "," +
            (r.rate ? "rate" : "mean");
    for (double v : values) text += "," + number(v);
    text += r.significant ? ",1" : ",0";
    const double more[] = {r.bootstrap_ci.low,  r.bootstrap_ci.high, r.mde,           r.mde_relative, r.cuped_theta,
                           r.cuped_difference,  r.cuped_ci.low,      r.cuped_ci.high, r.cuped_p,      r.cuped_p_bh,
                           r.variance_reduction};
    for (double v : more) text += "," + number(v);
    text += "\n";
  }
  return text;
}

nlohmann::json measure_json(const MeasureProducts& p) {
  const MeasureRequest& q = p.request;
  nlohmann::json doc;
  doc["kseg_version"] = KSEG_VERSION;
  doc["settings"] = {{"outcomes", q.outcomes},
                     {"segments", q.segments},
                     {"group_column", q.group_column},
                     {"control", q.control},
                     {"metrics", p.metrics},
                     {"pre_metric", q.pre_metric},
                     {"weight_column", q.weight_column},
                     {"split", q.split},
                     {"bootstrap", q.bootstrap},
                     {"seed", q.seed},
                     {"alpha", q.alpha},
                     {"power", q.power},
                     {"srm_alpha", kSrmAlpha}};
  doc["users"] = {{"outcomes_rows", p.outcomes_rows},
                  {"segments_rows", p.segments_rows},
                  {"joined", p.joined},
                  {"outcomes_only", p.outcomes_only},
                  {"segments_only", p.segments_only}};
  doc["groups"] = p.groups;
  doc["shares"] = p.shares;
  doc["split_given"] = p.split_given;
  nlohmann::json kinds = nlohmann::json::object();
  for (size_t m = 0; m < p.metrics.size(); ++m) kinds[p.metrics[m]] = p.metric_is_rate[m] ? "rate" : "mean";
  doc["metric_kinds"] = kinds;
  nlohmann::json names = nlohmann::json::object();
  for (const auto& [id, name] : p.names) names[std::to_string(id)] = name;
  doc["segment_names"] = names;
  nlohmann::json splits = nlohmann::json::array();
  for (const SegmentSplit& s : p.splits)
    splits.push_back({{"segment", segment_text(s.segment)}, {"counts", s.counts}, {"srm", srm_json(s.srm)}});
  doc["splits"] = splits;
  nlohmann::json rows = nlohmann::json::array();
  for (const MeasureRow& r : p.rows) rows.push_back(row_json(r));
  doc["rows"] = rows;
  nlohmann::json tests = nlohmann::json::array();
  for (const MetricHeterogeneity& h : p.heterogeneity)
    tests.push_back({{"variant", h.variant},
                     {"metric", h.metric},
                     {"segments", h.test.segments},
                     {"q", json_number(h.test.q)},
                     {"df", h.test.df},
                     {"p", json_number(h.test.p_value)},
                     {"i_squared", json_number(h.test.i_squared)},
                     {"pooled", json_number(h.test.pooled)},
                     {"pooled_se", json_number(h.test.pooled_se)}});
  doc["heterogeneity"] = tests;
  return doc;
}

std::vector<std::string> measure_reports_present(const MeasureProducts& p, const std::string& out_dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> reports;
  std::vector<fs::path> seen;
  for (const fs::path& dir : {fs::path(p.request.segments).parent_path(), fs::path(out_dir)}) {
    const fs::path report = dir / "report.html";
    std::error_code ec;
    if (!fs::is_regular_file(report, ec)) continue;
    const fs::path canonical = fs::weakly_canonical(report);
    if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) continue;
    seen.push_back(canonical);
    reports.push_back(report.string());
  }
  return reports;
}

std::vector<std::string> measure_write(const MeasureProducts& p, const std::string& out_dir) {
  const std::string dir = (std::filesystem::path(out_dir)).string() + "/";
  const std::vector<std::string> reports = measure_reports_present(p, out_dir);
  const std::string section = reports.empty() ? "" : campaign_section_html(p);  // before any file is replaced
  FileSet files;  // measure.csv and measure.json appear together (and out_dir only with them)
  text_write(files.stage(dir + "measure.csv"), measure_csv(p));
  json_write(files.stage(dir + "measure.json"), measure_json(p));
  files.commit();
  std::vector<std::string> written = {dir + "measure.csv", dir + "measure.json"};
  for (const std::string& report : reports) {
    report_campaign_write(report, section);
    written.push_back(report);
  }
  return written;
}

}  // namespace kseg
