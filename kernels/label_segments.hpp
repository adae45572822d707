// Groups rows by label with Thrust, templated on the execution policy: thrust::cuda::par on the GPU
// (centroid_accumulate.cu), the OpenMP system in the CPU tests (tests/thrust_omp). Integer work only, so the
// result is the same on every backend and every run.
#pragma once

#include <thrust/binary_search.h>
#include <thrust/copy.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/scan.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>
#include <thrust/transform.h>

#include <cstdint>

#include "common/host_device.hpp"
#include "common/reduction_order.hpp"

namespace kseg {

// Piece count of a cluster segment: its rows cut into runs of at most kPieceRows.
struct PieceCount {
  const int32_t* segment_begin;  // k + 1 segment offsets
  int32_t k;
  KSEG_HD int32_t operator()(int32_t c) const {
    if (c >= k) return 0;
    return (segment_begin[c + 1] - segment_begin[c] + kPieceRows - 1) / kPieceRows;
  }
};

// For n labels in [0, k): perm = row indices sorted stably by label (keys = the sorted labels), segment_begin[c] =
// first sorted position of label c (k + 1 entries, the last n), piece_begin[c] = first piece of cluster c (k + 1
// entries, the last the number of pieces). All pointers are memory the policy can access; n < 2^31.
template <typename Policy>
void label_segments(Policy&& policy, const int32_t* labels, int32_t n, int32_t k, int32_t* keys, int32_t* perm,
                    int32_t* segment_begin, int32_t* piece_begin) {
  thrust::copy(policy, labels, labels + n, keys);
  thrust::sequence(policy, perm, perm + n);
  thrust::stable_sort_by_key(policy, keys, keys + n, perm);
  thrust::lower_bound(policy, keys, keys + n, thrust::counting_iterator<int32_t>(0),
                      thrust::counting_iterator<int32_t>(k + 1), segment_begin);
  thrust::transform(policy, thrust::counting_iterator<int32_t>(0), thrust::counting_iterator<int32_t>(k + 1),
                    piece_begin, PieceCount{segment_begin, k});
  thrust::exclusive_scan(policy, piece_begin, piece_begin + k + 1, piece_begin);
}

}  // namespace kseg
