// Which cell texts mean "no value". Exports spell a missing value in many ways (R writes NA, pandas NaN, Excel #N/A,
// databases NULL, people N/A or -); read as text, one such cell would turn a numeric column into a categorical one.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kseg {

// pandas' default na_values (read_csv, pandas 2.x), plus "-": a spreadsheet user's dash for "nothing".
extern const std::vector<std::string> kDefaultMissingSpellings;

// A blank cell (only spaces and tabs) is always missing; so is a cell whose text, without surrounding spaces and
// tabs, equals one of the spellings (case-sensitive, as in pandas: "NA" and "nan" are missing, "Na" is not).
// The test costs one table lookup for nearly every cell (its last byte); then the length and first byte of the text
// are checked against those of the spellings before any string comparison.
class MissingValues {
 public:
  MissingValues() : MissingValues(std::vector<std::string>{}) {}  // blanks only
  explicit MissingValues(std::vector<std::string> spellings);
  static MissingValues defaults() { return MissingValues(kDefaultMissingSpellings); }
  // The text of --na-values: comma-separated spellings; "" → blanks only. Entries are trimmed, empty ones dropped.
  // UsageError for text that is not UTF-8.
  static MissingValues from_option(std::string_view text);

  const std::vector<std::string>& spellings() const { return spellings_; }

  bool missing(std::string_view text) const {
    if (text.empty()) return true;
    // Most cells end in a byte that no spelling ends in, nor a blank: one table lookup decides.
    return last_[static_cast<unsigned char>(text.back())] && missing_checked(text);
  }

 private:
  bool missing_checked(std::string_view text) const;  // the full test, text not empty

  std::vector<std::string> spellings_;  // sorted, distinct, non-empty
  size_t min_size_ = SIZE_MAX;          // shortest spelling (SIZE_MAX: none)
  size_t max_size_ = 0;                 // longest spelling
  std::array<bool, 256> first_{};       // first bytes of the spellings
  std::array<bool, 256> last_{};        // last bytes of the spellings, and the blanks (space, tab)
};

}  // namespace kseg
