#include "host/report/svg_charts.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace kseg {
namespace {

std::string num(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

std::string text_at(double x, double y, const std::string& text, const std::string& attributes = "") {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"" + (attributes.empty() ? "" : " " + attributes) + ">" +
         html_escape(text) + "</text>";
}

std::string title(const std::string& text) { return "<title>" + html_escape(text) + "</title>"; }

// Labels longer than max characters are cut with an ellipsis (the full text stays in the tooltip).
std::string clip(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t cut = max - 1;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  return text.substr(0, cut) + "…";
}

std::string tick_text(double v) {
  char text[32];
  const double a = std::fabs(v);
  if (a >= 1e6) {
    std::snprintf(text, sizeof text, "%.3gM", v / 1e6);
  } else if (a >= 1e4) {
    std::snprintf(text, sizeof text, "%.3gk", v / 1e3);
  } else if (a >= 100) {
    std::snprintf(text, sizeof text, "%.0f", v);
  } else {
    std::snprintf(text, sizeof text, "%.3g", v);
  }
  return text;
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string diverging_colour(double value, double limit) {
  if (std::isnan(value)) return "#dddddd";
  const double t = std::clamp(value / limit, -1.0, 1.0);
  // White to #b2182b (above) or to #2166ac (below).
  const int target[2][3] = {{0x21, 0x66, 0xac}, {0xb2, 0x18, 0x2b}};
  const int* to = target[t > 0.0 ? 1 : 0];
  const double a = std::fabs(t);
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", static_cast<int>(std::lround(255 + (to[0] - 255) * a)),
                static_cast<int>(std::lround(255 + (to[1] - 255) * a)),
                static_cast<int>(std::lround(255 + (to[2] - 255) * a)));
  return text;
}

std::string svg_bar_chart(const std::vector<BarItem>& items) {
  const double label_w = 260.0, bar_w = 420.0, row_h = 26.0, width = label_w + bar_w + 200.0;
  double top = 0.0;
  for (const BarItem& b : items) top = std::max(top, b.value);
  const double height = row_h * static_cast<double>(items.size()) + 8.0;
  std::string svg = "<svg class=\"chart\" role=\"img\" width=\"" + num(width) + "\" height=\"" + num(height) +
                    "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\">";
  for (size_t i = 0; i < items.size(); ++i) {
    const BarItem& b = items[i];
    const double y = 4.0 + row_h * static_cast<double>(i);
    const double w = top > 0.0 ? std::max(1.0, bar_w * b.value / top) : 1.0;
    svg += "<g>" + title(b.title);
    svg += text_at(label_w - 8.0, y + 17.0, clip(b.label, 38), "text-anchor=\"end\" class=\"label\"");
    svg += "<rect x=\"" + num(label_w) + "\" y=\"" + num(y + 3.0) + "\" width=\"" + num(w) + "\" height=\"" +
           num(row_h - 8.0) + "\" class=\"bar\"/>";
    svg += text_at(label_w + w + 6.0, y + 17.0, b.text, "class=\"value\"") + "</g>";
  }
  return svg + "</svg>";
}

std::string svg_heatmap(const Heatmap& map) {
  size_t longest = 0;
  for (const std::string& c : map.columns) longest = std::max(longest, std::min<size_t>(c.size(), 24));
  const double cell = 30.0, label_w = 260.0, legend_h = 46.0;
  const double header_h = 24.0 + 5.6 * static_cast<double>(longest);  // rotated labels: ~6.8 px a character × sin 55°
  const double cols = static_cast<double>(map.columns.size());
  const double rows = static_cast<double>(map.rows.size());
  const double width = label_w + cell * cols + 120.0;
  const double height = header_h + cell * rows + legend_h;
  std::string svg = "<svg class=\"chart\" role=\"img\" width=\"" + num(width) + "\" height=\"" + num(height) +
                    "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\">";
  for (size_t c = 0; c < map.columns.size(); ++c) {
    const double x = label_w + cell * (static_cast<double>(c) + 0.5);
    svg += "<g>" + title(map.columns[c]) +
           text_at(x, header_h - 6.0, clip(map.columns[c], 24),
                   "transform=\"rotate(-55 " + num(x) + " " + num(header_h - 6.0) + ")\" class=\"label\"") +
           "</g>";
  }
  for (size_t r = 0; r < map.rows.size(); ++r) {
    const double y = header_h + cell * static_cast<double>(r);
    svg += "<g>" + title(map.rows[r]) +
           text_at(label_w - 8.0, y + cell * 0.65, clip(map.rows[r], 38), "text-anchor=\"end\" class=\"label\"") +
           "</g>";
    for (size_t c = 0; c < map.columns.size(); ++c) {
      const size_t e = r * map.columns.size() + c;
      svg += "<rect x=\"" + num(label_w + cell * static_cast<double>(c)) + "\" y=\"" + num(y) + "\" width=\"" +
             num(cell - 1.0) + "\" height=\"" + num(cell - 1.0) + "\" fill=\"" +
             diverging_colour(map.values[e], map.limit) + "\">" + title(map.titles[e]) + "</rect>";
    }
  }
  // Legend: the colour scale from −limit to +limit.
  const double ly = header_h + cell * rows + 14.0;
  for (int s = 0; s <= 10; ++s) {
    const double v = map.limit * (s - 5) / 5.0;
    svg += "<rect x=\"" + num(label_w + 18.0 * s) + "\" y=\"" + num(ly) + "\" width=\"18\" height=\"12\" fill=\"" +
           diverging_colour(v, map.limit) + "\"/>";
  }
  svg += text_at(label_w - 8.0, ly + 10.0, "below the population", "text-anchor=\"end\" class=\"note\"");
  svg += text_at(label_w + 18.0 * 11 + 8.0, ly + 10.0, "above (standardised difference, ±" + tick_text(map.limit) + ")",
                 "class=\"note\"");
  return svg + "</svg>";
}

std::string svg_line_chart(const LineChart& chart) {
  const double width = 272.0, height = 210.0, left = 46.0, right = 12.0, top = 40.0, bottom = 34.0;
  double x_lo = 0, x_hi = 0, y_lo = 0, y_hi = 0;
  bool any = false;
  for (size_t i = 0; i < chart.x.size(); ++i) {
    if (std::isnan(chart.y[i])) continue;
    if (!any) {
      x_lo = x_hi = chart.x[i];
      y_lo = y_hi = chart.y[i];
      any = true;
    }
    x_lo = std::min(x_lo, chart.x[i]);
    x_hi = std::max(x_hi, chart.x[i]);
    y_lo = std::min(y_lo, chart.y[i]);
    y_hi = std::max(y_hi, chart.y[i]);
  }
  if (x_hi == x_lo) x_hi = x_lo + 1.0;
  const double pad = y_hi > y_lo ? 0.08 * (y_hi - y_lo) : std::max(1e-9, std::fabs(y_hi) * 0.1 + 1e-9);
  y_lo -= pad;
  y_hi += pad;
  const double pw = width - left - right, ph = height - top - bottom;
  const auto px = [&](double x) { return left + pw * (x - x_lo) / (x_hi - x_lo); };
  const auto py = [&](double y) { return top + ph * (1.0 - (y - y_lo) / (y_hi - y_lo)); };
  std::string svg = "<svg class=\"chart line\" role=\"img\" width=\"" + num(width) + "\" height=\"" + num(height) +
                    "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\">";
  svg += text_at(left, 16.0, chart.title, "class=\"title\"") + text_at(left, 31.0, chart.note, "class=\"note\"");
  svg += "<rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(pw) + "\" height=\"" + num(ph) +
         "\" class=\"frame\"/>";
  for (int t = 0; t <= 2; ++t) {
    const double v = y_lo + (y_hi - y_lo) * t / 2.0;
    svg += text_at(left - 4.0, py(v) + 4.0, tick_text(v), "text-anchor=\"end\" class=\"tick\"");
  }
  for (size_t i = 0; i < chart.x.size(); ++i)
    svg += text_at(px(chart.x[i]), top + ph + 14.0, tick_text(chart.x[i]), "text-anchor=\"middle\" class=\"tick\"");
  svg += text_at(left + pw / 2.0, height - 3.0, "k", "text-anchor=\"middle\" class=\"note\"");
  if (chart.marked_x > 0.0)
    svg += "<line x1=\"" + num(px(chart.marked_x)) + "\" y1=\"" + num(top) + "\" x2=\"" + num(px(chart.marked_x)) +
           "\" y2=\"" + num(top + ph) + "\" class=\"mark\"/>";
  std::string points;
  for (size_t i = 0; i < chart.x.size(); ++i)
    if (!std::isnan(chart.y[i])) points += num(px(chart.x[i])) + "," + num(py(chart.y[i])) + " ";
  if (!points.empty()) svg += "<polyline points=\"" + points.substr(0, points.size() - 1) + "\" class=\"curve\"/>";
  for (size_t i = 0; i < chart.x.size(); ++i) {
    if (std::isnan(chart.y[i])) continue;
    char value[48];
    std::snprintf(value, sizeof value, "%.6g", chart.y[i]);
    svg += "<circle cx=\"" + num(px(chart.x[i])) + "\" cy=\"" + num(py(chart.y[i])) + "\" r=\"" +
           (chart.x[i] == chart.marked_x ? "5" : "3") + "\" class=\"" +
           (chart.x[i] == chart.marked_x ? "point marked" : "point") + "\">" +
           title(chart.title + " at k = " + tick_text(chart.x[i]) + ": " + value) + "</circle>";
  }
  return svg + "</svg>";
}

}  // namespace kseg
