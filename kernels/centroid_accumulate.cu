#include <thrust/system/cuda/execution_policy.h>

#include <exception>

#include "kernels/centroid_accumulate.cuh"
#include "common/host_device.hpp"
#include "common/reduction_order.hpp"
#include "kernels/cuda_check.cuh"
#include "kernels/label_segments.hpp"
#include "kernels/thrust_temp_cache.cuh"

namespace kseg {

constexpr int kPieceThreadsMax = 256;

// Block p sums piece p: the rows of one cluster at sorted positions [start, end), row by row, one thread per column
// (coalesced along the row); column d is the weight.
static __global__ void piece_sums_kernel(AccumulateBatch b) {
  const int32_t p = static_cast<int32_t>(blockIdx.x);
  const int32_t k = static_cast<int32_t>(b.k);
  if (p >= b.piece_begin[k]) return;  // the grid is sized by the upper bound
  const int64_t c = first_greater(b.piece_begin + 1, b.k, p);
  const int64_t start = b.segment_begin[c] + static_cast<int64_t>(p - b.piece_begin[c]) * kPieceRows;
  const int64_t end = start + kPieceRows < b.segment_begin[c + 1] ? start + kPieceRows : b.segment_begin[c + 1];
  const int64_t width = b.d + 1;
  for (int64_t j = threadIdx.x; j < width; j += blockDim.x) {
    double sum = 0.0;
    for (int64_t pos = start; pos < end; ++pos) {
      const int64_t i = b.perm[pos];
      const float w = b.weights ? b.weights[i] : 1.0f;
      sum += j < b.d ? weighted(w, b.x[i * b.d + j]) : static_cast<double>(w);
    }
    b.piece_sums[p * width + j] = sum;
  }
}

// accum[c][j] += Σ of cluster c's pieces in order, one thread per element.
static __global__ void pieces_reduce_kernel(AccumulateBatch b) {
  const int64_t width = b.d + 1;
  const int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (e >= b.k * width) return;
  const int64_t c = e / width;
  const int64_t j = e % width;
  double sum = 0.0;
  for (int64_t p = b.piece_begin[c]; p < b.piece_begin[c + 1]; ++p) sum += b.piece_sums[p * width + j];
  b.accum[e] += sum;
}

int64_t accumulate_pieces_max(int64_t rows, int64_t k) { return (rows + kPieceRows - 1) / kPieceRows + k; }

void centroid_accumulate_launch(const AccumulateBatch& batch, ThrustTempCache& temp, cudaStream_t stream) {
  if (batch.rows <= 0) return;
  try {
    label_segments(thrust::cuda::par(temp).on(stream), batch.labels, static_cast<int32_t>(batch.rows),
                   static_cast<int32_t>(batch.k), batch.keys, batch.perm, batch.segment_begin, batch.piece_begin);
  } catch (const CudaError&) {
    throw;
  } catch (const std::exception& e) {  // thrust::system_error from a failed CUDA call inside Thrust
    throw CudaError(cuda_error_format("label_segments (Thrust)", __FILE__, __LINE__, e.what()));
  }
  KSEG_CUDA_LAUNCH_CHECK();
  const int64_t width = batch.d + 1;
  const int threads = static_cast<int>(width >= kPieceThreadsMax ? kPieceThreadsMax : (width + 31) / 32 * 32);
  const int64_t pieces = accumulate_pieces_max(batch.rows, batch.k);
  piece_sums_kernel<<<static_cast<unsigned>(pieces), threads, 0, stream>>>(batch);
  KSEG_CUDA_LAUNCH_CHECK();
  const int64_t elements = batch.k * width;
  pieces_reduce_kernel<<<static_cast<unsigned>((elements + 255) / 256), 256, 0, stream>>>(batch);
  KSEG_CUDA_LAUNCH_CHECK();
}

}  // namespace kseg
