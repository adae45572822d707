#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "host/error.hpp"
#include "host/io/npy_reader.hpp"
#include "host/io/npy_writer.hpp"
#include "tests/io/test_files.hpp"

namespace kseg {
namespace {

// A hand-built .npy file: magic, version major.0, little-endian header length (2 bytes for 1.0, else 4), dict, data.
std::string npy_bytes(int major, std::string dict, const std::string& data) {
  const size_t length_bytes = major == 1 ? 2 : 4;
  const size_t preamble = 8 + length_bytes;
  while ((preamble + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < length_bytes; ++i) out += static_cast<char>((dict.size() >> (8 * i)) & 0xff);
  return out + dict + data;
}

template <typename T>
std::string values_bytes(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

std::string npy_error(const std::string& path) {
  try {
    NpyReader reader(path);
  } catch (const DataError& e) {
    return e.what();
  }
  return "no error";
}

std::string rows_read_error(const std::string& path, int64_t first, int64_t count) {
  NpyReader reader(path);
  std::vector<float> out(static_cast<size_t>(count * reader.n_cols()));
  try {
    reader.rows_read(first, count, out.data());
  } catch (const DataError& e) {
    return e.what();
  }
  return "no error";
}

TEST(npy_io, WriteThenReadRoundTripsFloat32) {
  test::ScratchDir dir;
  const std::vector<float> values = {1.0f, -2.5f, 0.1f, 3e38f, -0.0f, 1e-45f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f, 12.0f};
  const std::string path = dir.file("x.npy");
  npy_write(path, values.data(), 3, 4);

  const std::string bytes = test::file_read(path);
  ASSERT_GE(bytes.size(), size_t{10});
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const size_t header_size = static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8;
  EXPECT_EQ((10 + header_size) % 64, 0u);
  EXPECT_EQ(bytes[10 + header_size - 1], '\n');
  EXPECT_NE(bytes.find("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }"), std::string::npos);
  EXPECT_EQ(bytes.size(), 10 + header_size + values.size() * sizeof(float));

  NpyReader opened(path);
  const NpyReader reader = std::move(opened);  // readers move with their mapping
  EXPECT_EQ(reader.path(), path);
  EXPECT_EQ(reader.n_rows(), 3);
  EXPECT_EQ(reader.n_cols(), 4);
  EXPECT_FALSE(reader.is_float64());
  std::vector<float> all(12), tail(8);
  reader.rows_read(0, 3, all.data());
  EXPECT_EQ(std::memcmp(all.data(), values.data(), sizeof(float) * 12), 0);
  reader.rows_read(1, 2, tail.data());
  EXPECT_EQ(tail, std::vector<float>(values.begin() + 4, values.end()));
}

TEST(npy_io, WritesAndReadsEmptyArray) {
  test::ScratchDir dir;
  const std::string path = dir.file("empty.npy");
  npy_write(path, nullptr, 0, 5);
  NpyReader reader(path);
  EXPECT_EQ(reader.n_rows(), 0);
  EXPECT_EQ(reader.n_cols(), 5);
}

TEST(npy_io, ReadsHandBuiltFloat64) {
  test::ScratchDir dir;
  const std::vector<double> values = {1.5, -2.25, 1e-3, 3e38, 0.1, -1e-50};
  const std::string path = dir.file_write(
      "d.npy", npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", values_bytes(values)));
  NpyReader reader(path);
  EXPECT_TRUE(reader.is_float64());
  EXPECT_EQ(reader.n_rows(), 3);
  EXPECT_EQ(reader.n_cols(), 2);
  std::vector<float> out(6);
  reader.rows_read(0, 3, out.data());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(out[i], static_cast<float>(values[i])) << i;
}

TEST(npy_io, ReadsVersion2And3HeadersAndNativeOrder) {
  test::ScratchDir dir;
  const std::vector<float> values = {1, 2, 3, 4, 5, 6};
  for (const auto& [major, descr] :
       std::vector<std::pair<int, std::string>>{{2, "<f4"}, {3, "<f4"}, {1, "=f4"}, {2, "|f4"}}) {
    const std::string path = dir.file_write(
        "v.npy",
        npy_bytes(major, "{\"descr\": '" + descr + "', 'shape': (2,3), 'fortran_order': False}", values_bytes(values)));
    NpyReader reader(path);
    EXPECT_EQ(reader.n_rows(), 2) << major << descr;
    EXPECT_EQ(reader.n_cols(), 3) << major << descr;
    std::vector<float> out(6);
    reader.rows_read(0, 2, out.data());
    EXPECT_EQ(out, values) << major << descr;
  }
}

TEST(npy_io, RejectsTruncatedAndOversizedData) {
  test::ScratchDir dir;
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
  const std::string truncated = dir.file_write("t.npy", npy_bytes(1, dict, std::string(40, '\0')));
  EXPECT_EQ(npy_error(truncated), truncated + ": truncated: expected 48 bytes of data, found 40");
  const std::string trailing = dir.file_write("l.npy", npy_bytes(1, dict, std::string(52, '\0')));
  EXPECT_EQ(npy_error(trailing), trailing + ": expected 48 bytes of data, found 52: the file has trailing bytes");
  const std::string huge = dir.file_write(
      "h.npy", npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }", ""));
  EXPECT_EQ(npy_error(huge), huge +
                                 ": truncated: shape (1099511627776, 1099511627776) declares more data than any file "
                                 "holds, found 0 bytes");
  const std::string big = dir.file_write(
      "b.npy", npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1073741824, 1024), }", "abcd"));
  EXPECT_EQ(npy_error(big), big + ": truncated: expected 4398046511104 bytes of data, found 4");
  const std::string header = dir.file_write("hd.npy", npy_bytes(1, dict, "").substr(0, 30));
  EXPECT_EQ(npy_error(header), header + ": truncated header: the file ends inside the .npy header");
}

TEST(npy_io, RejectsLayoutsItCannotRead) {
  test::ScratchDir dir;
  const std::string cube = dir.file_write(
      "c.npy", npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }", std::string(96, '\0')));
  EXPECT_EQ(npy_error(cube), cube + ": expected a 2-D array, found shape (2, 3, 4); reshape it to (rows, columns)");
  const std::string vector = dir.file_write(
      "v.npy", npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", std::string(24, '\0')));
  EXPECT_EQ(npy_error(vector), vector + ": expected a 2-D array, found shape (6,); reshape it to (rows, columns)");
}

TEST(npy_io, RejectsDtypesItCannotConvert) {
  test::ScratchDir dir;
  const std::string expected =
      "': expected a float (f2, f4, f8) or integer (i1..i8, u1..u8) array; convert it with a.astype(np.float32)";
  for (const std::string descr : {"<c8", "|b1", "<U4", "<f16", ">m8", "<x4"}) {
    const std::string path = dir.file_write(
        "d.npy",
        npy_bytes(1, "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (1, 1), }", std::string(16, '\0')));
    EXPECT_EQ(npy_error(path), path + ": unsupported dtype '" + descr + expected) << descr;
  }
}

TEST(npy_io, RejectsBadMagicVersionAndHeader) {
  test::ScratchDir dir;
  const std::string csv = dir.file_write("m.npy", "id,x\n1,2\n");
  EXPECT_EQ(npy_error(csv), csv + ": not a NumPy .npy file (bad magic bytes); save the array with np.save");
  const std::string empty = dir.file_write("e.npy", "");
  EXPECT_EQ(npy_error(empty), empty + ": not a NumPy .npy file (bad magic bytes); save the array with np.save");
  std::string v4 = npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }", std::string(4, '\0'));
  v4[6] = 4;
  const std::string version = dir.file_write("v.npy", v4);
  EXPECT_EQ(npy_error(version), version + ": unsupported .npy format version 4.0 (expected 1.0, 2.0 or 3.0)");
  const std::string missing =
      dir.file_write("k.npy", npy_bytes(1, "{'descr': '<f4', 'shape': (1, 1), }", std::string(4, '\0')));
  EXPECT_EQ(npy_error(missing), missing + ": the header lacks 'descr', 'fortran_order' or 'shape'");
}

TEST(npy_io, NonFiniteValuesNameRowAndColumn) {
  test::ScratchDir dir;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::string dict32 = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }";
  const std::string f32 =
      dir.file_write("n.npy", npy_bytes(1, dict32, values_bytes(std::vector<float>{1, 2, 3, 4, 5, nan})));
  const std::string nan_message =
      f32 + ": row 2, column 1: NaN value; clean the array (e.g. np.nan_to_num) before clustering";
  EXPECT_EQ(rows_read_error(f32, 0, 3), nan_message);
  EXPECT_EQ(rows_read_error(f32, 2, 1), nan_message);
  EXPECT_EQ(rows_read_error(f32, 0, 2), "no error");

  const std::string dict64 = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
  const double inf = std::numeric_limits<double>::infinity();
  const std::string f64 =
      dir.file_write("i.npy", npy_bytes(1, dict64, values_bytes(std::vector<double>{1, 2, -inf, 4})));
  EXPECT_EQ(rows_read_error(f64, 0, 2),
            f64 + ": row 1, column 0: infinite value; clean the array (e.g. np.nan_to_num) before clustering");
  const std::string range =
      dir.file_write("r.npy", npy_bytes(1, dict64, values_bytes(std::vector<double>{1, 1e39, 3, 4})));
  EXPECT_EQ(rows_read_error(range, 0, 2),
            range +
                ": row 0, column 1: value 1e+39 is outside the float32 range; clean the array (e.g. "
                "np.nan_to_num) before clustering");
}

TEST(npy_io, RowsOutOfRangeAreRefused) {
  test::ScratchDir dir;
  const std::vector<float> values = {1, 2};
  const std::string path = dir.file("x.npy");
  npy_write(path, values.data(), 2, 1);
  EXPECT_EQ(rows_read_error(path, 1, 2), path + ": rows [1, 3) are outside the array's 2 rows");
}

TEST(npy_io, WriteIntoMissingDirectoryFails) {
  test::ScratchDir dir;
  const std::string path = dir.file("no/such/x.npy");
  const float v = 1.0f;
  try {
    npy_write(path, &v, 1, 1);
    ADD_FAILURE() << "npy_write wrote into a missing directory";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot write " + path + ": No such file or directory");
  }
}

}  // namespace
}  // namespace kseg
