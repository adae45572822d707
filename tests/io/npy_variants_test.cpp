// .npy arrays as NumPy writes them besides C-order float32/float64: Fortran order, big-endian, integers and float16,
// hand-encoded here byte by byte, must read as the same float32 rows; and kseg fit on them must give the outputs of
// the equivalent C-order float32 file (also for files numpy itself writes, when the test Python has numpy).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/error.hpp"
#include "host/io/npy_reader.hpp"
#include "host/io/npy_writer.hpp"
#include "tests/cli/cli_test_support.hpp"

namespace kseg {
namespace {

constexpr int64_t kRows = 7, kCols = 3;

// Small integers (exact in every dtype below, unsigned ones use the absolute values), row-major.
std::vector<double> values(bool non_negative) {
  std::vector<double> v;
  for (int64_t r = 0; r < kRows; ++r)
    for (int64_t c = 0; c < kCols; ++c) {
      const double x = static_cast<double>((r * 5 + c * 3) % 11) - 5.0;
      v.push_back(non_negative && x < 0 ? -x : x);
    }
  return v;
}

std::string npy_file(const std::string& descr, bool fortran, const std::string& data) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': (" +
                     std::to_string(kRows) + ", " + std::to_string(kCols) + "), }";
  while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::string out = "\x93NUMPY\x01";
  out += '\0';
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>(dict.size() >> 8);
  return out + dict + data;
}

// The bits of one element, as an unsigned integer of `size` bytes.
uint64_t element_bits(double v, char kind, int size) {
  if (kind == 'f' && size == 8) {
    uint64_t bits = 0;
    std::memcpy(&bits, &v, 8);
    return bits;
  }
  if (kind == 'f' && size == 4) {
    const float f = static_cast<float>(v);
    uint32_t bits = 0;
    std::memcpy(&bits, &f, 4);
    return bits;
  }
  return static_cast<uint64_t>(static_cast<int64_t>(v));  // two's complement, cut to `size` bytes below
}

// The array's data section: elements in C or Fortran order, each `size` bytes little- or big-endian.
std::string data_encode(const std::vector<double>& v, char kind, int size, bool big, bool fortran) {
  std::string out;
  for (int64_t i = 0; i < kRows * kCols; ++i) {
    const int64_t r = fortran ? i % kRows : i / kCols, c = fortran ? i / kRows : i % kCols;
    const uint64_t bits = element_bits(v[static_cast<size_t>(r * kCols + c)], kind, size);
    for (int b = 0; b < size; ++b) {
      const int shift = 8 * (big ? size - 1 - b : b);
      out += static_cast<char>((bits >> shift) & 0xff);
    }
  }
  return out;
}

std::vector<float> rows_read(const std::string& path) {
  NpyReader reader(path);
  EXPECT_EQ(reader.n_rows(), kRows);
  EXPECT_EQ(reader.n_cols(), kCols);
  std::vector<float> out(static_cast<size_t>(kRows * kCols));
  reader.rows_read(0, 3, out.data());  // two batches: a Fortran array is transposed batch by batch
  reader.rows_read(3, kRows - 3, out.data() + 3 * kCols);
  return out;
}

TEST(NpyVariants, EveryDtypeAndOrderReadsAsTheSameFloats) {
  test::ScratchDir dir;
  for (const char kind : {'f', 'i', 'u'})
    for (const int size : {1, 2, 4, 8}) {
      if (kind == 'f' && size < 4) continue;  // float16 has its own test
      const std::vector<double> v = values(kind == 'u');
      for (const bool big : {false, true})
        for (const bool fortran : {false, true}) {
          const std::string descr = std::string(size == 1 ? "|" : big ? ">" : "<") + kind + std::to_string(size);
          const std::string path =
              dir.file_write("a.npy", npy_file(descr, fortran, data_encode(v, kind, size, big, fortran)));
          const std::vector<float> got = rows_read(path);
          for (size_t i = 0; i < got.size(); ++i)
            ASSERT_EQ(got[i], static_cast<float>(v[i])) << descr << (fortran ? " Fortran" : " C") << " element " << i;
          const std::string note = NpyReader(path).conversion();
          EXPECT_EQ(note.empty(), kind == 'f' && !big && !fortran) << descr << ": " << note;
        }
    }
}

TEST(NpyVariants, Float16KnownBitPatterns) {
  // IEEE 754 binary16 encodings: 1, -2, 0.5, 1.5, 3, 65504 (largest), 2^-24 (smallest subnormal), 0, -0.
  const std::vector<std::pair<uint16_t, float>> known = {{0x3C00, 1.0f},
                                                         {0xC000, -2.0f},
                                                         {0x3800, 0.5f},
                                                         {0x3E00, 1.5f},
                                                         {0x4200, 3.0f},
                                                         {0x7BFF, 65504.0f},
                                                         {0x0001, 5.9604644775390625e-8f},
                                                         {0x0000, 0.0f},
                                                         {0x8000, -0.0f}};
  test::ScratchDir dir;
  for (const bool big : {false, true}) {
    std::string data;
    for (const auto& [bits, value] : known) {
      data += static_cast<char>(big ? bits >> 8 : bits & 0xff);
      data += static_cast<char>(big ? bits & 0xff : bits >> 8);
    }
    std::string dict = std::string("{'descr': '") + (big ? ">" : "<") + "f2', 'fortran_order': False, 'shape': (" +
                       std::to_string(known.size()) + ", 1), }";
    while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
    dict += '\n';
    std::string file = "\x93NUMPY\x01";
    file += '\0';
    file += static_cast<char>(dict.size());
    file += '\0';
    const std::string path = dir.file_write("h.npy", file + dict + data);
    NpyReader reader(path);
    std::vector<float> out(known.size());
    reader.rows_read(0, static_cast<int64_t>(known.size()), out.data());
    for (size_t i = 0; i < known.size(); ++i) {
      EXPECT_EQ(out[i], known[i].second) << std::hex << known[i].first;
      EXPECT_EQ(std::signbit(out[i]), std::signbit(known[i].second)) << std::hex << known[i].first;
    }
    // 0x7C00 is +infinity: refused like any infinite value.
    const std::string inf =
        dir.file_write("i.npy", file + dict + std::string(big ? "\x7c\x00" : "\x00\x7c", 2) + data.substr(2));
    std::vector<float> one(known.size());
    try {
      NpyReader(inf).rows_read(0, static_cast<int64_t>(known.size()), one.data());
      ADD_FAILURE() << "infinity accepted";
    } catch (const DataError& e) {
      EXPECT_EQ(std::string(e.what()), inf +
                                           ": row 0, column 0: infinite value; clean the array (e.g. np.nan_to_num) "
                                           "before clustering");
    }
  }
}

// fit on path and on the C-order float32 reference: the same segments and centroids; the conversion is noted.
void fit_same(const test::ScratchDir& dir, const std::string& reference, const std::string& path,
              const std::string& conversion) {
  const std::string a = dir.file("ref_out"), b = dir.file("variant_out");
  std::filesystem::remove_all(a);
  std::filesystem::remove_all(b);
  const test::CliResult ra = test::cli({"fit", reference, "--k", "3", "--seed", "4", "--out", a, "--device", "cpu"});
  ASSERT_EQ(ra.code, 0) << ra.err;
  const test::CliResult rb = test::cli({"fit", path, "--k", "3", "--seed", "4", "--out", b, "--device", "cpu"});
  ASSERT_EQ(rb.code, 0) << rb.err;
  for (const char* name : {"segments.csv", "centroids.csv"})
    EXPECT_EQ(test::file_read(a + "/" + name), test::file_read(b + "/" + name)) << path << ": " << name;
  const nlohmann::json summary = nlohmann::json::parse(test::file_read(b + "/summary.json"));
  EXPECT_EQ(summary["input_format"], "npy");
  EXPECT_EQ(summary["input_conversion"], conversion);
  const std::string line = "kseg: " + path + ": " + conversion + "\n";
  EXPECT_EQ(rb.err.find(line), rb.err.rfind(line)) << "noted once: " << rb.err;
  EXPECT_NE(rb.err.find(line), std::string::npos) << rb.err;
}

TEST(NpyVariants, FitMatchesTheFloat32File) {
  test::ScratchDir dir;
  const std::vector<double> v = values(false);
  const std::vector<float> f(v.begin(), v.end());
  const std::string reference = dir.file("c.npy");
  npy_write(reference, f.data(), kRows, kCols);
  const std::string fortran_be = dir.file_write("fb.npy", npy_file(">f8", true, data_encode(v, 'f', 8, true, true)));
  fit_same(dir, reference, fortran_be, "'>f8' (big-endian float64) in Fortran order, converted to float32 row-major");
  const std::string ints = dir.file_write("i2.npy", npy_file("<i2", false, data_encode(v, 'i', 2, false, false)));
  fit_same(dir, reference, ints, "'<i2' (int16), converted to float32");
}

// numpy's own files: np.save of a Fortran-ordered frame, big-endian, integer and float16 arrays.
TEST(NpyVariants, NumpyWrittenFilesMatchTheFloat32File) {
  const std::string python = KSEG_PYTHON;
  if (std::system((python + " -c 'import numpy' > /dev/null 2>&1").c_str()) != 0)
    GTEST_SKIP() << "no numpy in " << python << " (scripts/install-python-deps.sh)";
  test::ScratchDir dir;
  const std::string script = dir.file_write("w.py", R"(import numpy as np, sys
d = sys.argv[1]
a = np.round(np.random.default_rng(3).normal(size=(400, 4)) * 20).astype(np.float32)
np.save(d + '/c.npy', a)
np.save(d + '/f.npy', np.asfortranarray(a))
np.save(d + '/be.npy', a.astype('>f8'))
np.save(d + '/i4.npy', a.astype(np.int32))
np.save(d + '/u_c.npy', np.abs(a))
np.save(d + '/u8f.npy', np.asfortranarray(np.abs(a).astype('>u8')))
np.save(d + '/f2.npy', a.astype(np.float16))
np.save(d + '/f2_c.npy', a.astype(np.float16).astype(np.float32))
)");
  ASSERT_EQ(std::system((python + " " + script + " " + dir.path().string()).c_str()), 0);
  fit_same(dir, dir.file("c.npy"), dir.file("f.npy"),
           "'<f4' (float32) in Fortran order, converted to float32 row-major");
  fit_same(dir, dir.file("c.npy"), dir.file("be.npy"), "'>f8' (big-endian float64), converted to float32");
  fit_same(dir, dir.file("c.npy"), dir.file("i4.npy"), "'<i4' (int32), converted to float32");
  fit_same(dir, dir.file("u_c.npy"), dir.file("u8f.npy"),
           "'>u8' (big-endian uint64) in Fortran order, converted to float32 row-major");
  fit_same(dir, dir.file("f2_c.npy"), dir.file("f2.npy"), "'<f2' (float16), converted to float32");
}

}  // namespace
}  // namespace kseg
