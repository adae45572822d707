// Bad-input corpus, compressed CSV: truncated, corrupt and unsupported compressed files are refused with one line
// naming the file and what is wrong, and nothing is written (fit's output set and assign's file stay as they were).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/io/compress_support.hpp"
#include "tests/robustness/bad_input_support.hpp"

namespace kseg {
namespace {

using test::BadInputCase;

std::vector<std::string> fit_args(const std::string& file) {
  return {"fit", "@" + file, "--k", "2", "--out", "@out", "--quiet"};
}

std::vector<std::string> assign_args(const std::string& file) {
  return {"assign", "@" + file, "--model", "@m/model.json", "--out", "@assigned.csv", "--quiet"};
}

// A model fitted on a plain copy of the users, for the assign cases.
void model_fit(const test::ScratchDir& dir) {
  const std::string users = dir.file_write("m.csv", "id,a,b\n1,1,5\n2,2,6\n3,9,9\n");
  ASSERT_EQ(test::cli({"fit", users, "--k", "2", "--out", dir.file("m"), "--quiet"}).code, 0);
}

std::string users_text() {
  std::string text = "id,a,b\n";
  for (int i = 0; i < 20000; ++i)
    text += std::to_string(i) + "," + std::to_string(i % 17) + "," + std::to_string(i % 5) + "\n";
  return text;
}

std::string byte_flip(std::string bytes, size_t at) {
  bytes[at] = static_cast<char>(bytes[at] ^ 0x55);
  return bytes;
}

std::vector<BadInputCase> compressed_corpus() {
  const std::string gz = test::gzip_bytes(users_text()), zst = test::zstd_bytes(users_text());
  const std::string truncated = " data is truncated (the file ends inside the compressed stream)";
  return {
      {"GzipTruncated",
       {{"u.csv.gz", gz.substr(0, gz.size() / 2)}},
       fit_args("u.csv.gz"),
       1,
       "u.csv.gz: the gzip" + truncated},
      {"GzipTruncatedNamedCsv",
       {{"u.csv", gz.substr(0, gz.size() - 3)}},
       fit_args("u.csv"),
       1,
       "u.csv: the gzip" + truncated},
      {"ZstdTruncated",
       {{"u.csv.zst", zst.substr(0, zst.size() - 2)}},
       fit_args("u.csv.zst"),
       1,
       "u.csv.zst: the Zstandard" + truncated},
      {"GzipCorrupt",
       {{"u.csv.gz", byte_flip(gz, gz.size() / 2)}},
       fit_args("u.csv.gz"),
       1,
       "u.csv.gz: the gzip data is corrupt ("},
      {"ZstdCorrupt",
       {{"u.csv.zst", byte_flip(zst, zst.size() / 2)}},
       fit_args("u.csv.zst"),
       1,
       "u.csv.zst: the Zstandard data is corrupt ("},
      {"GzipTrailingGarbage",
       {{"u.csv.gz", gz + "not gzip"}},
       fit_args("u.csv.gz"),
       1,
       "u.csv.gz: the gzip data is corrupt ("},
      {"AssignGzipTruncated",
       {{"u.csv.gz", gz.substr(0, gz.size() * 3 / 4)}},
       assign_args("u.csv.gz"),
       1,
       "u.csv.gz: the gzip" + truncated,
       model_fit},
      {"AssignZstdCorrupt",
       {{"u.csv.zst", byte_flip(zst, zst.size() / 3)}},
       assign_args("u.csv.zst"),
       1,
       "u.csv.zst: the Zstandard data is corrupt (",
       model_fit},
      {"GzipBadQuote",
       {{"q.csv.gz", test::gzip_bytes("id,a\n1,2\n2,x\"y\n")}},
       fit_args("q.csv.gz"),
       1,
       "q.csv.gz:3:2: quote inside an unquoted field"},
      {"Bzip2",
       {{"u.csv.bz2", std::string("BZh91AY&SY") + std::string(30, '\x02')}},
       fit_args("u.csv.bz2"),
       1,
       "u.csv.bz2: bzip2-compressed input is not supported"},
      {"Xz",
       {{"u.csv.xz", std::string("\xFD"
                                 "7zXZ\0\0\x04\xE6",
                                 8)}},
       fit_args("u.csv.xz"),
       1,
       "u.csv.xz: xz-compressed input is not supported"},
      {"Zip",
       {{"u.zip", std::string("PK\x03\x04\x14\0\0\0", 8)}},
       assign_args("u.zip"),
       1,
       "u.zip: zip-compressed input is not supported",
       model_fit},
  };
}

class BadCompressed : public testing::TestWithParam<BadInputCase> {};

TEST_P(BadCompressed, RefusedWithNameAndNothingWritten) { test::bad_input_case_check(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Corpus, BadCompressed, testing::ValuesIn(compressed_corpus()), test::bad_input_case_name);

}  // namespace
}  // namespace kseg
