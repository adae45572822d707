// csv_number_classify against fast_float, the parser it must agree with bit for bit: short decimals (its own fast
// path), and texts just outside that path.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <fast_float/fast_float.h>

#include "host/io/csv_reader.hpp"

namespace kseg {
namespace {

// The reference: fast_float over the whole text; text when it stops early or fails.
CsvNumber reference_classify(const std::string& text, float& value) {
  const fast_float::from_chars_result r = fast_float::from_chars(text.data(), text.data() + text.size(), value);
  if (r.ptr != text.data() + text.size() || (r.ec != std::errc() && r.ec != std::errc::result_out_of_range))
    return CsvNumber::text;
  return r.ec == std::errc() && std::isfinite(value) ? CsvNumber::finite : CsvNumber::non_finite;
}

void expect_same(const std::string& text) {
  float got = 0.0f, want = 0.0f;
  const CsvNumber kind = csv_number_classify(text, got);
  ASSERT_EQ(kind, reference_classify(text, want)) << '"' << text << '"';
  if (kind != CsvNumber::finite) return;
  uint32_t a = 0, b = 0;
  std::memcpy(&a, &got, 4);
  std::memcpy(&b, &want, 4);
  EXPECT_EQ(a, b) << '"' << text << "\": " << got << " vs " << want;
}

TEST(NumberParse, ShortDecimalsMatchFastFloatBitForBit) {
  std::mt19937_64 rng(23);
  for (int i = 0; i < 400000; ++i) {
    const int digits = 1 + static_cast<int>(rng() % 9);  // up to 9: across the 7-digit limit of the fast path
    std::string text = rng() % 4 == 0 ? "-" : "";
    std::string number;
    for (int d = 0; d < digits; ++d) number += static_cast<char>('0' + rng() % 10);
    const int point = static_cast<int>(rng() % (digits + 2));  // digits + 1: no point
    if (point <= digits) number.insert(static_cast<size_t>(point), ".");
    expect_same(text + number);
  }
}

TEST(NumberParse, EdgeTextsMatchFastFloat) {
  for (const char* text : {"0",     "-0",   "-0.0", "0.1", "9999999", "16777217", "1677721.7", "0.0000001",    ".5",
                           "5.",    "-",    ".",    "-.",  "1.2.3",   "1e5",      "1E-3",      "+1",           "007",
                           "00.70", "0x10", "inf",  "nan", "1,5",     "12a",      "--1",       "3.4028235e38", "1e39"})
    expect_same(text);
}

}  // namespace
}  // namespace kseg
