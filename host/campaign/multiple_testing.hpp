// p-values adjusted for testing many segments at once. NaN entries (tests that could not run) are left NaN and do
// not count towards the number of tests m.
#pragma once

#include <vector>

namespace kseg {

// Benjamini–Hochberg step-up adjusted p-values, controlling the false discovery rate
// (statsmodels multipletests(p, method="fdr_bh")): p_(i)·m/i made monotone from the largest down, capped at 1.
std::vector<double> benjamini_hochberg_adjust(const std::vector<double>& p);

// Holm's step-down adjusted p-values, controlling the family-wise error rate
// (statsmodels multipletests(p, method="holm")): (m − i + 1)·p_(i) made monotone from the smallest up, capped at 1.
std::vector<double> holm_adjust(const std::vector<double>& p);

}  // namespace kseg
