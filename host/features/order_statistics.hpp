// Order statistics (the values a full ascending sort would put at given positions) without sorting or copying the
// input: the median and quartiles of the preparation and the deciles of the drift reference, one column of a
// million rows at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace kseg {

// The values at the given positions of values sorted ascending (positions ascending and < values.size(), repeats
// allowed), in the order of positions. values must hold no NaN; -0.0 and 0.0 count as equal, as std::sort sees them.
// Radix selection: one pass counts values per 16-bit prefix of their order key, a second copies out only the values
// of the prefixes that hold a wanted position, which are narrowed down the same way (or selected directly once few).
std::vector<double> order_statistics(const std::vector<double>& values, const std::vector<size_t>& positions);

// The q-quantiles of values (non-empty, no NaN) for each q in [0, 1], by linear interpolation between the order
// statistics around q·(n − 1), as numpy's default: exactly a + (q·(n − 1) − lo)·(b − a).
std::vector<double> quantiles_linear(const std::vector<double>& values, const std::vector<double>& qs);
// The same for n values whose order statistics select returns (the values at the given positions, in their order).
std::vector<double> quantiles_linear(size_t n, const std::vector<double>& qs,
                                     const std::function<std::vector<double>(const std::vector<size_t>&)>& select);

// Order statistics of the present (non-NaN) values of a float column, read in place: the preparation's median and
// quartiles and the drift reference's deciles come from here without a copy of the column. Two passes: the
// constructor counts the values per 16-bit prefix of their 32-bit order key; at() counts, for the prefixes that
// hold a wanted position only, the values per remaining 16 bits, which fixes each wanted value exactly (a float has
// no more bits); a column of few values is sorted on a copy instead. -0.0 and 0.0 count as equal and come back as
// 0.0.
class FloatOrder {
 public:
  FloatOrder(const float* values, size_t n);
  size_t size() const { return present_; }  // the present values
  // The values at the given positions (ascending or not, repeats allowed, each < size()) of the present values
  // sorted ascending; descending: of the values sorted descending (the order of c − v, as for days before a date).
  std::vector<double> at(const std::vector<size_t>& positions, bool descending = false) const;

 private:
  // The second pass, with counters of type Count.
  template <typename Count>
  std::vector<double> low_select(const std::vector<size_t>& ascending, const std::vector<size_t>& prefix_of,
                                 const std::vector<int32_t>& slot_of, int32_t slots) const;

  const float* values_;
  size_t n_;
  size_t present_ = 0;
  std::vector<uint64_t> start_;  // start_[p]: ascending index of the first present value with prefix p; empty when
                                 // sorted_ holds the present values instead (few values)
  std::vector<float> sorted_;
};

}  // namespace kseg
