// The campaign statistics on random inputs against scipy and statsmodels, run here through KSEG_PYTHON (the .venv
// of scripts/install-python-deps.sh); skipped with the reason where that interpreter or its packages are missing.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "../io/test_files.hpp"
#include "host/campaign/cuped.hpp"
#include "host/campaign/heterogeneity.hpp"
#include "host/campaign/multiple_testing.hpp"
#include "host/campaign/proportion_intervals.hpp"
#include "host/campaign/srm_check.hpp"
#include "host/campaign/welch_t.hpp"

namespace kseg {
namespace {

const char* kScript = R"PY(
import json, sys
import numpy as np
import scipy.stats as st
from statsmodels.stats.proportion import proportion_confint, confint_proportions_2indep, proportions_ztest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.meta_analysis import combine_effects
case = json.load(open(sys.argv[1]))
out = {"props": [], "welch": [], "srm": []}
for x1, n1, x0, n0 in case["props"]:
    w1 = proportion_confint(x1, n1, alpha=0.05, method="wilson")
    nc = confint_proportions_2indep(x1, n1, x0, n0, method="newcomb", compare="diff", alpha=0.05)
    z, p = proportions_ztest([x1, x0], [n1, n0])
    out["props"].append([float(w1[0]), float(w1[1]), float(nc[0]), float(nc[1]), float(p)])
for a, b in case["welch"]:
    t = st.ttest_ind(a, b, equal_var=False)
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    q = st.t.ppf(0.975, df) * np.sqrt(va + vb)
    d = np.mean(a) - np.mean(b)
    out["welch"].append([float(t.pvalue), float(df), float(d - q), float(d + q)])
for counts, shares in case["srm"]:
    exp = np.array(shares) / np.sum(shares) * np.sum(counts)
    out["srm"].append(float(st.chisquare(counts, f_exp=exp).pvalue))
out["bh"] = [float(v) for v in multipletests(case["p"], method="fdr_bh")[1]]
out["holm"] = [float(v) for v in multipletests(case["p"], method="holm")[1]]
res = combine_effects(np.array(case["effects"]), np.array(case["se"]) ** 2, use_t=False)
out["q"], out["i2"] = float(res.q), float(res.i2)
x, y, g = np.array(case["x"]), np.array(case["y"]), np.array(case["g"])
theta = np.cov(x, y)[0, 1] / np.var(x, ddof=1)
adj = y - theta * (x - x.mean())
out["theta"] = float(theta)
out["cuped_p"] = float(st.ttest_ind(adj[g == 1], adj[g == 0], equal_var=False).pvalue)
json.dump(out, open(sys.argv[2], "w"))
)PY";

// Runs the script on case.json; false (with the reason in why) when Python or its packages are not there.
bool python_run(const test::ScratchDir& dir, const nlohmann::json& input, nlohmann::json& output, std::string& why) {
  const std::string python = KSEG_PYTHON;
  if (python.empty() || !std::ifstream(python).good()) {
    why = "no Python at KSEG_PYTHON (" + python + "): run scripts/install-python-deps.sh";
    return false;
  }
  const std::string script = dir.file_write("reference.py", kScript);
  const std::string in = dir.file_write("case.json", input.dump());
  const std::string out = dir.file("out.json");
  const std::string command =
      "'" + python + "' '" + script + "' '" + in + "' '" + out + "' 2>'" + dir.file("err.txt") + "'";
  if (std::system(command.c_str()) != 0) {
    std::ifstream err(dir.file("err.txt"));
    std::string line, last;
    while (std::getline(err, line)) last = line;
    why = "the scipy/statsmodels reference did not run: " + last;
    return false;
  }
  output = nlohmann::json::parse(std::ifstream(out));
  return true;
}

TEST(CampaignReference, RandomCasesMatchScipyAndStatsmodels) {
  const uint64_t seed = 20261206;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> size(5, 3000);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  nlohmann::json input;
  std::vector<std::vector<double>> props;
  for (int c = 0; c < 25; ++c) {
    const int n1 = size(rng), n0 = size(rng);
    const double rate = unit(rng) * unit(rng);
    props.push_back({std::floor(rate * n1 * (0.5 + unit(rng))), static_cast<double>(n1),
                     std::floor(rate * n0 * (0.5 + unit(rng))), static_cast<double>(n0)});
    props.back()[0] = std::min(props.back()[0], props.back()[1]);
    props.back()[2] = std::min(props.back()[2], props.back()[3]);
  }
  input["props"] = props;
  std::vector<std::pair<std::vector<double>, std::vector<double>>> samples;
  for (int c = 0; c < 6; ++c) {
    std::vector<double> a(static_cast<size_t>(size(rng) / 10 + 2)), b(static_cast<size_t>(size(rng) / 10 + 2));
    std::lognormal_distribution<double> heavy(1.0, 1.0 + c * 0.2);
    for (double& v : a) v = heavy(rng) * 1.1;
    for (double& v : b) v = heavy(rng);
    samples.emplace_back(a, b);
  }
  input["welch"] = samples;
  input["srm"] = {{{5012, 4988}, {1, 1}}, {{5200, 4800}, {1, 1}}, {{300, 700}, {0.3, 0.7}}, {{90, 40, 70}, {2, 1, 1}}};
  std::vector<double> p(30);
  for (double& v : p) v = std::pow(unit(rng), 2.0);
  input["p"] = p;
  input["effects"] = {0.01, 0.03, -0.02, 0.04, 0.0, 0.015};
  input["se"] = {0.01, 0.02, 0.015, 0.01, 0.03, 0.012};
  std::vector<double> x(500), y(500), g(500);
  std::normal_distribution<double> noise(0.0, 1.0);
  for (size_t i = 0; i < x.size(); ++i) {
    g[i] = static_cast<double>(i % 2);
    x[i] = 5.0 + 2.0 * noise(rng);
    y[i] = 1.0 + 0.8 * x[i] + 0.3 * g[i] + noise(rng);
  }
  input["x"] = x;
  input["y"] = y;
  input["g"] = g;

  const test::ScratchDir dir;
  nlohmann::json ref;
  std::string why;
  if (!python_run(dir, input, ref, why)) GTEST_SKIP() << why;

  for (size_t c = 0; c < props.size(); ++c) {
    const std::vector<double>& q = props[c];
    const Interval w = wilson_interval(q[0], q[1], 0.05);
    const Interval n = newcombe_interval(q[0], q[1], q[2], q[3], 0.05);
    EXPECT_NEAR(w.low, ref["props"][c][0].get<double>(), 1e-12) << c;
    EXPECT_NEAR(w.high, ref["props"][c][1].get<double>(), 1e-12) << c;
    EXPECT_NEAR(n.low, ref["props"][c][2].get<double>(), 1e-12) << c;
    EXPECT_NEAR(n.high, ref["props"][c][3].get<double>(), 1e-12) << c;
    EXPECT_NEAR(two_proportion_z_test(q[0], q[1], q[2], q[3]).p_value, ref["props"][c][4].get<double>(), 1e-10) << c;
  }
  for (size_t c = 0; c < samples.size(); ++c) {
    const WelchResult r = welch_compare(mean_summary(samples[c].first, {}), mean_summary(samples[c].second, {}), 0.05);
    EXPECT_NEAR(r.p_value, ref["welch"][c][0].get<double>(), 1e-10) << c;
    EXPECT_NEAR(r.df, ref["welch"][c][1].get<double>(), 1e-8 * r.df) << c;
    EXPECT_NEAR(r.ci.low, ref["welch"][c][2].get<double>(), 1e-9) << c;
    EXPECT_NEAR(r.ci.high, ref["welch"][c][3].get<double>(), 1e-9) << c;
  }
  for (size_t c = 0; c < input["srm"].size(); ++c) {
    const double expected = ref["srm"][c].get<double>();
    const double got =
        srm_check(input["srm"][c][0].get<std::vector<double>>(), input["srm"][c][1].get<std::vector<double>>()).p_value;
    EXPECT_NEAR(got, expected, 1e-12 + 1e-9 * expected) << c;
  }
  const std::vector<double> bh = benjamini_hochberg_adjust(p), holm = holm_adjust(p);
  for (size_t i = 0; i < p.size(); ++i) {
    EXPECT_NEAR(bh[i], ref["bh"][i].get<double>(), 1e-14) << i;
    EXPECT_NEAR(holm[i], ref["holm"][i].get<double>(), 1e-14) << i;
  }
  const Heterogeneity h = heterogeneity_test(input["effects"], input["se"]);
  EXPECT_NEAR(h.q, ref["q"].get<double>(), 1e-10);
  EXPECT_NEAR(h.i_squared, ref["i2"].get<double>(), 1e-12);
  const double theta = cuped_theta(y, x, {});
  EXPECT_NEAR(theta, ref["theta"].get<double>(), 1e-12);
  const std::vector<double> adjusted = cuped_adjust(y, x, {}, theta);
  std::vector<double> a1, a0;
  for (size_t i = 0; i < adjusted.size(); ++i) (g[i] == 1.0 ? a1 : a0).push_back(adjusted[i]);
  EXPECT_NEAR(welch_compare(mean_summary(a1, {}), mean_summary(a0, {}), 0.05).p_value, ref["cuped_p"].get<double>(),
              1e-10);
}

}  // namespace
}  // namespace kseg
