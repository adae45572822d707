// Inline SVG charts for report.html, generated as text: no scripts, no fonts, no network. Every mark carries a
// <title> (the browser's tooltip) with its exact numbers.
#pragma once

#include <string>
#include <vector>

namespace kseg {

// &, <, >, " and ' as entities.
std::string html_escape(const std::string& text);

struct BarItem {
  std::string label;   // left of the bar
  double value = 0.0;  // bar length, relative to the largest value
  std::string text;    // right of the bar (e.g. "12.3% · 2,345 users")
  std::string title;   // tooltip
};

// Horizontal bars, one per item, top to bottom.
std::string svg_bar_chart(const std::vector<BarItem>& items);

struct Heatmap {
  std::vector<std::string> rows;     // row labels (segments)
  std::vector<std::string> columns;  // column labels (features)
  std::vector<double> values;        // rows × columns, row-major: standardised differences (NaN: grey)
  std::vector<std::string> titles;   // rows × columns tooltips
  double limit = 2.0;                // |value| at which the colour saturates
};

// Cells coloured blue (below the population) through white to red (above), with a legend.
std::string svg_heatmap(const Heatmap& map);

struct LineChart {
  std::string title;
  std::vector<double> x;  // k values
  std::vector<double> y;  // NaN points are skipped
  double marked_x = 0.0;  // drawn as a vertical line and a filled point (the recommended k); 0: none
  std::string note;       // under the title, e.g. "higher is better"
};

std::string svg_line_chart(const LineChart& chart);

// Diverging colour for a standardised difference: "#rrggbb".
std::string diverging_colour(double value, double limit);

}  // namespace kseg
