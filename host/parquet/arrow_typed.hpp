// Typed access to the cells of one Arrow array, for the columnar converters (arrow_cells.cpp, arrow_columns.cpp):
// the type is switched on once per array and the loops run over its raw values and validity bitmap. Part of the
// Arrow code (includes Arrow).
#pragma once

#include <arrow/api.h>
#include <arrow/util/bit_util.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "host/floor_div.hpp"
#include "host/io/number_format.hpp"

namespace kseg {

// Whether cell i of an array is present: its validity bit (an array without a bitmap has no nulls).
class Validity {
 public:
  explicit Validity(const arrow::Array& array)
      : bits_(array.null_count() > 0 ? array.null_bitmap_data() : nullptr), offset_(array.offset()) {}
  bool all() const { return bits_ == nullptr; }
  bool valid(int64_t i) const { return bits_ == nullptr || arrow::bit_util::GetBit(bits_, offset_ + i); }

 private:
  const uint8_t* bits_;
  int64_t offset_;
};

// Calls fn(values) with a pointer to the array's values (offset applied) for the fixed-width number types, and
// returns true; false for any other type (decimal, text, ...).
template <class Fn>
bool numbers_visit(const arrow::Array& array, const Fn& fn) {
  const auto raw = [&](auto type) {
    fn(static_cast<const arrow::NumericArray<decltype(type)>&>(array).raw_values());
    return true;
  };
  switch (array.type_id()) {
    case arrow::Type::INT8:
      return raw(arrow::Int8Type{});
    case arrow::Type::INT16:
      return raw(arrow::Int16Type{});
    case arrow::Type::INT32:
      return raw(arrow::Int32Type{});
    case arrow::Type::INT64:
      return raw(arrow::Int64Type{});
    case arrow::Type::UINT8:
      return raw(arrow::UInt8Type{});
    case arrow::Type::UINT16:
      return raw(arrow::UInt16Type{});
    case arrow::Type::UINT32:
      return raw(arrow::UInt32Type{});
    case arrow::Type::UINT64:
      return raw(arrow::UInt64Type{});
    case arrow::Type::FLOAT:
      return raw(arrow::FloatType{});
    case arrow::Type::DOUBLE:
      return raw(arrow::DoubleType{});
    default:
      return false;
  }
}

// A decimal cell as a float (the only number type numbers_visit leaves out).
inline float decimal_float(const arrow::Array& array, int64_t i) {
  const auto& type = static_cast<const arrow::Decimal128Type&>(*array.type());
  return arrow::Decimal128(static_cast<const arrow::Decimal128Array&>(array).GetValue(i)).ToFloat(type.scale());
}

// The text of a cell that became infinite as a float: "inf"/"-inf" for an infinite cell, the double itself (shortest
// round-trip spelling, e.g. "1e+300") for a finite float64 beyond float range, so the message says "outside the
// float range" as the CSV path does. v: the cell as a float.
inline std::string infinite_cell_text(const arrow::Array& array, int64_t i, float v) {
  if (array.type_id() == arrow::Type::DOUBLE) {
    const double d = static_cast<const arrow::DoubleArray&>(array).Value(i);
    if (std::isfinite(d)) {
      char text[32];
      const std::to_chars_result r = std::to_chars(text, text + sizeof(text), d);
      return std::string(text, r.ptr);
    }
  }
  return v > 0 ? "inf" : "-inf";
}

// Calls fn(days) with days(i): cell i of a date or timestamp array as days since 1970-01-01 (the UTC date of a
// timestamp, whatever its time zone).
template <class Fn>
void days_visit(const arrow::Array& array, const Fn& fn) {
  if (array.type_id() == arrow::Type::DATE32) {
    const int32_t* v = static_cast<const arrow::Date32Array&>(array).raw_values();
    return fn([v](int64_t i) -> int64_t { return v[i]; });
  }
  const int64_t* v = array.type_id() == arrow::Type::DATE64
                         ? static_cast<const arrow::Date64Array&>(array).raw_values()
                         : static_cast<const arrow::TimestampArray&>(array).raw_values();
  static const int64_t per_day[4] = {86400, 86400000, 86400000000, 86400000000000};
  const int64_t unit = array.type_id() == arrow::Type::DATE64
                           ? 86400000
                           : per_day[static_cast<int>(static_cast<const arrow::TimestampType&>(*array.type()).unit())];
  fn([v, unit](int64_t i) { return floor_div(v[i], unit); });
}

// Calls fn(text) with text(i, scratch): cell i as the text a CSV would hold. Strings as they are, bool as
// "true"/"false", numbers in decimal (a number column read as categorical, or an id), dates as day numbers.
template <class Fn>
void texts_visit(const arrow::Array& array, const Fn& fn) {
  switch (array.type_id()) {
    case arrow::Type::STRING: {
      const auto& a = static_cast<const arrow::StringArray&>(array);
      return fn([&a](int64_t i, std::string&) { return a.GetView(i); });
    }
    case arrow::Type::LARGE_STRING: {
      const auto& a = static_cast<const arrow::LargeStringArray&>(array);
      return fn([&a](int64_t i, std::string&) { return a.GetView(i); });
    }
    case arrow::Type::STRING_VIEW: {
      const auto& a = static_cast<const arrow::StringViewArray&>(array);
      return fn([&a](int64_t i, std::string&) { return a.GetView(i); });
    }
    case arrow::Type::BOOL: {
      const auto& a = static_cast<const arrow::BooleanArray&>(array);
      return fn([&a](int64_t i, std::string&) { return std::string_view(a.Value(i) ? "true" : "false"); });
    }
    case arrow::Type::UINT64: {
      const auto& a = static_cast<const arrow::UInt64Array&>(array);
      return fn([&a](int64_t i, std::string& scratch) -> std::string_view {
        scratch = std::to_string(a.Value(i));
        return scratch;
      });
    }
    case arrow::Type::FLOAT: {
      const auto& a = static_cast<const arrow::FloatArray&>(array);
      return fn([&a](int64_t i, std::string& scratch) -> std::string_view {
        scratch.clear();
        float_append(scratch, a.Value(i));
        return scratch;
      });
    }
    case arrow::Type::DOUBLE: {
      const auto& a = static_cast<const arrow::DoubleArray&>(array);
      return fn([&a](int64_t i, std::string& scratch) -> std::string_view {
        scratch.clear();
        double_append(scratch, a.Value(i));
        return scratch;
      });
    }
    case arrow::Type::DECIMAL128: {
      const auto& a = static_cast<const arrow::Decimal128Array&>(array);
      return fn([&a](int64_t i, std::string& scratch) -> std::string_view {
        scratch = a.FormatValue(i);
        return scratch;
      });
    }
    case arrow::Type::DATE32:
    case arrow::Type::DATE64:
    case arrow::Type::TIMESTAMP:
      return days_visit(array, [&](const auto& days) {
        fn([&days](int64_t i, std::string& scratch) -> std::string_view {
          scratch = std::to_string(days(i));
          return scratch;
        });
      });
    default:  // the signed integers up to 64 bits
      break;
  }
  numbers_visit(array, [&](const auto* v) {
    fn([v](int64_t i, std::string& scratch) -> std::string_view {
      scratch.clear();
      int64_append(scratch, static_cast<int64_t>(v[i]));
      return scratch;
    });
  });
}

// Calls fn(index) with index(i): the dictionary entry of cell i of a dictionary array (any integer index type).
template <class Fn>
void indices_visit(const arrow::DictionaryArray& array, const Fn& fn) {
  const arrow::Array& indices = *array.indices();
  const auto raw = [&](auto type) {
    const auto* v = static_cast<const arrow::NumericArray<decltype(type)>&>(indices).raw_values();
    fn([v](int64_t i) { return static_cast<int64_t>(v[i]); });
  };
  switch (indices.type_id()) {
    case arrow::Type::INT8:
      return raw(arrow::Int8Type{});
    case arrow::Type::INT16:
      return raw(arrow::Int16Type{});
    case arrow::Type::INT32:
      return raw(arrow::Int32Type{});
    case arrow::Type::UINT8:
      return raw(arrow::UInt8Type{});
    case arrow::Type::UINT16:
      return raw(arrow::UInt16Type{});
    case arrow::Type::UINT32:
      return raw(arrow::UInt32Type{});
    case arrow::Type::UINT64:
      return raw(arrow::UInt64Type{});
    default:
      return raw(arrow::Int64Type{});
  }
}

// Walks the cells of a text-kind array in row order while cell(r, value) returns true: value = convert(text) for a
// present cell's text, null_value for a null. A dictionary array converts each entry once, when a row first uses it
// (so the conversions happen in first-seen order, as a CSV meets the texts), and no row's text is hashed. Returns
// false when cell stopped the walk.
template <class T, class Convert, class Cell>
bool text_cells_walk(const arrow::Array& array, const T& null_value, const Convert& convert, const Cell& cell) {
  const int64_t n = array.length();
  const Validity valid(array);
  bool go = true;
  std::string scratch;
  if (array.type_id() != arrow::Type::DICTIONARY) {
    texts_visit(array, [&](const auto& text) {
      for (int64_t r = 0; r < n && go; ++r)
        go = valid.valid(r) ? cell(r, convert(text(r, scratch))) : cell(r, null_value);
    });
    return go;
  }
  const auto& dictionary = static_cast<const arrow::DictionaryArray&>(array);
  const arrow::Array& values = *dictionary.dictionary();
  const Validity values_valid(values);
  std::vector<T> entries(static_cast<size_t>(values.length()));
  std::vector<uint8_t> seen(entries.size(), 0);
  texts_visit(values, [&](const auto& text) {
    indices_visit(dictionary, [&](const auto& index) {
      for (int64_t r = 0; r < n && go; ++r) {
        if (!valid.valid(r)) {
          go = cell(r, null_value);
          continue;
        }
        const size_t e = static_cast<size_t>(index(r));
        if (!seen[e]) {
          entries[e] = values_valid.valid(static_cast<int64_t>(e)) ? convert(text(static_cast<int64_t>(e), scratch))
                                                                   : null_value;
          seen[e] = 1;
        }
        go = cell(r, entries[e]);
      }
    });
  });
  return go;
}

}  // namespace kseg
