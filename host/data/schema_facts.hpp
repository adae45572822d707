// The per-column facts schema inference decides roles from, shared by the CSV scan (schema.cpp) and the typed readers
// (Parquet files and Arrow streams, host/parquet), so that every input decides roles by the same rules: the same
// missing-value spellings, the same numbers and dates, the same "almost numeric" check.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "host/comm/communicator.hpp"
#include "host/data/schema.hpp"
#include "host/io/csv_reader.hpp"

namespace kseg {

// Distinct texts of a column counted by their 64-bit hashes in an open-addressing table: 8–16 bytes per value where a
// set of strings took ~64 (the schema pass's memory peak), and no allocation per value. Two different texts with the
// same hash would count once: a chance of about n²/2^65, below 10^−9 at the cap.
class DistinctHashes {
 public:
  int64_t size() const { return size_; }
  void add(uint64_t hash) {
    if (hash == 0) hash = 1;  // 0 marks an empty slot
    if (2 * (size_ + 1) > static_cast<int64_t>(slots_.size())) grow();
    const size_t mask = slots_.size() - 1;
    for (size_t at = hash & mask;; at = (at + 1) & mask) {
      if (slots_[at] == hash) return;
      if (slots_[at] == 0) {
        slots_[at] = hash;
        ++size_;
        return;
      }
    }
  }
  template <class Fn>
  void for_each(const Fn& fn) const {
    for (uint64_t h : slots_)
      if (h != 0) fn(h);
  }

 private:
  void grow() {
    std::vector<uint64_t> old(std::max<size_t>(64, 2 * slots_.size()), 0);
    old.swap(slots_);
    size_ = 0;
    for (uint64_t h : old)
      if (h != 0) add(h);
  }
  std::vector<uint64_t> slots_;
  int64_t size_ = 0;
};

// A cell that does not fit the role most cells of its column suggest, kept to name it in an error.
struct BadCell {
  int64_t line = 0;  // CSV: the physical line where the cell starts; typed inputs: its 1-based row
  std::string text;  // its first kBadCellBytes bytes
};
constexpr size_t kBadCellsKept = 3;
constexpr size_t kBadCellBytes = 64;

// Per-column facts from one pass over the cells.
struct CellStats {
  int64_t missing = 0;                          // blank, a missing-value spelling, or a null (typed inputs)
  int64_t numbers = 0;                          // finite floats
  int64_t non_finite = 0;                       // numbers that are not finite floats: inf, nan, 1e400
  int64_t dates = 0;                            // ISO 8601 dates (typed inputs: date and timestamp values)
  std::vector<BadCell> bad_numbers, bad_dates;  // the first cells that are not a finite float, not a date
  DistinctHashes distinct;
  bool distinct_capped = false;

  void distinct_add(uint64_t hash) {
    if (distinct_capped) return;
    distinct.add(hash);
    distinct_capped = distinct.size() >= kDistinctCap;
  }
};

// Counts of a run of cells kept apart from CellStats while a thread scans (threads share the stats' cache lines).
struct CellCounts {
  int64_t missing = 0, numbers = 0, non_finite = 0, dates = 0;
  void add_to(CellStats& stats) const {
    stats.missing += missing;
    stats.numbers += numbers;
    stats.non_finite += non_finite;
    stats.dates += dates;
  }
};

// Tests that rule out most cells before a parser runs (every cell of a text column meets both parsers): a number
// starts with a digit, a sign, a point, or the i/n of inf/nan; a date has '-' at offset 4. Text with blanks around it
// goes to the parsers, which trim them.
inline bool number_possible(std::string_view text) {
  const char c = text.front();
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == ' ' || c == '\t' || c == 'i' || c == 'I' ||
         c == 'n' || c == 'N';
}
inline bool date_possible(std::string_view text) {
  return text.size() >= 10 && (text[4] == '-' || text.front() == ' ');
}

// What one text cell that is not missing holds, as text_cell_add found it: the one-pass CSV reader keeps the parsed
// number or date and the hash (for its level table) instead of parsing and hashing the cell again.
struct TextCellFacts {
  CsvNumber number = CsvNumber::text;
  float value = 0.0f;  // the number, when number is finite
  bool date = false;   // an ISO 8601 date
  float days = 0.0f;   // its day number, when date
  uint64_t hash = 0;   // std::hash of the text (the distinct count's)
};

// The facts of one text cell that is not missing: a number, a date, or neither (kept while few are); its text hashed
// for the distinct count. place() names the cell (its line or row), called only for a cell that is kept.
template <class Place>
TextCellFacts text_cell_facts_add(std::string_view text, const Place& place, CellCounts& counts, CellStats& stats) {
  TextCellFacts f;
  f.number = number_possible(text) ? csv_number_classify(text, f.value) : CsvNumber::text;
  counts.numbers += f.number == CsvNumber::finite;
  counts.non_finite += f.number == CsvNumber::non_finite;
  if (f.number != CsvNumber::finite && stats.bad_numbers.size() < kBadCellsKept)
    stats.bad_numbers.push_back({place(), std::string(text.substr(0, kBadCellBytes))});
  f.date = date_possible(text) && iso_date_parse(text, f.days);
  if (f.date) {
    ++counts.dates;
  } else if (stats.bad_dates.size() < kBadCellsKept) {
    stats.bad_dates.push_back({place(), std::string(text.substr(0, kBadCellBytes))});
  }
  f.hash = std::hash<std::string_view>{}(text);
  stats.distinct_add(f.hash);
  return f;
}
template <class Place>
void text_cell_add(std::string_view text, const Place& place, CellCounts& counts, CellStats& stats) {
  text_cell_facts_add(text, place, counts, stats);
}

// How the input names a cell's place in messages: by physical line (CSV) or by row (typed inputs).
enum class CellPlace { line, row };

// Whether a column's name marks it as the id (id, user_id, customer_id, uid, ...).
bool column_name_id_like(const std::string& name);
// The id column named before any cell is read: --id-column, else the first id-like name that is neither ignored nor
// in --columns; "" when none (a unique text column may still be found to be the id, by schema_roles_decide).
std::string schema_id_column_named(const std::vector<std::string>& header, const SchemaOptions& options);
// DataError "path: ..." for the column names of a typed input (Parquet, an Arrow stream) that a CSV header would be
// refused for: an empty name, a duplicate name, a name that is not UTF-8 or holds a control byte.
void typed_column_names_check(const std::vector<std::string>& names, const std::string& path);
// UsageError for overrides that name columns the header lacks or give a column two roles.
void schema_overrides_check(const std::vector<std::string>& header, const SchemaOptions& options,
                            const std::string& path);
// Across processes: every rank's facts combined into what one pass over the whole input finds (see schema_infer).
void cell_stats_all_combine(std::vector<CellStats>& stats, const Communicator& comm);
// The id column and every column's role from the facts (stats parallel to header); schema.n_rows must be set.
// DataError as schema_infer's (near-unique text, an almost numeric or date column), naming cells by place.
void schema_roles_decide(TableSchema& schema, const std::vector<std::string>& header,
                         const std::vector<CellStats>& stats, const SchemaOptions& options, CellPlace place);

}  // namespace kseg
