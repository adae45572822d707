#include "host/io/number_format.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace kseg {
namespace {

std::string float_text(float v) {
  std::string s;
  float_append(s, v);
  return s;
}

std::string double_text(double v) {
  std::string s;
  double_append(s, v);
  return s;
}

TEST(number_format, FloatIsShortest) {
  EXPECT_EQ(float_text(0.1f), "0.1");
  EXPECT_EQ(float_text(1.0f), "1");
  EXPECT_EQ(float_text(-2.5f), "-2.5");
  EXPECT_EQ(float_text(-0.0f), "-0");
  EXPECT_EQ(float_text(1e-45f), "1e-45");
  EXPECT_EQ(float_text(std::numeric_limits<float>::max()), "3.4028235e+38");
  EXPECT_EQ(float_text(16777216.0f), "16777216");
}

TEST(number_format, DoubleIsShortest) {
  EXPECT_EQ(double_text(0.1), "0.1");
  EXPECT_EQ(double_text(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(double_text(-1e300), "-1e+300");
}

TEST(number_format, AppendsAfterExistingText) {
  std::string s = "id,";
  int64_append(s, -9223372036854775807 - 1);
  s += ',';
  float_append(s, 0.5f);
  s += ',';
  int64_append(s, 42);
  EXPECT_EQ(s, "id,-9223372036854775808,0.5,42");
}

TEST(number_format, RandomValuesRoundTrip) {
  std::mt19937 rng(2024);
  for (int i = 0; i < 100000; ++i) {
    uint32_t bits = static_cast<uint32_t>(rng());
    float f = 0.0f;
    std::memcpy(&f, &bits, sizeof(f));
    if (!std::isfinite(f)) continue;
    const std::string text = float_text(f);
    const float back = std::strtof(text.c_str(), nullptr);
    ASSERT_EQ(std::memcmp(&back, &f, sizeof(f)), 0) << text;
    const double d = static_cast<double>(f) * 1.000000001;
    ASSERT_EQ(std::strtod(double_text(d).c_str(), nullptr), d);
  }
}

}  // namespace
}  // namespace kseg
