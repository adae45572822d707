#include "host/dynamics/hungarian.hpp"

#include <cmath>
#include <limits>

#include "host/error.hpp"

namespace kseg {
namespace {

// Shortest augmenting paths with potentials (Jonker–Volgenant form of Kuhn–Munkres) for n <= m: every one of the n
// rows is matched. a(i, j) is the cost of row i, column j (0-based). Returns the column of each row.
template <class Cost>
std::vector<int64_t> assign_rows(int64_t n, int64_t m, const Cost& a) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(static_cast<size_t>(n + 1), 0.0), v(static_cast<size_t>(m + 1), 0.0);
  std::vector<int64_t> owner(static_cast<size_t>(m + 1), 0);  // owner[j]: 1-based row matched to column j, 0 = free
  std::vector<int64_t> way(static_cast<size_t>(m + 1), 0);
  for (int64_t i = 1; i <= n; ++i) {
    owner[0] = i;
    int64_t j0 = 0;
    std::vector<double> min_v(static_cast<size_t>(m + 1), inf);
    std::vector<char> used(static_cast<size_t>(m + 1), 0);
    do {
      used[j0] = 1;
      const int64_t i0 = owner[j0];
      double delta = inf;
      int64_t j1 = 0;
      for (int64_t j = 1; j <= m; ++j) {
        if (used[j]) continue;
        const double reduced = a(i0 - 1, j - 1) - u[i0] - v[j];
        if (reduced < min_v[j]) {
          min_v[j] = reduced;
          way[j] = j0;
        }
        if (min_v[j] < delta) {
          delta = min_v[j];
          j1 = j;
        }
      }
      for (int64_t j = 0; j <= m; ++j) {
        if (used[j]) {
          u[owner[j]] += delta;
          v[j] -= delta;
        } else {
          min_v[j] -= delta;
        }
      }
      j0 = j1;
    } while (owner[j0] != 0);
    do {  // flip the augmenting path
      const int64_t j1 = way[j0];
      owner[j0] = owner[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<int64_t> column(static_cast<size_t>(n), -1);
  for (int64_t j = 1; j <= m; ++j)
    if (owner[j] > 0) column[owner[j] - 1] = j - 1;
  return column;
}

}  // namespace

std::vector<int64_t> hungarian_assign(const std::vector<double>& cost, int64_t rows, int64_t cols) {
  KSEG_EXPECTS(rows >= 0 && cols >= 0 && static_cast<int64_t>(cost.size()) == rows * cols, DataError,
               "hungarian_assign: the cost matrix must hold rows × cols values");
  for (double c : cost) KSEG_EXPECTS(std::isfinite(c), DataError, "hungarian_assign: costs must be finite");
  if (rows == 0 || cols == 0) return std::vector<int64_t>(static_cast<size_t>(rows), -1);
  if (rows <= cols) return assign_rows(rows, cols, [&](int64_t i, int64_t j) { return cost[i * cols + j]; });
  // More rows than columns: match every column to a row on the transpose, then invert.
  const std::vector<int64_t> row_of_column =
      assign_rows(cols, rows, [&](int64_t j, int64_t i) { return cost[i * cols + j]; });
  std::vector<int64_t> column(static_cast<size_t>(rows), -1);
  for (int64_t j = 0; j < cols; ++j) column[row_of_column[j]] = j;
  return column;
}

}  // namespace kseg
