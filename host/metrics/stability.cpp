#include "host/metrics/stability.hpp"

#include <limits>
#include <string>

#include "host/error.hpp"

namespace kseg {
namespace {

double pairs(double count) { return count * (count - 1.0) / 2.0; }

}  // namespace

double adjusted_rand_index_dense(const int32_t* a, const int32_t* b, int64_t n, int64_t k) {
  std::vector<int64_t> joint(static_cast<size_t>(k * k), 0);
  for (int64_t i = 0; i < n; ++i) {
    KSEG_EXPECTS(
        a[i] >= 0 && a[i] < k && b[i] >= 0 && b[i] < k, DataError,
        "adjusted Rand index: a label of row " + std::to_string(i) + " is outside [0, " + std::to_string(k) + ")");
    ++joint[a[i] * k + b[i]];
  }
  double index = 0.0;
  double sum_rows = 0.0;
  double sum_cols = 0.0;
  for (int64_t r = 0; r < k; ++r) {
    int64_t row = 0;
    int64_t col = 0;
    for (int64_t c = 0; c < k; ++c) {
      index += pairs(static_cast<double>(joint[r * k + c]));
      row += joint[r * k + c];
      col += joint[c * k + r];
    }
    sum_rows += pairs(static_cast<double>(row));
    sum_cols += pairs(static_cast<double>(col));
  }
  const double total = pairs(static_cast<double>(n));
  const double expected = total > 0.0 ? sum_rows * sum_cols / total : 0.0;
  const double maximum = 0.5 * (sum_rows + sum_cols);
  if (maximum == expected) return 1.0;  // both partitions trivial, as adjusted_rand_index
  return (index - expected) / (maximum - expected);
}

double stability_mean_ari(const std::vector<std::vector<int32_t>>& labelings, int64_t k) {
  if (labelings.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  double total = 0.0;
  int pairs_count = 0;
  for (size_t a = 0; a < labelings.size(); ++a)
    for (size_t b = a + 1; b < labelings.size(); ++b) {
      KSEG_EXPECTS(labelings[a].size() == labelings[b].size(), DataError, "stability: the labelings differ in length");
      total += adjusted_rand_index_dense(labelings[a].data(), labelings[b].data(),
                                         static_cast<int64_t>(labelings[a].size()), k);
      ++pairs_count;
    }
  return total / pairs_count;
}

}  // namespace kseg
