// kseg report: maps the flags onto a ReportRequest (app/report_contents.hpp: report.html rewritten from a directory's
// profiles.json and sweep.json, keeping the migration section kseg compare drew into the old page), runs it, prints.
#include <CLI/CLI.hpp>
#include <ostream>

#include "app/report_contents.hpp"
#include "cli/commands.hpp"

namespace kseg {

void report_command_register(CLI::App& app, ReportRequest& args) {
  app.add_option("DIR", args.dir, "Directory holding profiles.json (written by fit, sweep or profile)")->required();
  app.add_option("--sweep", args.sweep, "sweep.json, or a directory holding one (default: DIR/sweep.json if any)");
  app.add_option("--segment-names", args.segment_names, "CSV segment,name: names that replace those in profiles.json");
  app.add_option("--out", args.out, "Output file (default: DIR/report.html)");
  app.add_flag("--quiet", args.quiet, "Only errors on stderr");
}

int report_command_run(const ReportRequest& request, std::ostream& out, std::ostream& err) {
  const ReportProducts products = report_contents_load(request);
  report_products_write(products, err, request.quiet);
  if (!request.quiet) out << "kseg: " << products.target << "\n";
  return 0;
}

}  // namespace kseg
