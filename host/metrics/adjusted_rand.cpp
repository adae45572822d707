#include "host/metrics/adjusted_rand.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "host/error.hpp"

namespace kseg {
namespace {

double pairs(double count) { return count * (count - 1.0) / 2.0; }

}  // namespace

double adjusted_rand_index(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  KSEG_EXPECTS(a.size() == b.size(), DataError, "adjusted Rand index: the two labelings differ in length");
  std::map<std::pair<int32_t, int32_t>, double> joint;
  std::map<int32_t, double> rows;
  std::map<int32_t, double> cols;
  for (size_t i = 0; i < a.size(); ++i) {
    joint[{a[i], b[i]}] += 1.0;
    rows[a[i]] += 1.0;
    cols[b[i]] += 1.0;
  }
  double index = 0.0;
  for (const auto& cell : joint) index += pairs(cell.second);
  double sum_rows = 0.0;
  for (const auto& r : rows) sum_rows += pairs(r.second);
  double sum_cols = 0.0;
  for (const auto& c : cols) sum_cols += pairs(c.second);
  const double total = pairs(static_cast<double>(a.size()));
  const double expected = total > 0.0 ? sum_rows * sum_cols / total : 0.0;
  const double maximum = 0.5 * (sum_rows + sum_cols);
  if (maximum == expected) return 1.0;
  return (index - expected) / (maximum - expected);
}

}  // namespace kseg
