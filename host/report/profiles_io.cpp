#include "host/report/profiles_io.hpp"
#include "host/json_integer.hpp"

#include <cmath>
#include <limits>

#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/number_format.hpp"
#include "host/output/segment_files.hpp"

namespace kseg {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void number_field(std::string& text, double v) {
  text += ',';
  if (!std::isnan(v)) double_append(text, v);
}

void stat_row(std::string& text, const SegmentProfile& s, const std::string& kind, const FeatureStat& f) {
  text += std::to_string(s.segment) + "," + csv_field_escape(s.name) + "," + kind + "," + csv_field_escape(f.column) +
          "," + csv_field_escape(f.level);
  number_field(text, f.value);
  number_field(text, f.population);
  number_field(text, f.index);
  number_field(text, f.std_diff);
  text += f.flagged ? ",1\n" : ",0\n";
}

nlohmann::json number_json(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }
double number_read(const nlohmann::json& v) { return v.is_null() ? kNaN : v.get<double>(); }

nlohmann::json stat_json(const FeatureStat& f) {
  return {{"kind", f.kind == StatKind::mean ? "mean" : "level_share"},
          {"column", f.column},
          {"level", f.level},
          {"is_date", f.is_date},
          {"value", number_json(f.value)},
          {"population", number_json(f.population)},
          {"index", number_json(f.index)},
          {"std_diff", number_json(f.std_diff)},
          {"flagged", f.flagged}};
}

FeatureStat stat_read(const nlohmann::json& j) {
  FeatureStat f;
  f.kind = j.at("kind").get<std::string>() == "mean" ? StatKind::mean : StatKind::level_share;
  f.column = j.at("column").get<std::string>();
  f.level = j.at("level").get<std::string>();
  f.is_date = j.at("is_date").get<bool>();
  f.value = number_read(j.at("value"));
  f.population = number_read(j.at("population"));
  f.index = number_read(j.at("index"));
  f.std_diff = number_read(j.at("std_diff"));
  f.flagged = j.at("flagged").get<bool>();
  return f;
}

// One segment's record; `key` names its id ("segment", or "node" for a tree's parent).
nlohmann::json segment_json(const SegmentProfile& s, const char* key) {
  nlohmann::json features = nlohmann::json::array();
  for (const FeatureStat& f : s.features) features.push_back(stat_json(f));
  nlohmann::json audit = nlohmann::json::array();
  for (const FeatureStat& f : s.audit) audit.push_back(stat_json(f));
  return {{key, s.segment},       {"name", s.name},     {"persona", s.persona}, {"description", s.description},
          {"size", s.size},       {"weight", s.weight}, {"share", s.share},     {"top_features", s.top},
          {"features", features}, {"audit", audit}};
}

SegmentProfile segment_read(const nlohmann::json& j, const char* key, const std::string& where) {
  SegmentProfile s;
  s.segment = json_integer_at<int32_t>(j, key, where);
  s.name = j.at("name").get<std::string>();
  s.persona = j.at("persona").get<std::string>();
  s.description = j.at("description").get<std::string>();
  s.size = json_integer_at<int64_t>(j, "size", where);
  s.weight = j.at("weight").get<double>();
  s.share = j.at("share").get<double>();
  s.top = json_integers_at<int>(j, "top_features", where);
  for (const nlohmann::json& f : j.at("features")) s.features.push_back(stat_read(f));
  for (const nlohmann::json& f : j.at("audit")) s.audit.push_back(stat_read(f));
  for (int t : s.top)
    KSEG_EXPECTS(t >= 0 && t < static_cast<int>(s.features.size()), DataError,
                 where + ": " + key + " " + std::to_string(s.segment) + " has a top feature out of range");
  return s;
}

}  // namespace

void profiles_csv_write(const std::string& path, const Profiles& profiles) {
  std::string text = "segment,name,kind,column,level,value,population,index,std_diff,flag\n";
  for (const SegmentProfile& s : profiles.segments) {
    FeatureStat size;
    size.value = static_cast<double>(s.size);
    size.population = static_cast<double>(profiles.n_rows);
    size.index = kNaN;
    size.std_diff = kNaN;
    stat_row(text, s, "size", size);
    FeatureStat share;
    share.value = s.share;
    share.population = 1.0;
    share.index = kNaN;
    share.std_diff = kNaN;
    stat_row(text, s, "share", share);
    for (const FeatureStat& f : s.features) stat_row(text, s, f.kind == StatKind::mean ? "mean" : "level_share", f);
    for (const FeatureStat& f : s.audit)
      stat_row(text, s, f.kind == StatKind::mean ? "audit_mean" : "audit_level_share", f);
  }
  AtomicFile file(path);
  file.write(text);
  file.commit();
}

nlohmann::json profiles_to_json(const Profiles& p) {
  nlohmann::json segments = nlohmann::json::array();
  for (const SegmentProfile& s : p.segments) segments.push_back(segment_json(s, "segment"));
  const ProfileOptions& o = p.options;
  nlohmann::json doc = {{"format", "kseg-profiles"},
                        {"format_version", 1},
                        {"kseg_version", KSEG_VERSION},
                        {"n_rows", p.n_rows},
                        {"total_weight", p.total_weight},
                        {"weighted", p.weighted},
                        {"rules",
                         {{"top_features", o.top_features},
                          {"persona_std_diff", o.persona_std_diff},
                          {"persona_terms", o.persona_terms},
                          {"audit_ratio", o.audit_ratio},
                          {"audit_min_diff", o.audit_min_diff},
                          {"audit_std_diff", o.audit_std_diff}}},
                        {"audit_columns", p.audit_columns},
                        {"segments", segments}};
  if (!p.tree_parents.empty()) {
    nlohmann::json parents = nlohmann::json::array();
    for (const SegmentProfile& s : p.tree_parents) parents.push_back(segment_json(s, "node"));
    doc["tree_parents"] = parents;
  }
  return doc;
}

Profiles profiles_from_json(const nlohmann::json& doc, const std::string& where) {
  KSEG_EXPECTS(doc.is_object() && doc.value("format", "") == "kseg-profiles", DataError,
               where + ": not a kseg profiles.json (no \"format\": \"kseg-profiles\")");
  try {
    Profiles p;
    p.n_rows = json_integer_at<int64_t>(doc, "n_rows", where);
    p.total_weight = doc.at("total_weight").get<double>();
    p.weighted = doc.at("weighted").get<bool>();
    const nlohmann::json& r = doc.at("rules");
    p.options.top_features = json_integer_at<int>(r, "top_features", where);
    p.options.persona_std_diff = r.at("persona_std_diff").get<double>();
    p.options.persona_terms = json_integer_at<int>(r, "persona_terms", where);
    p.options.audit_ratio = r.at("audit_ratio").get<double>();
    p.options.audit_min_diff = r.at("audit_min_diff").get<double>();
    p.options.audit_std_diff = r.at("audit_std_diff").get<double>();
    p.audit_columns = doc.at("audit_columns").get<std::vector<std::string>>();
    for (const nlohmann::json& j : doc.at("segments")) p.segments.push_back(segment_read(j, "segment", where));
    if (doc.contains("tree_parents"))
      for (const nlohmann::json& j : doc.at("tree_parents")) p.tree_parents.push_back(segment_read(j, "node", where));
    return p;
  } catch (const nlohmann::json::exception& e) {
    throw DataError(where + ": damaged profiles.json (" + e.what() + ")");
  }
}

}  // namespace kseg
