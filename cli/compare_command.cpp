// kseg compare OLD_SEGMENTS NEW_SEGMENTS: maps the flags onto a CompareRequest (app/segment_files_compare.hpp: who
// moved between two segmentations of (mostly) the same users), runs it, prints the summary and the files.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <ostream>
#include <vector>

#include "app/segment_files_compare.hpp"
#include "cli/commands.hpp"
#include "host/dynamics/population_stability.hpp"
#include "host/io/output_set.hpp"

namespace kseg {
namespace {

void comparison_print(const SegmentComparison& c, std::ostream& out) {
  char line[160];
  std::snprintf(line, sizeof(line),
                "kseg: %lld users in both, %.1f%% changed segment, adjusted Rand index %.3f; %lld appeared, "
                "%lld disappeared; segment PSI %.3f (%s)\n",
                static_cast<long long>(c.both), 100.0 * c.changed_share, c.ari, static_cast<long long>(c.appeared),
                static_cast<long long>(c.disappeared), c.psi_total, psi_flag(c.psi_total).c_str());
  out << line;
  for (const SegmentShift& s : c.shifts) {
    if (s.flag == "stable") continue;
    std::snprintf(line, sizeof(line), "  segment %d: %.1f%% -> %.1f%% of users, PSI %.3f (%s)\n", s.segment,
                  100.0 * s.old_share, 100.0 * s.new_share, s.psi, s.flag.c_str());
    out << line;
  }
}

}  // namespace

void compare_command_register(CLI::App& app, CompareRequest& args) {
  app.add_option("OLD_SEGMENTS", args.before, "Earlier segments file (id,segment[,distance])")->required();
  app.add_option("NEW_SEGMENTS", args.after, "Later segments file, same ids where the users are the same")->required();
  app.add_option("--out", args.out_dir, "Output directory")->capture_default_str();
  app.add_option("--delimiter", args.delimiter, "CSV field separator")->capture_default_str();
  app.add_flag("--quiet", args.quiet, "Only errors on stderr");
}

int compare_command_run(const CompareRequest& request, std::ostream& out, std::ostream& err) {
  compare_request_validate(request);
  OutputSet set(request.out_dir);
  const CompareProducts products = segment_files_compare(request);
  const std::vector<std::string> reports = compare_products_write(products, set, err, request.quiet);
  if (request.quiet) return 0;
  comparison_print(products.comparison, out);
  const std::string shown = request.out_dir + "/";
  out << "  " << shown << "migration.csv\n  " << shown << "migration_shares.csv\n  " << shown << "segment_psi.csv\n  "
      << shown << "compare.json\n";
  for (const std::string& report : reports) out << "  " << report << " (migration chart)\n";
  if (reports.empty())
    err << "kseg: notice: no report.html beside " << request.after << " or in " << request.out_dir
        << ": the migration chart was not drawn (kseg fit writes the report; run compare again after it)\n";
  return 0;
}

}  // namespace kseg
