// kseg compare OLD_SEGMENTS NEW_SEGMENTS: who moved between two segmentations of (mostly) the same users.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <ostream>
#include <vector>

#include "cli/commands.hpp"
#include "host/dynamics/population_stability.hpp"
#include "host/dynamics/segments_compare.hpp"
#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/output_set.hpp"
#include "host/output/segment_files.hpp"
#include "host/report/migration_report.hpp"
#include "host/report/profiles_io.hpp"

namespace kseg {
namespace {

void text_write(const std::string& path, const std::string& text) {
  AtomicFile file(path);
  file.write(text);
  file.commit();
}

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

// Segment names where known: the profiles.json beside the new segments, then beside the old ones (retired ids).
std::map<int32_t, std::string> names_known(const CompareArgs& args, std::ostream& err) {
  namespace fs = std::filesystem;
  std::map<int32_t, std::string> names;
  for (const std::string& segments : {args.after, args.before}) {
    const std::string path = (fs::path(segments).parent_path() / "profiles.json").string();
    if (!fs::exists(path)) continue;
    try {
      for (const SegmentProfile& s : profiles_from_json(json_read(path), path).segments)
        names.emplace(s.segment, s.name);
    } catch (const DataError& e) {
      if (!args.quiet) err << "kseg: notice: segment names not taken from " << path << ": " << e.what() << "\n";
    }
  }
  return names;
}

// The reports to draw the migration into: report.html beside the new segments and in --out, those that exist.
std::vector<std::string> reports_present(const CompareArgs& args) {
  namespace fs = std::filesystem;
  std::vector<std::string> reports;
  std::vector<fs::path> seen;
  for (const fs::path& dir : {fs::path(args.after).parent_path(), fs::path(args.out_dir)}) {
    const fs::path report = dir / "report.html";
    if (!fs::is_regular_file(report)) continue;
    const fs::path canonical = fs::weakly_canonical(report);
    if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) continue;
    seen.push_back(canonical);
    reports.push_back(report.string());
  }
  return reports;
}

}  // namespace

void compare_command_register(CLI::App& app, CompareArgs& args) {
  app.add_option("OLD_SEGMENTS", args.before, "Earlier segments file (id,segment[,distance])")->required();
  app.add_option("NEW_SEGMENTS", args.after, "Later segments file, same ids where the users are the same")->required();
  app.add_option("--out", args.out_dir, "Output directory")->capture_default_str();
  app.add_option("--delimiter", args.delimiter, "CSV field separator")->capture_default_str();
  app.add_flag("--quiet", args.quiet, "Only errors on stderr");
}

int compare_command_run(const CompareArgs& args, std::ostream& out, std::ostream& err) {
  OutputSet set(args.out_dir);
  const SegmentAssignments before = segment_assignments_read(args.before, args.delimiter);
  const SegmentAssignments after = segment_assignments_read(args.after, args.delimiter);
  const SegmentComparison c = segments_compare(before, after);
  const std::string dir = set.path() + "/", shown = args.out_dir + "/";
  text_write(dir + "migration.csv", migration_csv(c, false));
  text_write(dir + "migration_shares.csv", migration_csv(c, true));
  text_write(dir + "segment_psi.csv", segment_psi_csv(c));
  json_write(dir + "compare.json", segment_comparison_json(c, args.before, args.after));
  // The migration chart goes into an existing report only: compare makes no report of its own.
  const std::vector<std::string> reports = reports_present(args);
  const std::string section =
      reports.empty() ? std::string() : migration_section_html({&c, names_known(args, err), args.before, args.after});
  // The report in --out is one file of the set published below; one beside NEW_SEGMENTS elsewhere belongs to that
  // directory's set, where replacing one file (temporary file + rename) is all or nothing: done once --out is whole.
  const auto in_out = [&](const std::string& report) {
    namespace fs = std::filesystem;
    std::error_code ec;
    return fs::weakly_canonical(fs::path(report).parent_path(), ec) == fs::weakly_canonical(args.out_dir, ec);
  };
  for (const std::string& report : reports)
    if (in_out(report)) report_migration_write(report, section, dir + "report.html");
  set.publish();
  for (const std::string& report : reports)
    if (!in_out(report)) report_migration_write(report, section);
  if (!args.quiet) {
    comparison_print(c, out);
    out << "  " << shown << "migration.csv\n  " << shown << "migration_shares.csv\n  " << shown << "segment_psi.csv\n  "
        << shown << "compare.json\n";
    for (const std::string& report : reports) out << "  " << report << " (migration chart)\n";
    if (reports.empty())
      err << "kseg: notice: no report.html beside " << args.after << " or in " << args.out_dir
          << ": the migration chart was not drawn (kseg fit writes the report; run compare again after it)\n";
  }
  return 0;
}

}  // namespace kseg
