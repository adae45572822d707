// The word-at-a-time short decimal parse against the loop it stands in for: the same acceptance and the same value,
// bit for bit, whatever bytes follow the text in its buffer.
#include "host/io/short_decimal.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

namespace kseg {
namespace {

template <class Real>
void expect_same(const std::string& text, const std::string& after) {
  const std::string buffer = text + after;
  const std::string_view view(buffer.data(), text.size());
  Real want = 0, got = 0;
  const bool want_ok = short_decimal_parse(view, want);
  const bool got_ok = short_decimal_parse(view, buffer.data() + buffer.size(), got);
  ASSERT_EQ(got_ok, want_ok) << '"' << text << "\" then \"" << after << '"';
  if (want_ok) {
    ASSERT_EQ(std::memcmp(&got, &want, sizeof(Real)), 0) << '"' << text << "\": " << got << " vs " << want;
  }
}

// Texts of up to 9 bytes over the characters a number is made of (and a few it is not), with bytes of the same kind
// after them: every place of the sign, the point, a second point and a stray character, at every length.
TEST(ShortDecimal, WordParseMatchesTheLoop) {
  const std::string alphabet = "0123456789012345678901234567890123456789..-+eE x,\x80\xff";
  std::mt19937_64 rng(7);
  const auto random_text = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += alphabet[rng() % alphabet.size()];
    return s;
  };
  for (int i = 0; i < 300000; ++i) {
    std::string text = random_text(rng() % 10);
    if (rng() % 3 == 0) {  // mostly well formed: -?D+(.D+)?
      text.clear();
      if (rng() % 4 == 0) text += '-';
      const size_t digits = 1 + rng() % 8;
      for (size_t d = 0; d < digits; ++d) text += static_cast<char>('0' + rng() % 10);
      const size_t point = rng() % (digits + 1);
      if (point > 0 && point < digits) text.insert(text.size() - digits + point, ".");
    }
    const std::string after = random_text(rng() % 9);  // 0 to 8 bytes: the word read may end in or past it
    expect_same<float>(text, after);
    expect_same<double>(text, after);
  }
}

TEST(ShortDecimal, EdgeTexts) {
  for (const char* text : {"0",   "-0", "-0.0", "9999999", "99999999", "1677721.7", "16777217", "0.000001",
                           ".5",  "5.", "-",    ".",       "-.",       "1.2.3",     "1..2",     "-1.5",
                           "--1", "+1", "007",  "00.70",   "12345678", "-1234567",  "1234567.", "0.1234567"})
    for (const char* after : {"", "7", ".9", "-", "12345678"}) {
      expect_same<float>(text, after);
      expect_same<double>(text, after);
    }
  const std::string record = "55.45,beauty";
  double v = 0;
  ASSERT_TRUE(short_decimal_parse(std::string_view(record.data(), 5), record.data() + record.size(), v));
  EXPECT_EQ(v, 55.45);
}

}  // namespace
}  // namespace kseg
