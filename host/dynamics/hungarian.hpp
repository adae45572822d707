// Optimal assignment (Kuhn–Munkres, the "Hungarian" method) on a dense rectangular cost matrix, O(r²·c).
#pragma once

#include <cstdint>
#include <vector>

namespace kseg {

// cost: rows × cols row-major, finite. Chooses min(rows, cols) pairs (row, col), each row and each column used at
// most once, with the smallest total cost. Returns, for every row, its column, or −1 for a row left unmatched
// (only when rows > cols). Ties are broken deterministically (same input → same answer).
std::vector<int64_t> hungarian_assign(const std::vector<double>& cost, int64_t rows, int64_t cols);

}  // namespace kseg
