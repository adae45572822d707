#include "host/report/personas.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/input_file.hpp"
#include "host/output/segment_files.hpp"

namespace kseg {
namespace {

std::string humanise(const std::string& column) {
  std::string out = column;
  for (char& c : out)
    if (c == '_') c = ' ';
  return out;
}

// A persona term for one feature, or "" when it does not describe the segment well enough.
std::string persona_term(const FeatureStat& f, double threshold) {
  if (std::isnan(f.value) || std::fabs(f.std_diff) < threshold) return "";
  if (f.kind == StatKind::level_share) return f.std_diff > 0.0 ? humanise(f.column) + " " + f.level : "";
  if (f.is_date) return (f.std_diff < 0.0 ? "Recent " : "Long-ago ") + humanise(f.column);
  return (f.std_diff > 0.0 ? "High " : "Low ") + humanise(f.column);
}

std::string percent(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", 100.0 * share);
  return text;
}

// "orders 2.4× the average (7.3 vs 3.1)", "device ios 71.0% of the segment (40.0% overall)".
std::string feature_phrase(const FeatureStat& f) {
  if (f.kind == StatKind::level_share)
    return humanise(f.column) + " " + f.level + " " + percent(f.value) + " of the segment (" + percent(f.population) +
           " overall)";
  const std::string name = humanise(f.column) + (f.is_date ? " (days ago)" : "");
  if (std::isnan(f.index)) return name + " " + number_short(f.value) + " (average " + number_short(f.population) + ")";
  return name + " " + number_short(f.index) + "× the average (" + number_short(f.value) + " vs " +
         number_short(f.population) + ")";
}

// "Segment 3, 12.7% of users: …" (unit "node": "Node 3, …").
std::string description_make(const SegmentProfile& s, const std::string& unit) {
  std::string text = unit + " " + std::to_string(s.segment) + ", " + percent(s.share) + " of users";
  text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  if (s.size == 0) return text + ": empty.";
  std::string phrases;
  for (size_t t = 0; t < s.top.size() && t < 3; ++t) {
    const FeatureStat& f = s.features[s.top[t]];
    if (std::fabs(f.std_diff) < 0.1) break;
    phrases += (phrases.empty() ? "" : "; ") + feature_phrase(f);
  }
  return text + (phrases.empty() ? ": close to the population on every feature." : ": " + phrases + ".");
}

// Splits one CSV line into fields (RFC 4180 quoting, no line breaks inside fields).
bool csv_line_split(const std::string& line, std::vector<std::string>& fields) {
  fields.assign(1, "");
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"' && fields.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return !quoted;
}

}  // namespace

std::string number_short(double v) {
  if (std::isnan(v)) return "n/a";
  char text[64];
  if (std::fabs(v) >= 1000.0 && std::fabs(v) < 1e15) {
    std::snprintf(text, sizeof text, "%.0f", v);
  } else {
    std::snprintf(text, sizeof text, "%.3g", v);
  }
  return text;
}

void personas_make(Profiles& profiles, const std::string& unit) {
  std::map<std::string, int> uses;
  for (SegmentProfile& s : profiles.segments) {
    std::string name;
    int terms = 0;
    for (int t : s.top) {
      const std::string term = persona_term(s.features[t], profiles.options.persona_std_diff);
      if (term.empty() || terms >= profiles.options.persona_terms) continue;
      name += (name.empty() ? "" : " · ") + term;
      ++terms;
    }
    s.persona = s.size == 0 ? "Empty segment" : name.empty() ? "Typical profile" : name;
    s.description = description_make(s, unit);
    ++uses[s.persona];
  }
  for (SegmentProfile& s : profiles.segments) {
    if (uses[s.persona] > 1) s.persona += " (" + unit + " " + std::to_string(s.segment) + ")";
    s.name = s.persona;
  }
}

std::vector<std::pair<int32_t, std::string>> names_file_read(const std::string& path) {
  input_file_check(path, "names file", kNamesFileMaxBytes);
  std::ifstream in(path, std::ios::binary);
  KSEG_EXPECTS(in.good(), DataError, "cannot read names file " + path);
  std::vector<std::pair<int32_t, std::string>> names;
  std::map<int32_t, long> seen;
  std::vector<std::string> fields;
  long line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    if (line.empty()) continue;
    KSEG_EXPECTS(csv_line_split(line, fields) && fields.size() == 2, DataError,
                 location_format(path, line_number, 0, "expected two fields: segment,name"));
    if (line_number == 1) {
      KSEG_EXPECTS(fields[0] == "segment" && fields[1] == "name", DataError,
                   location_format(path, 1, 0, "expected the header segment,name"));
      continue;
    }
    size_t used = 0;
    int segment = -1;
    try {
      segment = std::stoi(fields[0], &used);
    } catch (const std::exception&) {
      used = 0;
    }
    KSEG_EXPECTS(used == fields[0].size() && segment >= 0, DataError,
                 location_format(path, line_number, 1, "\"" + fields[0] + "\" is not a segment number"));
    KSEG_EXPECTS(!fields[1].empty(), DataError, location_format(path, line_number, 2, "empty name"));
    const auto [it, fresh] = seen.emplace(segment, line_number);
    KSEG_EXPECTS(
        fresh, DataError,
        location_format(path, line_number, 1,
                        "segment " + fields[0] + " is named twice (also line " + std::to_string(it->second) + ")"));
    names.emplace_back(segment, fields[1]);
  }
  return names;
}

void names_file_write(const std::string& path, const Profiles& profiles) {
  std::string text = "segment,name\n";
  for (const SegmentProfile& s : profiles.segments)
    text += std::to_string(s.segment) + "," + csv_field_escape(s.name) + "\n";
  AtomicFile file(path);
  file.write(text);
  file.commit();
}

}  // namespace kseg
