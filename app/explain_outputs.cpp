// The explanation files of fit, sweep and profile: profiles.csv, profiles.json, segment_names.csv, report.html.
#include "app/explain_outputs.hpp"

#include <ostream>

#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/report/html_report.hpp"
#include "host/report/personas.hpp"
#include "host/report/profiles_io.hpp"
#include "host/report/tree_profiles.hpp"
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

Profiles explain_profiles(const ExplainOutputs& o, const ExplainOptions& args) {
  Profiles profiles = profiles_compute(*o.table, *o.pipeline, o.labels, o.k, profile_options_make(args), o.segment_ids);
  if (o.tree) profiles.tree_parents = tree_parent_profiles(*o.table, *o.pipeline, o.labels, *o.tree, profiles.options);
  for (size_t c = 0; c < o.model_names.size() && c < profiles.segments.size(); ++c)
    if (!o.model_names[c].empty()) profiles.segments[c].name = o.model_names[c];
  profiles_names_apply(profiles, o.file_names);
  return profiles;
}

Profiles explain_outputs_write(const ExplainOutputs& o, const ExplainOptions& args, std::ostream& out, bool quiet) {
  Profiles profiles = explain_profiles(o, args);
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

}  // namespace kseg
