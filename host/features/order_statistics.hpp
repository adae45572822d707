// Order statistics (the values a full ascending sort would put at given positions) without sorting or copying the
// input: the median and quartiles of the preparation and the deciles of the drift reference, one column of a
// million rows at a time.
#pragma once

#include <cstddef>
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

}  // namespace kseg
