#include "host/report/migration_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "host/dynamics/population_stability.hpp"
#include "host/error.hpp"
#include "host/io/number_format.hpp"
#include "host/report/report_sections.hpp"
#include "host/report/svg_charts.hpp"

namespace kseg {

const char* const kMigrationBegin = "<!-- kseg:migration -->";
const char* const kMigrationEnd = "<!-- /kseg:migration -->";

namespace {

std::string e(const std::string& text) { return html_escape(text); }

std::string num(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

std::string percent(double share) {
  char text[32];
  std::snprintf(text, sizeof text, share >= 0.1 || share == 0.0 ? "%.0f%%" : "%.1f%%", 100.0 * share);
  return text;
}

std::string percent1(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", 100.0 * share);
  return text;
}

std::string fixed3(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", v);
  return text;
}

std::string thousands(int64_t v) {
  std::string digits = std::to_string(v);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<size_t>(i), ",");
  return digits;
}

std::string exact(double v) {
  std::string text;
  double_append(text, v);
  return text;
}

std::string text_at(double x, double y, const std::string& text, const std::string& attributes) {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" " + attributes + ">" + e(text) + "</text>";
}

// Labels longer than max characters are cut with an ellipsis (the full text stays in the tooltip).
std::string clip(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t cut = max - 1;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  return text.substr(0, cut) + "…";
}

std::string segment_label(const MigrationInput& in, int32_t id) {
  const auto it = in.names.find(id);
  return it == in.names.end() || it->second.empty() ? "segment " + std::to_string(id)
                                                    : std::to_string(id) + " · " + it->second;
}

// White to #2b5c8f as the share goes from 0 to 1.
std::string share_colour(double share) {
  const double a = std::clamp(share, 0.0, 1.0);
  const int to[3] = {0x2b, 0x5c, 0x8f};
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", static_cast<int>(std::lround(255 + (to[0] - 255) * a)),
                static_cast<int>(std::lround(255 + (to[1] - 255) * a)),
                static_cast<int>(std::lround(255 + (to[2] - 255) * a)));
  return text;
}

const char* kText = "font-size=\"12\" fill=\"#1d232a\"";
const char* kNote = "font-size=\"11\" fill=\"#5b6673\"";

}  // namespace

std::string svg_migration_heatmap(const MigrationInput& in) {
  const SegmentComparison& c = *in.comparison;
  std::vector<std::string> rows, columns, row_keys, column_keys;
  for (int32_t s : c.old_segments) {
    rows.push_back(segment_label(in, s));
    row_keys.push_back(std::to_string(s));
  }
  rows.push_back("appeared (new users)");
  row_keys.push_back("appeared");
  for (int32_t s : c.new_segments) {
    columns.push_back(segment_label(in, s));
    column_keys.push_back(std::to_string(s));
  }
  columns.push_back("disappeared");
  column_keys.push_back("disappeared");
  size_t longest = 0;
  for (const std::string& label : columns) longest = std::max(longest, std::min<size_t>(label.size(), 26));
  const double cell_w = 68.0, cell_h = 40.0, label_w = 230.0, total_w = 120.0, legend_h = 44.0;
  const double header_h = 30.0 + 5.0 * static_cast<double>(longest);  // labels rotated by −40°
  const double width = label_w + cell_w * static_cast<double>(columns.size()) + total_w;
  const double height = header_h + cell_h * static_cast<double>(rows.size()) + legend_h;
  std::string svg = "<svg class=\"chart migration\" role=\"img\" width=\"" + num(width) + "\" height=\"" + num(height) +
                    "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\">";
  svg += "<title>" +
         e("Migration: rows are the earlier segments, columns the later ones; a cell's shade is its share "
           "of the row") +
         "</title>";
  for (size_t k = 0; k < columns.size(); ++k) {
    const double x = label_w + cell_w * (static_cast<double>(k) + 0.5);
    svg += "<g><title>" + e("later: " + columns[k]) + "</title>" +
           text_at(x - 4.0, header_h - 8.0, clip(columns[k], 26),
                   std::string(kText) + " transform=\"rotate(-40 " + num(x - 4.0) + " " + num(header_h - 8.0) + ")\"") +
           "</g>";
  }
  svg += text_at(label_w + cell_w * static_cast<double>(columns.size()) + 10.0, header_h - 8.0, "users", kNote);
  const size_t cols = columns.size();
  for (size_t r = 0; r < rows.size(); ++r) {
    const double y = header_h + cell_h * static_cast<double>(r);
    int64_t total = 0;
    for (size_t k = 0; k < cols; ++k) total += c.migration[r * cols + k];
    svg += "<g><title>" + e("earlier: " + rows[r]) + "</title>" +
           text_at(label_w - 8.0, y + cell_h * 0.6, clip(rows[r], 32), std::string(kText) + " text-anchor=\"end\"") +
           "</g>";
    for (size_t k = 0; k < cols; ++k) {
      const int64_t n = c.migration[r * cols + k];
      const double share = total > 0 ? static_cast<double>(n) / static_cast<double>(total) : 0.0;
      const bool stayed = r + 1 < rows.size() && k + 1 < cols && c.old_segments[r] == c.new_segments[k];
      const double x = label_w + cell_w * static_cast<double>(k);
      const std::string tip = rows[r] + " → " + columns[k] + ": " + thousands(n) + " users, " + percent1(share) +
                              " of " + (r + 1 < rows.size() ? "the earlier segment" : "the new users");
      svg += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(cell_w - 2.0) + "\" height=\"" +
             num(cell_h - 2.0) + "\" fill=\"" + share_colour(share) + "\"" +
             (stayed ? " stroke=\"#c2410c\" stroke-width=\"2\"" : "") + " data-old=\"" + row_keys[r] +
             "\" data-new=\"" + column_keys[k] + "\" data-count=\"" + std::to_string(n) + "\" data-share=\"" +
             exact(share) + "\"><title>" + e(tip) + "</title></rect>";
      if (n == 0) continue;
      const std::string ink = share > 0.55 ? "#ffffff" : "#1d232a";
      svg += text_at(x + cell_w / 2.0 - 1.0, y + 17.0, percent(share),
                     "font-size=\"12\" font-weight=\"600\" text-anchor=\"middle\" fill=\"" + ink + "\"");
      svg += text_at(x + cell_w / 2.0 - 1.0, y + 31.0, thousands(n),
                     "font-size=\"10\" text-anchor=\"middle\" fill=\"" + ink + "\"");
    }
    svg += text_at(label_w + cell_w * static_cast<double>(cols) + 10.0, y + cell_h * 0.6, thousands(total), kText);
  }
  const double ly = header_h + cell_h * static_cast<double>(rows.size()) + 14.0;
  for (int s = 0; s <= 10; ++s)
    svg += "<rect x=\"" + num(label_w + 18.0 * s) + "\" y=\"" + num(ly) + "\" width=\"18\" height=\"12\" fill=\"" +
           share_colour(s / 10.0) + "\"/>";
  svg += text_at(label_w - 8.0, ly + 10.0, "0% of the row", std::string(kNote) + " text-anchor=\"end\"");
  svg += text_at(label_w + 18.0 * 11 + 8.0, ly + 10.0, "100%; outlined: the same segment id (stayed)", kNote);
  return svg + "</svg>";
}

std::string migration_section_html(const MigrationInput& in) {
  const SegmentComparison& c = *in.comparison;
  std::string html = std::string(kMigrationBegin) + "<section id=\"migration\" data-changed-share=\"" +
                     exact(c.changed_share) + "\" data-ari=\"" + exact(c.ari) + "\" data-appeared=\"" +
                     std::to_string(c.appeared) + "\" data-disappeared=\"" + std::to_string(c.disappeared) +
                     "\"><h2>Migration between segmentations</h2><p class=\"sub\">" + e(in.before) + " → " +
                     e(in.after) + " (kseg compare; users joined on id)</p>";
  html += "<div class=\"rec\"><strong>" + percent1(c.changed_share) + "</strong> of the " + thousands(c.both) +
          " users in both changed segment · adjusted Rand index <strong>" + fixed3(c.ari) + "</strong> · " +
          thousands(c.appeared) + " appeared · " + thousands(c.disappeared) + " disappeared · segment mix PSI " +
          fixed3(c.psi_total) + " (" + psi_flag(c.psi_total) + ")</div>";
  html += "<div class=\"panel\">" + svg_migration_heatmap(in) + "</div>";
  int flagged = 0;
  for (const SegmentShift& s : c.shifts) flagged += s.flag == "stable" ? 0 : 1;
  char rule[160];
  std::snprintf(rule, sizeof rule,
                "PSI = (q − p)·ln(q / p) of a segment's share p → q of all users: stable below %.2g, moderate below "
                "%.2g, major from %.2g.",
                kPsiModerate, kPsiMajor, kPsiMajor);
  html += "<p class=\"sub\">" + e(rule) + " " + std::to_string(flagged) + " segment" + (flagged == 1 ? "" : "s") +
          " flagged.</p><div class=\"panel\"><table><tr><th>segment</th><th>before</th><th>after</th><th>users "
          "before</th><th>users after</th><th>PSI</th><th>flag</th></tr>";
  for (const SegmentShift& s : c.shifts) {
    const bool flag = s.flag != "stable";
    html += "<tr data-segment=\"" + std::to_string(s.segment) + "\"><td>" + e(segment_label(in, s.segment)) +
            "</td><td>" + percent1(s.old_share) + "</td><td>" + percent1(s.new_share) + "</td><td>" +
            thousands(s.old_users) + "</td><td>" + thousands(s.new_users) + "</td><td>" + fixed3(s.psi) + "</td><td" +
            (flag ? " class=\"flag\"" : "") + ">" + s.flag + "</td></tr>";
  }
  return html + "</table></div></section>" + kMigrationEnd;
}

namespace {

const MarkedSection kMigrationSection = {kMigrationBegin, kMigrationEnd, "migration"};

}  // namespace

std::string migration_section_find(const std::string& html, const std::string& where) {
  return marked_section_find(html, kMigrationSection, where);
}

std::string migration_section_replace(const std::string& html, const std::string& section, const std::string& where) {
  return marked_section_replace(html, kMigrationSection, section, where);
}

void report_migration_write(const std::string& path, const std::string& section, const std::string& target) {
  report_section_write(path, kMigrationSection, section, target);
}

std::string migration_section_kept(const std::string& path, bool quiet, std::ostream& notices) {
  return marked_section_kept(path, kMigrationSection, quiet, notices);
}

}  // namespace kseg
