// profile_build against the same features computed independently with pandas groupby (the .venv interpreter,
// KSEG_PYTHON), on a random unsorted log with time zones, dates without times, refunds, missing amounts and
// categories, and events after the reference date. Skipped, with the reason, where pandas is not installed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>

#include "../io/test_files.hpp"
#include "host/events/profile_build.hpp"
#include "profile_requests.hpp"
#include "profile_twins.hpp"

namespace kseg {
namespace {

const char* kReference = R"PY(
import sys
import numpy as np
import pandas as pd

events, as_of_text, out = sys.argv[1], sys.argv[2], sys.argv[3]
ev = pd.read_csv(events, dtype=str, keep_default_na=False)
ts = pd.to_datetime(ev["time"], utc=True, format="ISO8601")  # offsets converted to UTC; dates are midnight UTC
epoch = pd.Timestamp("1970-01-01", tz="UTC")
ev["day"] = (ts - epoch).dt.days  # floor division by whole days
ev["sec"] = (ts - epoch).dt.total_seconds()
as_of = (pd.Timestamp(as_of_text, tz="UTC") - epoch).days
ev["order"] = np.arange(len(ev))
ev = ev[ev["day"] <= as_of].copy()
ev["amt"] = pd.to_numeric(ev["amount"].replace("", np.nan))
has_time = ev["time"].str.len() > 10
ev["weekend"] = pd.to_datetime(ev["time"].str[:10]).dt.dayofweek >= 5  # the local date as written
ev["part"] = pd.to_numeric(ev["time"].str[11:13].where(has_time), errors="coerce") // 6  # local clock
g = ev.groupby("user", sort=False)  # users in order of their first kept event
o = pd.DataFrame(index=g.size().index)
o["recency_days"] = as_of - g["day"].max()
o["frequency"] = g.size()
o["active_days"] = g["day"].nunique()
o["tenure_days"] = as_of - g["day"].min()
o["interpurchase_days"] = g["day"].apply(lambda d: np.diff(np.unique(d)).mean() if d.nunique() > 1 else np.nan)
o["monetary_total"] = g["amt"].sum()
o["monetary_mean"] = g["amt"].mean()
o["monetary_max"] = g["amt"].max()
o["refunds"] = g["amt"].apply(lambda a: int((a < 0).sum()))
age = as_of - ev["day"]
for w in (7, 30, 90):
    inside = ev[age < w].groupby("user")
    o[f"events_{w}d"] = inside.size().reindex(o.index, fill_value=0)
    o[f"amount_{w}d"] = inside["amt"].sum().reindex(o.index, fill_value=0.0)
recent = ev[age < 30].groupby("user").size().reindex(o.index, fill_value=0)
prior = ev[(age >= 30) & (age < 60)].groupby("user").size().reindex(o.index, fill_value=0)
o["trend_30d"] = np.where(recent + prior > 0, (recent - prior) / (recent + prior).clip(lower=1), 0.0)
counts = ev.loc[ev["cat"] != "", "cat"].value_counts()
top = sorted(counts.index, key=lambda c: (-counts[c], c))[:3]
for c in top:
    o["share_" + c] = (ev["cat"] == c).groupby(ev["user"]).mean()
o["share_(other)"] = (~ev["cat"].isin(top)).groupby(ev["user"]).mean()
o["weekend_share"] = ev["weekend"].groupby(ev["user"]).mean()
timed = ev[has_time]
for q, name in enumerate(["night", "morning", "afternoon", "evening"]):
    o[name + "_share"] = (timed["part"] == q).groupby(timed["user"]).mean().reindex(o.index)
dev = ev[ev["device"] != ""].sort_values(["sec", "order"], kind="stable")
o["last_device"] = dev.groupby("user")["device"].last().reindex(o.index).fillna("")
vc = dev.groupby(["user", "device"]).size().reset_index(name="n").sort_values(["user", "n", "device"],
                                                                               ascending=[True, False, True])
o["mode_device"] = vc.groupby("user")["device"].first().reindex(o.index).fillna("")
n = len(o)
score = lambda rank: (1 + (5 * (rank - 1)) // n).astype(int)
o["rfm_r"] = score(o["recency_days"].rank(method="min", ascending=False))
o["rfm_f"] = score(o["frequency"].rank(method="min"))
o["rfm_m"] = score(o["monetary_total"].rank(method="min"))
grid = {5: ["new", "potential loyalists", "potential loyalists", "champions", "champions"],
        4: ["promising", "potential loyalists", "potential loyalists", "loyal", "loyal"],
        3: ["about to sleep", "about to sleep", "need attention", "loyal", "loyal"],
        2: ["hibernating", "hibernating", "at risk", "at risk", "can't lose them"],
        1: ["lost", "lost", "at risk", "at risk", "can't lose them"]}
fm = (o["rfm_f"] + o["rfm_m"] + 1) // 2
o["rfm_segment"] = [grid[r][x - 1] for r, x in zip(o["rfm_r"], fm)]
o.index.name = "user"
o.to_csv(out)
)PY";

// The category mix as shares of spend: positive amounts only (refunds and missing amounts are no spend), events
// without a category in (other), empty for a user without spend; categories ranked by events as before.
const char* kSpendReference = R"PY(
import sys
import numpy as np
import pandas as pd

events, as_of_text, out = sys.argv[1], sys.argv[2], sys.argv[3]
ev = pd.read_csv(events, dtype=str, keep_default_na=False)
ts = pd.to_datetime(ev["time"], utc=True, format="ISO8601")
epoch = pd.Timestamp("1970-01-01", tz="UTC")
ev = ev[(ts - epoch).dt.days <= (pd.Timestamp(as_of_text, tz="UTC") - epoch).days].copy()
amt = pd.to_numeric(ev["amount"].replace("", np.nan))
ev["spend"] = amt.where(amt > 0, 0.0)
counts = ev.loc[ev["cat"] != "", "cat"].value_counts()
top = sorted(counts.index, key=lambda c: (-counts[c], c))[:3]
g = ev.groupby("user", sort=False)
total = g["spend"].sum()
o = pd.DataFrame(index=total.index)
for c in top:
    o["share_" + c] = ev["spend"].where(ev["cat"] == c, 0.0).groupby(ev["user"]).sum() / total
o["share_(other)"] = ev["spend"].where(~ev["cat"].isin(top), 0.0).groupby(ev["user"]).sum() / total
o = o.where(total > 0)
o.index.name = "user"
o.to_csv(out)
)PY";

using test::fields_split;

std::string random_log(std::mt19937_64& rng) {
  const char* zones[] = {"Z", "+02:00", "-05:00", "+0530", "", "-01:00"};
  const char* cats[] = {"shoes", "books", "food", "toys", "music", "garden", ""};
  const char* devices[] = {"ios", "android", "web", ""};
  std::string log = "user,time,amount,cat,device\n";
  for (int i = 0; i < 6000; ++i) {
    const int user = static_cast<int>(rng() % 400), day = 1 + static_cast<int>(rng() % 28);
    const int month = 1 + static_cast<int>(rng() % 6);
    char time[64];
    if (rng() % 5 == 0) {
      std::snprintf(time, sizeof(time), "2024-%02d-%02d", month, day);
    } else {
      std::snprintf(time, sizeof(time), "2024-%02d-%02dT%02d:%02d:%02d%s", month, day, static_cast<int>(rng() % 24),
                    static_cast<int>(rng() % 60), static_cast<int>(rng() % 60), zones[rng() % 6]);
    }
    const int kind = static_cast<int>(rng() % 20);
    const std::string amount = kind == 0   ? ""
                               : kind == 1 ? "-" + std::to_string(rng() % 5000) + ".25"
                                           : std::to_string(rng() % 20000) + "." + std::to_string(rng() % 100);
    log += "u" + std::to_string(user) + "," + time + "," + amount + "," + cats[rng() % 7] + "," + devices[rng() % 4] +
           "\n";
  }
  return log;
}

// A request for random_log(seed) on two threads: its columns, cat the category, the reference day 2024-05-20 (June's
// events and some of May's are left out) and the 3 most frequent categories.
ProfileBuildRequest request_of_random_log(const test::ScratchDir& dir, uint64_t seed) {
  std::mt19937_64 rng(seed);
  ProfileBuildRequest r = test::request_user_time_amount(dir.file_write("events.csv", random_log(rng)), 2);
  r.category_column = "cat";
  r.as_of = "2024-05-20";
  r.max_categories = 3;
  return r;
}

TEST(ProfilePandas, EveryFeatureMatchesPandasGroupby) {
  const std::string why = test::python_module_missing("pandas", false);
  if (!why.empty()) GTEST_SKIP() << why;
  test::ScratchDir dir;
  ProfileBuildRequest r = request_of_random_log(dir, 2024);
  r.last_columns = {"device"};
  r.mode_columns = {"device"};
  r.rfm_scores = true;
  const ProfileBuildProducts p = profile_build(r);
  const ProfileTable& t = p.users;
  const std::string ref = dir.file("reference.csv");
  ASSERT_NO_FATAL_FAILURE(test::python_script_run(dir, kReference, r.events_path + " " + r.as_of + " " + ref));

  std::istringstream in(test::file_read(ref));
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> names = fields_split(line);
  size_t row = 0, checked = 0;
  for (; std::getline(in, line); ++row) {
    const std::vector<std::string> cells = fields_split(line);
    ASSERT_LT(row, t.ids.size());
    ASSERT_EQ(cells[0], t.ids[row]) << "user order differs at row " << row;
    for (size_t c = 1; c < names.size(); ++c) {
      const auto num = std::find(t.numeric_names.begin(), t.numeric_names.end(), names[c]);
      if (num != t.numeric_names.end()) {
        const double mine = t.numeric[num - t.numeric_names.begin()][row];
        if (cells[c].empty()) {
          EXPECT_TRUE(std::isnan(mine)) << names[c] << " of " << cells[0] << ": " << mine;
        } else {
          const double theirs = std::stod(cells[c]);
          EXPECT_NEAR(mine, theirs, 1e-9 * std::max(1.0, std::fabs(theirs))) << names[c] << " of " << cells[0];
        }
      } else {
        const auto text = std::find(t.categorical_names.begin(), t.categorical_names.end(), names[c]);
        ASSERT_NE(text, t.categorical_names.end()) << "pandas has " << names[c] << ", profile_build does not";
        EXPECT_EQ(t.categorical[text - t.categorical_names.begin()][row], cells[c]) << names[c] << " of " << cells[0];
      }
      ++checked;
    }
  }
  EXPECT_EQ(row, t.ids.size());
  EXPECT_EQ(names.size() - 1, t.numeric_names.size() + t.categorical_names.size());  // every column compared
  EXPECT_GT(p.events_after_as_of, 0);
  EXPECT_GT(checked, 300u * 30u);
}

TEST(ProfilePandas, CategorySharesOfSpendMatchPandas) {
  const std::string why = test::python_module_missing("pandas", false);
  if (!why.empty()) GTEST_SKIP() << why;
  test::ScratchDir dir;
  ProfileBuildRequest r = request_of_random_log(dir, 7);
  r.category_share_amount = true;
  r.families = {false, false, true, false};
  const ProfileTable t = profile_build(r).users;
  const std::string ref = dir.file("spend.csv");
  ASSERT_NO_FATAL_FAILURE(test::python_script_run(dir, kSpendReference, r.events_path + " " + r.as_of + " " + ref));
  std::istringstream in(test::file_read(ref));
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> names = fields_split(line);
  ASSERT_EQ(names.size() - 1, t.numeric_names.size());  // three categories and (other)
  size_t row = 0;
  for (; std::getline(in, line); ++row) {
    const std::vector<std::string> cells = fields_split(line);
    ASSERT_LT(row, t.ids.size());
    ASSERT_EQ(cells[0], t.ids[row]);
    for (size_t c = 1; c < names.size(); ++c) {
      ASSERT_EQ(names[c], t.numeric_names[c - 1]);
      const double mine = t.numeric[c - 1][row];
      if (cells[c].empty()) {
        EXPECT_TRUE(std::isnan(mine)) << names[c] << " of " << cells[0];
      } else {
        EXPECT_NEAR(mine, std::stod(cells[c]), 1e-9) << names[c] << " of " << cells[0];
      }
    }
  }
  EXPECT_EQ(row, t.ids.size());
  EXPECT_GT(row, 300u);
}

}  // namespace
}  // namespace kseg
