// CUPED (Deng, Xu, Kohavi & Walker 2013): the outcome y adjusted by its pre-campaign value x,
// y − θ·(x − mean x), with θ = cov(x, y) / var(x) pooled over all groups. Randomisation makes x independent of the
// group, so the adjustment keeps the difference of means unbiased while removing the variance x explains.
#pragma once

#include <vector>

namespace kseg {

// θ over all users of the comparison (every group together), frequency weights w (empty: unweighted). 0 when x
// has no variance (a constant pre-metric explains nothing) or there are fewer than 2 users.
double cuped_theta(const std::vector<double>& y, const std::vector<double>& x, const std::vector<double>& w);

// The adjusted outcomes y − θ·(x − x_mean), x_mean the weighted mean of x over the same users as θ.
std::vector<double> cuped_adjust(const std::vector<double>& y, const std::vector<double>& x,
                                 const std::vector<double>& w, double theta);

// 1 − se_adjusted² / se_raw²: the share of the difference's variance removed (NaN when se_raw is 0 or NaN).
double cuped_variance_reduction(double se_raw, double se_adjusted);

}  // namespace kseg
