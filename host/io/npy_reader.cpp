#include "host/io/npy_reader.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "host/error.hpp"
#include "host/io/input_format.hpp"
#include "host/io/npy_convert.hpp"
#include "host/io/number_format.hpp"

namespace kseg {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "kseg reads '<f4'/'<f8' .npy data straight from memory");

namespace {

// What the header dictionary declares.
struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

// A reader for the Python literal dict of an .npy header: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
class NpyDictParser {
 public:
  NpyDictParser(std::string_view text, const std::string& path) : text_(text), path_(path) {}

  NpyHeader header_parse() {
    NpyHeader header;
    bool has_descr = false, has_order = false, has_shape = false;
    expect('{');
    while (!peek('}')) {
      const std::string key = string_parse();
      expect(':');
      if ((key == "descr" && has_descr) || (key == "fortran_order" && has_order) || (key == "shape" && has_shape))
        fail("the header repeats the key '" + key + "'");
      if (key == "descr") {
        if (!peek('\'') && !peek('"'))
          fail("unsupported dtype: structured arrays cannot be read; save a plain float array");
        header.descr = string_parse();
        has_descr = true;
      } else if (key == "fortran_order") {
        header.fortran_order = bool_parse();
        has_order = true;
      } else if (key == "shape") {
        header.shape = tuple_parse();
        has_shape = true;
      } else {
        fail("unexpected key '" + key + "' in the header");
      }
      if (!peek('}')) expect(',');
    }
    if (!has_descr || !has_order || !has_shape) fail("the header lacks 'descr', 'fortran_order' or 'shape'");
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const { throw DataError(location_format(path_, 0, 0, message)); }
  void blanks_skip() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t')) ++pos_;
  }
  bool peek(char c) {
    blanks_skip();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c)) fail(std::string("malformed header: expected '") + c + "' at byte " + std::to_string(pos_));
    ++pos_;
  }
  std::string string_parse() {
    blanks_skip();
    const char quote = pos_ < text_.size() ? text_[pos_] : '\0';
    if (quote != '\'' && quote != '"') fail("malformed header: expected a string at byte " + std::to_string(pos_));
    const size_t close = text_.find(quote, pos_ + 1);
    if (close == std::string_view::npos) fail("malformed header: unterminated string");
    std::string s(text_.substr(pos_ + 1, close - pos_ - 1));
    pos_ = close + 1;
    return s;
  }
  bool bool_parse() {
    blanks_skip();
    for (const auto& [word, value] : {std::pair<std::string_view, bool>{"True", true}, {"False", false}}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return value;
      }
    }
    fail("malformed header: 'fortran_order' must be True or False");
  }
  std::vector<int64_t> tuple_parse() {
    std::vector<int64_t> shape;
    expect('(');
    while (!peek(')')) {
      int64_t n = 0;
      const size_t start = pos_;
      for (; pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; ++pos_) {
        if (n > (INT64_MAX - 9) / 10) fail("malformed header: shape dimension too large");
        n = n * 10 + (text_[pos_] - '0');
      }
      if (pos_ == start) fail("malformed header: 'shape' must be a tuple of non-negative integers");
      if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;  // Python 2 long suffix
      shape.push_back(n);
      if (!peek(')')) expect(',');
    }
    ++pos_;
    return shape;
  }

  std::string_view text_;
  const std::string& path_;
  size_t pos_ = 0;
};

std::string shape_format(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i > 0 ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

NpyReader::NpyReader(std::string path) : path_(std::move(path)), file_(path_) { header_parse(); }

void NpyReader::header_parse() {
  const auto fail = [&](const std::string& message) { throw DataError(location_format(path_, 0, 0, message)); };
  const auto* bytes = reinterpret_cast<const unsigned char*>(file_.data());
  const size_t size = file_.size();
  if (size < 10 || std::memcmp(bytes, "\x93NUMPY", 6) != 0) {
    fail("not a NumPy .npy file (bad magic bytes); save the array with np.save");
  }
  const int major = bytes[6], minor = bytes[7];
  if (minor != 0 || major < 1 || major > 3) {
    fail("unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
         " (expected 1.0, 2.0 or 3.0)");
  }
  // Version 1.0 stores the header length in 2 bytes, later versions in 4 (little-endian).
  const size_t length_bytes = major == 1 ? 2 : 4;
  size_t header_size = 0;
  for (size_t i = 0; i < length_bytes && 8 + i < size; ++i) header_size |= size_t{bytes[8 + i]} << (8 * i);
  data_offset_ = 8 + length_bytes + header_size;
  if (data_offset_ > size) fail("truncated header: the file ends inside the .npy header");
  const NpyHeader header =
      NpyDictParser(std::string_view(file_.data() + 8 + length_bytes, header_size), path_).header_parse();

  dtype_parse(header.descr);
  fortran_ = header.fortran_order;
  if (header.shape.size() != 2) {
    fail("expected a 2-D array, found shape " + shape_format(header.shape) + "; reshape it to (rows, columns)");
  }
  n_rows_ = header.shape[0];
  n_cols_ = header.shape[1];
  // Zero columns hold no data whatever the row count: (10^18, 0) would pass the size check and be read row by row.
  if (n_cols_ == 0) fail("the array has no columns: shape " + shape_format(header.shape));
  int64_t expected = 0;
  const auto found = static_cast<int64_t>(size - data_offset_);
  if (__builtin_mul_overflow(n_rows_, n_cols_, &expected) || __builtin_mul_overflow(expected, item_size_, &expected)) {
    fail("truncated: shape " + shape_format(header.shape) + " declares more data than any file holds, found " +
         std::to_string(found) + " bytes");
  }
  if (found < expected) {
    fail("truncated: expected " + std::to_string(expected) + " bytes of data, found " + std::to_string(found));
  }
  if (found > expected) {
    fail("expected " + std::to_string(expected) + " bytes of data, found " + std::to_string(found) +
         ": the file has trailing bytes");
  }
}

void NpyReader::dtype_parse(const std::string& d) {
  const auto fail = [&](const std::string& message) { throw DataError(location_format(path_, 0, 0, message)); };
  // '=' (native) and '|' (not applicable) mean little-endian on this little-endian host.
  const bool known_order = d.size() == 3 && (d[0] == '<' || d[0] == '>' || d[0] == '=' || d[0] == '|');
  const int size = d.size() == 3 ? d[2] - '0' : 0;
  const bool float_ok = d.size() == 3 && d[1] == 'f' && (size == 2 || size == 4 || size == 8);
  const bool int_ok =
      d.size() == 3 && (d[1] == 'i' || d[1] == 'u') && (size == 1 || size == 2 || size == 4 || size == 8);
  if (!known_order || !(float_ok || int_ok)) {
    fail("unsupported dtype '" + d +
         "': expected a float (f2, f4, f8) or integer (i1..i8, u1..u8) array; convert it with a.astype(np.float32)");
  }
  descr_ = d;
  kind_ = d[1];
  item_size_ = size;
  swapped_ = d[0] == '>' && size > 1;
}

std::string NpyReader::conversion() const {
  const bool direct = kind_ == 'f' && item_size_ >= 4 && !swapped_ && !fortran_;
  if (direct) return "";
  const char* kinds = kind_ == 'f' ? "float" : kind_ == 'i' ? "int" : "uint";
  std::string text = "'" + descr_ + "' (" + (swapped_ ? "big-endian " : "") + kinds + std::to_string(8 * item_size_) +
                     ")" + (fortran_ ? " in Fortran order" : "") + ", converted to float32";
  return fortran_ ? text + " row-major" : text;
}

void NpyReader::rows_read(int64_t first, int64_t count, float* out) const {
  KSEG_EXPECTS(first >= 0 && count >= 0 && first + count <= n_rows_, DataError,
               path_ + ": rows [" + std::to_string(first) + ", " + std::to_string(first + count) +
                   ") are outside the array's " + std::to_string(n_rows_) + " rows");
  if (kind_ != 'f' || item_size_ == 2 || swapped_ || fortran_) return rows_convert(first, count, out);
  const size_t n = static_cast<size_t>(count * n_cols_);
  const char* src = file_.data() + data_offset_ + static_cast<size_t>(first * n_cols_) * item_size_;
  const auto bad_value = [&](size_t i, const std::string& what) {
    const int64_t row = first + static_cast<int64_t>(i) / n_cols_;
    const int64_t col = static_cast<int64_t>(i) % n_cols_;
    throw DataError(path_ + ": row " + std::to_string(row) + ", column " + std::to_string(col) + ": " + what +
                    "; clean the array (e.g. np.nan_to_num) before clustering");
  };
  if (item_size_ == 4) {
    // memcpy, not a cast: the data offset need not be aligned for float. (One thread: parallel first touches of the
    // mapping contend in the kernel and were slower.)
    if (n > 0) std::memcpy(out, src, n * sizeof(float));
    // NaN and ±Inf are the floats whose exponent bits are all ones: one branch-free pass (vectorised), and the
    // element-wise search for the first one only when there is one.
    uint32_t non_finite = 0;
    for (size_t i = 0; i < n; ++i) {
      uint32_t bits = 0;
      std::memcpy(&bits, out + i, sizeof bits);
      non_finite |= static_cast<uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
    }
    for (size_t i = 0; non_finite != 0 && i < n; ++i) {
      if (!std::isfinite(out[i])) bad_value(i, std::isnan(out[i]) ? "NaN value" : "infinite value");
    }
    // Read once: the rows' pages need not stay in this process's memory (the page cache keeps them).
    file_.pages_release(static_cast<size_t>(src - file_.data()), static_cast<size_t>(src - file_.data()) + n * 4);
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    double v = 0.0;
    std::memcpy(&v, src + i * sizeof(double), sizeof(double));
    if (std::isnan(v)) bad_value(i, "NaN value");
    if (std::isinf(v)) bad_value(i, "infinite value");
    if (std::fabs(v) > static_cast<double>(FLT_MAX)) {
      std::string text = "value ";
      double_append(text, v);
      bad_value(i, text + " is outside the float32 range");
    }
    out[i] = static_cast<float>(v);
  }
}

std::string npy_conversion(const std::string& path) {
  return input_format_detect(path) == InputFormat::npy ? NpyReader(path).conversion() : std::string();
}

void NpyReader::rows_convert(int64_t first, int64_t count, float* out) const {
  const NpyDtype dtype{kind_, item_size_, swapped_};
  const char* data = file_.data() + data_offset_;
  const auto size = static_cast<size_t>(item_size_);
  std::string problem;
  const auto bad_value = [&](int64_t row, int64_t col) {
    throw DataError(path_ + ": row " + std::to_string(row) + ", column " + std::to_string(col) + ": " + problem +
                    "; clean the array (e.g. np.nan_to_num) before clustering");
  };
  if (!fortran_) {
    const size_t n = static_cast<size_t>(count * n_cols_);
    const char* src = data + static_cast<size_t>(first * n_cols_) * size;
    const size_t done = npy_elements_convert(dtype, src, n, out, 1, &problem);
    if (done < n) bad_value(first + static_cast<int64_t>(done) / n_cols_, static_cast<int64_t>(done) % n_cols_);
    file_.pages_release(static_cast<size_t>(src - file_.data()), static_cast<size_t>(src - file_.data()) + n * size);
    return;
  }
  // Fortran order: column c of the rows is one contiguous run, written to every n_cols-th float of out (a transpose
  // of this batch only, so memory stays that of the batch).
  for (int64_t c = 0; c < n_cols_; ++c) {
    const char* src = data + static_cast<size_t>(c * n_rows_ + first) * size;
    const auto n = static_cast<size_t>(count);
    const size_t done = npy_elements_convert(dtype, src, n, out + c, static_cast<size_t>(n_cols_), &problem);
    if (done < n) bad_value(first + static_cast<int64_t>(done), c);
    file_.pages_release(static_cast<size_t>(src - file_.data()), static_cast<size_t>(src - file_.data()) + n * size);
  }
}

}  // namespace kseg
