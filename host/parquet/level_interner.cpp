#include "host/parquet/level_interner.hpp"

#include <cstring>

#include "host/io/text_encoding.hpp"

namespace kseg {
namespace {

uint64_t mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// A well-mixed 64-bit hash of a text, 8 bytes at a time (short category names take one or two rounds). Named apart
// from the events' inline text_hash (host/events/key_index.hpp): two external functions kseg::text_hash of one
// signature broke the one-definition rule, and a call not inlined could have linked to either.
uint64_t interner_text_hash(std::string_view text) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ text.size();
  size_t at = 0;
  for (; at + 8 <= text.size(); at += 8) {
    uint64_t word = 0;
    std::memcpy(&word, text.data() + at, 8);
    h = (h ^ word) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  uint64_t tail = 0;
  if (at < text.size()) std::memcpy(&tail, text.data() + at, text.size() - at);  // an empty view may have no data
  h = mix(h ^ tail);
  return h == 0 ? 1 : h;  // 0 marks an empty slot
}

}  // namespace

LevelInterner::LevelInterner(TableColumn& column, const MissingValues& missing)
    : column_(column), missing_(missing), slots_(256) {}

bool LevelInterner::slot_holds(const Slot& slot, std::string_view text) const {
  if (slot.code >= 0) return column_.levels[static_cast<size_t>(slot.code)] == text;
  return missing_texts_[static_cast<size_t>(-1 - slot.code)] == text;
}

int32_t LevelInterner::code(std::string_view text, bool& new_level_bad) {
  const uint64_t hash = interner_text_hash(text);
  const size_t mask = slots_.size() - 1;
  size_t at = hash & mask;
  for (; slots_[at].hash != 0; at = (at + 1) & mask)
    if (slots_[at].hash == hash && slot_holds(slots_[at], text)) return slots_[at].code < 0 ? -1 : slots_[at].code;
  const int32_t code = code_lookup(text, new_level_bad);
  slots_[at] = Slot{hash, code};
  if (2 * ++used_ > slots_.size()) grow();
  return code < 0 ? -1 : code;
}

// A text new to this batch: a missing spelling (kept as −1 − k), a level of an earlier batch, or a new level.
int32_t LevelInterner::code_lookup(std::string_view text, bool& new_level_bad) {
  if (missing_.missing(text)) {
    missing_texts_.emplace_back(text);
    return -static_cast<int32_t>(missing_texts_.size());
  }
  const auto [it, added] = column_.level_index.emplace(std::string(text), static_cast<int32_t>(column_.levels.size()));
  if (added) {
    column_.levels.emplace_back(text);
    if (!utf8_valid(text) || control_byte_offset(text) != std::string_view::npos) new_level_bad = true;
  }
  return it->second;
}

void LevelInterner::grow() {
  std::vector<Slot> old(2 * slots_.size());
  old.swap(slots_);
  const size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.hash == 0) continue;
    size_t at = slot.hash & mask;
    while (slots_[at].hash != 0) at = (at + 1) & mask;
    slots_[at] = slot;
  }
}

}  // namespace kseg
