#include "host/events/rfm_segments.hpp"

#include <algorithm>
#include <numeric>

namespace kseg {

std::vector<int> quintile_scores(const std::vector<double>& values, bool lower_is_better) {
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
