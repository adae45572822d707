// RFM quintile scores and the rule-based RFM segment names (README "From event logs to profiles").
#pragma once

#include <string>
#include <vector>

namespace kseg {

// Quintile scores 1..5: score = 1 + ⌊5·b / n⌋ where b is the number of users with a strictly worse value (larger
// when lower_is_better, e.g. recency; smaller otherwise). Tied users share a score (the lowest their values could
// get: pandas rank(method="min")), so a quintile may hold more or fewer than n/5 users.
std::vector<int> quintile_scores(const std::vector<double>& values, bool lower_is_better);

// The F–M score: ⌊(F + M + 1) / 2⌋ (the mean, halves rounded up), or F alone when there are no amounts (m = 0).
inline int rfm_fm_score(int f, int m) { return m == 0 ? f : (f + m + 1) / 2; }

// Segment of an R score and an F–M score (both 1..5), as tabulated in the README:
// champions, loyal, potential loyalists, new, promising, need attention, about to sleep, at risk,
// can't lose them, hibernating, lost.
std::string rfm_segment_name(int r, int fm);

}  // namespace kseg
