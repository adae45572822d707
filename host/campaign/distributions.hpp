// The normal, Student's t and chi-square distributions the campaign statistics need, over Boost.Math (one place
// that includes it), with the edge cases spelled out instead of Boost's domain errors: infinite or NaN arguments and
// degrees of freedom that are not positive give NaN, probabilities of exactly 0 or 1 give ∓infinity.
#pragma once

namespace kseg {

double normal_cdf(double z);
// The z with normal_cdf(z) = p; p in (0, 1).
double normal_quantile(double p);
// Two-sided p-value of a standard normal statistic: 2·(1 − Φ(|z|)), computed from the upper tail (no cancellation).
double normal_two_sided_p(double z);

// Student's t with df > 0 degrees of freedom (not necessarily whole: Welch–Satterthwaite).
double t_quantile(double p, double df);
double t_two_sided_p(double t, double df);

// Upper tail P(X ≥ x) of a chi-square with df > 0 degrees of freedom; 1 for x ≤ 0.
double chi_square_upper_p(double x, double df);

}  // namespace kseg
