#include "host/parquet/arrow_cells.hpp"

#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include "host/data/schema.hpp"
#include "host/io/csv_reader.hpp"
#include "host/io/number_format.hpp"
#include "host/io/text_encoding.hpp"
#include "host/output/segment_files.hpp"

namespace kseg {
namespace {

// A well-mixed 64-bit hash of a value's bits (the distinct table masks the low bits, which doubles leave zero).
uint64_t bits_mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Random access to the cells of one array of any supported type. Dictionary arrays read through their values.
class Cells {
 public:
  explicit Cells(const arrow::Array& array) : array_(array), id_(array.type_id()) {
    if (id_ == arrow::Type::DICTIONARY) {
      const auto& dict = static_cast<const arrow::DictionaryArray&>(array);
      values_ = std::make_unique<Cells>(*dict.dictionary());
    }
  }
  bool dictionary() const { return values_ != nullptr; }
  int64_t index(int64_t i) const { return static_cast<const arrow::DictionaryArray&>(array_).GetValueIndex(i); }
  const Cells& values() const { return *values_; }
  int64_t values_count() const { return static_cast<const arrow::DictionaryArray&>(array_).dictionary()->length(); }
  bool null(int64_t i) const { return array_.IsNull(i); }
  std::string type_name() const { return array_.type()->ToString(); }

  // Kind number: the value, converted once to float (as a CSV parser rounds the text).
  float number(int64_t i) const {
    if (values_) return values_->number(index(i));
    switch (id_) {
      case arrow::Type::INT8:
        return static_cast<float>(as<arrow::Int8Array>().Value(i));
      case arrow::Type::INT16:
        return static_cast<float>(as<arrow::Int16Array>().Value(i));
      case arrow::Type::INT32:
        return static_cast<float>(as<arrow::Int32Array>().Value(i));
      case arrow::Type::INT64:
        return static_cast<float>(as<arrow::Int64Array>().Value(i));
      case arrow::Type::UINT8:
        return static_cast<float>(as<arrow::UInt8Array>().Value(i));
      case arrow::Type::UINT16:
        return static_cast<float>(as<arrow::UInt16Array>().Value(i));
      case arrow::Type::UINT32:
        return static_cast<float>(as<arrow::UInt32Array>().Value(i));
      case arrow::Type::UINT64:
        return static_cast<float>(as<arrow::UInt64Array>().Value(i));
      case arrow::Type::FLOAT:
        return as<arrow::FloatArray>().Value(i);
      case arrow::Type::DOUBLE:
        return static_cast<float>(as<arrow::DoubleArray>().Value(i));
      case arrow::Type::DECIMAL128: {
        const auto& type = static_cast<const arrow::Decimal128Type&>(*array_.type());
        return arrow::Decimal128(as<arrow::Decimal128Array>().GetValue(i)).ToFloat(type.scale());
      }
      default:
        return std::numeric_limits<float>::quiet_NaN();
    }
  }
  // Kind text, and numbers as decimal text (for a numeric column forced categorical, or an id).
  std::string_view text(int64_t i, std::string& scratch) const {
    if (values_) return values_->text(index(i), scratch);
    switch (id_) {
      case arrow::Type::STRING:
        return as<arrow::StringArray>().GetView(i);
      case arrow::Type::LARGE_STRING:
        return as<arrow::LargeStringArray>().GetView(i);
      case arrow::Type::STRING_VIEW:
        return as<arrow::StringViewArray>().GetView(i);
      case arrow::Type::BOOL:
        return as<arrow::BooleanArray>().Value(i) ? "true" : "false";
      default:
        break;
    }
    scratch.clear();
    switch (id_) {
      case arrow::Type::INT8:
      case arrow::Type::INT16:
      case arrow::Type::INT32:
      case arrow::Type::INT64:
      case arrow::Type::UINT8:
      case arrow::Type::UINT16:
      case arrow::Type::UINT32:
        int64_append(scratch, integer(i));
        break;
      case arrow::Type::UINT64:
        scratch = std::to_string(as<arrow::UInt64Array>().Value(i));
        break;
      case arrow::Type::FLOAT:
        float_append(scratch, as<arrow::FloatArray>().Value(i));
        break;
      case arrow::Type::DOUBLE:
        double_append(scratch, as<arrow::DoubleArray>().Value(i));
        break;
      case arrow::Type::DECIMAL128:
        scratch = as<arrow::Decimal128Array>().FormatValue(i);
        break;
      default:
        break;
    }
    return scratch;
  }
  // Kind date: days since 1970-01-01 (the UTC date of a timestamp).
  int64_t days(int64_t i) const {
    if (values_) return values_->days(index(i));
    if (id_ == arrow::Type::DATE32) return as<arrow::Date32Array>().Value(i);
    if (id_ == arrow::Type::DATE64) return floor_div(as<arrow::Date64Array>().Value(i), 86400000);
    const auto& type = static_cast<const arrow::TimestampType&>(*array_.type());
    static const int64_t per_day[4] = {86400, 86400000, 86400000000, 86400000000000};
    return floor_div(as<arrow::TimestampArray>().Value(i), per_day[static_cast<int>(type.unit())]);
  }

 private:
  template <class A>
  const A& as() const {
    return static_cast<const A&>(array_);
  }
  int64_t integer(int64_t i) const {
    switch (id_) {
      case arrow::Type::INT8:
        return as<arrow::Int8Array>().Value(i);
      case arrow::Type::INT16:
        return as<arrow::Int16Array>().Value(i);
      case arrow::Type::INT32:
        return as<arrow::Int32Array>().Value(i);
      case arrow::Type::UINT8:
        return as<arrow::UInt8Array>().Value(i);
      case arrow::Type::UINT16:
        return as<arrow::UInt16Array>().Value(i);
      case arrow::Type::UINT32:
        return as<arrow::UInt32Array>().Value(i);
      default:
        return as<arrow::Int64Array>().Value(i);
    }
  }

  const arrow::Array& array_;
  arrow::Type::type id_;
  std::unique_ptr<Cells> values_;
};

std::string problem_prefix(const TableColumn& column) { return "column \"" + column.name + "\": "; }

// Numeric, weight and numeric audit columns. Nulls, NaN and missing-value spellings are missing (pandas writes NaN
// for a missing float); a weight must be present.
CellProblem numbers_append(const Cells& cells, int64_t n, CellKind kind, const MissingValues& missing,
                           TableColumn& column) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::string scratch;
  for (int64_t r = 0; r < n; ++r) {
    float v = nan;
    if (!cells.null(r)) {
      if (kind == CellKind::number) {
        v = cells.number(r);
        if (std::isinf(v))
          return {r, problem_prefix(column) + (v > 0 ? "inf" : "-inf") +
                         " is not a finite number (a float column holding infinity); fix it or --ignore " +
                         column.name};
      } else if (kind == CellKind::date) {
        return {r, "column \"" + column.name + "\" has type " + cells.type_name() +
                       ", not a number: leave it a date column"};
      } else {
        const std::string_view text = cells.text(r, scratch);
        if (!missing.missing(text) && !csv_float_try_parse(text, v))
          return {r,
                  problem_prefix(column) + csv_number_problem(text) +
                      (column.role == ColumnRole::numeric ? " (use --categorical " + column.name + " for text)" : "")};
      }
    }
    if (std::isnan(v)) {
      if (column.role == ColumnRole::weight)
        return {r, problem_prefix(column) + "empty weight; give every row a weight >= 0"};
      ++column.missing;
    } else if (column.role == ColumnRole::weight && v < 0.0f) {
      return {r, problem_prefix(column) + "negative weight; weights must be >= 0"};
    }
    column.values.push_back(v);
  }
  return {};
}

CellProblem dates_append(const Cells& cells, int64_t n, CellKind kind, const MissingValues& missing,
                         TableColumn& column) {
  std::string scratch;
  for (int64_t r = 0; r < n; ++r) {
    float v = std::numeric_limits<float>::quiet_NaN();
    if (!cells.null(r)) {
      if (kind == CellKind::date) {
        v = static_cast<float>(cells.days(r));
      } else if (kind == CellKind::number) {
        return {r, "column \"" + column.name + "\" has type " + cells.type_name() +
                       ", not a date: --date-columns needs a date, timestamp or ISO 8601 text column"};
      } else {
        const std::string_view text = cells.text(r, scratch);
        if (!missing.missing(text) && !iso_date_parse(text, v))
          return {r, problem_prefix(column) + text_quote(text) + " is not an ISO 8601 date (YYYY-MM-DD)"};
      }
    }
    if (std::isnan(v)) ++column.missing;
    column.values.push_back(v);
  }
  return {};
}

// One categorical cell's text: missing (-1), or its level, a new level checked once for UTF-8 (levels end up in
// model.json and profiles.json, which hold UTF-8 only). Returns false for text that is not UTF-8.
bool level_add(std::string_view text, const MissingValues& missing, TableColumn& column, int32_t& code) {
  if (missing.missing(text)) {
    code = -1;
    return true;
  }
  const size_t levels = column.levels.size();
  column.level_append(text);
  code = column.codes.back();
  column.codes.pop_back();
  return column.levels.size() == levels || utf8_valid(text);
}

// Categorical columns; a dictionary column looks each dictionary entry up once, when first seen in row order (so the
// level order is the first-seen order, as in a CSV).
CellProblem levels_append(const Cells& cells, int64_t n, const MissingValues& missing, TableColumn& column) {
  std::string scratch;
  std::vector<int32_t> entry_code;
  for (int64_t r = 0; r < n; ++r) {
    int32_t code = -1;
    if (!cells.null(r)) {
      const bool dictionary = cells.dictionary();
      const int64_t entry = dictionary ? cells.index(r) : 0;
      if (dictionary && entry_code.empty()) entry_code.assign(static_cast<size_t>(cells.values_count()), -2);
      if (dictionary && entry_code[static_cast<size_t>(entry)] != -2) {
        code = entry_code[static_cast<size_t>(entry)];
      } else {
        const std::string_view text = dictionary ? cells.values().text(entry, scratch) : cells.text(r, scratch);
        if (!level_add(text, missing, column, code))
          return {r, problem_prefix(column) + text_quote(text) + " is not valid UTF-8"};
        if (dictionary) entry_code[static_cast<size_t>(entry)] = code;
      }
    }
    column.missing += code < 0;
    column.codes.push_back(code);
  }
  return {};
}

// What one text cell is, for the schema facts: each dictionary entry is classified once.
struct TextFacts {
  bool missing = false;
  CsvNumber number = CsvNumber::text;
  bool date = false;
  uint64_t hash = 0;
};

TextFacts text_facts(std::string_view text, const MissingValues& missing) {
  TextFacts f;
  f.missing = missing.missing(text);
  if (f.missing) return f;
  float v = 0.0f;
  f.number = number_possible(text) ? csv_number_classify(text, v) : CsvNumber::text;
  f.date = date_possible(text) && iso_date_parse(text, v);
  f.hash = std::hash<std::string_view>{}(text);
  return f;
}

// The facts of a dictionary column of text: the CSV rules per entry, counted per row.
void dictionary_facts_add(const Cells& cells, int64_t n, const MissingValues& missing, int64_t first_row,
                          CellStats& stats) {
  std::vector<TextFacts> entries(static_cast<size_t>(cells.values_count()));
  std::vector<bool> seen(entries.size(), false);
  std::string scratch;
  CellCounts counts;
  for (int64_t r = 0; r < n; ++r) {
    if (cells.null(r)) {
      ++counts.missing;
      continue;
    }
    const size_t entry = static_cast<size_t>(cells.index(r));
    if (!seen[entry]) {
      seen[entry] = true;
      entries[entry] = text_facts(cells.values().text(static_cast<int64_t>(entry), scratch), missing);
      if (!entries[entry].missing) stats.distinct_add(entries[entry].hash);
    }
    const TextFacts& f = entries[entry];
    if (f.missing) {
      ++counts.missing;
      continue;
    }
    counts.numbers += f.number == CsvNumber::finite;
    counts.non_finite += f.number == CsvNumber::non_finite;
    counts.dates += f.date;
    const auto keep = [&](std::vector<BadCell>& bad) {
      if (bad.size() < kBadCellsKept) {
        const std::string_view text = cells.values().text(static_cast<int64_t>(entry), scratch);
        bad.push_back({first_row + r + 1, std::string(text.substr(0, kBadCellBytes))});
      }
    };
    if (f.number != CsvNumber::finite) keep(stats.bad_numbers);
    if (!f.date) keep(stats.bad_dates);
  }
  counts.add_to(stats);
}

}  // namespace

CellKind cell_kind(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64:
    case arrow::Type::UINT8:
    case arrow::Type::UINT16:
    case arrow::Type::UINT32:
    case arrow::Type::UINT64:
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE:
    case arrow::Type::DECIMAL128:
      return CellKind::number;
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW:
    case arrow::Type::BOOL:
      return CellKind::text;
    case arrow::Type::DATE32:
    case arrow::Type::DATE64:
    case arrow::Type::TIMESTAMP:
      return CellKind::date;
    case arrow::Type::DICTIONARY:
      return cell_kind(*static_cast<const arrow::DictionaryType&>(type).value_type());
    default:
      return CellKind::unsupported;
  }
}

void cells_facts_add(const arrow::Array& array, CellKind kind, const MissingValues& missing, int64_t first_row,
                     CellStats& stats) {
  const Cells cells(array);
  const int64_t n = array.length();
  if (kind == CellKind::text && cells.dictionary()) return dictionary_facts_add(cells, n, missing, first_row, stats);
  CellCounts counts;
  std::string scratch;
  for (int64_t r = 0; r < n; ++r) {
    if (cells.null(r)) {
      ++counts.missing;
      continue;
    }
    if (kind == CellKind::text) {
      const std::string_view text = cells.text(r, scratch);
      if (missing.missing(text)) {
        ++counts.missing;
      } else {
        text_cell_add(
            text, [&] { return first_row + r + 1; }, counts, stats);
      }
      continue;
    }
    uint64_t bits = 0;
    if (kind == CellKind::date) {
      ++counts.dates;
      bits = static_cast<uint64_t>(cells.days(r));
    } else {
      const float v = cells.number(r);
      if (std::isnan(v)) {
        ++counts.missing;
        continue;
      }
      if (std::isinf(v)) {
        ++counts.non_finite;
        if (stats.bad_numbers.size() < kBadCellsKept)
          stats.bad_numbers.push_back({first_row + r + 1, v > 0 ? "inf" : "-inf"});
      } else {
        ++counts.numbers;
      }
      uint32_t float_bits = 0;
      std::memcpy(&float_bits, &v, sizeof(float_bits));
      bits = float_bits;
    }
    stats.distinct_add(bits_mix(bits));
  }
  counts.add_to(stats);
}

CellProblem cells_append(const arrow::Array& array, CellKind kind, const MissingValues& missing, TableColumn& column) {
  const Cells cells(array);
  const int64_t n = array.length();
  if (column.is_categorical()) {
    if (kind == CellKind::date)
      return {0, "column \"" + column.name + "\" has type " + cells.type_name() + ", which cannot be categorical"};
    return levels_append(cells, n, missing, column);
  }
  if (column.role == ColumnRole::date) return dates_append(cells, n, kind, missing, column);
  return numbers_append(cells, n, kind, missing, column);
}

void ids_append(const arrow::Array& array, CellKind kind, IdColumn& ids) {
  const Cells cells(array);
  std::string scratch;
  for (int64_t r = 0; r < array.length(); ++r) {
    if (cells.null(r) || kind == CellKind::date) {
      ids.append(cells.null(r) ? "" : std::to_string(cells.days(r)));
      continue;
    }
    const std::string_view text = cells.text(r, scratch);
    // Segment files write ids as raw CSV fields: a text id with a delimiter, quote or line break is quoted.
    if (text.find_first_of(",\"\r\n") != std::string_view::npos) {
      ids.append(csv_field_escape(std::string(text)));
    } else {
      ids.append(text);
    }
  }
}

}  // namespace kseg
