// Schema facts of Arrow arrays, column by column: numbers and dates from their values in bulk, dictionary arrays per
// entry (each used entry classified once, its rows counted), other text cell by cell through the CSV rules.
#include "host/parquet/arrow_cells.hpp"

#include <cmath>
#include <cstring>
#include <functional>
#include <vector>

#include "host/data/schema.hpp"
#include "host/io/csv_reader.hpp"
#include "host/parquet/arrow_typed.hpp"

namespace kseg {
namespace {

// A well-mixed 64-bit hash of a value's bits (the distinct table masks the low bits, which doubles leave zero).
uint64_t bits_mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// The facts of a number or date array, from its values as floats (NaN: null, or a NaN float). Distinct values are
// counted by their float bits; a small direct-mapped table of recent hashes (32 KB, in cache) keeps the values of a
// column with few distinct values from probing the distinct set (up to 1.6 MB) once per row.
void values_facts_add(const arrow::Array& array, CellKind kind, int64_t first_row, CellStats& stats) {
  const int64_t n = array.length();
  std::vector<float> values(static_cast<size_t>(n));
  floats_fill(array, kind, values.data());
  CellCounts counts;
  std::vector<uint64_t> recent(4096, 0);
  for (int64_t r = 0; r < n; ++r) {
    const float v = values[static_cast<size_t>(r)];
    if (std::isnan(v)) {
      ++counts.missing;
      continue;
    }
    if (kind == CellKind::date) {
      ++counts.dates;
    } else if (std::isinf(v)) {
      ++counts.non_finite;
      if (stats.bad_numbers.size() < kBadCellsKept)
        stats.bad_numbers.push_back({first_row + r + 1, infinite_cell_text(array, r, v)});
    } else {
      ++counts.numbers;
    }
    if (stats.distinct_capped) continue;
    uint32_t bits = 0;
    std::memcpy(&bits, &v, sizeof(bits));
    const uint64_t hash = bits_mix(bits);
    uint64_t& seen = recent[hash & (recent.size() - 1)];
    if (seen == hash) continue;
    seen = hash;
    stats.distinct_add(hash);
  }
  counts.add_to(stats);
}

// What one text is, for the schema facts: missing, a number, a date; its hash for the distinct count.
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
  f.hash = std::hash<std::string_view>{}(text);  // as text_cell_add hashes, so dense and dictionary batches agree
  return f;
}

// The first rows (in row order) whose entry is not a finite number or not a date, while the stats keep fewer than
// kBadCellsKept of them.
void dictionary_bad_cells(const arrow::DictionaryArray& array, const std::vector<TextFacts>& entries,
                          const std::vector<int64_t>& uses, int64_t first_row, CellStats& stats) {
  const arrow::Array& values = *array.dictionary();
  const Validity valid(array), values_valid(values);
  bool bad_number = false, bad_date = false;
  for (size_t e = 0; e < entries.size(); ++e) {
    bad_number |= uses[e] > 0 && !entries[e].missing && entries[e].number != CsvNumber::finite;
    bad_date |= uses[e] > 0 && !entries[e].missing && !entries[e].date;
  }
  bad_number &= stats.bad_numbers.size() < kBadCellsKept;
  bad_date &= stats.bad_dates.size() < kBadCellsKept;
  if (!bad_number && !bad_date) return;
  texts_visit(values, [&](const auto& text) {
    indices_visit(array, [&](const auto& index) {
      std::string scratch;
      const auto keep = [&](std::vector<BadCell>& bad, int64_t r, int64_t e) {
        if (bad.size() < kBadCellsKept)
          bad.push_back({first_row + r + 1, std::string(text(e, scratch).substr(0, kBadCellBytes))});
      };
      for (int64_t r = 0; r < array.length(); ++r) {
        if (!valid.valid(r)) continue;
        const int64_t e = index(r);
        const TextFacts& f = entries[static_cast<size_t>(e)];
        if (f.missing) continue;
        if (f.number != CsvNumber::finite) keep(stats.bad_numbers, r, e);
        if (!f.date) keep(stats.bad_dates, r, e);
        if (stats.bad_numbers.size() >= kBadCellsKept && stats.bad_dates.size() >= kBadCellsKept) break;
      }
    });
  });
}

// The facts of a dictionary array of text: its rows counted per entry, each used entry classified once.
void dictionary_facts_add(const arrow::DictionaryArray& array, const MissingValues& missing, int64_t first_row,
                          CellStats& stats) {
  const arrow::Array& values = *array.dictionary();
  const Validity valid(array), values_valid(values);
  std::vector<int64_t> uses(static_cast<size_t>(values.length()), 0);
  CellCounts counts;
  indices_visit(array, [&](const auto& index) {
    for (int64_t r = 0; r < array.length(); ++r) {
      if (valid.valid(r)) {
        ++uses[static_cast<size_t>(index(r))];
      } else {
        ++counts.missing;
      }
    }
  });
  std::vector<TextFacts> entries(uses.size());
  texts_visit(values, [&](const auto& text) {
    std::string scratch;
    for (size_t e = 0; e < uses.size(); ++e) {
      if (uses[e] == 0) continue;
      const int64_t i = static_cast<int64_t>(e);
      TextFacts& f = entries[e];
      f = text_facts(values_valid.valid(i) ? text(i, scratch) : std::string_view(), missing);
      if (f.missing) {
        counts.missing += uses[e];
        continue;
      }
      counts.numbers += f.number == CsvNumber::finite ? uses[e] : 0;
      counts.non_finite += f.number == CsvNumber::non_finite ? uses[e] : 0;
      counts.dates += f.date ? uses[e] : 0;
      stats.distinct_add(f.hash);
    }
  });
  counts.add_to(stats);
  dictionary_bad_cells(array, entries, uses, first_row, stats);
}

// The facts of text cells that are not dictionary-encoded, cell by cell as the CSV scan reads them.
void texts_facts_add(const arrow::Array& array, const MissingValues& missing, int64_t first_row, CellStats& stats) {
  const Validity valid(array);
  CellCounts counts;
  texts_visit(array, [&](const auto& text) {
    std::string scratch;
    for (int64_t r = 0; r < array.length(); ++r) {
      const std::string_view cell = valid.valid(r) ? text(r, scratch) : std::string_view();
      if (missing.missing(cell)) {
        ++counts.missing;
        continue;
      }
      text_cell_add(
          cell, [&] { return first_row + r + 1; }, counts, stats);
    }
  });
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
  if (kind != CellKind::text) return values_facts_add(array, kind, first_row, stats);
  if (array.type_id() == arrow::Type::DICTIONARY)
    return dictionary_facts_add(static_cast<const arrow::DictionaryArray&>(array), missing, first_row, stats);
  texts_facts_add(array, missing, first_row, stats);
}

}  // namespace kseg
