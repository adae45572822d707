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
#include "host/io/npy_header.hpp"
#include "host/io/number_format.hpp"

namespace kseg {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "kseg reads '<f4'/'<f8' .npy data straight from memory");

namespace {

std::string shape_format(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i > 0 ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

NpyReader::NpyReader(std::string path) : path_(std::move(path)), file_(path_) { header_parse(); }

void NpyReader::header_parse() {
  const auto fail = [&](const std::string& message) { throw DataError(location_format(path_, 0, 0, message)); };
  const size_t size = file_.size();
  const NpyHeader header = npy_header_read(file_.data(), size, path_);
  data_offset_ = header.data_offset;
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
