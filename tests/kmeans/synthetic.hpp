// Small synthetic data sets for the K-means tests, generated from a printed seed.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace kseg::testing {

struct Blobs {
  std::vector<float> x;        // n × d
  std::vector<int32_t> truth;  // n planted labels
  int64_t n = 0;
  int64_t d = 0;
};

// k well-separated Gaussian blobs (centres spaced `spread` apart, unit noise), unequal sizes.
inline Blobs blobs_make(int64_t n, int64_t d, int64_t k, uint64_t seed, float spread = 20.0f) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::uniform_real_distribution<float> place(-spread, spread);
  std::vector<float> centres(static_cast<size_t>(k * d));
  for (float& c : centres) c = place(rng);
  Blobs b;
  b.n = n;
  b.d = d;
  b.x.resize(static_cast<size_t>(n * d));
  b.truth.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t j = i % (k * (k + 1) / 2);  // triangular shares: cluster sizes 1 : 2 : … : k
    int64_t label = 0;
    for (int64_t acc = 0; label < k - 1 && acc + label + 1 <= j; ++label) acc += label + 1;
    b.truth[i] = static_cast<int32_t>(label);
    for (int64_t t = 0; t < d; ++t) b.x[i * d + t] = centres[label * d + t] + noise(rng);
  }
  return b;
}

inline std::vector<float> uniform_matrix(int64_t n, int64_t d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(n * d));
  for (float& v : x) v = u(rng);
  return x;
}

}  // namespace kseg::testing
