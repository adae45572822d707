// Fits K-means on a small generated array with the installed kseg library and writes segments.csv.
// Usage: kseg_consumer OUT_DIR. Row i belongs to blob i % 4 (blobs far apart), so its segment is known up to naming.
#include <cmath>
#include <cstdint>
#include <iostream>
#include <kseg/kseg.hpp>
#include <random>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: kseg_consumer OUT_DIR\n";
    return 2;
  }
  const int64_t n = 2000, d = 5, k = 4;
  std::mt19937 rng(3);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(n * d));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t t = 0; t < d; ++t) x[i * d + t] = 50.0f * static_cast<float>((i % k) == t) + noise(rng);
  try {
    const kseg::DataView view{x.data(), nullptr, n, d};
    kseg::CpuBackend backend(view, 0);
    kseg::KMeansParams params;
    params.n_clusters = k;
    params.n_init = 3;
    params.seed = 7;
    const kseg::KMeansResult result = kseg::kmeans_fit(backend, view, params, 0.0, kseg::single_process());
    kseg::SegmentsWriter segments(std::string(argv[1]) + "/segments.csv");
    segments.rows_append(kseg::IdColumn::row_numbers(n), 0, result.labels.data(), result.sq_distances.data(), n);
    segments.commit();
    std::cout << "kernels " << backend.kernels().name << ", inertia " << result.inertia << ", iterations "
              << result.runs[result.best_run].n_iter << "\n";
  } catch (const std::exception& e) {
    std::cerr << "kseg_consumer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
