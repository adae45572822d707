#include "host/campaign/measure_data.hpp"

#include <fast_float/fast_float.h>
#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "host/data/summable_limit.hpp"
#include "host/dynamics/segments_compare.hpp"
#include "host/error.hpp"
#include "host/io/csv_reader.hpp"

namespace kseg {
namespace {

constexpr size_t kBatchBytes = 32u << 20;

int column_index(const std::vector<std::string>& header, const std::string& name) {
  for (size_t c = 0; c < header.size(); ++c)
    if (header[c] == name) return static_cast<int>(c);
  return -1;
}

int column_require(const std::vector<std::string>& header, const std::string& name, const std::string& option,
                   const std::string& path) {
  const int c = column_index(header, name);
  KSEG_EXPECTS(
      c >= 0, DataError, path + ": no column \"" + name + "\" (" + option + "); the columns are: " + [&] {
        std::string list;
        for (const std::string& h : header) list += (list.empty() ? "" : ", ") + h;
        return list;
      }());
  return c;
}

// The columns of the outcomes file and their roles.
struct OutcomeColumns {
  int id = -1, group = -1, pre = -1, weight = -1;
  std::vector<int> metrics;
};

OutcomeColumns columns_resolve(const MeasureRequest& r, const std::vector<std::string>& header, CampaignData& data) {
  OutcomeColumns c;
  if (!r.id_column.empty()) {
    c.id = column_require(header, r.id_column, "--id-column", r.outcomes);
  } else {
    c.id = column_index(header, "id") >= 0 ? column_index(header, "id") : column_index(header, "user_id");
    KSEG_EXPECTS(c.id >= 0, DataError,
                 r.outcomes + ": no \"id\" or \"user_id\" column: name the users' id column with --id-column");
  }
  c.group = column_require(header, r.group_column, "--group-column", r.outcomes);
  if (!r.pre_metric.empty()) c.pre = column_require(header, r.pre_metric, "--pre-metric", r.outcomes);
  if (!r.weight_column.empty()) c.weight = column_require(header, r.weight_column, "--weight-column", r.outcomes);
  for (const std::string& m : r.metrics) {
    const int col = column_require(header, m, "--metrics", r.outcomes);
    KSEG_EXPECTS(col != c.id && col != c.group && col != c.pre && col != c.weight, UsageError,
                 "--metrics: \"" + m + "\" is the id, group, pre-metric or weight column, not an outcome");
    c.metrics.push_back(col);
  }
  if (r.metrics.empty()) {
    for (int col = 0; col < static_cast<int>(header.size()); ++col)
      if (col != c.id && col != c.group && col != c.pre && col != c.weight) c.metrics.push_back(col);
    KSEG_EXPECTS(!c.metrics.empty(), DataError, r.outcomes + ": no outcome columns besides the id and group");
  }
  for (int col : c.metrics) data.metrics.push_back(header[static_cast<size_t>(col)]);
  return c;
}

double number_parse(std::string_view text, const std::string& path, int64_t line, int column, const std::string& name) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  double value = 0.0;
  const auto parsed = fast_float::from_chars(text.data(), text.data() + text.size(), value);
  const bool ok =
      !text.empty() && parsed.ec == std::errc() && parsed.ptr == text.data() + text.size() && std::isfinite(value);
  KSEG_EXPECTS(ok, DataError,
               location_format(path, line, column + 1,
                               "column \"" + name + "\": \"" + std::string(text) +
                                   "\" is not a number (every user needs a value; drop users without one)"));
  KSEG_EXPECTS(std::fabs(value) <= kSummableLimit, DataError,
               location_format(path, line, column + 1,
                               "column \"" + name + "\": \"" + std::string(text) +
                                   "\" is beyond ±1e15, the largest value measure sums (sums of squares of larger ones "
                                   "could overflow): check the column's unit, or the cell"));
  return value;
}

// Groups: control first, then the variants in alphabetical order (std::map's order); data.group gets the codes.
void groups_order(const MeasureRequest& r, const std::map<std::string, int32_t>& group_code,
                  const std::vector<int32_t>& group_raw, CampaignData& data) {
  std::string names;
  for (const auto& [name, code] : group_code) names += (names.empty() ? "" : ", ") + name;
  KSEG_EXPECTS(group_code.count(r.control) == 1, DataError,
               r.outcomes + ": no users in the control group \"" + r.control + "\" of column \"" + r.group_column +
                   "\" (groups: " + names + "); name the control with --control");
  KSEG_EXPECTS(group_code.size() >= 2, DataError,
               r.outcomes + ": only the group \"" + r.control + "\": there is nothing to compare it with");
  std::vector<int32_t> renumber(group_code.size());
  data.groups.push_back(r.control);
  renumber[static_cast<size_t>(group_code.at(r.control))] = 0;
  for (const auto& [name, code] : group_code) {
    if (name == r.control) continue;
    renumber[static_cast<size_t>(code)] = static_cast<int32_t>(data.groups.size());
    data.groups.push_back(name);
  }
  data.group.resize(group_raw.size());
  for (size_t i = 0; i < group_raw.size(); ++i) data.group[i] = renumber[static_cast<size_t>(group_raw[i])];
}

// Reads the segments file: data.segment_ids (ascending) and each id's index into them.
std::unordered_map<std::string, int32_t> segments_index(const MeasureRequest& r, CampaignData& data) {
  SegmentAssignments assignments = segment_assignments_read(r.segments, r.delimiter);
  data.segments_rows = static_cast<int64_t>(assignments.ids.size());
  data.segment_ids = assignments.segments;
  std::sort(data.segment_ids.begin(), data.segment_ids.end());
  data.segment_ids.erase(std::unique(data.segment_ids.begin(), data.segment_ids.end()), data.segment_ids.end());
  std::unordered_map<std::string, int32_t> segment_of;
  segment_of.reserve(assignments.ids.size());
  for (size_t i = 0; i < assignments.ids.size(); ++i) {
    const auto at = std::lower_bound(data.segment_ids.begin(), data.segment_ids.end(), assignments.segments[i]);
    segment_of.emplace(std::move(assignments.ids[i]), static_cast<int32_t>(at - data.segment_ids.begin()));
  }
  return segment_of;
}

}  // namespace

std::vector<double> split_parse(const std::string& split, const std::vector<std::string>& groups) {
  std::vector<double> shares;
  size_t start = 0;
  while (start <= split.size()) {
    const size_t slash = std::min(split.find('/', start), split.size());
    const std::string part = split.substr(start, slash - start);
    double value = 0.0;
    const auto parsed = fast_float::from_chars(part.data(), part.data() + part.size(), value);
    KSEG_EXPECTS(!part.empty() && parsed.ec == std::errc() && parsed.ptr == part.data() + part.size() && value > 0.0 &&
                     std::isfinite(value),
                 UsageError, "--split " + split + ": \"" + part + "\" is not a positive number (e.g. --split 50/50)");
    shares.push_back(value);
    start = slash + 1;
  }
  std::string names;
  for (const std::string& g : groups) names += (names.empty() ? "" : ", ") + g;
  KSEG_EXPECTS(shares.size() == groups.size(), UsageError,
               "--split " + split + ": " + std::to_string(shares.size()) + " parts for " +
                   std::to_string(groups.size()) + " groups (" + names + "; control first, then A→Z)");
  double total = 0.0;
  for (double s : shares) total += s;
  for (double& s : shares) s /= total;
  return shares;
}

CampaignData campaign_data_read(const MeasureRequest& r) {
  CampaignData data;
  const std::unordered_map<std::string, int32_t> segment_of = segments_index(r, data);
  CsvReader reader(r.outcomes, CsvOptions{r.delimiter});
  const std::vector<std::string>& header = reader.header();
  const OutcomeColumns c = columns_resolve(r, header, data);
  data.values.resize(c.metrics.size());
  std::unordered_map<std::string, int64_t> line_of_id;
  std::map<std::string, int32_t> group_code;  // text → first-seen code, renumbered below
  std::vector<int32_t> group_raw;
  reader.batches_for_each(kBatchBytes, 0, [&](const CsvRecordBatch& batch) {
    for (int64_t row = 0; row < batch.n_records; ++row) {
      const int64_t line = batch.line(row);
      std::string id(batch.field(row, c.id));
      const auto [seen, fresh] = line_of_id.emplace(id, line);
      KSEG_EXPECTS(fresh, DataError,
                   location_format(r.outcomes, line, c.id + 1,
                                   "id \"" + id + "\" repeats line " + std::to_string(seen->second) +
                                       ": one row per user (ids must be unique to join the segments)"));
      ++data.outcomes_rows;
      const auto segment = segment_of.find(id);
      if (segment == segment_of.end()) {
        ++data.outcomes_only;
        continue;
      }
      data.segment.push_back(segment->second);
      const std::string group(batch.field(row, c.group));
      KSEG_EXPECTS(!group.empty(), DataError,
                   location_format(r.outcomes, line, c.group + 1,
                                   "column \"" + r.group_column + "\" is empty: every user needs a group"));
      group_raw.push_back(group_code.emplace(group, static_cast<int32_t>(group_code.size())).first->second);
      for (size_t m = 0; m < c.metrics.size(); ++m)
        data.values[m].push_back(
            number_parse(batch.field(row, c.metrics[m]), r.outcomes, line, c.metrics[m], data.metrics[m]));
      if (c.pre >= 0) data.pre.push_back(number_parse(batch.field(row, c.pre), r.outcomes, line, c.pre, r.pre_metric));
      if (c.weight >= 0) {
        const double w = number_parse(batch.field(row, c.weight), r.outcomes, line, c.weight, r.weight_column);
        KSEG_EXPECTS(w >= 0.0, DataError,
                     location_format(r.outcomes, line, c.weight + 1,
                                     "weight " + std::string(batch.field(row, c.weight)) +
                                         " is negative: weights count users (>= 0)"));
        data.weight.push_back(w);
      }
    }
  });
  KSEG_EXPECTS(data.outcomes_rows > 0, DataError, r.outcomes + ": no rows");
  KSEG_EXPECTS(!data.segment.empty(), DataError,
               r.outcomes + ": none of its " + std::to_string(data.outcomes_rows) + " ids is in " + r.segments +
                   ": are they the same users, and is the id column right (--id-column)?");
  data.segments_only = data.segments_rows - static_cast<int64_t>(data.segment.size());

  groups_order(r, group_code, group_raw, data);
  for (const std::vector<double>& v : data.values)
    data.metric_is_rate.push_back(std::all_of(v.begin(), v.end(), [](double x) { return x == 0.0 || x == 1.0; }));
  return data;
}

}  // namespace kseg
