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

ProfileOptions profile_options_make(const ExplainOptions& args) {
  KSEG_EXPECTS(args.audit_ratio > 0.0 && args.audit_ratio < 1.0, UsageError,
               "--audit-ratio must be between 0 and 1 (e.g. 0.8, the four-fifths rule)");
  KSEG_EXPECTS(args.audit_min_diff >= 0.0 && args.audit_min_diff < 1.0, UsageError,
               "--audit-min-diff must be a share in [0, 1) (e.g. 0.02 for 2 points)");
  ProfileOptions o;
  o.audit_ratio = args.audit_ratio;
  o.audit_min_diff = args.audit_min_diff;
  return o;
}

Profiles explain_outputs_write(const ExplainOutputs& o, const ExplainOptions& args, std::ostream& out, bool quiet) {
  Profiles profiles = profiles_compute(*o.table, *o.pipeline, o.labels, o.k, profile_options_make(args), o.segment_ids);
  for (size_t c = 0; c < o.model_names.size() && c < profiles.segments.size(); ++c)
    if (!o.model_names[c].empty()) profiles.segments[c].name = o.model_names[c];
  profiles_names_apply(profiles, o.file_names);
  const std::string dir = o.dir + "/";
  profiles_csv_write(dir + "profiles.csv", profiles);
  AtomicFile json(dir + "profiles.json");
  json.write(profiles_to_json(profiles).dump(2) + "\n");
  json.commit();
  if (o.names_file) names_file_write(dir + "segment_names.csv", profiles);
  report_write(dir + "report.html",
               {o.source,
                &profiles,
                o.sweep,
                {},
                o.tree ? tree_report_section(*o.tree, profiles, o.pipeline->feature_names()) : ""});
  const std::string shown = (o.shown_dir.empty() ? o.dir : o.shown_dir) + "/";
  if (!quiet)
    out << "  " << shown << "profiles.csv\n  " << shown << "profiles.json\n"
        << (o.names_file ? "  " + shown + "segment_names.csv\n" : "") << "  " << shown << "report.html\n";
  return profiles;
}

void fit_explain_write(const FitArgs& args, const Table& data, const FeaturePipeline& pipeline,
                       const std::vector<int32_t>& labels, int64_t k, std::ostream& out, bool quiet,
                       const std::vector<int64_t>& segment_ids, const std::vector<std::string>& names,
                       const std::string& shown_dir, const SegmentTree* tree) {
  ExplainOutputs o;
  o.dir = args.out_dir;
  o.shown_dir = shown_dir;
  o.source = "kseg fit " + args.input + " --k " + std::to_string(k);
  o.table = &data;
  o.pipeline = &pipeline;
  o.labels = labels.data();
  o.k = k;
  o.segment_ids = segment_ids;
  o.model_names = names;
  o.tree = tree;
  explain_outputs_write(o, args.explain, out, quiet);
}

void profile_command_register(CLI::App& app, ProfileRequest& args) {
  app.add_option("INPUT", args.input, "The users that were segmented (CSV or .npy)")->required();
  app.add_option("--model", args.model, "model.json of the segmentation")->required();
  app.add_option("--segments", args.segments, "segments.csv (id,segment,distance) of INPUT, in input order")
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
