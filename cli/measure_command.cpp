// kseg measure OUTCOMES --segments SEGMENTS: how a campaign did in each segment (host/campaign/measure.hpp).
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <ostream>

#include "cli/commands.hpp"
#include "host/campaign/measure.hpp"
#include "host/output/output_paths.hpp"

namespace kseg {
namespace {

std::string cell(const char* format, double v) {
  if (std::isnan(v)) return "–";
  char text[48];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

// A rate as a percentage, an amount with 4 significant digits.
std::string value_text(double v, bool rate) { return rate ? cell("%.2f%%", 100.0 * v) : cell("%.4g", v); }
std::string difference_text(double v, bool rate) { return rate ? cell("%+.2fpp", 100.0 * v) : cell("%+.4g", v); }

void metric_print(const MeasureProducts& p, const MetricHeterogeneity& h, std::ostream& out) {
  out << "\n" << h.metric << ": " << h.variant << " vs " << p.groups[0] << "\n";
  char line[240];
  std::snprintf(line, sizeof line, "  %-9s %8s %8s %9s %9s %26s %8s %8s %8s %9s\n", "segment", "n_ctrl", "n_var",
                "control", "variant", "difference [interval]", "lift", "p", "p_BH", "MDE");
  out << line;
  for (const MeasureRow& r : p.rows) {
    if (r.variant != h.variant || r.metric != h.metric) continue;
    const std::string interval = difference_text(r.difference, r.rate) + " [" + difference_text(r.ci.low, r.rate) +
                                 "," + difference_text(r.ci.high, r.rate) + "]";
    std::snprintf(line, sizeof line, "  %-9s %8.0f %8.0f %9s %9s %26s %8s %8s %8s %9s%s\n",
                  r.segment < 0 ? "all" : std::to_string(r.segment).c_str(), r.n_control, r.n_variant,
                  value_text(r.control_value, r.rate).c_str(), value_text(r.variant_value, r.rate).c_str(),
                  interval.c_str(), cell("%+.1f%%", 100.0 * r.relative_lift).c_str(), cell("%.4f", r.p_value).c_str(),
                  r.segment < 0 ? "" : cell("%.4f", r.p_bh).c_str(), difference_text(r.mde, r.rate).c_str(),
                  r.significant ? "  *" : "");
    out << line;
  }
  for (const MeasureRow& r : p.rows) {  // CUPED over all users, where a pre-metric was given
    if (r.variant != h.variant || r.metric != h.metric || r.segment >= 0 || std::isnan(r.cuped_theta)) continue;
    std::snprintf(line, sizeof line, "  CUPED (%s): all %s [%s,%s], p %s, variance of the difference %s\n",
                  p.request.pre_metric.c_str(), difference_text(r.cuped_difference, r.rate).c_str(),
                  difference_text(r.cuped_ci.low, r.rate).c_str(), difference_text(r.cuped_ci.high, r.rate).c_str(),
                  cell("%.4f", r.cuped_p).c_str(), cell("%+.1f%%", -100.0 * r.variance_reduction).c_str());
    out << line;
  }
  const Heterogeneity& t = h.test;
  std::snprintf(line, sizeof line, "  heterogeneity: Q %.2f on %.0f df, p %s, I² %s\n", t.q, t.df,
                cell("%.4f", t.p_value).c_str(), cell("%.0f%%", 100.0 * t.i_squared).c_str());
  out << line;
}

void summary_print(const MeasureProducts& p, std::ostream& out) {
  out << "kseg: " << p.joined << " users measured (" << p.outcomes_only << " only in " << p.request.outcomes << ", "
      << p.segments_only << " only in " << p.request.segments << "), " << p.segments.size() << " segments, groups:";
  for (size_t g = 0; g < p.groups.size(); ++g)
    out << (g == 0 ? " " : ", ") << p.groups[g] << " " << p.splits[0].counts[g];
  out << "\n";
  int flagged = 0;
  for (const SegmentSplit& s : p.splits) flagged += s.srm.mismatch ? 1 : 0;
  out << "  sample ratio: "
      << (flagged > 0 ? "MISMATCH in " + std::to_string(flagged) + " of the checks (see measure.json)"
                      : std::string("OK"))
      << (p.split_given ? "" : " (segments against the overall split; --split checks all users too)") << "\n";
  for (const MetricHeterogeneity& h : p.heterogeneity) metric_print(p, h, out);
  out << "\n  * significant after Benjamini–Hochberg across segments (alpha " << p.request.alpha
      << "); MDE: smallest difference detectable with power " << p.request.power << "\n";
}

}  // namespace

void measure_command_register(CLI::App& app, MeasureArgs& args) {
  MeasureRequest& r = args.request;
  app.add_option("OUTCOMES", r.outcomes, "CSV, one row per user: id, group, outcome columns")->required();
  app.add_option("--segments", r.segments, "segments.csv (id,segment) of kseg fit or assign")->required();
  app.add_option("--out", args.out_dir, "Output directory (default: the directory of --segments)");
  app.add_option("--id-column", r.id_column, "The outcomes' id column (default: id, else user_id)");
  app.add_option("--group-column", r.group_column, "Column naming each user's group")->capture_default_str();
  app.add_option("--control", r.control, "The control group's name")->capture_default_str();
  app.add_option("--metrics", r.metrics, "Outcome columns (default: every other column); 0/1 columns are rates")
      ->delimiter(',');
  app.add_option("--pre-metric", r.pre_metric, "Pre-campaign column for CUPED variance reduction");
  app.add_option("--weight-column", r.weight_column, "Frequency weight per user (>= 0)");
  app.add_option("--split", r.split, "Intended split, control first then variants A→Z, e.g. 50/50: checked (SRM)");
  app.add_option("--bootstrap", r.bootstrap, "Resamples for a bootstrap interval of amounts (0 = none)")
      ->capture_default_str();
  app.add_option("--seed", r.seed, "Seed of the bootstrap")->capture_default_str();
  app.add_option("--alpha", r.alpha, "Significance level (intervals are 1 − alpha)")->capture_default_str();
  app.add_option("--power", r.power, "Power for the minimum detectable effect")->capture_default_str();
  app.add_option("--delimiter", r.delimiter, "CSV field separator")->capture_default_str();
  app.add_flag("--quiet", args.quiet, "Only errors on stderr");
}

int measure_command_run(const MeasureArgs& args, std::ostream& out, std::ostream&) {
  const std::string dir =
      args.out_dir.empty() ? std::filesystem::path(args.request.segments).parent_path().string() : args.out_dir;
  const std::filesystem::path out_dir(dir.empty() ? "." : dir);
  output_paths_check({{"OUTCOMES", args.request.outcomes}, {"--segments", args.request.segments}},
                     {{"DIR/measure.csv", (out_dir / "measure.csv").string()},
                      {"DIR/measure.json", (out_dir / "measure.json").string()}});
  const MeasureProducts products = campaign_measure(args.request);
  const std::vector<std::string> written = measure_write(products, dir.empty() ? "." : dir);
  if (!args.quiet) {
    summary_print(products, out);
    for (const std::string& path : written) out << "  " << path << "\n";
  }
  return 0;
}

}  // namespace kseg
