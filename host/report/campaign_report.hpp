// report.html's campaign section (kseg measure): per variant and metric a forest plot of the effect in each segment
// with its interval, the effect over all users, the zero line and the segments significant after the
// Benjamini–Hochberg correction marked; the sample-ratio checks and the heterogeneity test beside it. The section
// sits between two comment markers, so a later measure replaces it and `kseg report` / `kseg profile` keep it.
#pragma once

#include <iosfwd>
#include <string>

#include "host/campaign/measure.hpp"
#include "host/report/report_sections.hpp"

namespace kseg {

extern const MarkedSection kCampaignSection;  // "<!-- kseg:campaign -->" … "<!-- /kseg:campaign -->"

// One forest plot (inline SVG) for one variant and metric: a row per segment, all users last as a diamond. Every
// row is a <g> with data-segment, data-difference, data-low, data-high and data-significant (1/0).
std::string svg_forest_plot(const MeasureProducts& products, const std::string& variant, const std::string& metric);

// The whole section, markers included. Deterministic.
std::string campaign_section_html(const MeasureProducts& products);

// The campaign section of the report at path, to carry into a page that replaces it ("" when none).
std::string campaign_section_kept(const std::string& path, bool quiet, std::ostream& notices);

// Reads the report at path, replaces (or inserts) its campaign section and writes it back atomically.
void report_campaign_write(const std::string& path, const std::string& section, const std::string& target = "");

}  // namespace kseg
