// Open-addressing hash indexes for the per-user aggregation: keys → dense indices in insertion order, so the
// accumulators live in plain vectors and memory grows with distinct keys (users, user-days), not with events.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "host/events/page_array.hpp"

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
template <class Slots>
inline void slot_prefetch(const Slots& slots, uint64_t mixed) {
  const uintptr_t at = reinterpret_cast<uintptr_t>(slots.data()) + (mixed & (slots.size() - 1)) * sizeof(*slots.data());
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
// parallel), whose bits are mixed already: its low bits pick the slot, with no further mixing. The table and the
// texts live in PageArrays, and the table doubles in place (see grow): doubling into fresh memory touched twice the
// final table's pages (a one-shot RFM build of 8.3 M events took 85 k page faults before, 54 k after).
class StringIndex {
 public:
  __attribute__((always_inline)) int32_t find_or_insert(std::string_view text, uint64_t hash) {
    if ((offsets_.size() + 1) * 2 > slots_.size()) grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.number == 0) {
        s.hash = hash;
        s.number = static_cast<uint32_t>(offsets_.size()) + 1;
        s.size = static_cast<uint32_t>(std::min(text.size(), size_t{UINT32_MAX}));
        if (text.size() <= kInline) std::memcpy(s.text, text.data(), text.size());
        offsets_.push_back(bytes_.size());
        bytes_.append(text.data(), text.size());
        return static_cast<int32_t>(s.number - 1);
      }
      if (s.hash == hash && s.size == text.size() &&
          (text.size() <= kInline ? short_equal(s.text, text.data(), text.size()) : at(s.number - 1) == text))
        return static_cast<int32_t>(s.number - 1);
    }
  }
  void prefetch(uint64_t hash) const { slot_prefetch(slots_, hash); }
  // Address space for n texts of about kInline bytes, so the table doubles in the room it has and rarely moves (a
  // move makes the kernel flush every thread's TLB).
  void reserve(size_t n) {
    size_t slots = 16;
    while (slots < 2 * n) slots *= 2;
    slots_.reserve(slots);
    offsets_.reserve(n);
    bytes_.reserve(n * kInline);
  }
  size_t size() const { return offsets_.size(); }
  std::string_view at(size_t index) const {
    const size_t end = index + 1 < offsets_.size() ? offsets_[index + 1] : bytes_.size();
    return {bytes_.data() + offsets_[index], end - offsets_[index]};
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
  // All zero bytes: an empty slot (the state of the pages a remap adds).
  struct Slot {
    uint64_t hash;
    uint32_t number;  // index + 1; 0: empty
    uint32_t size;
    char text[kInline];
  };
  // Puts s at the first empty slot from its home under mask; false (nothing written) when the probe would pass the
  // table's last slot to its first.
  bool slot_place(const Slot& s, size_t mask, bool may_wrap) {
    for (size_t j = s.hash & mask;; j = (j + 1) & mask) {
      if (slots_[j].number == 0) {
        slots_[j] = s;
        return true;
      }
      if (j == mask && !may_wrap) return false;
    }
  }
  // Doubles the table in place. The added half comes zeroed (empty) from the remap; every entry of the old half is
  // then taken out and put back under the new mask, one slot after another from just after an empty slot, so each
  // cluster is taken from its first slot. An entry then lands at or before its old place (its new home in the lower
  // half) or in the upper half, and its probe path crosses only slots already put back, which stay put: every entry
  // stays reachable. The one exception, a probe passing the last slot to the first (slots not yet taken), is rare
  // at a quarter load; the table is then rebuilt from a copy of its entries.
  void grow() {
    const size_t old = slots_.size();
    slots_.resize_zeroed(old == 0 ? 16 : 2 * old);
    if (old == 0) return;
    const size_t mask = 2 * old - 1;
    size_t empty = 0;
    while (slots_[empty].number != 0) ++empty;  // one exists: the load was under a half
    for (size_t t = 1; t <= old; ++t) {
      const size_t i = (empty + t) & (old - 1);
      if (slots_[i].number == 0) continue;
      const Slot s = slots_[i];
      slots_[i] = Slot{};
      if (!slot_place(s, mask, false)) {
        slots_[i] = s;
        return rebuild();
      }
    }
  }
  void rebuild() {
    std::vector<Slot> entries;
    for (const Slot& s : slots_)
      if (s.number != 0) entries.push_back(s);
    std::fill(slots_.begin(), slots_.end(), Slot{});
    for (const Slot& s : entries) slot_place(s, slots_.size() - 1, true);
  }
  PageArray<Slot> slots_;
  PageArray<size_t> offsets_;  // where each text starts in bytes_
  PageArray<char> bytes_;
};

}  // namespace kseg
