// kseg plan --segments S --baseline-rate R --mde M: users per group each segment needs (host/campaign/plan.hpp).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ostream>

#include "cli/commands.hpp"
#include "host/campaign/plan.hpp"

namespace kseg {

void plan_command_register(CLI::App& app, PlanRequest& request) {
  app.add_option("--segments", request.segments, "segments.csv (id,segment) of kseg fit or assign")->required();
  app.add_option("--baseline-rate", request.baseline_rate, "Expected conversion rate of the control, e.g. 0.04")
      ->required();
  app.add_option("--mde", request.mde, "RELATIVE lift to detect: 0.1 = +10% of the baseline rate (0.04 → 0.044)")
      ->required();
  app.add_option("--power", request.power, "Probability of detecting that lift")->capture_default_str();
  app.add_option("--alpha", request.alpha, "Two-sided significance level")->capture_default_str();
  app.add_option("--delimiter", request.delimiter, "CSV field separator")->capture_default_str();
}

int plan_command_run(const PlanRequest& request, std::ostream& out, std::ostream&) {
  const PlanProducts p = campaign_plan(request);
  char line[200];
  std::snprintf(line, sizeof line,
                "kseg: to detect %.4g -> %.4g (a relative lift of %+.1f%%) with power %.2f at alpha %.3g (two-sided), "
                "%lld users per group (control and treatment, 50/50)\n",
                request.baseline_rate, request.baseline_rate * (1.0 + request.mde), 100.0 * request.mde, request.power,
                request.alpha, static_cast<long long>(p.needed_per_group));
  out << line;
  std::snprintf(line, sizeof line, "  %-9s %10s %16s  %s\n", "segment", "users", "needed (2 groups)", "verdict");
  out << line;
  int small = 0;
  for (const SegmentPlan& s : p.segments) {
    small += s.too_small ? 1 : 0;
    std::snprintf(line, sizeof line, "  %-9d %10lld %16lld  %s\n", s.segment, static_cast<long long>(s.users),
                  static_cast<long long>(2 * s.needed_per_group),
                  s.too_small ? "too small to test alone: pool it with similar segments or accept a larger MDE" : "ok");
    out << line;
  }
  out << "  " << small << " of " << p.segments.size() << " segments too small; all " << p.total_users
      << " users together " << (p.total_users >= 2 * p.needed_per_group ? "suffice" : "do not suffice") << "\n";
  return 0;
}

}  // namespace kseg
