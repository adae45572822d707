// Compressed CSV: gzip (one or many members) and Zstandard files read as streams give exactly the records, fields,
// raw bytes and line numbers of the plain file, whatever the batch size and the file's name; byte ranges of the
// decompressed text select the records a plain file's ranges do; truncated, corrupt and unsupported files fail
// with one clear message.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "host/error.hpp"
#include "host/io/csv_reader.hpp"
#include "host/io/csv_slice.hpp"
#include "host/io/csv_stream.hpp"
#include "host/io/input_format.hpp"
#include "tests/io/compress_support.hpp"
#include "tests/io/test_files.hpp"

namespace kseg {
namespace {

struct Records {
  std::vector<std::string> raw;  // every field's raw bytes, record after record, "|"-joined per record
  std::vector<std::string> text;
  std::vector<int64_t> lines;
  std::vector<int64_t> field_lines;  // line of the last field (later than lines[] after quoted line breaks)
};

Records range_read(CsvReader& reader, size_t begin, size_t end, int64_t line, size_t batch_bytes) {
  Records out;
  reader.range_for_each(begin, end, line, 0, batch_bytes, 2, [&](const CsvRecordBatch& batch) {
    EXPECT_EQ(batch.first_record, static_cast<int64_t>(out.raw.size()));
    for (int64_t r = 0; r < batch.n_records; ++r) {
      std::string raw, text;
      for (int c = 0; c < batch.n_fields; ++c) {
        raw += std::string(batch.field_raw(r, c)) + "|";
        text += std::string(batch.field(r, c)) + "|";
      }
      out.raw.push_back(raw);
      out.text.push_back(text);
      out.lines.push_back(batch.line(r));
      out.field_lines.push_back(batch.field_line(r, batch.n_fields - 1));
    }
  });
  return out;
}

Records all_read(const std::string& path, size_t batch_bytes) {
  CsvReader reader(path);
  return range_read(reader, reader.data_begin(), reader.compressed() ? SIZE_MAX : reader.source().size,
                    reader.data_line(), batch_bytes);
}

void records_expect_equal(const Records& a, const Records& b, const std::string& what) {
  ASSERT_EQ(a.raw.size(), b.raw.size()) << what;
  EXPECT_TRUE(a.raw == b.raw) << what;
  EXPECT_TRUE(a.text == b.text) << what;
  EXPECT_TRUE(a.lines == b.lines) << what;
  EXPECT_TRUE(a.field_lines == b.field_lines) << what;
}

// About 3 MB of CSV with a BOM, CRLF and LF endings, blank lines, quoted fields holding delimiters, "" and line
// breaks, and uneven record lengths: larger than one decompressed read (1 MiB), so windows are cut mid-record.
std::string csv_text() {
  std::mt19937 rng(42);
  std::string text = "\xEF\xBB\xBFid,score,note,city\r\n";
  for (int i = 0; i < 40000; ++i) {
    text += "u" + std::to_string(i) + "," + std::to_string(rng() % 1000) + ".5,";
    switch (rng() % 5) {
      case 0:
        text += "\"two\nlines, \"\"quoted\"\"\"";
        break;
      case 1:
        text += std::string(rng() % 40, 'x');
        break;
      case 2:
        text += "\"a,b\"";
        break;
      default:
        text += "plain";
        break;
    }
    text += std::string(",city") + static_cast<char>('A' + rng() % 26) + (i % 3 == 0 ? "\r\n" : "\n");
    if (i % 997 == 0) text += "\n";  // a blank line: not a record, but a physical line
  }
  return text;
}

TEST(CompressedCsv, GzipAndZstdReadAsThePlainFile) {
  test::ScratchDir dir;
  const std::string text = csv_text();
  const std::string plain = dir.file_write("u.csv", text);
  const std::string gz = dir.file_write("u.csv.gz", test::gzip_bytes(text));
  const std::string zst = dir.file_write("u.csv.zst", test::zstd_bytes(text));
  // Several members, cut mid-record and mid-quoted-field: the stream is their concatenation (as gunzip gives it).
  const std::string multi = dir.file_write("m.csv.gz", test::gzip_bytes(text.substr(0, 12345)) +
                                                           test::gzip_bytes(text.substr(12345, 1000000)) +
                                                           test::gzip_bytes(text.substr(1012345)));
  const std::string zst_frames =
      dir.file_write("m.csv.zst", test::zstd_bytes(text.substr(0, 777777)) + test::zstd_bytes(text.substr(777777)));
  const Records expected = all_read(plain, 1 << 20);
  ASSERT_EQ(expected.raw.size(), 40000u);
  for (const size_t batch_bytes : {size_t{1} << 10, size_t{300000}, size_t{16} << 20})
    for (const std::string& path : {gz, zst, multi, zst_frames})
      records_expect_equal(expected, all_read(path, batch_bytes), path + " batch " + std::to_string(batch_bytes));
  CsvReader reader(gz);
  EXPECT_TRUE(reader.compressed());
  EXPECT_EQ(reader.header(), (std::vector<std::string>{"id", "score", "note", "city"}));
  EXPECT_EQ(reader.records_count(), 40000);
  EXPECT_EQ(reader.decompressed_size(), static_cast<int64_t>(text.size()));
}

TEST(CompressedCsv, DetectedByMagicBytesNotByName) {
  test::ScratchDir dir;
  const std::string text = "id,x\n1,2\n3,4\n";
  const std::string gz_as_csv = dir.file_write("users.csv", test::gzip_bytes(text));
  const std::string zst_no_ext = dir.file_write("export_0001", test::zstd_bytes(text));
  const std::string csv_as_gz = dir.file_write("plain.csv.gz", text);  // a plain file misnamed: read as text
  EXPECT_EQ(input_format_detect(gz_as_csv), InputFormat::csv_gzip);
  EXPECT_EQ(input_format_detect(zst_no_ext), InputFormat::csv_zstd);
  EXPECT_EQ(input_format_detect(csv_as_gz), InputFormat::csv);
  EXPECT_EQ(input_format_name(zst_no_ext), "csv-zstd");
  const Records expected = all_read(csv_as_gz, 1 << 20);
  ASSERT_EQ(expected.raw.size(), 2u);
  records_expect_equal(expected, all_read(gz_as_csv, 1 << 20), gz_as_csv);
  records_expect_equal(expected, all_read(zst_no_ext, 1 << 20), zst_no_ext);
  // A CSV whose first column name starts like a bzip2 or Parquet file is still a CSV.
  EXPECT_EQ(input_format_detect(dir.file_write("b.csv", "BZh9,PAR1\n1,2\n")), InputFormat::csv);
}

// The ranges csv_range_split gives 3 processes of the plain file, applied to the decompressed stream (as the
// compressed split does), select the same records; together they are every record once, in order.
TEST(CompressedCsv, ByteRangesSelectThePlainFilesRecords) {
  test::ScratchDir dir;
  const std::string text = csv_text();
  const std::string plain = dir.file_write("u.csv", text);
  const std::string zst = dir.file_write("u.csv.zst", test::zstd_bytes(text));
  CsvReader a(plain), b(zst);
  ASSERT_EQ(a.data_begin(), b.data_begin());
  const Records all = all_read(plain, 1 << 20);
  Records joined;
  const size_t length = text.size() - a.data_begin();
  for (size_t r = 0; r < 3; ++r) {
    const size_t begin = a.data_begin() + length * r / 3, end = a.data_begin() + length * (r + 1) / 3;
    // The plain range moved to record boundaries by hand: the first line start outside quotes at or after begin.
    int64_t newlines = 0;
    const CsvByteCounts before = csv_bytes_count(a.source(), a.data_begin(), begin);
    const size_t plain_begin = csv_boundary_next(a.source(), begin, before.quotes % 2 != 0, newlines);
    const CsvByteCounts upto = csv_bytes_count(a.source(), a.data_begin(), end);
    int64_t ignored = 0;
    const size_t plain_end = r == 2 ? text.size() : csv_boundary_next(a.source(), end, upto.quotes % 2 != 0, ignored);
    const Records want = range_read(a, plain_begin, plain_end, a.data_line() + before.newlines + newlines, 1 << 16);
    const Records got = range_read(b, begin, r == 2 ? SIZE_MAX : end, 0, 1 << 16);
    records_expect_equal(want, got, "range " + std::to_string(r));
    joined.raw.insert(joined.raw.end(), got.raw.begin(), got.raw.end());
  }
  EXPECT_TRUE(joined.raw == all.raw);
}

std::string open_error(const std::string& path) {
  try {
    all_read(path, 1 << 16);
  } catch (const DataError& e) {
    return e.what();
  }
  return "no error";
}

// Records longer than one decompressed read (1 MiB) and than the batch, first after the header and later.
TEST(CompressedCsv, RecordsLongerThanTheWindowAreRead) {
  test::ScratchDir dir;
  const std::string long_field(3u << 20, 'y');
  const std::string text = "id,note\n1,\"" + long_field + "\n" + long_field + "\"\n2,short\n3," + long_field + "\n";
  const std::string plain = dir.file_write("l.csv", text);
  const std::string gz = dir.file_write("l.csv.gz", test::gzip_bytes(text, 1));
  const Records expected = all_read(plain, 1 << 10);
  ASSERT_EQ(expected.raw.size(), 3u);
  records_expect_equal(expected, all_read(gz, 1 << 10), gz);
  records_expect_equal(expected, all_read(gz, 1 << 30), gz);
}

// A window bounded at 1 MiB refuses a longer record at its line instead of growing without end (an unclosed quote
// in a large file would otherwise pull the rest of the stream into memory).
TEST(CompressedCsv, RecordLimitBoundsTheWindow) {
  test::ScratchDir dir;
  const std::string text = "id,note\n1,ok\n2,\"never closed " + std::string(3u << 20, 'z') + "\n3,x\n";
  const std::string path = dir.file_write("q.csv.zst", test::zstd_bytes(text));
  CsvReader reader(path);
  CsvStreamWindow window(decompress_stream_open(path, InputFormat::csv_zstd), size_t{1} << 20);
  CsvStreamPass pass;
  pass.data_begin = static_cast<int64_t>(reader.data_begin());
  pass.data_line = reader.data_line();
  int64_t records = 0;
  try {
    csv_stream_for_each(window, CsvSource{nullptr, 0, path, ',', {}}, pass, 1 << 10, 2, 1,
                        [&](const CsvRecordBatch& batch) { records += batch.n_records; });
    ADD_FAILURE() << "no error";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), path + ":3: a record longer than 1 MiB starts here; is a quote left open?");
  }
  EXPECT_EQ(records, 1);
  // The reader's own window (256 MiB) reads on to the end and reports the quote where it opened.
  EXPECT_EQ(open_error(path), path + ":3:2: unterminated quoted field: the quote opened here is never closed");
}

TEST(CompressedCsv, ErrorsCarryDecompressedLineNumbers) {
  test::ScratchDir dir;
  std::string text = "id,x,note\n";
  for (int i = 0; i < 50000; ++i) text += std::to_string(i) + "," + std::to_string(i % 7) + ",\"a\nb\"\n";
  text += "50000,1,bad\"quote\n";  // record 50001 starts on physical line 1 + 2·50000 + 1
  for (const auto& [name, bytes] : {std::pair<std::string, std::string>{"e.csv.gz", test::gzip_bytes(text)},
                                    {"e.csv.zst", test::zstd_bytes(text)}}) {
    const std::string path = dir.file_write(name, bytes);
    EXPECT_EQ(open_error(path),
              path + ":100002:3: quote inside an unquoted field; quote the whole field and double the inner quotes");
  }
  const std::string ragged = dir.file_write("r.csv.gz", test::gzip_bytes("a,b\n1,2\n\n3\n"));
  EXPECT_EQ(open_error(ragged), ragged + ":4:2: expected 2 fields, found 1");
  const std::string open_quote = dir.file_write("q.csv.zst", test::zstd_bytes("a,b\n1,\"never closed\n2,3\n"));
  EXPECT_EQ(open_error(open_quote),
            open_quote + ":2:2: unterminated quoted field: the quote opened here is never closed");
  const std::string empty = dir.file_write("e.csv.gz", test::gzip_bytes(""));
  EXPECT_EQ(open_error(empty), empty + ": is empty: a header row is required");
}

TEST(CompressedCsv, TruncatedCorruptAndUnsupportedFilesFailClearly) {
  test::ScratchDir dir;
  std::string text = "id,x\n";
  for (int i = 0; i < 100000; ++i) text += std::to_string(i) + "," + std::to_string(i * 7 % 13) + "\n";
  const std::string gz = test::gzip_bytes(text), zst = test::zstd_bytes(text);
  const std::string suffix = " data is truncated (the file ends inside the compressed stream); copy or export it again";
  for (const size_t keep : {size_t{5}, size_t{20}, gz.size() / 2, gz.size() - 4}) {
    const std::string path = dir.file_write("t.csv.gz", gz.substr(0, keep));
    EXPECT_EQ(open_error(path), path + ": the gzip" + suffix) << keep;
  }
  for (const size_t keep : {size_t{6}, zst.size() / 2, zst.size() - 1}) {
    const std::string path = dir.file_write("t.csv.zst", zst.substr(0, keep));
    EXPECT_EQ(open_error(path), path + ": the Zstandard" + suffix) << keep;
  }
  // A member cut short after a complete one: still truncated.
  const std::string second = dir.file_write("t2.csv.gz", gz + gz.substr(0, gz.size() / 3));
  EXPECT_EQ(open_error(second), second + ": the gzip" + suffix);

  std::string flipped = gz;
  flipped[gz.size() / 2] = static_cast<char>(flipped[gz.size() / 2] ^ 0x55);
  const std::string bad_gz = dir.file_write("c.csv.gz", flipped);
  EXPECT_EQ(open_error(bad_gz).rfind(bad_gz + ": the gzip data is corrupt (", 0), 0u) << open_error(bad_gz);
  std::string crc = gz;
  crc[gz.size() - 6] = static_cast<char>(crc[gz.size() - 6] ^ 1);  // the CRC-32 of the trailer
  const std::string bad_crc = dir.file_write("crc.csv.gz", crc);
  EXPECT_EQ(open_error(bad_crc),
            bad_crc + ": the gzip data is corrupt (incorrect data check); copy or export it again");
  const std::string trailing = dir.file_write("g.csv.gz", gz + "trailing text");
  EXPECT_EQ(open_error(trailing).rfind(trailing + ": the gzip data is corrupt (", 0), 0u) << open_error(trailing);
  std::string zflipped = zst;
  zflipped[zst.size() / 2] = static_cast<char>(zflipped[zst.size() / 2] ^ 0x55);
  const std::string bad_zst = dir.file_write("c.csv.zst", zflipped);
  EXPECT_EQ(open_error(bad_zst).rfind(bad_zst + ": the Zstandard data is corrupt (", 0), 0u) << open_error(bad_zst);

  const std::string tail =
      "-compressed input is not supported; kseg reads plain, gzip (.csv.gz) or Zstandard "
      "(.csv.zst) CSV: decompress it, or recompress it with gzip or zstd";
  const std::vector<std::pair<std::string, std::string>> others = {
      {"bzip2", std::string("BZh91AY&SY") + std::string(20, '\x01')},
      {"xz", std::string("\xFD"
                         "7zXZ\0\0\x04",
                         8)},
      {"zip", std::string("PK\x03\x04\x14\0\0\0", 8)},
  };
  for (const auto& [name, bytes] : others) {
    const std::string path = dir.file_write("o.csv", bytes);
    EXPECT_EQ(open_error(path), path + ": " + name + tail);
  }
}

}  // namespace
}  // namespace kseg
