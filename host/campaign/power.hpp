// How large an effect a comparison can detect, and how many users a planned one needs: the normal approximation
// for a two-sided test at level alpha with the given power, z = z_{1−α/2} + z_{power}.
#pragma once

#include <cstdint>

namespace kseg {

// The smallest absolute difference of rates detectable with n1 and n0 users, at the control rate p0:
// z·√(p0(1 − p0)(1/n1 + 1/n0)). NaN for an empty group; 0 when p0 is 0 or 1 (no variance: read it as "unknown").
double mde_proportion(double p0, double n1, double n0, double alpha, double power);

// The smallest absolute difference of means detectable: z·√(v1/n1 + v0/n0). NaN when a group has < 2 users.
double mde_mean(double variance1, double n1, double variance0, double n0, double alpha, double power);

// Users per group (equal groups) to detect a relative change mde of a baseline rate p0 (p1 = p0·(1 + mde)):
// ⌈z²·(p0(1 − p0) + p1(1 − p1)) / (p1 − p0)²⌉, the unpooled normal approximation. statsmodels
// NormalIndPower().solve_power(effect_size = (p1 − p0)/√((p0(1 − p0) + p1(1 − p1))/2), alpha, power, ratio=1) agrees
// to within a fraction of a user (it also counts the far tail). −1 when p1 leaves (0, 1] or mde = 0 (no finite size
// detects it), or when the size exceeds kSampleSizeMax (the lift is too small to plan for).
constexpr double kSampleSizeMax = 1e15;
int64_t sample_size_per_group(double p0, double relative_mde, double alpha, double power);

}  // namespace kseg
