#include "host/report/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "host/io/atomic_file.hpp"
#include "host/io/number_format.hpp"
#include "host/report/migration_report.hpp"
#include "host/report/personas.hpp"
#include "host/report/svg_charts.hpp"

namespace kseg {
namespace {

constexpr size_t kHeatmapColumns = 60;  // features shown in the heatmap, at most (the most distinguishing)

const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0;
background:#f6f7f9;color:#1d232a;font-size:14px;line-height:1.45}
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:30px 0 8px;border-bottom:1px solid #d6dbe1;padding-bottom:4px}
h3{font-size:15px;margin:0 0 2px}.sub{color:#5b6673;margin:0 0 12px}
.panel{background:#fff;border:1px solid #dde2e8;border-radius:8px;padding:14px 16px;margin:10px 0;overflow-x:auto}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(350px,1fr));gap:12px}
.card{background:#fff;border:1px solid #dde2e8;border-left:5px solid #3b6ea8;border-radius:8px;padding:12px 14px}
.persona{color:#5b6673;font-size:13px;margin:0 0 4px}.size{font-weight:600;margin:2px 0 6px}
.desc{margin:0 0 8px}table{border-collapse:collapse;font-size:13px}
th,td{padding:3px 8px;text-align:right;border-bottom:1px solid #edf0f3;white-space:nowrap}
th:first-child,td:first-child{text-align:left}th{background:#f0f3f6;font-weight:600}
td.flag{background:#fde2e1;color:#8f1d1d;font-weight:600}td.up{color:#a1161f}td.down{color:#1c5a99}
.chart text{font-size:12px;fill:#1d232a}.chart .note{fill:#5b6673;font-size:11px}.chart .tick{font-size:10px;fill:#5b6673}
.chart .title{font-weight:600;font-size:13px}.bar{fill:#3b6ea8}.frame{fill:none;stroke:#c9d0d8}
.curve{fill:none;stroke:#3b6ea8;stroke-width:2}.point{fill:#3b6ea8}.marked{fill:#c2410c}
.mark{stroke:#c2410c;stroke-dasharray:4 3}.lines{display:flex;flex-wrap:wrap;gap:8px}
.rec{background:#fff7ed;border:1px solid #fdba74;border-radius:8px;padding:10px 14px}
.rules{color:#5b6673;font-size:12px}
)";

std::string e(const std::string& text) { return html_escape(text); }

std::string exact(double v) {
  if (std::isnan(v)) return "";
  std::string text;
  double_append(text, v);
  return text;
}

std::string percent(double share, int digits = 1) {
  if (std::isnan(share)) return "–";
  char text[32];
  std::snprintf(text, sizeof text, "%.*f%%", digits, 100.0 * share);
  return text;
}

std::string thousands(int64_t v) {
  std::string digits = std::to_string(v);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<size_t>(i), ",");
  return digits;
}

std::string stat_text(const FeatureStat& f, double v) {
  return f.kind == StatKind::level_share ? percent(v) : number_short(v);
}

std::string fixed3(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", v);
  return text;
}

std::string index_text(double index) {
  if (std::isnan(index)) return "–";
  char text[32];
  std::snprintf(text, sizeof text, "×%.2f", index);
  return text;
}

std::string feature_title(const SegmentProfile& s, const FeatureStat& f) {
  return s.name + " — " + feature_label(f) + (f.is_date ? " (days ago)" : "") + ": " + stat_text(f, f.value) + " vs " +
         stat_text(f, f.population) + " overall, index " + index_text(f.index) + ", standardised difference " +
         number_short(f.std_diff);
}

// A profile number with the attributes the structure test reads.
std::string value_cell(const SegmentProfile& s, const FeatureStat& f, const std::string& cls = "") {
  return "<td" + (cls.empty() ? std::string() : " class=\"" + cls + "\"") + " data-segment=\"" +
         std::to_string(s.segment) + "\" data-feature=\"" + e(feature_label(f)) + "\" data-value=\"" + exact(f.value) +
         "\">" + stat_text(f, f.value) + "</td>";
}

std::string sizes_section(const Profiles& p) {
  std::vector<BarItem> bars;
  for (const SegmentProfile& s : p.segments)
    bars.push_back({std::to_string(s.segment) + " · " + s.name, s.share,
                    percent(s.share) + " · " + thousands(s.size) + " users",
                    s.name + ": " + thousands(s.size) + " users, " + percent(s.share, 2) + " of the total"});
  return "<h2>Segment sizes</h2><div class=\"panel\">" + svg_bar_chart(bars) + "</div>";
}

// Heatmap columns: the most distinguishing features (largest |std diff| in any segment), in input order.
std::vector<size_t> heatmap_columns(const Profiles& p) {
  const size_t width = p.segments.empty() ? 0 : p.segments[0].features.size();
  std::vector<std::pair<double, size_t>> strength;
  for (size_t f = 0; f < width; ++f) {
    double top = 0.0;
    for (const SegmentProfile& s : p.segments) top = std::max(top, std::fabs(s.features[f].std_diff));
    strength.emplace_back(-top, f);
  }
  std::stable_sort(strength.begin(), strength.end());
  std::vector<size_t> chosen;
  for (size_t i = 0; i < strength.size() && i < kHeatmapColumns; ++i) chosen.push_back(strength[i].second);
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

std::string heatmap_section(const Profiles& p) {
  if (p.segments.empty() || p.segments[0].features.empty()) return "";
  const std::vector<size_t> columns = heatmap_columns(p);
  Heatmap map;
  for (size_t f : columns) map.columns.push_back(feature_label(p.segments[0].features[f]));
  for (const SegmentProfile& s : p.segments) {
    map.rows.push_back(std::to_string(s.segment) + " · " + s.name);
    for (size_t f : columns) {
      map.values.push_back(s.size > 0 ? s.features[f].std_diff : std::nan(""));
      map.titles.push_back(feature_title(s, s.features[f]));
    }
  }
  const size_t all = p.segments[0].features.size();
  return "<h2>Segments × features</h2><p class=\"sub\">Colour: standardised difference from the population "
         "(segment mean − overall mean, in population standard deviations; for a level share p, in sqrt(p(1 − p))). "
         "Hover a cell for the values in original units; every value is in the table at the end." +
         (columns.size() < all ? " The " + std::to_string(columns.size()) + " most distinguishing of " +
                                     std::to_string(all) + " features are shown."
                               : std::string()) +
         "</p><div class=\"panel\">" + svg_heatmap(map) + "</div>";
}

std::string card(const SegmentProfile& s) {
  std::string html = "<section class=\"card\" id=\"segment-" + std::to_string(s.segment) + "\" data-segment=\"" +
                     std::to_string(s.segment) + "\" data-size=\"" + std::to_string(s.size) + "\" data-share=\"" +
                     exact(s.share) + "\"><h3>" + std::to_string(s.segment) + " · " + e(s.name) + "</h3>";
  if (s.name != s.persona) html += "<p class=\"persona\">persona: " + e(s.persona) + "</p>";
  html += "<p class=\"size\">" + thousands(s.size) + " users · " + percent(s.share) + "</p><p class=\"desc\">" +
          e(s.description) + "</p>";
  if (s.top.empty()) return html + "</section>";
  html += "<table><tr><th>top features</th><th>segment</th><th>overall</th><th>index</th></tr>";
  for (int t : s.top) {
    const FeatureStat& f = s.features[t];
    const std::string cls = f.std_diff >= 0.5 ? "up" : f.std_diff <= -0.5 ? "down" : "";
    html += "<tr><td>" + e(feature_label(f)) + (f.is_date ? " (days ago)" : "") + "</td>" + value_cell(s, f, cls) +
            "<td>" + stat_text(f, f.population) + "</td><td>" + index_text(f.index) + "</td></tr>";
  }
  return html + "</table></section>";
}

std::string cards_section(const Profiles& p) {
  std::string html = "<h2>Segments</h2><div class=\"cards\">";
  for (const SegmentProfile& s : p.segments) html += card(s);
  return html + "</div>";
}

// One table per audit column: groups down, population then segments across; flagged cells highlighted.
std::string audit_section(const Profiles& p) {
  if (p.audit_columns.empty() || p.segments.empty()) return "";
  const ProfileOptions& o = p.options;
  char rule[320];
  std::snprintf(rule, sizeof rule,
                "A group is flagged (▲ over-, ▼ under-represented) when its share in a segment is below %.2f× or "
                "above %.2f× its population share and differs by at least %.1f points; a numeric column when the "
                "segment mean is %.2f population standard deviations or more from the overall mean.",
                o.audit_ratio, 1.0 / o.audit_ratio, 100.0 * o.audit_min_diff, o.audit_std_diff);
  int flags = 0;
  for (const SegmentProfile& s : p.segments)
    for (const FeatureStat& f : s.audit) flags += f.flagged ? 1 : 0;
  std::string html =
      "<h2>Fairness audit</h2><p class=\"sub\">Composition of each segment by the audit columns "
      "(kept out of clustering). " +
      e(rule) + " " + std::to_string(flags) + " flag" + (flags == 1 ? "" : "s") + ".</p>";
  const std::vector<FeatureStat>& first = p.segments[0].audit;
  for (const std::string& column : p.audit_columns) {
    html += "<div class=\"panel\"><table><tr><th>" + e(column) + "</th><th>overall</th>";
    for (const SegmentProfile& s : p.segments) html += "<th>" + std::to_string(s.segment) + "</th>";
    html += "</tr>";
    for (size_t a = 0; a < first.size(); ++a) {
      if (first[a].column != column) continue;
      html += "<tr><td>" + e(first[a].kind == StatKind::mean ? "mean" : first[a].level) + "</td><td>" +
              stat_text(first[a], first[a].population) + "</td>";
      for (const SegmentProfile& s : p.segments) {
        const FeatureStat& f = s.audit[a];
        const std::string mark = !f.flagged ? "" : (f.value > f.population ? " ▲" : " ▼");
        html += "<td" + std::string(f.flagged ? " class=\"flag\"" : "") + " data-segment=\"" +
                std::to_string(s.segment) + "\" data-audit=\"" + e(feature_label(f)) + "\" data-value=\"" +
                exact(f.value) + "\">" + stat_text(f, f.value) + mark + "</td>";
      }
      html += "</tr>";
    }
    html += "</table></div>";
  }
  return html;
}

std::string sweep_section(const SweepResult& s) {
  std::vector<double> ks;
  LineChart charts[4];
  charts[0] = {"Inertia (elbow)", {}, {}, 0.0, "lower is better; look for the bend"};
  charts[1] = {"Silhouette", {}, {}, 0.0, "higher is better (sample of " + thousands(s.sample_rows) + " rows)"};
  charts[2] = {"Calinski-Harabasz", {}, {}, 0.0, "higher is better"};
  charts[3] = {"Davies-Bouldin", {}, {}, 0.0, "lower is better"};
  for (const SweepRow& r : s.rows) {
    const double values[4] = {r.inertia, r.silhouette, r.calinski_harabasz, r.davies_bouldin};
    for (int c = 0; c < 4; ++c) {
      charts[c].x.push_back(static_cast<double>(r.k));
      charts[c].y.push_back(values[c]);
      charts[c].marked_x = static_cast<double>(s.recommendation.k);
    }
  }
  std::string html =
      "<h2>Choosing k</h2><div class=\"rec\"><strong>Recommended k = " + std::to_string(s.recommendation.k) +
      "</strong>" + (s.recommendation.fallback ? " (fallback)" : "") + ": " + e(s.recommendation.reason) +
      "</div><div class=\"panel lines\">";
  for (const LineChart& c : charts) html += svg_line_chart(c);
  html +=
      "</div><div class=\"panel\"><table><tr><th>k</th><th>inertia</th><th>silhouette</th><th>CH</th>"
      "<th>DB</th><th>smallest</th><th>stability</th><th>best seed</th></tr>";
  for (const SweepRow& r : s.rows) {
    const bool rec = r.k == s.recommendation.k;
    html += std::string("<tr") + (rec ? " class=\"rec-row\"" : "") + "><td>" + (rec ? "<strong>" : "") +
            std::to_string(r.k) + (rec ? " ★</strong>" : "") + "</td><td>" + number_short(r.inertia) + "</td><td>" +
            number_short(r.silhouette) + "</td><td>" + number_short(r.calinski_harabasz) + "</td><td>" +
            number_short(r.davies_bouldin) + "</td><td>" + percent(r.min_share) + "</td><td>" +
            (std::isnan(r.stability) ? std::string("–") : fixed3(r.stability)) + "</td><td>" +
            std::to_string(r.best_seed) + "</td></tr>";
  }
  return html + "</table></div>";
}

// Every feature in original units: features down, population then segments across.
std::string values_section(const Profiles& p) {
  if (p.segments.empty() || p.segments[0].features.empty()) return "";
  std::string html =
      "<h2>All features, original units</h2><div class=\"panel\"><table><tr><th>feature</th>"
      "<th>overall</th>";
  for (const SegmentProfile& s : p.segments) html += "<th>" + std::to_string(s.segment) + "</th>";
  html += "</tr>";
  for (size_t f = 0; f < p.segments[0].features.size(); ++f) {
    const FeatureStat& all = p.segments[0].features[f];
    html += "<tr><td>" + e(feature_label(all)) + (all.is_date ? " (days ago)" : "") + "</td><td>" +
            stat_text(all, all.population) + "</td>";
    for (const SegmentProfile& s : p.segments) html += value_cell(s, s.features[f]);
    html += "</tr>";
  }
  return html + "</table></div>";
}

std::string rules_section(const Profiles& p) {
  char text[400];
  std::snprintf(text, sizeof text,
                "Persona names: up to %d of a segment's top features with |standardised difference| >= %.2f "
                "(High/Low for numbers, Recent/Long-ago for dates, over-represented levels by name). Means leave "
                "missing cells out. %s",
                p.options.persona_terms, p.options.persona_std_diff,
                p.weighted ? "Shares and means are weighted by the sample weight." : "");
  return "<p class=\"rules\">" + e(text) + "</p>";
}

}  // namespace

std::string report_html(const ReportInput& input) {
  const Profiles& p = *input.profiles;
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><meta name=\"viewport\" "
      "content=\"width=device-width, initial-scale=1\"/><title>kseg segments</title><style>";
  html += kStyle;
  html += "</style></head><body><main><h1>Who is in each segment</h1><p class=\"sub\">" + thousands(p.n_rows) +
          " users in " + std::to_string(p.segments.size()) + " segments · " + e(input.source) + " · kseg " +
          KSEG_VERSION + "</p>";
  if (input.sweep) html += sweep_section(*input.sweep);
  // The migration section's slot (empty until kseg compare fills it), after the sizes.
  html += input.tree + sizes_section(p) +
          (input.migration.empty() ? std::string(kMigrationBegin) + kMigrationEnd : input.migration) +
          heatmap_section(p) + cards_section(p) + audit_section(p) + values_section(p) + rules_section(p) +
          "</main></body></html>\n";
  return html;
}

void report_write(const std::string& path, const ReportInput& input) {
  AtomicFile file(path);
  file.write(report_html(input));
  file.commit();
}

}  // namespace kseg
