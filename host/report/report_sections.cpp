#include "host/report/report_sections.hpp"

#include <filesystem>
#include <ostream>

#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/input_file.hpp"

namespace kseg {

std::string marked_section_find(const std::string& html, const MarkedSection& marks, const std::string& where) {
  const size_t begin = html.find(marks.begin);
  if (begin == std::string::npos) return "";
  const size_t end = html.find(marks.end, begin);
  KSEG_EXPECTS(
      end != std::string::npos, DataError,
      where + ": damaged report: the " + marks.name + " section has no end marker; rewrite it with kseg report");
  return html.substr(begin, end + std::string(marks.end).size() - begin);
}

std::string marked_section_replace(const std::string& html, const MarkedSection& marks, const std::string& section,
                                   const std::string& where) {
  const std::string current = marked_section_find(html, marks, where);
  if (!current.empty()) {
    const size_t begin = html.find(marks.begin);
    return html.substr(0, begin) + section + html.substr(begin + current.size());
  }
  const size_t main_end = html.rfind("</main>");
  KSEG_EXPECTS(main_end != std::string::npos, DataError,
               where + ": not a report.html written by kseg (no </main>); rewrite it with kseg report");
  return html.substr(0, main_end) + section + html.substr(main_end);
}

std::string marked_section_kept(const std::string& path, const MarkedSection& marks, bool quiet,
                                std::ostream& notices) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return "";
  try {
    return marked_section_find(input_file_read(path, "", kJsonFileMaxBytes), marks, path);
  } catch (const DataError& e) {
    if (!quiet) notices << "kseg: notice: the " << marks.name << " section is dropped: " << e.what() << "\n";
    return "";
  }
}

void report_section_write(const std::string& path, const MarkedSection& marks, const std::string& section,
                          const std::string& target) {
  const std::string html = marked_section_replace(input_file_read(path, "", kJsonFileMaxBytes), marks, section, path);
  AtomicFile file(target.empty() ? path : target);
  file.write(html);
  file.commit();
}

}  // namespace kseg
