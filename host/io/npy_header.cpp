// The header of a NumPy .npy file (format 1.0, 2.0, 3.0): magic, version, header length and the Python literal dict,
// shared by the readers of .npy matrices (fit) and of .npy event columns (profile-build).
#include "host/io/npy_header.hpp"

#include <cstring>
#include <string_view>
#include <utility>

#include "host/error.hpp"

namespace kseg {
namespace {

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

}  // namespace

NpyHeader npy_header_read(const char* data, size_t size, const std::string& path) {
  const auto fail = [&](const std::string& message) { throw DataError(location_format(path, 0, 0, message)); };
  const auto* bytes = reinterpret_cast<const unsigned char*>(data);
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
  const size_t data_offset = 8 + length_bytes + header_size;
  if (data_offset > size) fail("truncated header: the file ends inside the .npy header");
  NpyHeader header = NpyDictParser(std::string_view(data + 8 + length_bytes, header_size), path).header_parse();
  header.data_offset = data_offset;
  return header;
}

}  // namespace kseg
