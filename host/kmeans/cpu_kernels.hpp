// The CPU backend's inner loops, one set per instruction set, chosen at run time from the CPU's features: "avx512"
// (AVX-512 F/DQ/VL + FMA), "avx2" (AVX2 + FMA) and "scalar" (any CPU; plain loops the compiler vectorises for the
// build's baseline). Each set is compiled in its own translation unit with its own flags (cpu_kernels_avx512.cpp,
// cpu_kernels_avx2.cpp, cpu_kernels_scalar.cpp), so one binary runs on every x86-64 and uses the widest set the CPU
// has. Every set computes the same bits: dot products are fused multiply-add chains in feature order, distances the
// same expression, sums fused multiply-adds in row order (tests/kmeans/cpu_kernels_test.cpp checks them against each
// other). KSEG_CPU_KERNEL=avx2|scalar forces a lower set, for tests and comparisons.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kseg {

class PackedCentroids;

struct CpuKernels {
  const char* name;  // "avx512", "avx2" or "scalar"
  // For rows [0, rows) of x (row-major, d = centroids.d() columns) with squared norms x_norms: the nearest centroid
  // (labels) and its squared distance sq_distance_expanded(‖x‖², x·c, ‖c‖²) (distances). Ties: the lowest index.
  void (*nearest)(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows, int32_t* labels,
                  float* distances);
  // Squared distances of rows [0, rows) to every centroid, as nearest computes them: out[j·out_stride + r]
  // (out_stride >= rows).
  void (*distances)(const PackedCentroids& centroids, const float* x, const float* x_norms, int64_t rows, float* out,
                    int64_t out_stride);
  // Adds w·x of rows [0, rows) (w = 1 when w is null) to sums[label] (k × d, double) and w to weights[label]: each
  // sum one fused multiply-add per row, in row order.
  void (*sums_add)(const float* x, int64_t d, const float* w, const int32_t* labels, int64_t rows, int64_t k,
                   double* sums, double* weights);
  // norms[r] = ‖x_r‖² for rows [0, rows), as a fused multiply-add chain in feature order (the kernels' x·x).
  void (*row_norms)(const float* x, int64_t rows, int64_t d, float* norms);
  // out[r] = the squared distance of row r to centroids[labels[r]] (k × d row-major, norms c_norms), computed as
  // nearest computes it.
  void (*label_distances)(const float* x, const float* x_norms, int64_t rows, int64_t d, const int32_t* labels,
                          const float* centroids, const float* c_norms, float* out);
};

// The sets this CPU can run, fastest first (always ends with scalar).
std::vector<const CpuKernels*> cpu_kernels_supported();

// The set named (avx512, avx2, scalar); throws UsageError when the name is unknown or this CPU lacks its
// instructions, naming `source` (the option or variable the name came from).
const CpuKernels& cpu_kernels_named(const std::string& name, const std::string& source);

// The set a CPU backend uses unless told otherwise: KSEG_CPU_KERNEL when it is set and not empty, else the fastest this
// CPU supports. Reads the environment on every call (no state is kept).
const CpuKernels& cpu_kernels_default();

// Every set this build contains, supported here or not (names, for messages and doctor).
std::vector<std::string> cpu_kernels_compiled();

}  // namespace kseg
