// The campaign statistics against fixed values computed independently with scipy 1.17.1 / statsmodels 0.15.0
// (the exact call is written beside each value), and their degenerate cases.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "host/campaign/bootstrap.hpp"
#include "host/campaign/cuped.hpp"
#include "host/campaign/distributions.hpp"
#include "host/campaign/heterogeneity.hpp"
#include "host/campaign/multiple_testing.hpp"
#include "host/campaign/power.hpp"
#include "host/campaign/proportion_intervals.hpp"
#include "host/campaign/srm_check.hpp"
#include "host/campaign/welch_t.hpp"

namespace kseg {
namespace {

constexpr double kTight = 1e-12;

TEST(Distributions, MatchScipy) {
  EXPECT_NEAR(normal_cdf(1.2345), 0.8914916766373298, kTight);                     // scipy.stats.norm.cdf(1.2345)
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, kTight);                  // norm.ppf(0.975)
  EXPECT_NEAR(t_quantile(0.975, 7.5), 2.333039626864974, 1e-10);                   // t.ppf(0.975, 7.5)
  EXPECT_NEAR(t_two_sided_p(2.1, 13.3), 0.055344850708222815, 1e-12);              // 2*t.sf(2.1, 13.3)
  EXPECT_NEAR(chi_square_upper_p(7.8, 3), 0.050331097859853326, 1e-12);            // chi2.sf(7.8, 3)
  EXPECT_NEAR(chi_square_upper_p(150.0, 40) / 1.2397921541617078e-14, 1.0, 1e-9);  // chi2.sf(150, 40): no cancellation
  EXPECT_TRUE(std::isnan(t_quantile(0.5, 0.0)));
  EXPECT_TRUE(std::isinf(normal_quantile(1.0)));
  EXPECT_EQ(chi_square_upper_p(0.0, 2), 1.0);
}

TEST(Wilson, MatchStatsmodels) {
  // statsmodels.stats.proportion.proportion_confint(17, 250, alpha=0.05, method="wilson")
  Interval i = wilson_interval(17, 250, 0.05);
  EXPECT_NEAR(i.low, 0.042885918578360334, kTight);
  EXPECT_NEAR(i.high, 0.1061892521857038, kTight);
  i = wilson_interval(3, 11, 0.1);  // proportion_confint(3, 11, alpha=0.1, method="wilson")
  EXPECT_NEAR(i.low, 0.11469412885053898, kTight);
  EXPECT_NEAR(i.high, 0.5204899835674237, kTight);
}

TEST(Wilson, NoneAndAllConverted) {
  Interval i = wilson_interval(0, 40, 0.05);  // proportion_confint(0, 40, method="wilson") = (0.0, 0.0876…)
  EXPECT_EQ(i.low, 0.0);
  EXPECT_NEAR(i.high, 0.08762160119728668, kTight);
  i = wilson_interval(40, 40, 0.05);  // proportion_confint(40, 40, method="wilson") = (0.9123…, 1.0)
  EXPECT_NEAR(i.low, 0.9123783988027134, kTight);
  EXPECT_EQ(i.high, 1.0);
  i = wilson_interval(0, 0, 0.05);  // an empty group
  EXPECT_TRUE(std::isnan(i.low) && std::isnan(i.high));
}

TEST(Newcombe, MatchStatsmodels) {
  // statsmodels confint_proportions_2indep(56, 70, 48, 80, method="newcomb", compare="diff")
  Interval i = newcombe_interval(56, 70, 48, 80, 0.05);
  EXPECT_NEAR(i.low, 0.05243147240236498, kTight);
  EXPECT_NEAR(i.high, 0.33387265403690614, kTight);
  i = newcombe_interval(9, 10, 3, 10, 0.05);  // confint_proportions_2indep(9, 10, 3, 10, method="newcomb")
  EXPECT_NEAR(i.low, 0.1705227239345029, kTight);
  EXPECT_NEAR(i.high, 0.809017973535488, kTight);
  i = newcombe_interval(0, 50, 0, 60, 0.05);  // no conversions at all: confint_proportions_2indep(0, 50, 0, 60, …)
  EXPECT_NEAR(i.low, -0.060171852142089886, kTight);
  EXPECT_NEAR(i.high, 0.07134759913335874, kTight);
  i = newcombe_interval(5, 10, 0, 0, 0.05);
  EXPECT_TRUE(std::isnan(i.low));
}

TEST(TwoProportionZ, MatchStatsmodels) {
  ProportionTest t = two_proportion_z_test(56, 70, 48, 80);  // proportions_ztest([56, 48], [70, 80])
  EXPECT_NEAR(t.z, 2.6501719512585336, 1e-12);
  EXPECT_NEAR(t.p_value, 0.00804508136819656, 1e-14);
  t = two_proportion_z_test(120, 1000, 100, 1000);  // proportions_ztest([120, 100], [1000, 1000])
  EXPECT_NEAR(t.z, 1.4293008498232314, 1e-12);
  EXPECT_NEAR(t.p_value, 0.1529177818639462, 1e-13);
}

TEST(TwoProportionZ, Degenerate) {
  EXPECT_EQ(two_proportion_z_test(0, 50, 0, 60).p_value, 1.0);    // nobody converted: no evidence
  EXPECT_EQ(two_proportion_z_test(50, 50, 60, 60).p_value, 1.0);  // everybody converted
  EXPECT_TRUE(std::isnan(two_proportion_z_test(3, 10, 0, 0).p_value));
}

TEST(Welch, MatchScipy) {
  const std::vector<double> a = {12.1, 15.3, 9.8, 20.4, 11.0, 13.7, 17.2}, b = {10.2, 9.9, 8.7, 12.1, 11.5, 9.0};
  const WelchResult r = welch_compare(mean_summary(a, {}), mean_summary(b, {}), 0.05);
  EXPECT_NEAR(r.t, 2.6385003546733756, 1e-12);          // scipy.stats.ttest_ind(a, b, equal_var=False).statistic
  EXPECT_NEAR(r.p_value, 0.030573786592413252, 1e-12);  // … .pvalue
  EXPECT_NEAR(r.df, 7.760786645062888, 1e-12);          // (va+vb)²/(va²/6+vb²/5), va = var(a, ddof=1)/7
  EXPECT_NEAR(r.ci.low, 0.48291235291188395, 1e-10);    // d ∓ scipy.stats.t.ppf(0.975, df)·se
  EXPECT_NEAR(r.ci.high, 7.4789924089928785, 1e-10);
}

TEST(Welch, WeightedSummaryMatchesDescrStatsW) {
  // statsmodels DescrStatsW([1, 2, 3, 10], weights=[1, 2, 0.5, 3]): mean, var_ddof(1), sum_weights
  const MeanSummary s = mean_summary({1.0, 2.0, 3.0, 10.0}, {1.0, 2.0, 0.5, 3.0});
  EXPECT_NEAR(s.mean, 5.615384615384615, kTight);
  EXPECT_NEAR(s.variance, 19.734265734265733, 1e-11);
  EXPECT_EQ(s.n, 6.5);
}

TEST(Welch, Degenerate) {
  WelchResult r = welch_compare(mean_summary({3.0, 3.0, 3.0}, {}), mean_summary({3.0, 3.0}, {}), 0.05);
  EXPECT_EQ(r.p_value, 1.0);  // zero variance, equal means
  EXPECT_EQ(r.ci.low, 0.0);
  r = welch_compare(mean_summary({4.0, 4.0, 4.0}, {}), mean_summary({3.0, 3.0}, {}), 0.05);
  EXPECT_EQ(r.p_value, 0.0);  // zero variance, different means
  r = welch_compare(mean_summary({4.0}, {}), mean_summary({3.0, 5.0}, {}), 0.05);
  EXPECT_TRUE(std::isnan(r.p_value));  // one user in a group: no variance estimate
  EXPECT_EQ(r.difference, 0.0);
  r = welch_compare(mean_summary({}, {}), mean_summary({3.0, 5.0}, {}), 0.05);
  EXPECT_TRUE(std::isnan(r.difference));  // an empty group
}

TEST(Srm, MatchScipy) {
  SrmResult r = srm_check({5210, 4790}, {0.5, 0.5});  // scipy.stats.chisquare([5210, 4790], f_exp=[5000, 5000])
  EXPECT_NEAR(r.chi_square, 17.64, 1e-9);
  EXPECT_NEAR(r.p_value, 2.6691498031812692e-05, 1e-15);
  EXPECT_TRUE(r.mismatch);
  r = srm_check({310, 350, 340}, {2, 1, 1});  // chisquare([310, 350, 340], f_exp=[500, 250, 250])
  EXPECT_NEAR(r.chi_square, 144.6, 1e-9);
  EXPECT_NEAR(r.p_value / 3.985739938003254e-32, 1.0, 1e-8);
  EXPECT_FALSE(srm_check({5010, 4990}, {1, 1}).mismatch);
  EXPECT_TRUE(std::isnan(srm_check({0, 0}, {1, 1}).p_value));
  EXPECT_TRUE(srm_check({10, 3}, {1, 0}).mismatch);  // users where none were meant to be
}

TEST(MultipleTesting, MatchStatsmodels) {
  const std::vector<double> p = {0.01, 0.04, 0.03, 0.20, 0.005, 0.5};
  // statsmodels.stats.multitest.multipletests(p, method="fdr_bh")[1]
  const std::vector<double> bh = {0.03, 0.06, 0.06, 0.24, 0.03, 0.5};
  // multipletests(p, method="holm")[1]
  const std::vector<double> holm = {0.05, 0.12, 0.12, 0.4, 0.03, 0.5};
  const std::vector<double> got_bh = benjamini_hochberg_adjust(p), got_holm = holm_adjust(p);
  for (size_t i = 0; i < p.size(); ++i) {
    EXPECT_NEAR(got_bh[i], bh[i], 1e-15) << i;
    EXPECT_NEAR(got_holm[i], holm[i], 1e-15) << i;
  }
}

TEST(MultipleTesting, MissingAndSingle) {
  const std::vector<double> bh = benjamini_hochberg_adjust({0.02, NAN, 0.04});  // m = 2, not 3
  EXPECT_NEAR(bh[0], 0.04, 1e-15);
  EXPECT_TRUE(std::isnan(bh[1]));
  EXPECT_NEAR(bh[2], 0.04, 1e-15);
  EXPECT_EQ(holm_adjust({0.3})[0], 0.3);  // one segment: nothing to correct
  EXPECT_EQ(holm_adjust({0.6, 0.7})[1], 1.0);
}

TEST(Cuped, MatchNumpy) {
  const std::vector<double> x = {3, 5, 2, 8, 6, 4, 7, 1}, y = {4.1, 6.3, 2.2, 9.9, 6.8, 5.5, 8.1, 1.4};
  // numpy: np.cov(x, y)[0, 1] / np.var(x, ddof=1)
  const double theta = cuped_theta(y, x, {});
  EXPECT_NEAR(theta, 1.1654761904761903, 1e-13);
  const std::vector<double> adjusted = cuped_adjust(y, x, {}, theta);
  const std::vector<double> a1(adjusted.begin(), adjusted.begin() + 4), a0(adjusted.begin() + 4, adjusted.end());
  const std::vector<double> y1(y.begin(), y.begin() + 4), y0(y.begin() + 4, y.end());
  const WelchResult adj = welch_compare(mean_summary(a1, {}), mean_summary(a0, {}), 0.05);
  const WelchResult raw = welch_compare(mean_summary(y1, {}), mean_summary(y0, {}), 0.05);
  EXPECT_NEAR(adj.difference, 0.1750000000000007, 1e-12);  // adj = y − θ(x − x̄); a1.mean() − a0.mean()
  EXPECT_NEAR(adj.p_value, 0.5658203541906118, 1e-10);     // scipy.stats.ttest_ind(a1, a0, equal_var=False)
  EXPECT_NEAR(cuped_variance_reduction(raw.se, adj.se), 0.9829861645282709, 1e-12);  // 1 − se_adj²/se_raw²
  EXPECT_EQ(cuped_theta(y, std::vector<double>(8, 2.0), {}), 0.0);  // constant pre-metric: no adjustment
}

TEST(Heterogeneity, MatchStatsmodels) {
  // statsmodels.stats.meta_analysis.combine_effects(eff, se**2, use_t=False): q, i2, mean_effect_fe, sd_eff_w_fe
  const Heterogeneity h = heterogeneity_test({0.02, 0.05, -0.01, 0.03}, {0.01, 0.015, 0.012, 0.02});
  EXPECT_NEAR(h.q, 10.395348837209305, 1e-11);
  EXPECT_NEAR(h.i_squared, 0.7114093959731544, 1e-12);
  EXPECT_NEAR(h.pooled, 0.017906976744186044, 1e-14);
  EXPECT_NEAR(h.pooled_se, 0.0064699663922063045, 1e-14);
  EXPECT_NEAR(h.p_value, 0.015487872804472362, 1e-12);  // scipy.stats.chi2.sf(q, 3)
  EXPECT_EQ(h.segments, 4);
}

TEST(Heterogeneity, OneSegmentAndZeroErrors) {
  const Heterogeneity one = heterogeneity_test({0.02}, {0.01});
  EXPECT_TRUE(std::isnan(one.p_value));
  EXPECT_EQ(one.segments, 1);
  const Heterogeneity skipped = heterogeneity_test({0.02, 0.0, 0.03}, {0.01, 0.0, 0.01});  // se 0: left out
  EXPECT_EQ(skipped.segments, 2);
  EXPECT_EQ(heterogeneity_test({0.02, 0.02}, {0.01, 0.03}).i_squared, 0.0);
}

TEST(Power, SampleSizeMatchesStatsmodels) {
  // p1 = p0(1 + mde); z = scipy.stats.norm.ppf(1 − alpha/2) + norm.ppf(power);
  // z²(p0(1−p0) + p1(1−p1))/(p1 − p0)² = 39472.0161840415, rounded up. statsmodels
  // NormalIndPower().solve_power(effect_size=(p1−p0)/sqrt((p0(1−p0)+p1(1−p1))/2), alpha=0.05, power=0.8, ratio=1)
  // gives 39471.9195 (it also counts the far tail): within 0.1 user.
  EXPECT_EQ(sample_size_per_group(0.04, 0.1, 0.05, 0.8), 39473);
  // p0 = 0.1, p1 = 0.12, alpha=0.01, power=0.9: 7276.020325762539 (solve_power: 7276.0203244)
  EXPECT_EQ(sample_size_per_group(0.1, 0.2, 0.01, 0.9), 7277);
  EXPECT_EQ(sample_size_per_group(0.6, 1.0, 0.05, 0.8), -1);  // 1.2 is no rate
  EXPECT_EQ(sample_size_per_group(0.04, 0.0, 0.05, 0.8), -1);
}

TEST(Power, MinimumDetectableEffect) {
  // (norm.ppf(0.975) + norm.ppf(0.8)) * sqrt(0.05*0.95*(1/2000 + 1/1800))
  EXPECT_NEAR(mde_proportion(0.05, 2000, 1800, 0.05, 0.8), 0.01983769414278738, 1e-14);
  EXPECT_TRUE(std::isnan(mde_proportion(0.05, 0, 1800, 0.05, 0.8)));
  EXPECT_NEAR(mde_mean(4.0, 100, 4.0, 100, 0.05, 0.8), (1.959963984540054 + 0.8416212335729143) * std::sqrt(0.08),
              1e-12);  // norm.ppf(0.8) = 0.8416212335729143
}

TEST(Bootstrap, DeterministicAndNearTheTInterval) {
  std::vector<double> a, b;
  for (int i = 0; i < 400; ++i) {  // a fixed, spread sample: two shifted arithmetic sequences
    a.push_back(10.0 + 0.05 * ((i * 37) % 400));
    b.push_back(9.0 + 0.05 * ((i * 53) % 400));
  }
  const Interval x = bootstrap_mean_difference(a, {}, b, {}, {2000, 7, 0.05});
  const Interval y = bootstrap_mean_difference(a, {}, b, {}, {2000, 7, 0.05});
  EXPECT_EQ(x.low, y.low);
  EXPECT_EQ(x.high, y.high);
  const Interval other = bootstrap_mean_difference(a, {}, b, {}, {2000, 8, 0.05});
  EXPECT_NE(x.low, other.low);
  // For a mean of 400 values the percentile interval is close to the normal one: 1 ± 1.96·se.
  const WelchResult w = welch_compare(mean_summary(a, {}), mean_summary(b, {}), 0.05);
  EXPECT_NEAR(x.low, w.ci.low, 0.15 * (w.ci.high - w.ci.low));
  EXPECT_NEAR(x.high, w.ci.high, 0.15 * (w.ci.high - w.ci.low));
  EXPECT_TRUE(std::isnan(bootstrap_mean_difference({}, {}, b, {}, {100, 7, 0.05}).low));
}

TEST(Bootstrap, QuantileMatchesNumpy) {
  std::vector<double> v = {5, 1, 4, 2, 3};
  EXPECT_NEAR(quantile_linear(v, 0.025), 1.1, 1e-15);  // numpy.quantile([5, 1, 4, 2, 3], 0.025)
  EXPECT_NEAR(quantile_linear(v, 0.975), 4.9, 1e-15);  // numpy.quantile(..., 0.975)
}

}  // namespace
}  // namespace kseg
