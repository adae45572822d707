// Event logs as a directory of NumPy columns (DIR/<column>.npy, as np.save writes each column of a data frame): each
// file memory-mapped, its header read by the .npy reader's parser (host/io/npy_header), and batches of rows handed
// over as a ParquetEventBatch, byte strings and numbers read in place; no Arrow needed.
#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <memory>

#include "host/error.hpp"
#include "host/floor_div.hpp"
#include "host/io/mapped_file.hpp"
#include "host/io/npy_header.hpp"
#include "host/parquet/columnar_events.hpp"

namespace kseg {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "kseg reads .npy event columns straight from memory");

constexpr int64_t kBatchRows = 1 << 20;  // rows per batch, as an Arrow IPC file written by bench/profile_build
constexpr size_t kDigits = 24;           // room for any 64-bit integer's decimal text

// One column file: its data in place and its dtype.
struct NpyColumn {
  std::string path;
  std::unique_ptr<MappedFile> file;
  const char* data = nullptr;
  int64_t n_rows = 0;
  char kind = 'f';         // 'i', 'u', 'f', 'S' (bytes), 'U' (UTF-32 text), 'M' (datetime64)
  int item_size = 8;       // bytes per element
  int64_t per_second = 1;  // 'M': units per second (1 for seconds, 1000 for ms, ...); 0 for days
  template <class T>
  T at(int64_t r) const {
    T v;
    std::memcpy(&v, data + r * item_size, sizeof(T));
    return v;
  }
};

[[noreturn]] void dtype_refused(const std::string& path, const std::string& descr) {
  throw DataError(path + ": dtype '" + descr +
                  "' cannot be an event column; save integers (i1..i8, u1..u8), floats (f4, f8), byte or unicode "
                  "strings (S, U) or datetime64 (s, ms, us, ns, D) in little-endian order");
}

// The dtype of a column's header: "<i8", "|u1", "<f4", "|S12", "<U7", "<M8[ms]" (little-endian or no order only).
void dtype_parse(const std::string& descr, NpyColumn& c) {
  if (descr.size() < 3 || (descr[0] != '<' && descr[0] != '|' && descr[0] != '=')) dtype_refused(c.path, descr);
  c.kind = descr[1];
  if (c.kind == 'M') {
    static const std::pair<const char*, int64_t> units[] = {
        {"[s]", 1}, {"[ms]", 1000}, {"[us]", 1000000}, {"[ns]", 1000000000}, {"[D]", 0}};
    const std::string unit = descr.find('[') == std::string::npos ? "" : descr.substr(descr.find('['));
    const auto found = std::find_if(std::begin(units), std::end(units), [&](const auto& u) { return unit == u.first; });
    if (descr.compare(0, 3, "<M8") != 0 || found == std::end(units)) dtype_refused(c.path, descr);
    c.item_size = 8;
    c.per_second = found->second;
    return;
  }
  int size = 0;
  const auto parsed = std::from_chars(descr.data() + 2, descr.data() + descr.size(), size);
  // A width beyond 2^20 characters is no event column (and 4 × it would overflow for 'U').
  const bool whole =
      parsed.ec == std::errc() && parsed.ptr == descr.data() + descr.size() && size > 0 && size <= (1 << 20);
  const bool number = (c.kind == 'i' || c.kind == 'u') ? (size == 1 || size == 2 || size == 4 || size == 8)
                                                       : c.kind == 'f' && (size == 4 || size == 8);
  if (!whole || !(number || c.kind == 'S' || c.kind == 'U')) dtype_refused(c.path, descr);
  c.item_size = c.kind == 'U' ? size * 4 : size;
}

NpyColumn column_open(const std::string& dir, const std::string& name) {
  NpyColumn c;
  c.path = (std::filesystem::path(dir) / (name + ".npy")).string();
  c.file = std::make_unique<MappedFile>(c.path);
  const NpyHeader header = npy_header_read(c.file->data(), c.file->size(), c.path);
  dtype_parse(header.descr, c);
  const bool one_column = header.shape.size() == 1 || (header.shape.size() == 2 && header.shape[1] == 1);
  KSEG_EXPECTS(
      one_column, DataError,
      c.path + ": an event column is a 1-D array (n,), found " + std::to_string(header.shape.size()) + " dimensions");
  c.n_rows = header.shape[0];
  const size_t found = c.file->size() - header.data_offset;
  int64_t expected = 0;
  KSEG_EXPECTS(
      !__builtin_mul_overflow(c.n_rows, int64_t{c.item_size}, &expected) && static_cast<size_t>(expected) == found,
      DataError,
      c.path + ": the shape declares " + std::to_string(c.n_rows) + " rows of " + std::to_string(c.item_size) +
          " bytes, the file holds " + std::to_string(found) + " bytes of data; check that it was copied whole");
  c.data = c.file->data() + header.data_offset;
  return c;
}

// Appends the UTF-8 of a UTF-32 code point; false for one that is not a Unicode scalar value.
bool utf8_put(uint32_t u, char*& out) {
  if (u < 0x80) {
    *out++ = static_cast<char>(u);
  } else if (u < 0x800) {
    *out++ = static_cast<char>(0xC0 | (u >> 6));
    *out++ = static_cast<char>(0x80 | (u & 0x3F));
  } else if (u < 0x10000) {
    if (u >= 0xD800 && u < 0xE000) return false;
    *out++ = static_cast<char>(0xE0 | (u >> 12));
    *out++ = static_cast<char>(0x80 | ((u >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (u & 0x3F));
  } else if (u < 0x110000) {
    *out++ = static_cast<char>(0xF0 | (u >> 18));
    *out++ = static_cast<char>(0x80 | ((u >> 12) & 0x3F));
    *out++ = static_cast<char>(0x80 | ((u >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (u & 0x3F));
  } else {
    return false;
  }
  return true;
}

// The bytes digits may need for rows of a column read as text (reserved before any view is taken into it).
size_t text_room(const NpyColumn& c, int64_t rows) {
  const bool integer = c.kind == 'i' || c.kind == 'u';
  const size_t per_row = c.kind == 'U' ? static_cast<size_t>(c.item_size) : integer ? kDigits : 0;
  return per_row * static_cast<size_t>(rows);
}

// Rows [first, first + n) of a byte-string, unicode or integer column as views (NUL padding removed; integers as
// decimal text, unicode as UTF-8, both written into digits from digits[used] on, which has text_room bytes for them).
// False for a column of another kind.
bool texts_view(const NpyColumn& c, int64_t first, int64_t n, std::vector<char>& digits, size_t& used,
                std::vector<std::string_view>& out) {
  out.resize(static_cast<size_t>(n));
  const auto width = static_cast<size_t>(c.item_size);
  for (int64_t r = 0; r < n; ++r) {
    const char* cell = c.data + (first + r) * c.item_size;
    std::string_view& view = out[static_cast<size_t>(r)];
    if (c.kind == 'S') {
      view = std::string_view(cell, width);
      view = view.substr(0, view.find_last_not_of('\0') + 1);  // npos + 1 == 0: all NUL
      continue;
    }
    char* begin = digits.data() + used;
    char* end = begin;
    if (c.kind == 'U') {
      for (size_t k = 0; k < width / 4; ++k) {
        uint32_t u = 0;
        std::memcpy(&u, cell + 4 * k, 4);
        if (u == 0) break;  // NUL padding
        KSEG_EXPECTS(utf8_put(u, end), DataError,
                     c.path + ": row " + std::to_string(first + r + 1) + ": not a Unicode character (code " +
                         std::to_string(u) + ")");
      }
    } else if (c.kind == 'i' || c.kind == 'u') {
      int64_t v = 0;
      uint64_t w = 0;
      const bool is_signed = c.kind == 'i';
      switch (c.item_size) {
        case 1:
          is_signed ? v = c.at<int8_t>(first + r) : w = c.at<uint8_t>(first + r);
          break;
        case 2:
          is_signed ? v = c.at<int16_t>(first + r) : w = c.at<uint16_t>(first + r);
          break;
        case 4:
          is_signed ? v = c.at<int32_t>(first + r) : w = c.at<uint32_t>(first + r);
          break;
        default:
          is_signed ? v = c.at<int64_t>(first + r) : w = c.at<uint64_t>(first + r);
          break;
      }
      end = is_signed ? std::to_chars(begin, begin + kDigits, v).ptr : std::to_chars(begin, begin + kDigits, w).ptr;
    } else {
      return false;
    }
    used += static_cast<size_t>(end - begin);
    view = std::string_view(begin, static_cast<size_t>(end - begin));
  }
  return true;
}

// Any integer or float column as doubles (NaN: a missing amount). False for another kind.
bool amounts_read(const NpyColumn& c, int64_t first, int64_t n, std::vector<double>& out) {
  out.resize(static_cast<size_t>(n));
  const auto fill = [&](auto tag) {
    using T = decltype(tag);
    for (int64_t r = 0; r < n; ++r) out[static_cast<size_t>(r)] = static_cast<double>(c.at<T>(first + r));
  };
  if (c.kind == 'f') {
    c.item_size == 8 ? fill(double{}) : fill(float{});
  } else if (c.kind == 'i') {
    c.item_size == 1   ? fill(int8_t{})
    : c.item_size == 2 ? fill(int16_t{})
    : c.item_size == 4 ? fill(int32_t{})
                       : fill(int64_t{});
  } else if (c.kind == 'u') {
    c.item_size == 1   ? fill(uint8_t{})
    : c.item_size == 2 ? fill(uint16_t{})
    : c.item_size == 4 ? fill(uint32_t{})
                       : fill(uint64_t{});
  } else {
    return false;
  }
  return true;
}

// The time column into the batch: datetime64 (NaT: null) as seconds or days, strings as ISO 8601 text.
bool times_read(const NpyColumn& c, int64_t first, int64_t n, size_t& used, ParquetEventBatch& b) {
  if (c.kind == 'S' || c.kind == 'U') {
    b.time_kind = EventTimeKind::text;
    return texts_view(c, first, n, b.digits, used, b.time_text);
  }
  if (c.kind != 'M') return false;
  b.time_kind = c.per_second == 0 ? EventTimeKind::date : EventTimeKind::instant;
  b.time_value.resize(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) {
    const auto v = c.at<int64_t>(first + r);  // NaT is INT64_MIN, the batch's null time as well
    b.time_value[static_cast<size_t>(r)] =
        v == ParquetEventBatch::kEventTimeNull || c.per_second <= 1 ? v : floor_div(v, c.per_second);
  }
  return true;
}

[[noreturn]] void kind_refused(const NpyColumn& c, const std::string& accepted) {
  throw DataError(c.path + ": profile-build reads " + accepted + " in this column");
}

}  // namespace

bool npy_events_input_is(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return false;
  bool npy = false;
  for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
    const std::string ext = entry.path().extension().string();
    if (ext == ".parquet" || ext == ".arrow" || ext == ".feather" || ext == ".ipc") return false;
    npy = npy || ext == ".npy";
  }
  return npy;
}

std::vector<std::string> npy_events_column_names(const std::string& path) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(path, ec))
    if (entry.path().extension() == ".npy" && entry.path().filename().string()[0] != '.')
      names.push_back(entry.path().stem().string());
  KSEG_EXPECTS(!ec, DataError, path + ": cannot list the directory (" + ec.message() + ")");
  std::sort(names.begin(), names.end());
  return names;
}

void npy_events_for_each(const ParquetEventColumns& c, const Communicator& comm,
                         const std::function<void(const ParquetEventBatch&)>& fn) {
  const NpyColumn user = column_open(c.path, c.user), time = column_open(c.path, c.time);
  const std::unique_ptr<NpyColumn> amount =
      c.amount.empty() ? nullptr : std::make_unique<NpyColumn>(column_open(c.path, c.amount));
  std::vector<NpyColumn> text;
  for (const std::string& name : c.text) text.push_back(column_open(c.path, name));
  const int64_t n = user.n_rows;
  const auto same_length = [&](const NpyColumn& col) {
    KSEG_EXPECTS(col.n_rows == n, DataError,
                 col.path + " has " + std::to_string(col.n_rows) + " rows and " + user.path + " " + std::to_string(n) +
                     "; every column of an event log has one row per event");
  };
  same_length(time);
  if (amount) same_length(*amount);
  for (const NpyColumn& col : text) same_length(col);
  const auto batches = static_cast<size_t>((n + kBatchRows - 1) / kBatchRows);
  const auto ranks = static_cast<size_t>(comm.size()), rank = static_cast<size_t>(comm.rank());
  ParquetEventBatch b;
  b.part = c.path;
  b.rows_total = n;
  for (size_t at = batches * rank / ranks; at < batches * (rank + 1) / ranks; ++at) {
    const int64_t first = static_cast<int64_t>(at) * kBatchRows, rows = std::min(kBatchRows, n - first);
    b.first_record = b.row_in_part = first;
    b.n_rows = rows;
    size_t room = text_room(user, rows) + text_room(time, rows);
    for (const NpyColumn& col : text) room += text_room(col, rows);
    if (b.digits.size() < room) b.digits.resize(room);  // before any view into it is taken: none moves
    size_t used = 0;
    if (!texts_view(user, first, rows, b.digits, used, b.user))
      kind_refused(user, "integers, byte strings (S) and unicode strings (U)");
    if (!times_read(time, first, rows, used, b))
      kind_refused(time, "datetime64 (s, ms, us, ns, D) and ISO 8601 strings (S, U)");
    b.amount.clear();
    if (amount && !amounts_read(*amount, first, rows, b.amount)) kind_refused(*amount, "integers and floats");
    b.text.resize(text.size());
    for (size_t k = 0; k < text.size(); ++k)
      if (!texts_view(text[k], first, rows, b.digits, used, b.text[k]))
        kind_refused(text[k], "integers, byte strings (S) and unicode strings (U)");
    fn(b);
  }
}

}  // namespace kseg
