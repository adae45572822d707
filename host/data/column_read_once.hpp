// One CSV column read in the same pass that gathers its schema facts: every cell is tokenised, classified and hashed
// once, and its value is kept in the form the column's role will most likely need, before that role is known.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "host/data/schema.hpp"
#include "host/data/schema_facts.hpp"
#include "host/data/table.hpp"
#include "host/data/table_batch.hpp"
#include "host/io/csv_record_batch.hpp"

namespace kseg {

// The form a column's values are kept in while the pass runs.
enum class CellTrack {
  none,     // facts only: an ignored column, the id (its raw bytes go to ids), or a column whose values were dropped
  numeric,  // floats, NaN = missing
  date,     // day numbers since 1970-01-01, NaN = missing
  categorical,  // codes into the levels in first-seen order, −1 = missing
};

// How the options fix a column before any cell is read.
struct ColumnReadPlan {
  CellTrack track = CellTrack::numeric;   // the form its values start in
  bool forced = false;                    // role fixed by an option: a cell that does not fit it is an error
  ColumnRole role = ColumnRole::numeric;  // forced: numeric, weight, date or categorical
  bool dates_possible = true;             // not forced: the column may still turn out to be dates (not audit columns)
  bool text_capped = true;                // not forced: drop the levels once the distinct count reaches kDistinctCap
  bool ids = false;                       // the id column: its raw cells are kept as ids
};

// Codes of a column's texts by their hashes (the distinct count's, computed once per cell): open addressing, the
// texts themselves compared in the level list, no allocation per cell.
class LevelCodes {
 public:
  // The code of text (hash: std::hash of it), appending it to levels when new (added tells).
  int32_t code(std::string_view text, uint64_t hash, std::vector<std::string>& levels, bool& added);
  void clear() { slots_ = {}; }

 private:
  struct Slot {
    uint64_t hash = 0;
    int32_t code = -1;  // −1: empty
  };
  void grow();
  std::vector<Slot> slots_;
};

class ColumnReadOnce {
 public:
  ColumnReadOnce(std::string name, int position, ColumnReadPlan plan);

  // Reads the column's cells of batch (batches in file order): the facts into stats(), the values into the current
  // track. A cell that does not fit an inferred track moves the column to the track it now needs (numbers → dates →
  // categories) when no earlier batch had a filled cell, converting this batch's cells; otherwise its values are
  // dropped and the caller re-reads the column (a rare fallback). A cell that does not fit a forced role is kept as
  // error() (the first one) and the pass goes on, so that the schema's errors, found over the whole file, come first.
  void batch_read(const CsvRecordBatch& batch, const MissingValues& missing, const std::string& path);

  CellTrack track() const { return track_; }
  CellStats& stats() { return stats_; }
  const TableCellError& error() const { return error_; }
  // Whether the kept values are those of role (audit_categorical for audit columns); the rest are re-read.
  bool holds(ColumnRole role, bool audit_categorical) const;
  // The values, for a column that holds its role (level_index filled as level_append would have).
  TableColumn column_take();
  IdColumn& ids() { return ids_; }
  bool ids_kept() const { return plan_.ids; }

 private:
  void missing_keep(const CsvRecordBatch& batch, int64_t r, std::string_view text, const std::string& path);
  void value_keep(const CsvRecordBatch& batch, int64_t r, std::string_view text, const TextCellFacts& f,
                  int64_t present_here, const MissingValues& missing, const std::string& path);
  void track_leave(const CsvRecordBatch& batch, int64_t r, std::string_view text, const TextCellFacts& f,
                   int64_t present_here, const MissingValues& missing, const std::string& path);
  void level_keep(const CsvRecordBatch& batch, int64_t r, std::string_view text, uint64_t hash,
                  const std::string& path);
  void values_drop();
  void error_keep(const CsvRecordBatch& batch, int64_t r, const std::string& path, const std::string& what);

  ColumnSchema schema_;  // name and position, for messages
  ColumnReadPlan plan_;
  CellTrack track_;
  CellStats stats_;
  TableColumn column_;
  LevelCodes codes_;
  IdColumn ids_;
  TableCellError error_;
  int64_t rows_ = 0;      // rows of the batches read before the current one
  int64_t present_ = 0;   // filled cells among them
  bool dropped_ = false;  // values dropped: re-read
};

}  // namespace kseg
