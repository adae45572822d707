// User ids as they appeared in the input, kept as raw bytes so outputs pass them through untouched.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kseg {

class IdColumn {
 public:
  // Ids that are the 0-based row numbers (inputs without an id column, and .npy files).
  static IdColumn row_numbers(int64_t n) {
    IdColumn ids;
    ids.numbered_ = n;
    return ids;
  }
  void reserve(int64_t n, size_t bytes) {
    offsets_.reserve(static_cast<size_t>(n) + 1);
    bytes_.reserve(bytes);
  }
  void append(std::string_view raw) {
    if (offsets_.empty()) offsets_.push_back(0);
    bytes_.append(raw);
    offsets_.push_back(bytes_.size());
  }
  int64_t size() const {
    return numbered_ >= 0 ? numbered_ : static_cast<int64_t>(offsets_.empty() ? 0 : offsets_.size() - 1);
  }
  bool numbered() const { return numbered_ >= 0; }
  // The raw field bytes of id i (not for numbered ids).
  std::string_view raw(int64_t i) const {
    return std::string_view(bytes_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  // Appends id i to out: the raw field bytes, or the row number.
  void append_to(std::string& out, int64_t i) const {
    if (numbered_ >= 0) {
      out += std::to_string(i);
    } else {
      out.append(bytes_, offsets_[i], offsets_[i + 1] - offsets_[i]);
    }
  }

 private:
  std::string bytes_;
  std::vector<size_t> offsets_;
  int64_t numbered_ = -1;
};

}  // namespace kseg
