#include "host/data/missing_values.hpp"

#include <algorithm>

#include "host/error.hpp"
#include "host/io/csv_parse.hpp"
#include "host/io/text_encoding.hpp"

namespace kseg {

const std::vector<std::string> kDefaultMissingSpellings = {
    "#N/A", "#N/A N/A", "#NA",  "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
    "N/A",  "NA",       "NULL", "NaN",     "None",     "n/a",  "nan",  "null",   "-"};

MissingValues::MissingValues(std::vector<std::string> spellings) {
  for (const std::string& s : spellings) {
    const std::string_view trimmed = blanks_trim(s);
    if (!trimmed.empty()) spellings_.emplace_back(trimmed);
  }
  std::sort(spellings_.begin(), spellings_.end());
  spellings_.erase(std::unique(spellings_.begin(), spellings_.end()), spellings_.end());
  for (const std::string& s : spellings_) {
    min_size_ = std::min(min_size_, s.size());
    max_size_ = std::max(max_size_, s.size());
    first_[static_cast<unsigned char>(s.front())] = true;
    last_[static_cast<unsigned char>(s.back())] = true;
  }
  last_[' '] = last_['\t'] = true;
}

MissingValues MissingValues::from_option(std::string_view text) {
  // The spellings are kept in model.json, which holds UTF-8 only.
  KSEG_EXPECTS(utf8_valid(text), UsageError, "--na-values: " + text_quote(text) + " is not valid UTF-8");
  std::vector<std::string> spellings;
  size_t begin = 0;
  for (size_t at = 0; at <= text.size(); ++at) {
    if (at < text.size() && text[at] != ',') continue;
    spellings.emplace_back(text.substr(begin, at - begin));
    begin = at + 1;
  }
  return MissingValues(std::move(spellings));
}

bool MissingValues::missing_checked(std::string_view text) const {
  text = blanks_trim(text);
  if (text.empty()) return true;
  if (text.size() < min_size_ || text.size() > max_size_ || !first_[static_cast<unsigned char>(text.front())])
    return false;
  for (const std::string& s : spellings_)
    if (s == text) return true;
  return false;
}

}  // namespace kseg
