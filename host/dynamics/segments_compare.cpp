#include "host/dynamics/segments_compare.hpp"

#include <algorithm>
#include <climits>
#include <map>
#include <unordered_map>

#include "host/dynamics/population_stability.hpp"
#include "host/error.hpp"
#include "host/io/csv_reader.hpp"
#include "host/io/number_format.hpp"
#include "host/metrics/adjusted_rand.hpp"
#include "host/output/segment_files.hpp"

namespace kseg {
namespace {

int column_find(const std::vector<std::string>& header, const std::string& name, const std::string& path) {
  for (size_t c = 0; c < header.size(); ++c)
    if (header[c] == name) return static_cast<int>(c);
  throw DataError(path + ": no \"" + name + "\" column (expected a segments file: id,segment,distance)");
}

int32_t segment_parse(std::string_view text, const std::string& where) {
  int64_t value = 0;
  bool ok = !text.empty() && text.size() <= 10;
  for (char ch : text) {
    ok = ok && ch >= '0' && ch <= '9';
    value = value * 10 + (ch - '0');
  }
  KSEG_EXPECTS(ok && value <= INT32_MAX, DataError,
               where + "segment \"" + std::string(text) + "\" is not a segment id (an integer >= 0)");
  return static_cast<int32_t>(value);
}

size_t index_of(const std::vector<int32_t>& sorted, int32_t v) {
  return static_cast<size_t>(std::lower_bound(sorted.begin(), sorted.end(), v) - sorted.begin());
}

std::vector<int32_t> distinct_sorted(std::vector<int32_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

SegmentAssignments segment_assignments_read(const std::string& path, char delimiter) {
  CsvReader reader(path, CsvOptions{delimiter});
  const int id_column = column_find(reader.header(), "id", path);
  const int segment_column = column_find(reader.header(), "segment", path);
  SegmentAssignments out;
  out.path = path;
  std::unordered_map<std::string, int64_t> seen;
  reader.batches_for_each(32u << 20, 0, [&](const CsvRecordBatch& batch) {
    for (int64_t r = 0; r < batch.n_records; ++r) {
      std::string id(batch.field(r, id_column));
      out.segments.push_back(
          segment_parse(batch.field(r, segment_column), location_format(path, batch.line(r), segment_column + 1, "")));
      const auto [it, fresh] = seen.emplace(id, batch.line(r));
      KSEG_EXPECTS(fresh, DataError,
                   location_format(path, batch.line(r), id_column + 1,
                                   "id \"" + id + "\" repeats line " + std::to_string(it->second) +
                                       ": ids must be unique to join two segment files"));
      out.ids.push_back(std::move(id));
    }
  });
  KSEG_EXPECTS(!out.ids.empty(), DataError, path + ": no rows");
  return out;
}

SegmentComparison segments_compare(const SegmentAssignments& before, const SegmentAssignments& after) {
  SegmentComparison c;
  c.old_segments = distinct_sorted(before.segments);
  c.new_segments = distinct_sorted(after.segments);
  const size_t rows = c.old_segments.size() + 1, cols = c.new_segments.size() + 1;
  c.migration.assign(rows * cols, 0);
  c.old_users = static_cast<int64_t>(before.ids.size());
  c.new_users = static_cast<int64_t>(after.ids.size());

  std::unordered_map<std::string_view, int64_t> old_row;
  old_row.reserve(before.ids.size());
  for (size_t i = 0; i < before.ids.size(); ++i) old_row.emplace(before.ids[i], static_cast<int64_t>(i));
  std::vector<bool> old_found(before.ids.size(), false);
  std::vector<int32_t> joined_old, joined_new;
  for (size_t i = 0; i < after.ids.size(); ++i) {
    const size_t col = index_of(c.new_segments, after.segments[i]);
    auto it = old_row.find(after.ids[i]);
    if (it == old_row.end()) {
      ++c.appeared;
      ++c.migration[(rows - 1) * cols + col];
      continue;
    }
    old_found[it->second] = true;
    const int32_t from = before.segments[it->second];
    ++c.migration[index_of(c.old_segments, from) * cols + col];
    joined_old.push_back(from);
    joined_new.push_back(after.segments[i]);
    c.changed += from != after.segments[i];
  }
  for (size_t i = 0; i < before.ids.size(); ++i)
    if (!old_found[i]) {
      ++c.disappeared;
      ++c.migration[index_of(c.old_segments, before.segments[i]) * cols + cols - 1];
    }
  c.both = static_cast<int64_t>(joined_old.size());
  c.changed_share = c.both > 0 ? static_cast<double>(c.changed) / static_cast<double>(c.both) : 0.0;
  c.ari = c.both > 0 ? adjusted_rand_index(joined_old, joined_new) : 0.0;

  std::map<int32_t, SegmentShift> shifts;
  for (int32_t s : before.segments) ++shifts[s].old_users;
  for (int32_t s : after.segments) ++shifts[s].new_users;
  for (auto& [segment, shift] : shifts) {
    shift.segment = segment;
    shift.old_share = static_cast<double>(shift.old_users) / static_cast<double>(c.old_users);
    shift.new_share = static_cast<double>(shift.new_users) / static_cast<double>(c.new_users);
    shift.psi = psi_term(shift.old_share, shift.new_share);
    shift.flag = psi_flag(shift.psi);
    c.psi_total += shift.psi;
    c.shifts.push_back(shift);
  }
  return c;
}

std::string migration_csv(const SegmentComparison& c, bool shares) {
  const size_t rows = c.old_segments.size() + 1, cols = c.new_segments.size() + 1;
  std::string text = "old_segment";
  for (int32_t s : c.new_segments) text += "," + std::to_string(s);
  text += ",disappeared,total\n";
  for (size_t r = 0; r < rows; ++r) {
    text += r + 1 < rows ? std::to_string(c.old_segments[r]) : "appeared";
    int64_t total = 0;
    for (size_t k = 0; k < cols; ++k) total += c.migration[r * cols + k];
    for (size_t k = 0; k < cols; ++k) {
      text += ',';
      const int64_t n = c.migration[r * cols + k];
      if (shares) {
        float_append(text, total > 0 ? static_cast<float>(static_cast<double>(n) / static_cast<double>(total)) : 0.0f);
      } else {
        int64_append(text, n);
      }
    }
    text += ',';
    int64_append(text, total);
    text += '\n';
  }
  return text;
}

std::string segment_psi_csv(const SegmentComparison& c) {
  std::string text = "segment,old_users,new_users,old_share,new_share,psi,flag\n";
  for (const SegmentShift& s : c.shifts) {
    text += std::to_string(s.segment) + "," + std::to_string(s.old_users) + "," + std::to_string(s.new_users) + ",";
    float_append(text, static_cast<float>(s.old_share));
    text += ',';
    float_append(text, static_cast<float>(s.new_share));
    text += ',';
    float_append(text, static_cast<float>(s.psi));
    text += "," + s.flag + "\n";
  }
  return text;
}

nlohmann::json segment_comparison_json(const SegmentComparison& c, const std::string& before,
                                       const std::string& after) {
  const size_t cols = c.new_segments.size() + 1;
  nlohmann::json matrix = nlohmann::json::array();
  for (size_t r = 0; r < c.old_segments.size() + 1; ++r)
    matrix.push_back(std::vector<int64_t>(c.migration.begin() + r * cols, c.migration.begin() + (r + 1) * cols));
  nlohmann::json shifts = nlohmann::json::array();
  for (const SegmentShift& s : c.shifts)
    shifts.push_back({{"segment", s.segment},
                      {"old_users", s.old_users},
                      {"new_users", s.new_users},
                      {"old_share", s.old_share},
                      {"new_share", s.new_share},
                      {"psi", s.psi},
                      {"flag", s.flag}});
  return {{"old", before},
          {"new", after},
          {"old_users", c.old_users},
          {"new_users", c.new_users},
          {"users_in_both", c.both},
          {"changed_segment", c.changed},
          {"changed_share", c.changed_share},
          {"adjusted_rand_index", c.ari},
          {"appeared", c.appeared},
          {"disappeared", c.disappeared},
          {"psi_total", c.psi_total},
          {"psi_flag", psi_flag(c.psi_total)},
          {"psi_thresholds", {{"moderate", kPsiModerate}, {"major", kPsiMajor}, {"share_floor", kPsiFloor}}},
          {"segments", shifts},
          {"migration",
           {{"rows_old_segments", c.old_segments},
            {"columns_new_segments", c.new_segments},
            {"layout", "last column: disappeared (old file only); last row: appeared (new file only)"},
            {"counts", matrix}}}};
}

}  // namespace kseg
