#include "host/features/order_statistics.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace kseg {
namespace {

constexpr int kPrefixBits = 16;
constexpr size_t kPrefixes = size_t{1} << kPrefixBits;
// Below this many values a selection on a copy is cheaper than two passes over 2^16 counters.
constexpr size_t kSelectDirect = size_t{1} << 15;
// The values copied out of one level at once: at most 1/kGatherShare of them (or one prefix's).
constexpr size_t kGatherShare = 8;

// An unsigned key in the order of the doubles: the sign bit flipped for positive values, every bit for negative ones.
// 0.0 and -0.0 get the same key, as they compare equal.
inline uint64_t order_key(double v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(bits));
  if (v == 0.0) bits = 0;
  return (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
}

// Puts the values at the sorted positions [first, last) (ascending, offsets from base) where a full sort would put
// them, in O(n log m): each selection splits the range, and the positions on each side are found within their part.
void positions_select(double* begin, double* end, const size_t* first, const size_t* last, size_t base) {
  if (first == last) return;
  const size_t* middle = first + (last - first) / 2;
  std::nth_element(begin, begin + (*middle - base), end);
  positions_select(begin, begin + (*middle - base), first, middle, base);
  positions_select(begin + (*middle - base) + 1, end, middle + 1, last, *middle + 1);
}

// out[i] = the positions[i]-th smallest of data[0, n) (positions ascending, unique); every value of data shares the
// key bits above shift + kPrefixBits.
void radix_select(const double* data, size_t n, int shift, const std::vector<size_t>& positions, double* out) {
  if (n <= kSelectDirect || shift < 0) {
    std::vector<double> copy(data, data + n);
    positions_select(copy.data(), copy.data() + n, positions.data(), positions.data() + positions.size(), 0);
    for (size_t i = 0; i < positions.size(); ++i) out[i] = copy[positions[i]];
    return;
  }
  const auto prefix = [shift](double v) { return static_cast<size_t>((order_key(v) >> shift) & (kPrefixes - 1)); };
  std::vector<size_t> start(kPrefixes + 1, 0);  // start[p]: sorted index of the first value with prefix p
  for (size_t i = 0; i < n; ++i) ++start[prefix(data[i]) + 1];
  for (size_t p = 0; p < kPrefixes; ++p) start[p + 1] += start[p];
  // The prefixes holding a wanted position, in ascending order.
  std::vector<size_t> wanted;
  for (size_t pos : positions) {
    const size_t p = static_cast<size_t>(std::upper_bound(start.begin(), start.end(), pos) - start.begin()) - 1;
    if (wanted.empty() || wanted.back() != p) wanted.push_back(p);
  }
  // Their values are copied out a few prefixes at a time, at most n / kGatherShare values (or one prefix) at once:
  // the copy stays small beside the input even when the wanted prefixes hold most of it (a column of few values).
  std::vector<int32_t> group_of(kPrefixes, -1);
  std::vector<double> buffer;
  size_t at = 0;  // positions done
  for (size_t first = 0; first < wanted.size();) {
    size_t last = first, gathered = 0;
    for (; last < wanted.size(); ++last) {
      const size_t size = start[wanted[last] + 1] - start[wanted[last]];
      if (last > first && gathered + size > n / kGatherShare) break;
      gathered += size;
    }
    std::vector<size_t> fill;
    for (size_t g = first, offset = 0; g < last; ++g) {
      group_of[wanted[g]] = static_cast<int32_t>(g - first);
      fill.push_back(offset);
      offset += start[wanted[g] + 1] - start[wanted[g]];
    }
    buffer.resize(gathered);
    for (size_t i = 0; i < n; ++i) {
      const int32_t g = group_of[prefix(data[i])];
      if (g >= 0) buffer[fill[static_cast<size_t>(g)]++] = data[i];
    }
    // Each prefix's positions, relative to it, narrowed down on the next bits.
    for (size_t g = first, offset = 0; g < last; ++g) {
      const size_t p = wanted[g], size = start[p + 1] - start[p];
      std::vector<size_t> inside;
      for (size_t i = at; i < positions.size() && positions[i] < start[p + 1]; ++i)
        inside.push_back(positions[i] - start[p]);
      radix_select(buffer.data() + offset, size, shift - kPrefixBits, inside, out + at);
      at += inside.size();
      offset += size;
      group_of[p] = -1;
    }
    first = last;
  }
}

constexpr uint32_t kFloatSignBit = uint32_t{1} << 31;

// The float counterpart of order_key: 0.0 and -0.0 share the key of 0.0.
inline uint32_t float_order_key(float v) {
  uint32_t bits = 0;
  std::memcpy(&bits, &v, sizeof(bits));
  if (v == 0.0f) bits = 0;
  return (bits >> 31) != 0 ? ~bits : bits | kFloatSignBit;
}

inline float float_of_order_key(uint32_t key) {
  const uint32_t bits = (key & kFloatSignBit) != 0 ? key & ~kFloatSignBit : ~key;
  float v = 0.0f;
  std::memcpy(&v, &bits, sizeof(v));
  return v;
}

}  // namespace

FloatOrder::FloatOrder(const float* values, size_t n) : values_(values), n_(n) {
  if (n <= kSelectDirect) {  // few values (a wide table of few rows): a sorted copy, not 2^16 counters per column
    for (size_t i = 0; i < n; ++i)
      if (values[i] == values[i]) sorted_.push_back(values[i] == 0.0f ? 0.0f : values[i]);
    std::sort(sorted_.begin(), sorted_.end());
    present_ = sorted_.size();
    return;
  }
  start_.assign(kPrefixes + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    const float v = values[i];
    if (v == v) ++start_[(float_order_key(v) >> kPrefixBits) + 1];
  }
  for (size_t p = 0; p < kPrefixes; ++p) start_[p + 1] += start_[p];
  present_ = start_[kPrefixes];
}

std::vector<double> FloatOrder::at(const std::vector<size_t>& positions, bool descending) const {
  // Ascending positions, their prefixes, and a slot of 2^16 low-bit counts per distinct prefix.
  std::vector<size_t> ascending(positions.size());
  for (size_t i = 0; i < positions.size(); ++i) ascending[i] = descending ? present_ - 1 - positions[i] : positions[i];
  if (start_.empty()) {  // the sorted copy
    std::vector<double> out(ascending.size());
    for (size_t i = 0; i < ascending.size(); ++i) out[i] = sorted_[ascending[i]];
    return out;
  }
  std::vector<int32_t> slot_of(kPrefixes, -1);
  std::vector<size_t> prefix_of(ascending.size());
  int32_t slots = 0;
  for (size_t i = 0; i < ascending.size(); ++i) {
    const auto found = std::upper_bound(start_.begin(), start_.end(), static_cast<uint64_t>(ascending[i]));
    prefix_of[i] = static_cast<size_t>(found - start_.begin()) - 1;
    if (slot_of[prefix_of[i]] < 0) slot_of[prefix_of[i]] = slots++;
  }
  // 32-bit counts (half the cache of 64-bit ones) while no prefix can hold more values.
  return n_ <= UINT32_MAX ? low_select<uint32_t>(ascending, prefix_of, slot_of, slots)
                          : low_select<uint64_t>(ascending, prefix_of, slot_of, slots);
}

template <typename Count>
std::vector<double> FloatOrder::low_select(const std::vector<size_t>& ascending, const std::vector<size_t>& prefix_of,
                                           const std::vector<int32_t>& slot_of, int32_t slots) const {
  std::vector<Count> low(static_cast<size_t>(slots) * kPrefixes, 0);
  if (slots > 0) {
    for (size_t i = 0; i < n_; ++i) {
      const float v = values_[i];
      if (v != v) continue;
      const uint32_t key = float_order_key(v);
      const int32_t slot = slot_of[key >> kPrefixBits];
      if (slot >= 0) ++low[static_cast<size_t>(slot) * kPrefixes + (key & (kPrefixes - 1))];
    }
  }
  std::vector<double> out(ascending.size());
  for (size_t i = 0; i < ascending.size(); ++i) {
    const Count* counts = low.data() + static_cast<size_t>(slot_of[prefix_of[i]]) * kPrefixes;
    uint64_t rank = ascending[i] - start_[prefix_of[i]], seen = 0;
    size_t bits = 0;
    while (seen + counts[bits] <= rank) seen += counts[bits++];
    out[i] = float_of_order_key(static_cast<uint32_t>(prefix_of[i] << kPrefixBits | bits));
  }
  return out;
}

std::vector<double> order_statistics(const std::vector<double>& values, const std::vector<size_t>& positions) {
  std::vector<size_t> unique = positions;
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  std::vector<double> selected(unique.size());
  radix_select(values.data(), values.size(), 64 - kPrefixBits, unique, selected.data());
  std::vector<double> out;
  out.reserve(positions.size());
  for (size_t pos : positions)
    out.push_back(selected[static_cast<size_t>(std::lower_bound(unique.begin(), unique.end(), pos) - unique.begin())]);
  return out;
}

std::vector<double> quantiles_linear(const std::vector<double>& values, const std::vector<double>& qs) {
  return quantiles_linear(values.size(), qs, [&values](const std::vector<size_t>& positions) {
    return order_statistics(values, positions);
  });
}

std::vector<double> quantiles_linear(size_t n, const std::vector<double>& qs,
                                     const std::function<std::vector<double>(const std::vector<size_t>&)>& select) {
  std::vector<size_t> positions;
  for (double q : qs) {
    const auto lo = static_cast<size_t>(q * static_cast<double>(n - 1));
    positions.push_back(lo);
    positions.push_back(std::min(lo + 1, n - 1));
  }
  const std::vector<double> at = select(positions);
  std::vector<double> out;
  for (size_t i = 0; i < qs.size(); ++i) {
    const double pos = qs[i] * static_cast<double>(n - 1);
    const double a = at[2 * i], b = at[2 * i + 1];
    out.push_back(positions[2 * i] + 1 >= n ? a : a + (pos - static_cast<double>(positions[2 * i])) * (b - a));
  }
  return out;
}

}  // namespace kseg
