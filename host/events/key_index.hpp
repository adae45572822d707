// Open-addressing hash indexes for the per-user aggregation: keys → dense indices in insertion order, so the
// accumulators live in plain vectors and memory grows with distinct keys (users, user-days), not with events.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace kseg {

// A 64-bit finaliser (splitmix64): spreads keys whose low bits repeat (day numbers, small codes) over the table.
inline uint64_t key_mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// A hash of short texts (user ids, categories), inlined: 8-byte words mixed with key_mix; the last partial word is
// read as the text's last 8 bytes (overlapping the previous word) or, for texts under 8 bytes, with fixed-size loads,
// so no call and no store-to-load stall (std::hash's out-of-line MurmurHash, then a variable memcpy, were a visible
// share of the parse). The length is mixed in first, so the overlap cannot make two texts alike.
inline uint64_t text_hash(std::string_view text) {
  const char* p = text.data();
  const size_t n = text.size();
  uint64_t h = (0x9E3779B97F4A7C15ull ^ n) * 0xBF58476D1CE4E5B9ull;  // one-to-one in n; the words are mixed below
  uint64_t word = 0;
  if (n >= 8) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::memcpy(&word, p + i, 8);
      h = key_mix(h ^ word);
    }
    if (i == n) return h;
    std::memcpy(&word, p + n - 8, 8);
  } else if (n >= 4) {
    uint32_t first = 0, last = 0;
    std::memcpy(&first, p, 4);
    std::memcpy(&last, p + n - 4, 4);
    word = first | (uint64_t{last} << 32);
  } else if (n > 0) {
    word = uint64_t{static_cast<uint8_t>(p[0])} | (uint64_t{static_cast<uint8_t>(p[n / 2])} << 8) |
           (uint64_t{static_cast<uint8_t>(p[n - 1])} << 16);
  }
  return key_mix(h ^ word);
}

// Asks for the cache line of slots[mixed & (size - 1)]. The address is computed in integers and not guarded by an
// emptiness test: g++ 12 dropped the prefetch altogether behind `if (!slots.empty())` (the probes then waited
// for memory: 40% of the fold), and prefetching a meaningless address (an empty table) is harmless.
template <class Slot>
inline void slot_prefetch(const std::vector<Slot>& slots, uint64_t mixed) {
  const uintptr_t at = reinterpret_cast<uintptr_t>(slots.data()) + (mixed & (slots.size() - 1)) * sizeof(Slot);
  __builtin_prefetch(reinterpret_cast<const void*>(at));
}

// uint64 key → index 0, 1, 2… in order of first insertion. Linear probing; grows ×2 at half load.
class KeyIndex {
 public:
  int32_t find_or_insert(uint64_t key) {
    if ((keys_.size() + 1) * 2 > slots_.size()) grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = key_mix(key) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.index < 0) {
        s = {key, static_cast<int32_t>(keys_.size())};
        keys_.push_back(key);
        return s.index;
      }
      if (s.key == key) return s.index;
    }
  }
  // Asks for the cache line where key's probe starts (a lookup soon after then does not wait for memory).
  void prefetch(uint64_t key) const { slot_prefetch(slots_, key_mix(key)); }
  size_t size() const { return keys_.size(); }
  uint64_t key(size_t index) const { return keys_[index]; }

 private:
  struct Slot {
    uint64_t key = 0;
    int32_t index = -1;
  };
  void grow() {
    std::vector<Slot> old(slots_.empty() ? 16 : slots_.size() * 2);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.index < 0) continue;
      size_t i = key_mix(s.key) & mask;
      while (slots_[i].index >= 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  std::vector<uint64_t> keys_;
};

// Text → index 0, 1, 2… in order of first insertion; the caller passes the text's hash (text_hash, computed once, in
// parallel), whose bits are mixed already: its low bits pick the slot, with no further mixing.
class StringIndex {
 public:
  __attribute__((always_inline)) int32_t find_or_insert(std::string_view text, uint64_t hash) {
    if ((offsets_.size() + 1) * 2 > slots_.size()) grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.index < 0) {
        s.hash = hash;
        s.index = static_cast<int32_t>(offsets_.size());
        s.size = static_cast<uint32_t>(std::min(text.size(), size_t{UINT32_MAX}));
        if (text.size() <= kInline) std::memcpy(s.text, text.data(), text.size());
        offsets_.push_back(bytes_.size());
        bytes_.append(text);
        return s.index;
      }
      if (s.hash == hash && s.size == text.size() &&
          (text.size() <= kInline ? short_equal(s.text, text.data(), text.size())
                                  : at(static_cast<size_t>(s.index)) == text))
        return s.index;
    }
  }
  void prefetch(uint64_t hash) const { slot_prefetch(slots_, hash); }
  size_t size() const { return offsets_.size(); }
  std::string_view at(size_t index) const {
    const size_t end = index + 1 < offsets_.size() ? offsets_[index + 1] : bytes_.size();
    return std::string_view(bytes_).substr(offsets_[index], end - offsets_[index]);
  }

 private:
  // Texts up to kInline bytes (most ids and categories) are compared in the slot itself: one cache line per
  // lookup instead of a second miss in bytes_.
  static constexpr size_t kInline = 16;
  // a[0, n) == b[0, n) for n <= kInline, in fixed-size loads that overlap (no call, no loop; memcmp was 2% of a
  // build): the first and last 8 (or 4) bytes, or the bytes one by one under 4.
  static bool short_equal(const char* a, const char* b, size_t n) {
    if (n >= 8) {
      uint64_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;
      std::memcpy(&a0, a, 8);
      std::memcpy(&b0, b, 8);
      std::memcpy(&a1, a + n - 8, 8);
      std::memcpy(&b1, b + n - 8, 8);
      return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (n >= 4) {
      uint32_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;
      std::memcpy(&a0, a, 4);
      std::memcpy(&b0, b, 4);
      std::memcpy(&a1, a + n - 4, 4);
      std::memcpy(&b1, b + n - 4, 4);
      return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    for (size_t i = 0; i < n; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  struct Slot {
    uint64_t hash = 0;
    int32_t index = -1;
    uint32_t size = 0;
    char text[kInline] = {};
  };
  void grow() {
    std::vector<Slot> old(slots_.empty() ? 16 : slots_.size() * 2);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.index < 0) continue;
      size_t i = s.hash & mask;
      while (slots_[i].index >= 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  std::vector<size_t> offsets_;  // where each text starts in bytes_
  std::string bytes_;
};

}  // namespace kseg
