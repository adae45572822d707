// Arrow arrays appended to typed table columns, one converter per array chosen once: fixed-width numbers, dates and
// timestamps in bulk (nulls → NaN through the validity bitmap), dictionary arrays through their entries (each entry
// converted once per batch, when a row first uses it), other text through the CSV rules with a fast interner.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "host/data/schema.hpp"
#include "host/io/csv_reader.hpp"
#include "host/io/text_encoding.hpp"
#include "host/output/segment_files.hpp"
#include "host/parquet/arrow_cells.hpp"
#include "host/parquet/arrow_typed.hpp"
#include "host/parquet/level_interner.hpp"

namespace kseg {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::string problem_prefix(const TableColumn& column) { return "column \"" + column.name + "\": "; }

// Checks of one value as the CSV path checks a parsed cell: NaN is missing, which a weight must not be; a weight is
// ≥ 0; infinity is refused (a float column holding it). Returns false with problem set for a value that fails.
bool value_check(const arrow::Array& array, float v, int64_t r, TableColumn& column, CellProblem& problem) {
  if (std::isnan(v)) {
    if (column.role == ColumnRole::weight) {
      problem = {r, problem_prefix(column) + "empty weight; give every row a weight >= 0"};
      return false;
    }
    ++column.missing;
  } else if (std::isinf(v)) {
    const std::string text = infinite_cell_text(array, r, v);
    problem = {r,
               problem_prefix(column) +
                   (text == "inf" || text == "-inf" ? text + " is not a finite number (a float column holding infinity)"
                                                    : csv_number_problem(text)) +
                   "; fix it or --ignore " + column.name};
    return false;
  } else if (column.role == ColumnRole::weight && v < 0.0f) {
    problem = {r, problem_prefix(column) + "negative weight; weights must be >= 0"};
    return false;
  }
  return true;
}

// The values just filled (column.values[base, base + n)) checked in row order.
CellProblem values_check(const arrow::Array& array, TableColumn& column, size_t base, int64_t n) {
  CellProblem problem;
  const float* v = column.values.data() + base;
  if (column.role != ColumnRole::weight) {  // the common case: count NaN, look for infinity
    int64_t missing = 0;
    bool finite = true;
    for (int64_t r = 0; r < n; ++r) {
      missing += std::isnan(v[r]);
      finite &= !std::isinf(v[r]);
    }
    if (finite) {
      column.missing += missing;
      return problem;
    }
  }
  for (int64_t r = 0; r < n; ++r)
    if (!value_check(array, v[r], r, column, problem)) return problem;
  return problem;
}

// Text cells read as numbers (or dates, with date): missing spellings → NaN, other text parsed by the CSV rules.
CellProblem texts_as_values(const arrow::Array& array, const MissingValues& missing, bool date, TableColumn& column) {
  struct Parsed {
    float v = kNaN;
    bool ok = true;
    std::string text;  // when not ok: the cell's text, for the message
  };
  CellProblem problem;
  const auto parse = [&](std::string_view text) {
    Parsed p;
    if (missing.missing(text)) return p;
    p.ok = date ? iso_date_parse(text, p.v) : csv_float_try_parse(text, p.v);
    if (!p.ok) p.text = std::string(text);
    return p;
  };
  text_cells_walk(array, Parsed{}, parse, [&](int64_t r, const Parsed& p) {
    if (!p.ok) {
      problem = {r, problem_prefix(column) +
                        (date ? text_quote(p.text) + " is not an ISO 8601 date (YYYY-MM-DD)"
                              : csv_number_problem(p.text) + (column.role == ColumnRole::numeric
                                                                  ? " (use --categorical " + column.name + " for text)"
                                                                  : ""))};
      return false;
    }
    column.values.push_back(p.v);
    return date ? (column.missing += std::isnan(p.v), true) : value_check(array, p.v, r, column, problem);
  });
  return problem;
}

// A column whose Arrow type does not fit its role: a problem at the first present cell; an array of nulls only is
// read as missing values.
CellProblem type_mismatch(const arrow::Array& array, const std::string& message, TableColumn& column) {
  const Validity valid(array);
  for (int64_t r = 0; r < array.length(); ++r)
    if (valid.valid(r)) return {r, message};
  const size_t base = column.values.size();
  column.values.resize(base + static_cast<size_t>(array.length()), kNaN);
  return values_check(array, column, base, array.length());
}

// Numeric, weight, numeric audit and date columns.
CellProblem values_append(const arrow::Array& array, CellKind kind, const MissingValues& missing, TableColumn& column) {
  const bool date = column.role == ColumnRole::date;
  const std::string prefix = "column \"" + column.name + "\" has type " + array.type()->ToString();
  if (date && kind == CellKind::number)
    return type_mismatch(array, prefix + ", not a date: --date-columns needs a date, timestamp or ISO 8601 text column",
                         column);
  if (!date && kind == CellKind::date)
    return type_mismatch(array, prefix + ", not a number: leave it a date column", column);
  if (kind == CellKind::text) return texts_as_values(array, missing, date, column);
  const size_t base = column.values.size();
  column.values.resize(base + static_cast<size_t>(array.length()));
  floats_fill(array, kind, column.values.data() + base);
  return values_check(array, column, base, array.length());
}

// Categorical columns: levels in first-seen order; a dictionary array interns each entry once.
CellProblem levels_append(const arrow::Array& array, const MissingValues& missing, TableColumn& column) {
  struct Level {
    int32_t code = -1;
    bool bad = false;  // a new level that is not UTF-8 or holds a control byte
    std::string_view text;
  };
  LevelInterner interner(column, missing);
  const size_t base = column.codes.size();
  column.codes.resize(base + static_cast<size_t>(array.length()));
  int32_t* codes = column.codes.data() + base;
  int64_t n_missing = 0;
  CellProblem problem;
  const auto intern = [&](std::string_view text) {
    Level level;
    level.code = interner.code(text, level.bad);
    if (level.bad) level.text = column.levels.back();
    return level;
  };
  text_cells_walk(array, Level{}, intern, [&](int64_t r, const Level& level) {
    if (level.bad) {
      const bool utf8 = utf8_valid(level.text);
      problem = {r,
                 problem_prefix(column) + text_quote(level.text) +
                     (utf8 ? " holds a control byte (NUL or another C0 control); remove it" : " is not valid UTF-8")};
      return false;
    }
    codes[r] = level.code;
    n_missing += level.code < 0;
    return true;
  });
  column.missing += n_missing;
  return problem;
}

}  // namespace

void floats_fill(const arrow::Array& array, CellKind kind, float* out) {
  const int64_t n = array.length();
  const Validity valid(array);
  if (array.type_id() == arrow::Type::DICTIONARY) {  // the entries' values, gathered
    const auto& dictionary = static_cast<const arrow::DictionaryArray&>(array);
    std::vector<float> entries(static_cast<size_t>(dictionary.dictionary()->length()));
    floats_fill(*dictionary.dictionary(), kind, entries.data());
    indices_visit(dictionary, [&](const auto& index) {
      for (int64_t r = 0; r < n; ++r) out[r] = valid.valid(r) ? entries[static_cast<size_t>(index(r))] : kNaN;
    });
    return;
  }
  if (kind == CellKind::date) {
    days_visit(array, [&](const auto& days) {
      for (int64_t r = 0; r < n; ++r) out[r] = valid.valid(r) ? static_cast<float>(days(r)) : kNaN;
    });
    return;
  }
  const bool fixed_width = numbers_visit(array, [&](const auto* v) {
    if (valid.all()) {
      for (int64_t r = 0; r < n; ++r) out[r] = static_cast<float>(v[r]);
    } else {
      for (int64_t r = 0; r < n; ++r) out[r] = valid.valid(r) ? static_cast<float>(v[r]) : kNaN;
    }
  });
  if (!fixed_width)
    for (int64_t r = 0; r < n; ++r) out[r] = valid.valid(r) ? decimal_float(array, r) : kNaN;
}

CellProblem cells_append(const arrow::Array& array, CellKind kind, const MissingValues& missing, TableColumn& column) {
  if (!column.is_categorical()) return values_append(array, kind, missing, column);
  if (kind == CellKind::date)
    return {0, "column \"" + column.name + "\" has type " + array.type()->ToString() + ", which cannot be categorical"};
  return levels_append(array, missing, column);
}

void ids_append(const arrow::Array& array, CellKind, IdColumn& ids) {
  // Segment files write ids as raw CSV fields: a text id with a delimiter, quote or line break is quoted.
  const auto append = [&ids](std::string_view text) {
    bool plain = true;  // one pass over the bytes (find_first_of would call memchr per byte)
    for (const char c : text) plain &= c != ',' && c != '"' && c != '\r' && c != '\n';
    if (!plain) {
      ids.append(csv_field_escape(std::string(text)));
    } else {
      ids.append(text);
    }
  };
  if (array.type_id() == arrow::Type::DICTIONARY) {
    text_cells_walk(
        array, std::string(), [](std::string_view text) { return std::string(text); },
        [&](int64_t, const std::string& text) {
          append(text);
          return true;
        });
    return;
  }
  const Validity valid(array);
  texts_visit(array, [&](const auto& text) {
    std::string scratch;
    for (int64_t r = 0; r < array.length(); ++r) append(valid.valid(r) ? text(r, scratch) : std::string_view());
  });
}

}  // namespace kseg
