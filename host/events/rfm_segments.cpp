#include "host/events/rfm_segments.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace kseg {

namespace {

// The definition, sorting every user: the reference for values a threshold cannot order (NaN).
std::vector<int> quintile_scores_sorted(const std::vector<double>& values, bool lower_is_better) {
  const size_t n = values.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  // Worst first: the largest values when lower is better, the smallest otherwise.
  const auto worse = [&](size_t a, size_t b) {
    return lower_is_better ? values[a] > values[b] : values[a] < values[b];
  };
  std::stable_sort(order.begin(), order.end(), worse);
  std::vector<int> scores(n);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && values[order[j]] == values[order[i]]) ++j;  // a run of tied users: i of them are worse
    const int score = 1 + static_cast<int>(5 * i / n);
    for (size_t k = i; k < j; ++k) scores[order[k]] = score;
    i = j;
  }
  return scores;
}

}  // namespace

std::vector<int> quintile_scores(const std::vector<double>& values, bool lower_is_better) {
  const size_t n = values.size();
  if (std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); }))
    return quintile_scores_sorted(values, lower_is_better);
  // score = 1 + ⌊5b / n⌋ ≥ k + 1 exactly when b ≥ t_k = ⌈k·n / 5⌉, and b (the users strictly worse than v) is at
  // least t_k exactly when the value at place t_k − 1 of the worst-first order is strictly worse than v. So four
  // order statistics (a partial sort each: linear) decide every user's score with four comparisons.
  std::vector<double> worst_first = values;
  // Worst first: descending when lower is better (larger is worse), else ascending; sign-flipped to sort ascending.
  if (lower_is_better)
    for (double& v : worst_first) v = -v;
  double threshold[4] = {};
  auto begin = worst_first.begin();
  for (size_t k = 1; k <= 4 && n > 0; ++k) {
    const size_t place = (k * n + 4) / 5 - 1;
    std::nth_element(begin, worst_first.begin() + static_cast<std::ptrdiff_t>(place), worst_first.end());
    threshold[k - 1] = worst_first[place];
    begin = worst_first.begin() + static_cast<std::ptrdiff_t>(place);
  }
  std::vector<int> scores(n);
  for (size_t i = 0; i < n; ++i) {
    const double v = lower_is_better ? -values[i] : values[i];
    int score = 1;
    for (double t : threshold) score += t < v ? 1 : 0;
    scores[i] = score;
  }
  return scores;
}

std::string rfm_segment_name(int r, int fm) {
  if (r >= 4 && fm == 1) return r == 5 ? "new" : "promising";
  if (r >= 4 && fm <= 3) return "potential loyalists";
  if (r == 5) return "champions";  // fm 4-5
  if (r >= 3 && fm >= 4) return "loyal";
  if (r == 3) return fm == 3 ? "need attention" : "about to sleep";
  if (fm == 5) return "can't lose them";  // r 1-2 from here on
  if (fm >= 3) return "at risk";
  return r == 2 ? "hibernating" : "lost";
}

}  // namespace kseg
