// Population stability index (PSI) between two distributions over the same bins.
#pragma once

#include <string>
#include <vector>

namespace kseg {

constexpr double kPsiFloor = 1e-4;    // shares below it count as it (an empty bin would give an infinite PSI)
constexpr double kPsiModerate = 0.1;  // PSI at or above it: a moderate shift
constexpr double kPsiMajor = 0.25;    // PSI at or above it: a major shift

// One bin's term, (q − p)·ln(q / p), with both shares floored at kPsiFloor.
double psi_term(double expected_share, double actual_share);

// Σ over bins of psi_term. Both vectors hold shares (each summing to 1) over the same bins.
double psi(const std::vector<double>& expected, const std::vector<double>& actual);

// "stable" (< 0.1), "moderate" (< 0.25) or "major".
std::string psi_flag(double value);

// Counts → shares (all zero when the total is zero).
std::vector<double> shares_of(const std::vector<double>& counts);

}  // namespace kseg
