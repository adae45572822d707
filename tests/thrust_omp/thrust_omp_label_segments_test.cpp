// label_segments.hpp (the Thrust part of the centroid update) on Thrust's OpenMP backend, against a naive
// reference. Built by g++ with THRUST_DEVICE_SYSTEM=THRUST_DEVICE_SYSTEM_OMP: no GPU needed.
#include <gtest/gtest.h>
#include <thrust/execution_policy.h>

#include <cstdint>
#include <random>
#include <vector>

#include "common/reduction_order.hpp"
#include "kernels/label_segments.hpp"

namespace kseg {
namespace {

void check_segments(const std::vector<int32_t>& labels, int32_t k, uint64_t seed) {
  const auto n = static_cast<int32_t>(labels.size());
  std::vector<int32_t> keys(labels.size()), perm(labels.size()), seg(k + 1), pieces(k + 1);
  label_segments(thrust::device, labels.data(), n, k, keys.data(), perm.data(), seg.data(), pieces.data());
  // Reference: a stable counting sort.
  std::vector<int32_t> ref_perm, ref_seg(k + 1, 0), ref_pieces(k + 1, 0);
  for (int32_t c = 0; c < k; ++c) {
    ref_seg[c] = static_cast<int32_t>(ref_perm.size());
    for (int32_t i = 0; i < n; ++i) {
      if (labels[i] == c) ref_perm.push_back(i);
    }
    const int32_t count = static_cast<int32_t>(ref_perm.size()) - ref_seg[c];
    ref_pieces[c + 1] = ref_pieces[c] + (count + kPieceRows - 1) / kPieceRows;
  }
  ref_seg[k] = n;
  EXPECT_EQ(perm, ref_perm) << "seed " << seed << " n " << n << " k " << k;
  EXPECT_EQ(seg, ref_seg) << "seed " << seed;
  EXPECT_EQ(pieces, ref_pieces) << "seed " << seed;
  for (int32_t i = 0; i < n; ++i) ASSERT_EQ(keys[i], labels[perm[i]]);
}

TEST(thrust_omp, label_segments_random) {
  for (uint64_t seed : {1, 2, 3}) {
    std::mt19937_64 rng(seed);
    for (int32_t k : {1, 2, 17, 1500}) {
      for (int32_t n : {1, 255, 256, 257, 5000}) {
        std::uniform_int_distribution<int32_t> label(0, k - 1);
        std::vector<int32_t> labels(n);
        for (auto& l : labels) l = label(rng);
        check_segments(labels, k, seed);
      }
    }
  }
}

TEST(thrust_omp, label_segments_empty_clusters_and_one_big) {
  std::vector<int32_t> labels(3000, 4);  // only cluster 4 of 9: 12 pieces, all others empty
  labels[7] = 0;
  labels[2999] = 8;
  check_segments(labels, 9, 0);
  check_segments({}, 3, 0);
}

}  // namespace
}  // namespace kseg
