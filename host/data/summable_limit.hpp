// The largest magnitude kseg accepts for a value it sums, averages or squares over many rows (event amounts, campaign
// outcomes): finite values beyond it sum or square to infinity (1e308 + 1e308), and infinity minus infinity is NaN,
// which reads as "missing". At 1e15, a user's 2^32 amounts sum to under 1e25, and squares summed over a billion rows
// stay under 1e40, far inside a double's range. Values that large are corrupted cells or a wrong unit.
#pragma once

namespace kseg {

constexpr double kSummableLimit = 1e15;

}  // namespace kseg
