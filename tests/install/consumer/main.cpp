// Segments a small generated user table with the installed kseg library, as kseg fit would: fit_segments, then
// fit_products_write (segments.csv, centroids.csv, model.json, summary.json, profiles, report).
// Usage: kseg_consumer OUT_DIR. User i belongs to blob i % 4 (blobs far apart), so its segment is known up to naming.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <kseg/kseg.hpp>
#include <random>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: kseg_consumer OUT_DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  const int64_t n = 2000, d = 5, k = 4;
  std::mt19937 rng(3);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::ofstream users(dir + "/users.csv");
  users << "id,f0,f1,f2,f3,f4\n";
  for (int64_t i = 0; i < n; ++i) {
    users << i;
    for (int64_t t = 0; t < d; ++t) users << ',' << 50.0f * static_cast<float>((i % k) == t) + noise(rng);
    users << '\n';
  }
  users.close();
  try {
    kseg::FitRequest request;
    request.input.path = dir + "/users.csv";
    request.kmeans.k = k;
    request.kmeans.n_init = 3;
    request.kmeans.seed = 7;
    request.device.device = "cpu";
    request.out_dir = dir + "/segments";
    const kseg::FitProducts products = kseg::fit_segments(request, std::cerr);
    kseg::fit_products_write(products, std::cout);
    std::cout << "inertia " << products.result.inertia << ", iterations "
              << products.result.runs[products.result.best_run].n_iter << ", device " << products.backend_name << "\n";
  } catch (const std::exception& e) {
    std::cerr << "kseg_consumer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
