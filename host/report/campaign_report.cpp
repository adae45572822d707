#include "host/report/campaign_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "host/io/number_format.hpp"
#include "host/report/svg_charts.hpp"

namespace kseg {

const MarkedSection kCampaignSection = {"<!-- kseg:campaign -->", "<!-- /kseg:campaign -->", "campaign"};

namespace {

std::string fmt(const char* format, double v) {
  char text[48];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

std::string num(double v) { return fmt("%.1f", v); }

std::string exact(double v) {
  if (!std::isfinite(v)) return "";
  std::string text;
  double_append(text, v);
  return text;
}

// A difference as people read it: percentage points for rates, plain (3 significant digits) for amounts.
std::string effect_text(double v, bool rate) {
  if (std::isnan(v)) return "–";
  return rate ? fmt("%+.2f pp", 100.0 * v) : fmt("%+.3g", v);
}

std::string p_text(double p) {
  if (std::isnan(p)) return "–";
  return p < 0.0001 ? "<0.0001" : fmt("%.4f", p);
}

// Labels longer than max characters are cut with an ellipsis (the full text stays in the row's tooltip).
std::string clip(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  size_t cut = max - 1;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  return text.substr(0, cut) + "…";
}

std::string segment_label(const MeasureProducts& p, int32_t segment) {
  if (segment < 0) return "all users";
  const auto it = p.names.find(segment);
  return it == p.names.end() || it->second.empty() ? "segment " + std::to_string(segment)
                                                   : std::to_string(segment) + " · " + it->second;
}

// Tick step 1, 2 or 5 × 10^k giving about 6 ticks over span.
double tick_step(double span) {
  const double raw = span / 6.0;
  const double base = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (m * base >= raw) return m * base;
  return 10.0 * base;
}

std::vector<const MeasureRow*> forest_rows(const MeasureProducts& p, const std::string& variant,
                                           const std::string& metric) {
  std::vector<const MeasureRow*> rows, overall;
  for (const MeasureRow& r : p.rows) {
    if (r.variant != variant || r.metric != metric) continue;
    (r.segment < 0 ? overall : rows).push_back(&r);
  }
  rows.insert(rows.end(), overall.begin(), overall.end());  // all users last, under the segments
  return rows;
}

std::string text_at(double x, double y, const std::string& text, const std::string& attributes) {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" " + attributes + ">" + html_escape(text) + "</text>";
}

// Where the forest plot's parts go: labels left, the plot of differences [lo, hi] in the middle, numbers right.
struct ForestLayout {
  double label_w = 250.0, plot_w = 400.0, text_w = 340.0, row_h = 26.0;
  double lo = 0.0, hi = 1.0;
  double x_of(double v) const { return label_w + plot_w * (v - lo) / (hi - lo); }
};

// One row of the forest plot at height y: the label, the interval, the estimate (a diamond for all users, a square
// filled when significant) and the numbers, in a <g> carrying them as data attributes.
std::string forest_row_svg(const MeasureProducts& p, const MeasureRow& r, const std::string& variant,
                           const ForestLayout& l, double y) {
  const bool rate = r.rate;
  std::string svg;
  const bool overall = r.segment < 0;
  const std::string colour = r.significant ? "#c2410c" : "#3b6ea8";
  svg += "<g data-segment=\"" + (overall ? std::string("all") : std::to_string(r.segment)) + "\" data-difference=\"" +
         exact(r.difference) + "\" data-low=\"" + exact(r.ci.low) + "\" data-high=\"" + exact(r.ci.high) +
         "\" data-significant=\"" + (r.significant ? "1" : "0") + "\"><title>" +
         html_escape(segment_label(p, r.segment) + ": " + effect_text(r.difference, rate) + ", interval [" +
                     effect_text(r.ci.low, rate) + ", " + effect_text(r.ci.high, rate) + "], p " + p_text(r.p_value) +
                     ", BH-adjusted " + p_text(r.p_bh) + ", " + fmt("%.0f", r.n_control) + " control / " +
                     fmt("%.0f", r.n_variant) + " " + variant + " users") +
         "</title>";
  if (overall)
    svg += "<line x1=\"" + num(l.label_w) + "\" y1=\"" + num(y - l.row_h / 2.0) + "\" x2=\"" +
           num(l.label_w + l.plot_w) + "\" y2=\"" + num(y - l.row_h / 2.0) + "\" stroke=\"#c9d0d8\"/>";
  svg += text_at(l.label_w - 10.0, y + 4.0, clip(segment_label(p, r.segment), 34),
                 std::string("text-anchor=\"end\"") + (overall ? " font-weight=\"600\"" : ""));
  if (std::isfinite(r.ci.low) && std::isfinite(r.ci.high))
    svg += "<line x1=\"" + num(l.x_of(r.ci.low)) + "\" y1=\"" + num(y) + "\" x2=\"" + num(l.x_of(r.ci.high)) +
           "\" y2=\"" + num(y) + "\" stroke=\"" + colour + "\" stroke-width=\"2\"/>";
  if (std::isfinite(r.difference)) {
    const double x = l.x_of(r.difference);
    if (overall) {
      svg += "<polygon points=\"" + num(x - 7) + "," + num(y) + " " + num(x) + "," + num(y - 7) + " " + num(x + 7) +
             "," + num(y) + " " + num(x) + "," + num(y + 7) + "\" fill=\"" + colour + "\"/>";
    } else {
      svg += "<rect x=\"" + num(x - 5) + "\" y=\"" + num(y - 5) + "\" width=\"10\" height=\"10\" fill=\"" +
             (r.significant ? colour : std::string("#ffffff")) + "\" stroke=\"" + colour + "\" stroke-width=\"2\"/>";
    }
  }
  svg += text_at(l.label_w + l.plot_w + 10.0, y + 4.0,
                 effect_text(r.difference, rate) + " [" + effect_text(r.ci.low, rate) + ", " +
                     effect_text(r.ci.high, rate) + "] · " + p_text(overall ? r.p_value : r.p_bh) +
                     (r.significant ? " *" : ""),
                 r.significant ? "font-weight=\"600\"" : "font-weight=\"400\"");
  return svg + "</g>";
}

}  // namespace

std::string svg_forest_plot(const MeasureProducts& p, const std::string& variant, const std::string& metric) {
  const std::vector<const MeasureRow*> rows = forest_rows(p, variant, metric);
  double lo = 0.0, hi = 0.0;  // the zero line is always in view
  for (const MeasureRow* r : rows)
    for (double v : {r->ci.low, r->ci.high, r->difference})
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (hi - lo <= 0.0) hi = lo + 1e-3;
  const double pad = 0.06 * (hi - lo);
  lo -= pad;
  hi += pad;
  const bool rate = !rows.empty() && rows[0]->rate;
  ForestLayout layout;
  layout.lo = lo;
  layout.hi = hi;
  const double label_w = layout.label_w, plot_w = layout.plot_w, row_h = layout.row_h, top = 30.0, axis_h = 40.0;
  const double width = label_w + plot_w + layout.text_w;
  const double height = top + row_h * static_cast<double>(rows.size()) + axis_h;
  const auto x_of = [&](double v) { return layout.x_of(v); };
  std::string svg = "<svg class=\"chart forest\" role=\"img\" width=\"" + num(width) + "\" height=\"" + num(height) +
                    "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\"><title>" +
                    html_escape("Effect of " + variant + " on " + metric + " per segment, with " +
                                fmt("%.0f%%", 100.0 * (1.0 - p.request.alpha)) + " intervals") +
                    "</title>";
  svg += text_at(label_w + plot_w + 10.0, top - 10.0, "difference [interval] · p (BH)", "class=\"note\"");
  const double bottom = top + row_h * static_cast<double>(rows.size());
  const double step = tick_step(hi - lo);
  for (double t = std::ceil(lo / step) * step; t <= hi + 1e-12 * step; t += step) {
    const double tick = std::fabs(t) < 1e-9 * step ? 0.0 : t;
    svg += "<line x1=\"" + num(x_of(tick)) + "\" y1=\"" + num(bottom) + "\" x2=\"" + num(x_of(tick)) + "\" y2=\"" +
           num(bottom + 5.0) + "\" stroke=\"#8894a0\"/>";
    const std::string label = tick == 0.0 ? "0" : rate ? fmt("%+.3g pp", 100.0 * tick) : fmt("%+.3g", tick);
    svg += text_at(x_of(tick), bottom + 17.0, label, "class=\"tick\" text-anchor=\"middle\"");
  }
  svg += "<line class=\"zero\" x1=\"" + num(x_of(0.0)) + "\" y1=\"" + num(top - 6.0) + "\" x2=\"" + num(x_of(0.0)) +
         "\" y2=\"" + num(bottom) + "\" stroke=\"#1d232a\" stroke-dasharray=\"3 3\"/>";
  svg += text_at(label_w + plot_w / 2.0, bottom + 34.0,
                 rate ? "difference of rates, variant − control (percentage points)"
                      : "difference of means per user, variant − control",
                 "class=\"note\" text-anchor=\"middle\"");
  for (size_t i = 0; i < rows.size(); ++i)
    svg += forest_row_svg(p, *rows[i], variant, layout, top + row_h * (static_cast<double>(i) + 0.5));
  return svg + "</svg>";
}

namespace {

std::string srm_html(const MeasureProducts& p) {
  std::string flagged;
  int count = 0;
  for (const SegmentSplit& s : p.splits) {
    if (!s.srm.mismatch) continue;
    ++count;
    flagged += (flagged.empty() ? "" : ", ") + segment_label(p, s.segment) + " (p " + p_text(s.srm.p_value) + ")";
  }
  std::string intended;
  for (size_t g = 0; g < p.groups.size(); ++g)
    intended += (g == 0 ? "" : " / ") + p.groups[g] + " " + fmt("%.1f%%", 100.0 * p.shares[g]);
  const std::string against = p.split_given ? "the intended split " : "the overall observed split ";
  std::string html = "<div class=\"" + std::string(count > 0 ? "rec flag" : "rec") + "\" data-srm-flagged=\"" +
                     std::to_string(count) + "\"><strong>Sample ratio: ";
  html += count > 0 ? "MISMATCH</strong> in " + html_escape(flagged) +
                          ": randomisation or logging is broken there; do not trust those comparisons."
                    : "OK</strong>: no group split differs from " + against + "(chi-square, p < " +
                          fmt("%.3g", kSrmAlpha) + " flags).";
  html += " Checked against " + against + "(" + html_escape(intended) + ")" +
          (p.split_given ? "" : "; pass --split to check all users too") + ".</div>";
  return html;
}

std::string heterogeneity_html(const Heterogeneity& h, double alpha) {
  if (h.segments < 2) return "<p class=\"sub\">Heterogeneity: fewer than two segments with an estimate.</p>";
  const bool differs = h.p_value < alpha;
  return "<p class=\"sub\" data-q=\"" + exact(h.q) + "\" data-i2=\"" + exact(h.i_squared) +
         "\">Heterogeneity across segments: Cochran's Q = " + fmt("%.2f", h.q) + " on " + fmt("%.0f", h.df) +
         " df, p " + p_text(h.p_value) + ", I² = " + fmt("%.0f%%", 100.0 * h.i_squared) + " — " +
         (differs ? "the effect differs between segments."
                  : "no evidence that the effect differs between segments: read per-segment differences as noise.") +
         "</p>";
}

}  // namespace

std::string campaign_section_html(const MeasureProducts& p) {
  const MeasureRequest& q = p.request;
  std::string html = std::string(kCampaignSection.begin) + "<section id=\"campaign\"><h2>Campaign results</h2>";
  std::string variants;
  for (size_t g = 1; g < p.groups.size(); ++g) variants += (g == 1 ? "" : ", ") + p.groups[g];
  html +=
      "<p class=\"sub\">" +
      html_escape(q.outcomes + " joined to " + q.segments + " on id (kseg measure): " + std::to_string(p.joined) +
                  " users measured, " + std::to_string(p.outcomes_only) + " only in the outcomes, " +
                  std::to_string(p.segments_only) + " only in the segments. " + variants + " against " + p.groups[0] +
                  "; " + fmt("%.0f%%", 100.0 * (1.0 - q.alpha)) + " intervals (Newcombe for rates, Welch for means).") +
      "</p>";
  html += srm_html(p);
  for (const MetricHeterogeneity& h : p.heterogeneity) {
    html += "<h3>" + html_escape(h.metric + ": " + h.variant + " vs " + p.groups[0]) + "</h3>";
    html += heterogeneity_html(h.test, q.alpha);
    html += "<div class=\"panel\">" + svg_forest_plot(p, h.variant, h.metric) + "</div>";
  }
  html += "<p class=\"rules\">" +
          html_escape(
              "Filled orange squares: significant after the Benjamini–Hochberg correction across segments "
              "(adjusted p < " +
              fmt("%.3g", q.alpha) +
              "); hollow blue: not. The diamond is all users together (unadjusted p). Assumes users were "
              "assigned at random and act independently; measure.csv has every number, including Holm's "
              "adjustment, the minimum detectable effect and CUPED.") +
          "</p></section>" + kCampaignSection.end;
  return html;
}

std::string campaign_section_kept(const std::string& path, bool quiet, std::ostream& notices) {
  return marked_section_kept(path, kCampaignSection, quiet, notices);
}

void report_campaign_write(const std::string& path, const std::string& section, const std::string& target) {
  report_section_write(path, kCampaignSection, section, target);
}

}  // namespace kseg
