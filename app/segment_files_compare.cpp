#include "app/segment_files_compare.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <ostream>

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

// Segment names where known: the profiles.json beside the new segments, then beside the old ones (retired ids).
std::map<int32_t, std::string> names_known(const CompareProducts& products, bool quiet, std::ostream& notices) {
  namespace fs = std::filesystem;
  std::map<int32_t, std::string> names;
  for (const std::string& segments : {products.after, products.before}) {
    const std::string path = (fs::path(segments).parent_path() / "profiles.json").string();
    if (!fs::exists(path)) continue;
    try {
      for (const SegmentProfile& s : profiles_from_json(json_read(path), path).segments)
        names.emplace(s.segment, s.name);
    } catch (const DataError& e) {
      if (!quiet) notices << "kseg: notice: segment names not taken from " << path << ": " << e.what() << "\n";
    }
  }
  return names;
}

// The reports to draw the migration into: report.html beside the new segments and in out_dir, those that exist.
std::vector<std::string> reports_present(const std::string& after, const std::string& out_dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> reports;
  std::vector<fs::path> seen;
  for (const fs::path& dir : {fs::path(after).parent_path(), fs::path(out_dir)}) {
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

void compare_request_validate(const CompareRequest& request) {
  KSEG_EXPECTS(!request.before.empty() && !request.after.empty(), UsageError,
               "compare: give both segment files, OLD_SEGMENTS and NEW_SEGMENTS");
}

CompareProducts segment_files_compare(const CompareRequest& request) {
  compare_request_validate(request);
  CompareProducts p;
  const SegmentAssignments before = segment_assignments_read(request.before, request.delimiter);
  const SegmentAssignments after = segment_assignments_read(request.after, request.delimiter);
  p.comparison = segments_compare(before, after);
  p.before = request.before;
  p.after = request.after;
  return p;
}

std::vector<std::string> compare_products_write(const CompareProducts& products, OutputSet& set, std::ostream& notices,
                                                bool quiet) {
  const SegmentComparison& c = products.comparison;
  const std::string dir = set.path() + "/";
  text_write(dir + "migration.csv", migration_csv(c, false));
  text_write(dir + "migration_shares.csv", migration_csv(c, true));
  text_write(dir + "segment_psi.csv", segment_psi_csv(c));
  json_write(dir + "compare.json", segment_comparison_json(c, products.before, products.after));
  // The migration chart goes into an existing report only: compare makes no report of its own.
  const std::vector<std::string> reports = reports_present(products.after, set.dir());
  const std::string section =
      reports.empty()
          ? std::string()
          : migration_section_html({&c, names_known(products, quiet, notices), products.before, products.after});
  // The report in the set's directory is one file of the set published below; one beside the later segments
  // elsewhere belongs to that directory's set, where replacing one file (temporary file + rename) is all or
  // nothing: done once the set is whole.
  const auto in_set = [&](const std::string& report) {
    namespace fs = std::filesystem;
    std::error_code ec;
    return fs::weakly_canonical(fs::path(report).parent_path(), ec) == fs::weakly_canonical(set.dir(), ec);
  };
  for (const std::string& report : reports)
    if (in_set(report)) report_migration_write(report, section, dir + "report.html");
  set.publish();
  for (const std::string& report : reports)
    if (!in_set(report)) report_migration_write(report, section);
  return reports;
}

}  // namespace kseg
