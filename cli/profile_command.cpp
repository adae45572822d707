// kseg profile: maps the flags onto a ProfileRequest (app/segments_profile.hpp: profiles, personas and the fairness
// audit of an existing segmentation), runs it and writes its output set; and the explanation files every command
// writes.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "app/explain_outputs.hpp"
#include "app/segments_profile.hpp"
#include "cli/commands.hpp"
#include "host/data/schema.hpp"
#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/input_file.hpp"
#include "host/io/output_set.hpp"
#include "host/model/model_file.hpp"
#include "host/report/campaign_report.hpp"
#include "host/report/html_report.hpp"
#include "host/report/migration_report.hpp"
#include "host/report/personas.hpp"
#include "host/report/profiles_io.hpp"
#include "host/report/tree_report.hpp"

namespace kseg {

void profile_command_register(CLI::App& app, ProfileRequest& args) {
  app.add_option("INPUT", args.input, "The users that were segmented (CSV, Parquet or .npy)")->required();
  app.add_option("--model", args.model, "model.json of the segmentation")->required();
  app.add_option("--segments", args.segments,
                 "segments.csv (id,segment,distance) or segments.parquet of INPUT, in input order")
      ->required();
  app.add_option("--out", args.out_dir, "Output directory (default: the directory of --segments)");
  app.add_option("--segment-names", args.segment_names, "CSV segment,name: names that replace the personas");
  app.add_option("--audit-columns", args.audit, "Columns to audit the segments' composition by, comma-separated")
      ->delimiter(',');
  app.add_option("--weight-column", args.weight_column, "Column of per-user sample weights (>= 0)");
  app.add_option("--delimiter", args.delimiter, "CSV field separator")->capture_default_str();
  app.add_option("--threads", args.threads, "CPU threads for reading; 0 = all cores")->capture_default_str();
  explain_options_register(app, args.explain);
  app.add_flag("--quiet", args.quiet, "Only errors on stderr");
}

int profile_command_run(const ProfileRequest& request, std::ostream& out, std::ostream& err) {
  profile_request_validate(request);
  OutputSet set(profile_out_dir(request), request.out_dir.empty() ? "the directory of --segments" : "--out");
  const ProfileProducts products = segments_profile(request);
  if (!request.quiet)
    out << "kseg: profiles of " << products.table.n_rows << " users in " << products.model.n_clusters << " segments\n";
  profile_products_write(products, set, out, err, request.quiet);
  return 0;
}

}  // namespace kseg
