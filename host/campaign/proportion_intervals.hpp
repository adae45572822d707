// Rates of 0/1 outcomes and their comparison: Wilson score intervals per group, Newcombe's hybrid score interval of
// the difference, the pooled two-proportion z test. Counts may be weighted (frequency weights: successes = Σw·y,
// n = Σw), so they are doubles.
#pragma once

namespace kseg {

struct Interval {
  double low = 0.0;   // NaN when undefined (an empty group)
  double high = 0.0;  // NaN when undefined
};

// Wilson's score interval for successes / n at level 1 − alpha (statsmodels proportion_confint(method="wilson")).
// n = 0: NaN. 0 successes: [0, z²/(n + z²)]; n successes: [n/(n + z²), 1] — never the empty [0, 0] of the Wald
// interval.
Interval wilson_interval(double successes, double n, double alpha);

// Newcombe's hybrid score interval (method 10 of Newcombe 1998) for p1 − p0 from the two Wilson intervals
// (statsmodels confint_proportions_2indep(method="newcomb", compare="diff")). NaN when either group is empty.
Interval newcombe_interval(double successes1, double n1, double successes0, double n0, double alpha);

struct ProportionTest {
  double z = 0.0;        // (p1 − p0) / √(p̄(1 − p̄)(1/n1 + 1/n0)), p̄ pooled
  double p_value = 1.0;  // two-sided
};

// The pooled two-proportion z test (statsmodels proportions_ztest([x1, x0], [n1, n0])). Empty group: z and p NaN.
// No variance (both groups all 0 or all 1): the rates are equal, z = 0 and p = 1 (no evidence of a difference).
ProportionTest two_proportion_z_test(double successes1, double n1, double successes0, double n0);

}  // namespace kseg
