// CudaBackend: the passes of host/backend.hpp on one GPU. Host-side orchestration only; the device work is in the
// one-operation files (row_norms, distance_argmin, centroid_accumulate, seeding_cost, prefix_scan, rows_sample).
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "kernels/centroid_accumulate.cuh"
#include "common/reduction_order.hpp"
#include "kernels/cuda_backend.hpp"
#include "kernels/cuda_check.cuh"
#include "kernels/distance_argmin.cuh"
#include "kernels/prefix_scan.cuh"
#include "kernels/row_norms.cuh"
#include "kernels/row_values.cuh"
#include "kernels/rows_sample.cuh"
#include "kernels/seeding_cost.cuh"
#include "kernels/thrust_temp_cache.cuh"
#include "kernels/workspace_plan.hpp"

namespace kseg {

#define KSEG_RESERVE(buffer, bytes, what) KSEG_DEVICE_RESERVE(buffer, budget_, bytes, what)

class CudaBackend final : public Backend {
 public:
  CudaBackend(const DataView& data, const CudaOptions& options, std::string* log);
  ~CudaBackend() override;
  CudaBackend(const CudaBackend&) = delete;
  CudaBackend& operator=(const CudaBackend&) = delete;

  std::string name() const override { return "cuda:" + std::to_string(device_); }
  int64_t n_rows() const override { return n_; }
  int64_t n_cols() const override { return d_; }
  void lloyd_pass(const float* centroids, int64_t k, LloydPartials& out) override;
  double assign(const float* centroids, int64_t k) override;
  void labels_get(int32_t* labels) const override;
  void distances_get(float* sq_distances) const override;
  void rows_get(const int64_t* rows, int64_t m, float* out) const override;
  void data_refresh() override;
  double seeding_reset() override;
  double seeding_update(const float* centres, int64_t m) override;
  void seeding_candidates_cost(const float* candidates, int64_t m, double* cost) override;
  void rows_sample(const double* targets, int64_t m, bool by_weight_only, int64_t* rows) const override;

 private:
  enum class Prefix { none, weights, potential };  // what prefix_ holds
  enum class Nearest { labels, labels_accumulate, min_dist };

  void device_guard() const { KSEG_CUDA_CHECK(cudaSetDevice(device_)); }
  void allocate_persistent();
  void stream_setup();
  void centres_upload(const float* centres, int64_t k);
  TilePlan pass_plan(int64_t k);
  template <typename Fn>
  void batches_for_each(Fn&& fn);
  void gemm(int64_t ct, int64_t tr, const float* centres, const float* x, float* dot);
  void nearest(const float* centres, int64_t k, Nearest mode);
  double prefix_compute(const float* values) const;  // scan of w·values (values null: w); returns the total

  DataView data_;
  int64_t n_ = 0, d_ = 0;
  int device_ = 0;
  bool tf32_ = false;
  mutable DeviceBudget budget_;  // const passes may still grow scratch buffers
  WorkspacePlan plan_;
  bool host_registered_ = false;
  cudaStream_t compute_ = nullptr, copy_ = nullptr;
  cudaEvent_t copied_[2] = {}, consumed_[2] = {};
  cublasHandle_t cublas_ = nullptr;
  // Per row: norms, labels, distances, seeding minimum distance, running best across centroid tiles, prefix sums.
  DeviceBuffer x_, staging_[2], weights_, norms_, labels_, dists_, min_dist_, run_dist_, run_label_;
  mutable DeviceBuffer prefix_, scan_scratch_, targets_, sample_rows_;
  mutable Prefix prefix_state_ = Prefix::none;
  // Per pass: centres and their norms, the dot tile, accumulation and candidate-cost scratch.
  DeviceBuffer centres_, c_norms_, dot_, accum_, keys_, perm_, segment_begin_, piece_begin_, piece_sums_;
  DeviceBuffer cost_scratch_, cost_, changed_;
  std::unique_ptr<ThrustTempCache> thrust_temp_;
};

CudaBackend::CudaBackend(const DataView& data, const CudaOptions& options, std::string* log)
    : data_(data), n_(data.n_rows), d_(data.n_cols), device_(options.device), tf32_(options.tf32) {
  KSEG_EXPECTS(data.x != nullptr && n_ > 0 && d_ > 0, DataError, "cuda backend: empty data");
  KSEG_EXPECTS(d_ <= INT_MAX / 2, DataError, "cuda backend: too many columns for cuBLAS: " + std::to_string(d_));
  int count = 0;
  KSEG_CUDA_CHECK(cudaGetDeviceCount(&count));
  KSEG_EXPECTS(device_ >= 0 && device_ < count, UsageError,
               "--device cuda:" + std::to_string(device_) + ": only " + std::to_string(count) + " CUDA device(s)");
  KSEG_CUDA_CHECK(cudaSetDevice(device_));
  size_t free_bytes = 0, total_bytes = 0;
  KSEG_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
  budget_.budget_bytes = options.memory_budget_bytes ? options.memory_budget_bytes : free_bytes / 10 * 8;
  thrust_temp_ = std::make_unique<ThrustTempCache>(budget_);
  stream_setup();
  allocate_persistent();
  plan_ = workspace_plan(n_, d_, budget_.budget_bytes - budget_.used_bytes);
  if (plan_.resident) {
    KSEG_RESERVE(x_, plan_.data_bytes, "the data (resident)");
  } else {
    const size_t staging = static_cast<size_t>(plan_.batch_rows * d_) * sizeof(float);
    for (DeviceBuffer& s : staging_) KSEG_RESERVE(s, staging, "a streaming staging buffer");
    void* host = const_cast<float*>(data_.x);  // registration only pins the pages; kseg never writes them
    host_registered_ = cudaHostRegister(host, plan_.data_bytes, cudaHostRegisterDefault) == cudaSuccess;
    if (!host_registered_) cudaGetLastError();  // pageable fallback: copies still correct, not overlapped
  }
  data_refresh();
  if (log) *log += workspace_plan_describe(plan_, budget_.budget_bytes, host_registered_) + "\n";
}

// The data's device-side derivatives: the resident copy, weights, norms; labels to −1 and seeding distances to +inf
// as after construction (the constructor's own last step, so the path is the same for the first batch and the next).
void CudaBackend::data_refresh() {
  device_guard();
  const size_t n = static_cast<size_t>(n_);
  if (plan_.resident)
    KSEG_CUDA_CHECK(cudaMemcpyAsync(x_.as<float>(), data_.x, plan_.data_bytes, cudaMemcpyHostToDevice, compute_));
  if (data_.weights)
    KSEG_CUDA_CHECK(
        cudaMemcpyAsync(weights_.as<float>(), data_.weights, n * sizeof(float), cudaMemcpyHostToDevice, compute_));
  KSEG_CUDA_CHECK(cudaMemsetAsync(labels_.as<int32_t>(), 0xff, n * sizeof(int32_t), compute_));  // -1: no label yet
  fill_launch(min_dist_.as<float>(), n_, std::numeric_limits<float>::infinity(), compute_);
  batches_for_each([&](int64_t b0, int64_t rows, const float* xb) {
    row_norms_launch(xb, rows, d_, norms_.as<float>() + b0, compute_);
  });
  KSEG_CUDA_CHECK(cudaStreamSynchronize(compute_));
  prefix_state_ = Prefix::none;
}

CudaBackend::~CudaBackend() {
  if (compute_) cudaStreamSynchronize(compute_);
  if (copy_) cudaStreamSynchronize(copy_);
  if (host_registered_) cudaHostUnregister(const_cast<float*>(data_.x));
  for (int i = 0; i < 2; ++i) {
    if (copied_[i]) cudaEventDestroy(copied_[i]);
    if (consumed_[i]) cudaEventDestroy(consumed_[i]);
  }
  if (cublas_) cublasDestroy(cublas_);
  if (copy_) cudaStreamDestroy(copy_);
  if (compute_) cudaStreamDestroy(compute_);
}

void CudaBackend::stream_setup() {
  KSEG_CUDA_CHECK(cudaStreamCreateWithFlags(&compute_, cudaStreamNonBlocking));
  KSEG_CUDA_CHECK(cudaStreamCreateWithFlags(&copy_, cudaStreamNonBlocking));
  for (int i = 0; i < 2; ++i) {
    KSEG_CUDA_CHECK(cudaEventCreateWithFlags(&copied_[i], cudaEventDisableTiming));
    KSEG_CUDA_CHECK(cudaEventCreateWithFlags(&consumed_[i], cudaEventDisableTiming));
  }
  KSEG_CUDA_CHECK(cublasCreate(&cublas_));
  KSEG_CUDA_CHECK(cublasSetStream(cublas_, compute_));
}

void CudaBackend::allocate_persistent() {
  const size_t n = static_cast<size_t>(n_);
  if (data_.weights) KSEG_RESERVE(weights_, n * sizeof(float), "row weights");  // filled by data_refresh
  KSEG_RESERVE(norms_, n * sizeof(float), "row norms");
  KSEG_RESERVE(labels_, n * sizeof(int32_t), "labels");
  KSEG_RESERVE(dists_, n * sizeof(float), "distances");
  KSEG_RESERVE(min_dist_, n * sizeof(float), "seeding distances");
  KSEG_RESERVE(run_dist_, n * sizeof(float), "running best distances");
  KSEG_RESERVE(run_label_, n * sizeof(int32_t), "running best labels");
  KSEG_RESERVE(prefix_, n * sizeof(double), "prefix sums");
  KSEG_RESERVE(scan_scratch_, static_cast<size_t>(scan_scratch_count(n_)) * sizeof(double), "scan scratch");
}

// Row tile and centroid tile for k centres, and the per-pass buffers sized for them.
TilePlan CudaBackend::pass_plan(int64_t k) {
  KSEG_EXPECTS(k > 0 && k <= INT_MAX / 2, DataError, "cuda backend: bad number of centres: " + std::to_string(k));
  const TilePlan t = tile_plan(plan_, k, d_);
  const size_t width = static_cast<size_t>(d_ + 1);
  KSEG_RESERVE(centres_, static_cast<size_t>(k * d_) * sizeof(float), "centroids");
  KSEG_RESERVE(c_norms_, static_cast<size_t>(k) * sizeof(float), "centroid norms");
  KSEG_RESERVE(dot_, static_cast<size_t>(t.rt * t.kt) * sizeof(float), "the SGEMM tile");
  KSEG_RESERVE(accum_, static_cast<size_t>(k) * width * sizeof(double), "cluster sums");
  KSEG_RESERVE(cost_, static_cast<size_t>(k) * sizeof(double), "candidate costs");
  KSEG_RESERVE(cost_scratch_, static_cast<size_t>(cost_scratch_count(t.rt, t.kt)) * sizeof(double),
               "candidate cost chunks");
  KSEG_RESERVE(changed_, sizeof(unsigned long long), "changed-label counter");
  return t;
}

void CudaBackend::centres_upload(const float* centres, int64_t k) {
  KSEG_CUDA_CHECK(cudaMemcpyAsync(centres_.as<float>(), centres, static_cast<size_t>(k * d_) * sizeof(float),
                                  cudaMemcpyHostToDevice, compute_));
  row_norms_launch(centres_.as<float>(), k, d_, c_norms_.as<float>(), compute_);
}

// Calls fn(first_row, rows, device rows) batch by batch on compute_. Streaming: batch b + 1 is copied on copy_
// into the other staging buffer while batch b is processed; events order the reuse of each buffer.
template <typename Fn>
void CudaBackend::batches_for_each(Fn&& fn) {
  const int64_t batches = (n_ + plan_.batch_rows - 1) / plan_.batch_rows;
  auto rows_of = [&](int64_t b) { return std::min(plan_.batch_rows, n_ - b * plan_.batch_rows); };
  if (plan_.resident) {
    for (int64_t b = 0; b < batches; ++b)
      fn(b * plan_.batch_rows, rows_of(b), x_.as<float>() + b * plan_.batch_rows * d_);
    return;
  }
  auto copy = [&](int64_t b) {
    const int slot = static_cast<int>(b % 2);
    KSEG_CUDA_CHECK(cudaStreamWaitEvent(copy_, consumed_[slot], 0));
    KSEG_CUDA_CHECK(cudaMemcpyAsync(staging_[slot].as<float>(), data_.x + b * plan_.batch_rows * d_,
                                    static_cast<size_t>(rows_of(b) * d_) * sizeof(float), cudaMemcpyHostToDevice,
                                    copy_));
    KSEG_CUDA_CHECK(cudaEventRecord(copied_[slot], copy_));
  };
  copy(0);
  for (int64_t b = 0; b < batches; ++b) {
    const int slot = static_cast<int>(b % 2);
    if (b + 1 < batches) copy(b + 1);
    KSEG_CUDA_CHECK(cudaStreamWaitEvent(compute_, copied_[slot], 0));
    fn(b * plan_.batch_rows, rows_of(b), staging_[slot].as<float>());
    KSEG_CUDA_CHECK(cudaEventRecord(consumed_[slot], compute_));
  }
}

// dot (ct × tr, column-major) = centres (ct × d) · xᵀ (d × tr), both row-major on the device.
void CudaBackend::gemm(int64_t ct, int64_t tr, const float* centres, const float* x, float* dot) {
  const float one = 1.0f, zero = 0.0f;
  const int d = static_cast<int>(d_);
  KSEG_CUDA_CHECK(cublasGemmEx(cublas_, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(ct), static_cast<int>(tr), d, &one,
                               centres, CUDA_R_32F, d, x, CUDA_R_32F, d, &zero, dot, CUDA_R_32F, static_cast<int>(ct),
                               tf32_ ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}

// Nearest of the k uploaded centres for every row: tiles of rows × centres, SGEMM then the fused argmin.
void CudaBackend::nearest(const float* centres, int64_t k, Nearest mode) {
  const TilePlan t = pass_plan(k);
  centres_upload(centres, k);
  batches_for_each([&](int64_t b0, int64_t rows, const float* xb) {
    for (int64_t r0 = 0; r0 < rows; r0 += t.rt) {
      const int64_t tr = std::min(t.rt, rows - r0);
      const int64_t g = b0 + r0;
      for (int64_t c0 = 0; c0 < k; c0 += t.kt) {
        const int64_t ct = std::min(t.kt, k - c0);
        gemm(ct, tr, centres_.as<float>() + c0 * d_, xb + r0 * d_, dot_.as<float>());
        ArgminTile a;
        a.dot = dot_.as<float>();
        a.x_norms = norms_.as<float>() + g;
        a.c_norms = c_norms_.as<float>() + c0;
        a.rows = tr;
        a.kt = ct;
        a.c0 = c0;
        a.first = c0 == 0;
        a.last = c0 + ct == k;
        a.run_dist = run_dist_.as<float>() + g;
        a.run_label = run_label_.as<int32_t>() + g;
        if (mode == Nearest::min_dist) {
          a.min_dist = min_dist_.as<float>() + g;
        } else {
          a.labels = labels_.as<int32_t>() + g;
          a.dists = dists_.as<float>() + g;
          a.n_changed = changed_.as<unsigned long long>();
        }
        distances_argmin_launch(a, compute_);
      }
    }
    if (mode != Nearest::labels_accumulate) return;
    AccumulateBatch acc;
    acc.x = xb;
    acc.weights = data_.weights ? weights_.as<float>() + b0 : nullptr;
    acc.labels = labels_.as<int32_t>() + b0;
    acc.rows = rows;
    acc.d = d_;
    acc.k = k;
    KSEG_RESERVE(keys_, static_cast<size_t>(rows) * sizeof(int32_t), "sort keys");
    KSEG_RESERVE(perm_, static_cast<size_t>(rows) * sizeof(int32_t), "sort permutation");
    KSEG_RESERVE(segment_begin_, static_cast<size_t>(k + 1) * sizeof(int32_t), "cluster segments");
    KSEG_RESERVE(piece_begin_, static_cast<size_t>(k + 1) * sizeof(int32_t), "cluster pieces");
    KSEG_RESERVE(piece_sums_, static_cast<size_t>(accumulate_pieces_max(rows, k) * (d_ + 1)) * sizeof(double),
                 "piece sums");
    acc.keys = keys_.as<int32_t>();
    acc.perm = perm_.as<int32_t>();
    acc.segment_begin = segment_begin_.as<int32_t>();
    acc.piece_begin = piece_begin_.as<int32_t>();
    acc.piece_sums = piece_sums_.as<double>();
    acc.accum = accum_.as<double>();
    centroid_accumulate_launch(acc, *thrust_temp_, compute_);
  });
}

double CudaBackend::prefix_compute(const float* values) const {
  row_values_launch(data_.weights ? weights_.as<float>() : nullptr, values, n_, prefix_.as<double>(), compute_);
  scan_inclusive_launch(prefix_.as<double>(), n_, scan_scratch_.as<double>(), compute_);
  double total = 0.0;
  KSEG_CUDA_CHECK(
      cudaMemcpyAsync(&total, prefix_.as<double>() + n_ - 1, sizeof(double), cudaMemcpyDeviceToHost, compute_));
  KSEG_CUDA_CHECK(cudaStreamSynchronize(compute_));
  return total;
}

void CudaBackend::lloyd_pass(const float* centroids, int64_t k, LloydPartials& out) {
  device_guard();
  pass_plan(k);
  const size_t width = static_cast<size_t>(d_ + 1);
  KSEG_CUDA_CHECK(cudaMemsetAsync(accum_.as<double>(), 0, static_cast<size_t>(k) * width * sizeof(double), compute_));
  KSEG_CUDA_CHECK(cudaMemsetAsync(changed_.as<unsigned long long>(), 0, sizeof(unsigned long long), compute_));
  nearest(centroids, k, Nearest::labels_accumulate);
  std::vector<double> accum(static_cast<size_t>(k) * width);
  unsigned long long changed = 0;
  KSEG_CUDA_CHECK(cudaMemcpyAsync(accum.data(), accum_.as<double>(), accum.size() * sizeof(double),
                                  cudaMemcpyDeviceToHost, compute_));
  KSEG_CUDA_CHECK(
      cudaMemcpyAsync(&changed, changed_.as<unsigned long long>(), sizeof(changed), cudaMemcpyDeviceToHost, compute_));
  out.inertia = prefix_compute(dists_.as<float>());  // synchronises compute_
  prefix_state_ = Prefix::none;
  out.n_changed = static_cast<int64_t>(changed);
  out.sums.assign(static_cast<size_t>(k * d_), 0.0);
  out.weights.assign(static_cast<size_t>(k), 0.0);
  for (size_t c = 0; c < static_cast<size_t>(k); ++c) {
    std::copy(accum.begin() + static_cast<std::ptrdiff_t>(c * width),
              accum.begin() + static_cast<std::ptrdiff_t>(c * width + width - 1),
              out.sums.begin() + static_cast<std::ptrdiff_t>(c * (width - 1)));
    out.weights[c] = accum[c * width + width - 1];
  }
}

double CudaBackend::assign(const float* centroids, int64_t k) {
  device_guard();
  pass_plan(k);
  nearest(centroids, k, Nearest::labels);
  prefix_state_ = Prefix::none;
  return prefix_compute(dists_.as<float>());
}

void CudaBackend::labels_get(int32_t* labels) const {
  device_guard();
  KSEG_CUDA_CHECK(cudaMemcpyAsync(labels, labels_.as<int32_t>(), static_cast<size_t>(n_) * sizeof(int32_t),
                                  cudaMemcpyDeviceToHost, compute_));
  KSEG_CUDA_CHECK(cudaStreamSynchronize(compute_));
}

void CudaBackend::distances_get(float* sq_distances) const {
  device_guard();
  KSEG_CUDA_CHECK(cudaMemcpyAsync(sq_distances, dists_.as<float>(), static_cast<size_t>(n_) * sizeof(float),
                                  cudaMemcpyDeviceToHost, compute_));
  KSEG_CUDA_CHECK(cudaStreamSynchronize(compute_));
}

// The data stays in host memory: rows are copied from there.
void CudaBackend::rows_get(const int64_t* rows, int64_t m, float* out) const {
  for (int64_t i = 0; i < m; ++i) {
    KSEG_EXPECTS(rows[i] >= 0 && rows[i] < n_, DataError, "rows_get: row " + std::to_string(rows[i]) + " out of range");
    std::memcpy(out + i * d_, data_.x + rows[i] * d_, static_cast<size_t>(d_) * sizeof(float));
  }
}

double CudaBackend::seeding_reset() {
  device_guard();
  fill_launch(min_dist_.as<float>(), n_, std::numeric_limits<float>::infinity(), compute_);
  prefix_state_ = Prefix::weights;
  return prefix_compute(nullptr);
}

double CudaBackend::seeding_update(const float* centres, int64_t m) {
  device_guard();
  nearest(centres, m, Nearest::min_dist);
  prefix_state_ = Prefix::potential;
  return prefix_compute(min_dist_.as<float>());
}

void CudaBackend::seeding_candidates_cost(const float* candidates, int64_t m, double* cost) {
  device_guard();
  const TilePlan t = pass_plan(m);
  centres_upload(candidates, m);
  KSEG_CUDA_CHECK(cudaMemsetAsync(cost_.as<double>(), 0, static_cast<size_t>(m) * sizeof(double), compute_));
  batches_for_each([&](int64_t b0, int64_t rows, const float* xb) {
    for (int64_t r0 = 0; r0 < rows; r0 += t.rt) {
      const int64_t tr = std::min(t.rt, rows - r0);
      const int64_t g = b0 + r0;
      for (int64_t c0 = 0; c0 < m; c0 += t.kt) {
        const int64_t ct = std::min(t.kt, m - c0);
        gemm(ct, tr, centres_.as<float>() + c0 * d_, xb + r0 * d_, dot_.as<float>());
        CostTile c;
        c.dot = dot_.as<float>();
        c.x_norms = norms_.as<float>() + g;
        c.weights = data_.weights ? weights_.as<float>() + g : nullptr;
        c.min_dist = min_dist_.as<float>() + g;
        c.c_norms = c_norms_.as<float>() + c0;
        c.rows = tr;
        c.mt = ct;
        c.chunk_sums = cost_scratch_.as<double>();
        c.cost = cost_.as<double>() + c0;
        candidates_cost_launch(c, compute_);
      }
    }
  });
  KSEG_CUDA_CHECK(cudaMemcpyAsync(cost, cost_.as<double>(), static_cast<size_t>(m) * sizeof(double),
                                  cudaMemcpyDeviceToHost, compute_));
  KSEG_CUDA_CHECK(cudaStreamSynchronize(compute_));
}

void CudaBackend::rows_sample(const double* targets, int64_t m, bool by_weight_only, int64_t* rows) const {
  device_guard();
  if (m <= 0) return;
  const Prefix want = by_weight_only ? Prefix::weights : Prefix::potential;
  if (prefix_state_ != want) {
    prefix_compute(by_weight_only ? nullptr : min_dist_.as<float>());
    prefix_state_ = want;
  }
  KSEG_RESERVE(targets_, static_cast<size_t>(m) * sizeof(double), "sampling targets");
  KSEG_RESERVE(sample_rows_, static_cast<size_t>(m) * sizeof(int64_t), "sampled rows");
  KSEG_CUDA_CHECK(cudaMemcpyAsync(targets_.as<double>(), targets, static_cast<size_t>(m) * sizeof(double),
                                  cudaMemcpyHostToDevice, compute_));
  rows_sample_launch(prefix_.as<double>(), n_, targets_.as<double>(), m, sample_rows_.as<int64_t>(), compute_);
  KSEG_CUDA_CHECK(cudaMemcpyAsync(rows, sample_rows_.as<int64_t>(), static_cast<size_t>(m) * sizeof(int64_t),
                                  cudaMemcpyDeviceToHost, compute_));
  KSEG_CUDA_CHECK(cudaStreamSynchronize(compute_));
}

std::unique_ptr<Backend> cuda_backend_create(const DataView& data, const CudaOptions& options, std::string* log) {
  return std::make_unique<CudaBackend>(data, options, log);
}

}  // namespace kseg
