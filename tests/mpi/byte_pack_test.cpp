// BytePacker / ByteUnpacker, the bytes every MPI gather sends: values come back in order, the layout is the values'
// in-memory bytes one after another (what the gathers sent before they shared the packer), and a short message is an
// error, not a read past its end.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "host/comm/byte_pack.hpp"
#include "host/error.hpp"

namespace kseg {
namespace {

TEST(BytePack, ValuesArraysAndStringsComeBackInOrder) {
  const std::vector<float> floats = {1.5f, -0.0f, 3.25e-7f};
  const std::vector<int32_t> codes = {7, -1};
  BytePacker out;
  out.put(int64_t{-42}).put_values(floats).put_string("a level, with \"quotes\"").put_string("");
  out.put(char(1)).put_values(codes.data(), codes.size()).put(2.5);
  const std::string bytes = out.take();

  ByteUnpacker in(bytes);
  EXPECT_EQ(in.get<int64_t>(), -42);
  std::vector<float> floats_back = {9.0f};
  in.get_values_append(floats_back, floats.size());
  EXPECT_EQ(floats_back, (std::vector<float>{9.0f, 1.5f, -0.0f, 3.25e-7f}));
  EXPECT_EQ(in.get_string(), "a level, with \"quotes\"");
  EXPECT_EQ(in.get_string(), "");
  EXPECT_EQ(in.get<char>(), char(1));
  int32_t codes_back[2] = {0, 0};
  in.get_values(codes_back, 2);
  EXPECT_EQ(codes_back[0], 7);
  EXPECT_EQ(codes_back[1], -1);
  EXPECT_FALSE(in.done());
  EXPECT_EQ(in.get<double>(), 2.5);
  EXPECT_TRUE(in.done());
  EXPECT_EQ(in.remaining(), 0u);
}

TEST(BytePack, LayoutIsTheValuesBytesBackToBack) {
  const float distance = 2.0f;
  const int32_t label = 3;
  const int64_t row = 1234567890123;
  const double weight = 0.75;
  const float values[2] = {1.0f, -2.0f};
  std::string expected(4 + 4 + 8 + 8 + 8 + 8 + 3, '\0');
  std::memcpy(expected.data(), &distance, 4);
  std::memcpy(expected.data() + 4, &label, 4);
  std::memcpy(expected.data() + 8, &row, 8);
  std::memcpy(expected.data() + 16, &weight, 8);
  std::memcpy(expected.data() + 24, values, 8);
  const uint64_t size = 3;
  std::memcpy(expected.data() + 32, &size, 8);
  std::memcpy(expected.data() + 40, "abc", 3);
  BytePacker out;
  out.put(distance).put(label).put(row).put(weight).put_values(values, 2).put_string("abc");
  EXPECT_EQ(out.bytes(), expected);
  const std::vector<float> array = {1.0f, -2.0f};
  EXPECT_EQ(values_bytes(array), std::string(expected.data() + 24, 8));
}

TEST(BytePack, ShortMessagesThrow) {
  BytePacker out;
  out.put(int32_t{5});
  const std::string bytes = out.take();
  ByteUnpacker in(bytes);
  EXPECT_THROW(in.get<int64_t>(), DataError);
  BytePacker truncated;
  truncated.put(uint64_t{10}).put('x');  // a string that claims 10 bytes and has 1
  const std::string t = truncated.take();
  ByteUnpacker string_in(t);
  EXPECT_THROW(string_in.get_string(), DataError);
}

TEST(BytePack, ValuesAllgatherOnOneProcess) {
  struct Counts {
    int64_t quotes;
    int64_t newlines;
  };
  const std::vector<Counts> all = values_allgather(single_process(), Counts{3, 4});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].quotes, 3);
  EXPECT_EQ(all[0].newlines, 4);
}

}  // namespace
}  // namespace kseg
