// The codes of a categorical column's texts, for the typed readers' text columns that are not dictionary-encoded:
// each cell's text is hashed once with a fast hash and found in a small open-addressing table of the texts met so far
// in this batch; only a text new to the batch looks in the column's level_index (and becomes a new level in first-seen
// order when it is new to the column), so a batch costs one std::string per distinct text, not one per cell. Needs no
// Arrow.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "host/data/missing_values.hpp"
#include "host/data/table.hpp"

namespace kseg {

class LevelInterner {
 public:
  // column: the categorical column whose levels (and level_index) grow; it must outlive the interner.
  LevelInterner(TableColumn& column, const MissingValues& missing);

  // The code of a present cell's text: −1 for a missing-value spelling, else its level (a new one appended when the
  // column has not seen the text). new_level_bad: set when the text became a new level and is not UTF-8 or holds a
  // control byte (levels end up in model.json and profiles.json); untouched otherwise.
  int32_t code(std::string_view text, bool& new_level_bad);

 private:
  struct Slot {
    uint64_t hash = 0;  // 0: empty
    int32_t code = 0;   // a level, or −1 − k for missing_texts_[k]
  };
  int32_t code_lookup(std::string_view text, bool& new_level_bad);
  bool slot_holds(const Slot& slot, std::string_view text) const;
  void grow();

  TableColumn& column_;
  const MissingValues& missing_;
  std::vector<Slot> slots_;
  size_t used_ = 0;
  std::vector<std::string> missing_texts_;  // the missing spellings met, as the cells spelled them
};

}  // namespace kseg
