// Digits read eight bytes at a time (SWAR): the word loads, digit checks and pair sums shared by the parsers of
// timestamps and short decimals, which read fixed-shape texts without a branch per character.
#pragma once

#include <cstdint>
#include <cstring>

namespace kseg {

// Eight bytes from p, the first in the lowest byte (as x86 loads them).
inline uint64_t word_load(const char* p) {
  uint64_t w = 0;
  std::memcpy(&w, p, 8);
  return w;
}

// The bytes of w at the places of `digits` (0xFF per place) as digit values 0-9 (the other places 0); false when one
// of them is not a digit. The other places are set to '0' first; a byte is a digit when neither b - '0' nor b + 0x46
// (over 0x7F from b > '9' up) sets its top bit, and a borrow or carry leaves a byte only after one that fails itself.
inline bool digits_word(uint64_t w, uint64_t digits, uint64_t& values) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  const uint64_t d = (w & digits) | (0x30 * kOnes & ~digits);
  values = d - 0x30 * kOnes;
  return (((d - 0x30 * kOnes) | (d + 0x46 * kOnes)) & 0x80 * kOnes) == 0;
}

// Byte i of the result: 10 * (byte i of v) + byte i + 1, for two digits at i and i + 1 (values 0-9: no carry).
inline uint64_t digit_pairs(uint64_t v) { return v * 10 + (v >> 8); }

inline int byte_at(uint64_t w, int i) { return static_cast<int>((w >> (8 * i)) & 0xFF); }

}  // namespace kseg
