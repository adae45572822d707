#include "host/data/column_read_once.hpp"

#include <functional>
#include <limits>

#include "host/io/text_encoding.hpp"

namespace kseg {
namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

}  // namespace

int32_t LevelCodes::code(std::string_view text, uint64_t hash, std::vector<std::string>& levels, bool& added) {
  if (2 * (levels.size() + 1) > slots_.size()) grow();
  const size_t mask = slots_.size() - 1;
  for (size_t at = hash & mask;; at = (at + 1) & mask) {
    Slot& slot = slots_[at];
    if (slot.code < 0) {
      slot = {hash, static_cast<int32_t>(levels.size())};
      levels.emplace_back(text);
      added = true;
      return slot.code;
    }
    if (slot.hash == hash && levels[static_cast<size_t>(slot.code)] == text) {
      added = false;
      return slot.code;
    }
  }
}

void LevelCodes::grow() {
  std::vector<Slot> old(std::max<size_t>(64, 2 * slots_.size()));
  old.swap(slots_);
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.code < 0) continue;
    size_t at = s.hash & mask;
    while (slots_[at].code >= 0) at = (at + 1) & mask;
    slots_[at] = s;
  }
}

ColumnReadOnce::ColumnReadOnce(std::string name, int position, ColumnReadPlan plan) : plan_(plan), track_(plan.track) {
  schema_.name = std::move(name);
  schema_.position = position;
}

void ColumnReadOnce::batch_read(const CsvRecordBatch& batch, const MissingValues& missing, const std::string& path) {
  CellCounts counts;
  const int position = schema_.position;
  for (int64_t r = 0; r < batch.n_records; ++r) {
    const std::string_view text = batch.field(r, position);
    if (plan_.ids) ids_.append(batch.field_raw(r, position));
    if (missing.missing(text)) {
      ++counts.missing;
      missing_keep(batch, r, text, path);
      continue;
    }
    const TextCellFacts f = text_cell_facts_add(
        text, [&] { return batch.field_line(r, position); }, counts, stats_);
    if (track_ != CellTrack::none) value_keep(batch, r, text, f, r - counts.missing, missing, path);
  }
  counts.add_to(stats_);
  rows_ += batch.n_records;
  present_ += batch.n_records - counts.missing;
}

void ColumnReadOnce::missing_keep(const CsvRecordBatch& batch, int64_t r, std::string_view text,
                                  const std::string& path) {
  if (track_ == CellTrack::none) return;
  if (plan_.forced && plan_.role == ColumnRole::weight) error_keep(batch, r, path, weight_missing_problem(text));
  ++column_.missing;
  if (track_ == CellTrack::categorical) {
    column_.codes.push_back(-1);
  } else {
    column_.values.push_back(kMissing);
  }
}

// present_here: the filled cells of this batch before row r.
void ColumnReadOnce::value_keep(const CsvRecordBatch& batch, int64_t r, std::string_view text, const TextCellFacts& f,
                                int64_t present_here, const MissingValues& missing, const std::string& path) {
  switch (track_) {
    case CellTrack::numeric:
      if (f.number == CsvNumber::finite) {
        if (plan_.forced && plan_.role == ColumnRole::weight && f.value < 0.0f)
          error_keep(batch, r, path, negative_weight_problem());
        column_.values.push_back(f.value);
      } else if (plan_.forced) {
        error_keep(batch, r, path, number_problem(text, plan_.role, schema_.name));
        column_.values.push_back(kMissing);
      } else {
        track_leave(batch, r, text, f, present_here, missing, path);
      }
      return;
    case CellTrack::date:
      if (f.date) {
        column_.values.push_back(f.days);
      } else if (plan_.forced) {
        error_keep(batch, r, path, date_problem(text));
        column_.values.push_back(kMissing);
      } else {
        track_leave(batch, r, text, f, present_here, missing, path);
      }
      return;
    case CellTrack::categorical:
      level_keep(batch, r, text, f.hash, path);
      return;
    case CellTrack::none:
      return;
  }
}

// Cell r of an inferred column fits neither numbers nor (for a numeric track) dates. The first filled cell of a
// column that may hold dates starts the date track (the values so far are all missing, NaN in both). Otherwise the
// column is text (or mixed, which reads as text): while no earlier batch had a filled cell, the batch's cells so far
// are still at hand and are coded afresh; else the earlier batches' texts are gone and the column is re-read.
void ColumnReadOnce::track_leave(const CsvRecordBatch& batch, int64_t r, std::string_view text, const TextCellFacts& f,
                                 int64_t present_here, const MissingValues& missing, const std::string& path) {
  const bool first_filled = present_ == 0 && present_here == 0;
  if (track_ == CellTrack::numeric && plan_.dates_possible && f.date && first_filled) {
    track_ = CellTrack::date;
    column_.values.push_back(f.days);
    return;
  }
  if (present_ > 0) return values_drop();
  track_ = CellTrack::categorical;
  column_.values = {};
  column_.codes.assign(static_cast<size_t>(rows_), -1);
  const int position = schema_.position;
  for (int64_t earlier = 0; earlier < r && track_ == CellTrack::categorical; ++earlier) {
    const std::string_view cell = batch.field(earlier, position);
    if (missing.missing(cell)) {
      column_.codes.push_back(-1);
    } else {
      level_keep(batch, earlier, cell, std::hash<std::string_view>{}(cell), path);
    }
  }
  if (track_ == CellTrack::categorical) level_keep(batch, r, text, f.hash, path);
}

void ColumnReadOnce::level_keep(const CsvRecordBatch& batch, int64_t r, std::string_view text, uint64_t hash,
                                const std::string& path) {
  // A column with kDistinctCap distinct texts, unless forced, is an error or a text id: its levels (as many as
  // rows) would only cost memory.
  if (!plan_.forced && plan_.text_capped && stats_.distinct_capped) return values_drop();
  bool added = false;
  column_.codes.push_back(codes_.code(text, hash, column_.levels, added));
  // A new level is checked once: levels end up in model.json and profiles.json (UTF-8, no control bytes).
  if (!added || error_.found()) return;
  const std::string problem = name_text_problem(text, path);
  if (!problem.empty()) error_keep(batch, r, path, problem);
}

void ColumnReadOnce::values_drop() {
  track_ = CellTrack::none;
  dropped_ = true;
  column_ = TableColumn{};
  codes_.clear();
}

void ColumnReadOnce::error_keep(const CsvRecordBatch& batch, int64_t r, const std::string& path,
                                const std::string& what) {
  if (error_.found()) return;
  error_ = TableCellError{batch.first_record + r, schema_.position, table_cell_message(batch, r, schema_, path, what)};
}

bool ColumnReadOnce::holds(ColumnRole role, bool audit_categorical) const {
  if (dropped_) return false;
  switch (role) {
    case ColumnRole::numeric:
    case ColumnRole::weight:
      return track_ == CellTrack::numeric;
    case ColumnRole::date:
      return track_ == CellTrack::date;
    case ColumnRole::categorical:
      return track_ == CellTrack::categorical;
    case ColumnRole::audit:
      return track_ == (audit_categorical ? CellTrack::categorical : CellTrack::numeric);
    case ColumnRole::id:
    case ColumnRole::ignore:
      return false;
  }
  return false;
}

TableColumn ColumnReadOnce::column_take() {
  TableColumn column = std::move(column_);
  column.level_index.reserve(column.levels.size());
  for (size_t l = 0; l < column.levels.size(); ++l)
    column.level_index.emplace(column.levels[l], static_cast<int32_t>(l));
  codes_.clear();
  return column;
}

}  // namespace kseg
