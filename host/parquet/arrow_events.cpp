// Arrow arrays of an event log into the typed arrays of a ParquetEventBatch: strings, dictionaries and integers as
// views (integers written as decimal text), times as seconds or days, amounts as doubles, nulls as the batch
// documents them. One converter for every Arrow source (Parquet files, Arrow IPC files), so they read alike.
#include "host/parquet/arrow_events.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "host/error.hpp"
#include "host/events/key_index.hpp"
#include "host/floor_div.hpp"

namespace kseg {
namespace {

constexpr size_t kDigits = 24;  // room for any 64-bit integer's decimal text

[[noreturn]] void type_refused(const std::string& where, const std::string& column, const arrow::DataType& type,
                               const std::string& accepted) {
  throw DataError(where + ": column \"" + column + "\" has type " + type.ToString() + "; profile-build reads " +
                  accepted + " there");
}

// The UTC offset of a timestamp zone: "+HH:MM", "-HHMM", "+HH" → minutes east of UTC; "", "UTC", "Z" and named zones
// ("Europe/Paris": their local times would need the zone database) → 0.
int32_t zone_offset_minutes(const std::string& zone) {
  if (zone.size() < 3 || (zone[0] != '+' && zone[0] != '-')) return 0;
  int hours = 0, minutes = 0;
  std::from_chars(zone.data() + 1, zone.data() + 3, hours);
  const size_t at = zone.size() > 3 && zone[3] == ':' ? 4 : 3;  // "+HH:MM" or "+HHMM"
  if (zone.size() >= at + 2) std::from_chars(zone.data() + at, zone.data() + at + 2, minutes);
  return (zone[0] == '+' ? 1 : -1) * (hours * 60 + minutes);
}

// Views of a string array's cells: null → view without data (or "" when null_empty).
template <class ArrayT>
void strings_view(const arrow::Array& array, bool null_empty, std::vector<std::string_view>& out) {
  const auto& a = static_cast<const ArrayT&>(array);
  if (a.null_count() == 0) {
    for (int64_t i = 0; i < a.length(); ++i) out[static_cast<size_t>(i)] = a.GetView(i);
    return;
  }
  const std::string_view null_view = null_empty ? std::string_view("") : std::string_view();
  for (int64_t i = 0; i < a.length(); ++i) out[static_cast<size_t>(i)] = a.IsNull(i) ? null_view : a.GetView(i);
}

// Views of a dictionary array's cells through its dictionary's views; with word_hashes (the text_hash of each
// dictionary entry), each cell's hash into hashes too (a null cell's: that of its view).
template <class IndexT>
void dictionary_view(const arrow::DictionaryArray& a, const std::vector<std::string_view>& words, bool null_empty,
                     std::vector<std::string_view>& out, const std::vector<uint64_t>& word_hashes,
                     std::vector<uint64_t>* hashes) {
  const auto& indices = static_cast<const arrow::NumericArray<IndexT>&>(*a.indices());
  const std::string_view null_view = null_empty ? std::string_view("") : std::string_view();
  for (int64_t i = 0; i < a.length(); ++i)
    out[static_cast<size_t>(i)] = a.IsNull(i) ? null_view : words[static_cast<size_t>(indices.Value(i))];
  if (!hashes) return;
  hashes->resize(static_cast<size_t>(a.length()));
  const uint64_t null_hash = text_hash(null_view);
  for (int64_t i = 0; i < a.length(); ++i)
    (*hashes)[static_cast<size_t>(i)] = a.IsNull(i) ? null_hash : word_hashes[static_cast<size_t>(indices.Value(i))];
}

// The dictionary's cells as views, and their hashes (when asked for and worth it).
template <class IndexT>
void dictionary_cells(const arrow::DictionaryArray& a, const std::vector<std::string_view>& words, bool null_empty,
                      std::vector<std::string_view>& out, std::vector<uint64_t>* hashes) {
  // Each entry hashed once, where the batch has at least as many cells as the dictionary entries (a dictionary of
  // a whole column chunk read in small batches would be hashed again and again): the parse hashes the others.
  std::vector<uint64_t> word_hashes;
  if (hashes && words.size() <= static_cast<size_t>(a.length())) {
    word_hashes.resize(words.size());
    for (size_t j = 0; j < words.size(); ++j) word_hashes[j] = text_hash(words[j]);
  } else if (hashes) {
    hashes->clear();
    hashes = nullptr;
  }
  dictionary_view<IndexT>(a, words, null_empty, out, word_hashes, hashes);
}

// Decimal text of an integer array's cells, written into digits[offset + i · kDigits ...].
template <class ArrayT>
void integers_view(const arrow::Array& array, bool null_empty, std::vector<char>& digits, size_t offset,
                   std::vector<std::string_view>& out) {
  const auto& a = static_cast<const ArrayT&>(array);
  const std::string_view null_view = null_empty ? std::string_view("") : std::string_view();
  for (int64_t i = 0; i < a.length(); ++i) {
    if (a.IsNull(i)) {
      out[static_cast<size_t>(i)] = null_view;
      continue;
    }
    char* begin = digits.data() + offset + static_cast<size_t>(i) * kDigits;
    const std::to_chars_result r = std::to_chars(begin, begin + kDigits, a.Value(i));
    out[static_cast<size_t>(i)] = std::string_view(begin, static_cast<size_t>(r.ptr - begin));
  }
}

// Any string, dictionary-of-strings or integer array as views (see ParquetEventBatch); false for other types. hashes
// (may be null): the cells' text_hash where the array is a dictionary, else left empty.
bool texts_view(const arrow::Array& array, bool null_empty, std::vector<char>& digits,
                std::vector<std::string_view>& out, std::vector<uint64_t>* hashes = nullptr) {
  out.resize(static_cast<size_t>(array.length()));
  if (hashes) hashes->clear();
  switch (array.type_id()) {
    case arrow::Type::STRING:
      strings_view<arrow::StringArray>(array, null_empty, out);
      return true;
    case arrow::Type::LARGE_STRING:
      strings_view<arrow::LargeStringArray>(array, null_empty, out);
      return true;
    case arrow::Type::STRING_VIEW:
      strings_view<arrow::StringViewArray>(array, null_empty, out);
      return true;
    case arrow::Type::DICTIONARY: {
      const auto& a = static_cast<const arrow::DictionaryArray&>(array);
      std::vector<std::string_view> words;
      std::vector<char> no_digits;
      if (!arrow_string_type(a.dictionary()->type_id()) || !texts_view(*a.dictionary(), true, no_digits, words))
        return false;
      switch (a.indices()->type_id()) {
        case arrow::Type::INT8:
          dictionary_cells<arrow::Int8Type>(a, words, null_empty, out, hashes);
          return true;
        case arrow::Type::INT16:
          dictionary_cells<arrow::Int16Type>(a, words, null_empty, out, hashes);
          return true;
        case arrow::Type::INT32:
          dictionary_cells<arrow::Int32Type>(a, words, null_empty, out, hashes);
          return true;
        case arrow::Type::INT64:
          dictionary_cells<arrow::Int64Type>(a, words, null_empty, out, hashes);
          return true;
        case arrow::Type::UINT8:  // unsigned indices: Arrow IPC files may hold them
          dictionary_cells<arrow::UInt8Type>(a, words, null_empty, out, hashes);
          return true;
        case arrow::Type::UINT16:
          dictionary_cells<arrow::UInt16Type>(a, words, null_empty, out, hashes);
          return true;
        case arrow::Type::UINT32:
          dictionary_cells<arrow::UInt32Type>(a, words, null_empty, out, hashes);
          return true;
        case arrow::Type::UINT64:
          dictionary_cells<arrow::UInt64Type>(a, words, null_empty, out, hashes);
          return true;
        default:
          return false;
      }
    }
    default:
      break;
  }
  if (!arrow::is_integer(array.type_id())) return false;
  const size_t offset = digits.size();
  digits.resize(offset + static_cast<size_t>(array.length()) * kDigits);
  switch (array.type_id()) {
    case arrow::Type::INT8:
      integers_view<arrow::Int8Array>(array, null_empty, digits, offset, out);
      break;
    case arrow::Type::INT16:
      integers_view<arrow::Int16Array>(array, null_empty, digits, offset, out);
      break;
    case arrow::Type::INT32:
      integers_view<arrow::Int32Array>(array, null_empty, digits, offset, out);
      break;
    case arrow::Type::INT64:
      integers_view<arrow::Int64Array>(array, null_empty, digits, offset, out);
      break;
    case arrow::Type::UINT8:
      integers_view<arrow::UInt8Array>(array, null_empty, digits, offset, out);
      break;
    case arrow::Type::UINT16:
      integers_view<arrow::UInt16Array>(array, null_empty, digits, offset, out);
      break;
    case arrow::Type::UINT32:
      integers_view<arrow::UInt32Array>(array, null_empty, digits, offset, out);
      break;
    default:
      integers_view<arrow::UInt64Array>(array, null_empty, digits, offset, out);
      break;
  }
  return true;
}

// Any integer, floating or decimal array as doubles (null → NaN); false for other types.
bool amounts_read(const arrow::Array& array, std::vector<double>& out) {
  out.resize(static_cast<size_t>(array.length()));
  const auto fill = [&](auto&& value) {
    for (int64_t i = 0; i < array.length(); ++i)
      out[static_cast<size_t>(i)] = array.IsNull(i) ? std::numeric_limits<double>::quiet_NaN() : value(i);
  };
  switch (array.type_id()) {
#define KSEG_AMOUNT_CASE(ID, ARRAY)                                   \
  case arrow::Type::ID: {                                             \
    const auto& a = static_cast<const arrow::ARRAY&>(array);          \
    fill([&](int64_t i) { return static_cast<double>(a.Value(i)); }); \
    return true;                                                      \
  }
    KSEG_AMOUNT_CASE(INT8, Int8Array)
    KSEG_AMOUNT_CASE(INT16, Int16Array)
    KSEG_AMOUNT_CASE(INT32, Int32Array)
    KSEG_AMOUNT_CASE(INT64, Int64Array)
    KSEG_AMOUNT_CASE(UINT8, UInt8Array)
    KSEG_AMOUNT_CASE(UINT16, UInt16Array)
    KSEG_AMOUNT_CASE(UINT32, UInt32Array)
    KSEG_AMOUNT_CASE(UINT64, UInt64Array)
    KSEG_AMOUNT_CASE(FLOAT, FloatArray)
#undef KSEG_AMOUNT_CASE
    case arrow::Type::DOUBLE: {
      const auto& a = static_cast<const arrow::DoubleArray&>(array);  // with nulls (else read in place)
      fill([&](int64_t i) { return a.Value(i); });
      return true;
    }
    case arrow::Type::DECIMAL128: {
      const auto& a = static_cast<const arrow::Decimal128Array&>(array);
      const int32_t scale = static_cast<const arrow::Decimal128Type&>(*a.type()).scale();
      fill([&](int64_t i) { return arrow::Decimal128(a.GetValue(i)).ToDouble(scale); });
      return true;
    }
    case arrow::Type::DECIMAL256: {
      const auto& a = static_cast<const arrow::Decimal256Array&>(array);
      const int32_t scale = static_cast<const arrow::Decimal256Type&>(*a.type()).scale();
      fill([&](int64_t i) { return arrow::Decimal256(a.GetValue(i)).ToDouble(scale); });
      return true;
    }
    default:
      return false;
  }
}

// raw[i] / kDivisor rounded down (null → kEventTimeNull) for the cells of array.
template <int64_t kDivisor>
void times_divide(const arrow::Array& array, const int64_t* raw, std::vector<int64_t>& out) {
  const auto n = static_cast<size_t>(array.length());
  out.resize(n);
  if (array.null_count() == 0) {
    for (size_t i = 0; i < n; ++i) out[i] = floor_div(raw[i], kDivisor);
    return;
  }
  for (size_t i = 0; i < n; ++i)
    out[i] = array.IsNull(static_cast<int64_t>(i)) ? ParquetEventBatch::kEventTimeNull : floor_div(raw[i], kDivisor);
}

// The time column into the batch (see EventTimeKind); false for a type it cannot be.
bool times_read(const arrow::Array& array, ParquetEventBatch& b) {
  const auto values = [&](const int64_t* raw, int64_t divisor) {
    switch (divisor) {  // each unit's divisor a constant: a multiplication, not a division, per cell
      case 1:
        return times_divide<1>(array, raw, b.time_value);
      case 1000:
        return times_divide<1000>(array, raw, b.time_value);
      case 1000000:
        return times_divide<1000000>(array, raw, b.time_value);
      case 1000000000:
        return times_divide<1000000000>(array, raw, b.time_value);
      default:
        return times_divide<86400000>(array, raw, b.time_value);
    }
  };
  switch (array.type_id()) {
    case arrow::Type::TIMESTAMP: {
      const auto& type = static_cast<const arrow::TimestampType&>(*array.type());
      static constexpr int64_t kPerSecond[] = {1, 1000, 1000000, 1000000000};  // arrow::TimeUnit order
      b.time_kind = EventTimeKind::instant;
      b.time_offset_minutes = zone_offset_minutes(type.timezone());
      values(static_cast<const arrow::TimestampArray&>(array).raw_values(), kPerSecond[type.unit()]);
      return true;
    }
    case arrow::Type::DATE64:
      b.time_kind = EventTimeKind::date;
      values(static_cast<const arrow::Date64Array&>(array).raw_values(), 86400000);
      return true;
    case arrow::Type::DATE32: {
      const auto& a = static_cast<const arrow::Date32Array&>(array);
      b.time_kind = EventTimeKind::date;
      b.time_value.resize(static_cast<size_t>(a.length()));
      for (int64_t i = 0; i < a.length(); ++i)
        b.time_value[static_cast<size_t>(i)] = a.IsNull(i) ? ParquetEventBatch::kEventTimeNull : a.Value(i);
      return true;
    }
    default:
      break;
  }
  b.time_kind = EventTimeKind::text;
  return !arrow::is_integer(array.type_id()) && texts_view(array, false, b.digits, b.time_text);
}

}  // namespace

bool arrow_string_type(arrow::Type::type id) {
  return id == arrow::Type::STRING || id == arrow::Type::LARGE_STRING || id == arrow::Type::STRING_VIEW;
}

std::vector<std::string> event_column_names(const ParquetEventColumns& c) {
  std::vector<std::string> names = {c.user, c.time};
  if (!c.amount.empty()) names.push_back(c.amount);
  for (const std::string& name : c.text)  // each column read once
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  return names;
}

void arrow_events_convert(const arrow::RecordBatch& batch, const ParquetEventColumns& c, ParquetEventBatch& out) {
  out.n_rows = batch.num_rows();
  const auto column = [&](const std::string& name) -> const arrow::Array& {
    const std::shared_ptr<arrow::Array> array = batch.GetColumnByName(name);
    KSEG_EXPECTS(array != nullptr, DataError, out.part + ": no column named \"" + name + "\" (the first part has it)");
    return *array;
  };
  // The digits of every integer column are written before any view is taken into them (no reallocation after).
  size_t integer_uses = arrow::is_integer(column(c.user).type_id());
  for (const std::string& name : c.text) integer_uses += arrow::is_integer(column(name).type_id());
  out.digits.clear();
  out.digits.reserve(integer_uses * static_cast<size_t>(out.n_rows) * kDigits);
  const char* accepted_texts = "strings, dictionaries of strings and integers";
  const arrow::Array& user = column(c.user);
  out.user_offsets = nullptr;
  out.user_bytes = nullptr;
  if (user.type_id() == arrow::Type::STRING && user.null_count() == 0) {  // read in place (see user_at)
    const auto& a = static_cast<const arrow::StringArray&>(user);
    out.user.clear();
    out.user_hashes.clear();
    out.user_offsets = a.raw_value_offsets();
    // An array of empty ids may have no data buffer: their views still need a data() (null means a null id).
    out.user_bytes = a.value_data() ? reinterpret_cast<const char*>(a.value_data()->data()) : "";
  } else if (!texts_view(user, false, out.digits, out.user, &out.user_hashes)) {
    type_refused(out.part, c.user, *user.type(), accepted_texts);
  }
  if (!times_read(column(c.time), out))
    type_refused(out.part, c.time, *column(c.time).type(), "timestamps, date32, date64 and ISO 8601 strings");
  out.amount.clear();
  out.amount_values = nullptr;
  if (!c.amount.empty()) {
    const arrow::Array& amount = column(c.amount);
    if (amount.type_id() == arrow::Type::DOUBLE && amount.null_count() == 0)  // read in place (see amount_at)
      out.amount_values = static_cast<const arrow::DoubleArray&>(amount).raw_values();
    else if (!amounts_read(amount, out.amount))
      type_refused(out.part, c.amount, *amount.type(), "integer, floating and decimal numbers");
  }
  out.text.resize(c.text.size());
  out.text_hashes.resize(c.text.size());
  for (size_t k = 0; k < c.text.size(); ++k)
    if (!texts_view(column(c.text[k]), true, out.digits, out.text[k], &out.text_hashes[k]))
      type_refused(out.part, c.text[k], *column(c.text[k]).type(), accepted_texts);
}

}  // namespace kseg
