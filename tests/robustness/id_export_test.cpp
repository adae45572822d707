// Ids on the way out: keyed pseudonyms (HMAC-SHA-256), key resolution, duplicate and non-UTF-8 id warnings, and the
// command-line rules for the key (never in argv, --hash-key-file needs --hash-ids).
#include <gtest/gtest.h>
#include <omp.h>
#include <openssl/hmac.h>
#include <stdlib.h>

#include <sstream>
#include <string>

#include "host/error.hpp"
#include "host/output/segment_files.hpp"
#include "host/privacy/id_pseudonym.hpp"
#include "tests/cli/cli_test_support.hpp"

namespace kseg {
namespace {

std::string pseudonym(const std::string& key, const std::string& id) {
  IdPseudonymizer p(key);
  std::string out;
  p.hex_append(id, out);
  return out;
}

TEST(IdPseudonym, MatchesRfc4231TestVectors) {
  // RFC 4231 test case 1 (20-byte key) and test case 6 (131-byte key, hashed first).
  EXPECT_EQ(pseudonym(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(pseudonym(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(IdPseudonym, AgreesWithOpenSslHmacAndIsStablePerKey) {
  const std::string key = "a key of at least sixteen bytes";
  IdPseudonymizer p(key);
  for (const std::string& id :
       std::vector<std::string>{"", "1", "user-42", std::string("\xff\x00z", 3), std::string(300, 'q')}) {
    unsigned char digest[32];
    unsigned int n = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(id.data()),
         id.size(), digest, &n);
    std::string expected;
    for (unsigned int i = 0; i < n; ++i) {
      static const char hex[] = "0123456789abcdef";
      expected += hex[digest[i] >> 4];
      expected += hex[digest[i] & 15];
    }
    std::string out;
    p.hex_append(id, out);
    EXPECT_EQ(out, expected);
    EXPECT_EQ(pseudonym(key, id), out);  // same key, same pseudonym
    EXPECT_NE(pseudonym(key + "!", id), out);
  }
}

TEST(IdPseudonym, ShortKeysAreRefused) { EXPECT_THROW(IdPseudonymizer("fifteen bytes.."), UsageError); }

TEST(IdPseudonym, KeyComesFromTheFileElseTheEnvironment) {
  test::ScratchDir dir;
  const std::string file = dir.file_write("key", "0123456789abcdef0123\n");
  EXPECT_EQ(hash_key_resolve(file, "ignored-when-a-file-is-given"), "0123456789abcdef0123");
  EXPECT_EQ(hash_key_resolve(dir.file_write("key2", "0123456789abcdef\r\n"), nullptr), "0123456789abcdef");
  EXPECT_EQ(hash_key_resolve("", "environment-key-0001"), "environment-key-0001");
  EXPECT_THROW(hash_key_resolve("", nullptr), UsageError);
  EXPECT_THROW(hash_key_resolve("", ""), UsageError);
  EXPECT_THROW(hash_key_resolve(dir.file("absent"), nullptr), UsageError);
  EXPECT_THROW(hash_key_resolve(dir.file_write("short", "short\n"), nullptr), UsageError);
}

TEST(Utf8, ValidAndInvalidSequences) {
  EXPECT_TRUE(utf8_valid(""));
  EXPECT_TRUE(utf8_valid("plain"));
  EXPECT_TRUE(utf8_valid("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(utf8_valid("\xFF"));
  EXPECT_FALSE(utf8_valid("\xC3"));              // truncated
  EXPECT_FALSE(utf8_valid("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(utf8_valid("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(utf8_valid("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(utf8_valid("a\x80z"));            // stray continuation byte
}

struct Written {
  std::vector<std::string> ids;  // the id column of segments.csv
  int64_t duplicates = 0;
  int64_t invalid_utf8 = 0;
};

// Writes segments.csv for ids through a SegmentsWriter and reads its id column back.
Written ids_write(const test::ScratchDir& dir, const IdExport& ids_export, const IdColumn& ids) {
  SegmentsWriter writer(dir.file("segments.csv"), ids_export);
  const std::vector<int32_t> labels(static_cast<size_t>(ids.size()), 0);
  const std::vector<float> sq(static_cast<size_t>(ids.size()), 1.0f);
  writer.rows_append(ids, 0, labels.data(), sq.data(), ids.size());
  writer.commit();
  Written w{{}, writer.duplicate_ids(), writer.invalid_utf8_ids()};
  const std::vector<std::string> lines = test::lines_split(test::file_read(dir.file("segments.csv")));
  for (size_t i = 1; i < lines.size(); ++i) w.ids.push_back(lines[i].substr(0, lines[i].rfind(",0,1")));
  return w;
}

TEST(SegmentsWriterIds, DuplicatesAndInvalidUtf8AreCountedAndReported) {
  test::ScratchDir dir;
  IdColumn ids;
  for (const char* id : {"a", "b", "a", "\"a\"", "c\xFF", "b"}) ids.append(id);
  std::ostringstream warnings;
  IdExport options;
  options.warnings = &warnings;
  const Written w = ids_write(dir, options, ids);
  EXPECT_EQ(w.ids, (std::vector<std::string>{"a", "b", "a", "\"a\"", "c\xFF", "b"}));  // byte for byte
  EXPECT_EQ(w.duplicates, 3);  // a, "a" (the same value quoted) and b repeat earlier rows
  EXPECT_EQ(w.invalid_utf8, 1);
  EXPECT_NE(warnings.str().find("warning: 3 of 6 rows of " + dir.file("segments.csv") + " repeat an earlier row's id"),
            std::string::npos)
      << warnings.str();
  EXPECT_NE(warnings.str().find("1 of 6 ids in " + dir.file("segments.csv") + " are not valid UTF-8 (first: row 4"),
            std::string::npos)
      << warnings.str();
}

TEST(SegmentsWriterIds, UniqueIdsGiveNoWarning) {
  test::ScratchDir dir;
  IdColumn ids;
  for (const char* id : {"1", "2", "3"}) ids.append(id);
  std::ostringstream warnings;
  IdExport options;
  options.warnings = &warnings;
  ids_write(dir, options, ids);
  ids_write(dir, options, IdColumn::row_numbers(5));
  EXPECT_EQ(warnings.str(), "");
}

TEST(SegmentsWriterIds, HashIdsReplacesEveryIdByItsPseudonym) {
  test::ScratchDir dir;
  IdExport options;
  options.hash_ids = true;
  options.hash_key = "0123456789abcdef-key";
  IdColumn ids;
  for (const char* id : {"alice", "\"alice\"", "\"a,b\"", "bob"}) ids.append(id);
  const std::vector<std::string> written = ids_write(dir, options, ids).ids;
  EXPECT_EQ(written,
            (std::vector<std::string>{pseudonym(options.hash_key, "alice"), pseudonym(options.hash_key, "alice"),
                                      pseudonym(options.hash_key, "a,b"), pseudonym(options.hash_key, "bob")}));
  const std::string text = test::file_read(dir.file("segments.csv"));
  EXPECT_EQ(text.find("alice"), std::string::npos);
  EXPECT_EQ(ids_write(dir, options, IdColumn::row_numbers(2)).ids,
            (std::vector<std::string>{pseudonym(options.hash_key, "0"), pseudonym(options.hash_key, "1")}));
}

// The key rules are checked before any work: exit 2, one line, nothing written.
TEST(HashIdsOptions, KeyRulesAreUsageErrors) {
  test::ScratchDir dir;
  const std::string users = dir.file_write("u.csv", "id,a\n1,1\n2,2\n");
  const std::string out = dir.file("out");
  ::unsetenv("KSEG_HASH_KEY");
  const auto expect_refused = [&](std::vector<std::string> args, const std::string& fragment) {
    const test::CliResult r = test::cli(args);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out));
  };
  expect_refused({"fit", users, "--k", "1", "--out", out, "--hash-ids", "--hash-key", "secret-secret-secret"},
                 "never accepted on the command line");
  expect_refused({"fit", users, "--k", "1", "--out", out, "--hash-ids"}, "--hash-ids needs a key");
  expect_refused({"fit", users, "--k", "1", "--out", out, "--hash-key-file", dir.file_write("k", "0123456789abcdef")},
                 "--hash-key-file needs --hash-ids");
  expect_refused({"fit", users, "--k", "1", "--out", out, "--hash-ids", "--hash-key-file", dir.file("none")},
                 "cannot read the key file");
  expect_refused({"assign", users, "--model", dir.file("m.json"), "--out", dir.file("out/a.csv"), "--hash-ids",
                  "--hash-key-file", dir.file_write("short", "short")},
                 "use at least 16");
  ::setenv("KSEG_HASH_KEY", "tiny", 1);
  expect_refused({"fit", users, "--k", "1", "--out", out, "--hash-ids"}, "the key has 4 bytes");
  ::unsetenv("KSEG_HASH_KEY");
}

TEST(HashIdsCli, FitAndAssignExportTheSamePseudonymsAndNoRawIds) {
  test::ScratchDir dir;
  const std::string users = dir.file_write("u.csv", "id,a,b\nalice,1,5\nbob,2,6\n\"carol\",9,9\ndave,8,8\n");
  const std::string key = "0123456789abcdef-a-test-key";
  const std::string key_file = dir.file_write("key", key + "\n");
  ASSERT_EQ(test::cli({"fit", users, "--k", "2", "--out", dir.file("out"), "--hash-ids", "--hash-key-file", key_file,
                       "--quiet"})
                .code,
            0);
  const std::vector<std::string> lines = test::lines_split(test::file_read(dir.file("out/segments.csv")));
  ASSERT_EQ(lines.size(), 5u);
  const std::vector<std::string> names = {"alice", "bob", "carol", "dave"};
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(lines[i + 1].substr(0, 64), pseudonym(key, names[i]));
  for (const char* file : {"segments.csv", "centroids.csv", "model.json", "summary.json"})
    for (const std::string& name : names)
      EXPECT_EQ(test::file_read(dir.file("out/") + file).find(name), std::string::npos) << name << " in " << file;

  ::setenv("KSEG_HASH_KEY", key.c_str(), 1);  // the same key from the environment: the same pseudonyms
  ASSERT_EQ(test::cli({"assign", users, "--model", dir.file("out/model.json"), "--out", dir.file("a.csv"), "--hash-ids",
                       "--quiet"})
                .code,
            0);
  ::unsetenv("KSEG_HASH_KEY");
  EXPECT_EQ(test::file_read(dir.file("a.csv")), test::file_read(dir.file("out/segments.csv")));
  ASSERT_EQ(
      test::cli({"assign", users, "--model", dir.file("out/model.json"), "--out", dir.file("raw.csv"), "--quiet"}).code,
      0);
  EXPECT_NE(test::file_read(dir.file("raw.csv")).find("\nalice,"), std::string::npos);  // without --hash-ids: as read
}

TEST(HashIdsCli, DuplicateIdsAreAWarningWithACount) {
  test::ScratchDir dir;
  const std::string users = dir.file_write("u.csv", "id,a\n7,1\n8,2\n7,3\n9,4\n8,5\n");
  const test::CliResult r = test::cli({"fit", users, "--k", "2", "--out", dir.file("out")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: 2 of 5 rows of " + dir.file("out/segments.csv") + " repeat an earlier row's id"),
            std::string::npos)
      << r.err;
  const test::CliResult quiet = test::cli({"fit", users, "--k", "2", "--out", dir.file("out"), "--quiet"});
  EXPECT_EQ(quiet.code, 0);
  EXPECT_EQ(quiet.err, "");
}

// Rows are formatted in chunks on all threads: over many chunks the file, the counts and the first bad row must be
// what one thread writing row by row gives, for raw, quoted and hashed ids, in two appends.
TEST(SegmentsWriterIds, ManyRowsOnManyThreadsEqualOneThread) {
  test::ScratchDir dir;
  const int64_t n = 100000;  // several 16,384-row chunks
  IdColumn ids;
  for (int64_t i = 0; i < n; ++i) {
    std::string id = i % 1000 == 999 ? "\"u," + std::to_string(i % 50000) + "\"" : "u" + std::to_string(i % 90000);
    if (i == 70001 || i == 90000) id += "\xFF";
    ids.append(id);
  }
  std::vector<int32_t> labels(static_cast<size_t>(n));
  std::vector<float> sq(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    labels[i] = static_cast<int32_t>(i % 7);
    sq[i] = static_cast<float>(i % 1013) / 7.0f;
  }
  for (const bool hashed : {false, true}) {
    std::vector<std::string> text;
    std::vector<int64_t> counts;
    std::vector<std::string> warnings_text;
    for (const int threads : {1, 3}) {
      omp_set_num_threads(threads);
      std::ostringstream warnings;
      IdExport options;
      options.warnings = &warnings;
      options.hash_ids = hashed;
      options.hash_key = "a key of at least sixteen bytes";
      const std::string path = dir.file("t" + std::to_string(threads) + ".csv");
      SegmentsWriter writer(path, options);
      writer.rows_append(ids, 0, labels.data(), sq.data(), 40000);
      writer.rows_append(ids, 40000, labels.data() + 40000, sq.data() + 40000, n - 40000);
      writer.commit();
      text.push_back(test::file_read(path));
      counts.push_back(writer.duplicate_ids());
      counts.push_back(writer.invalid_utf8_ids());
      std::string w = warnings.str();
      warnings_text.push_back(w.substr(w.find("are not valid")));
    }
    omp_set_num_threads(omp_get_num_procs());
    EXPECT_EQ(text[0], text[1]) << "hashed " << hashed;
    EXPECT_EQ(counts[0], counts[2]);
    EXPECT_EQ(counts[1], 2);
    EXPECT_EQ(counts[3], 2);
    EXPECT_GT(counts[0], 9000);
    EXPECT_EQ(warnings_text[0], warnings_text[1]);
    EXPECT_NE(warnings_text[0].find("(first: row 70001,"), std::string::npos) << warnings_text[0];
    const std::vector<std::string> lines = test::lines_split(text[0]);
    ASSERT_EQ(lines.size(), static_cast<size_t>(n + 1));
    for (int64_t i = 0; i < n && !hashed; i += 997) {  // rows in input order, in every chunk
      ASSERT_EQ(lines[i + 1].rfind(std::string(ids.raw(i)) + "," + std::to_string(labels[i]) + ",", 0), 0u)
          << lines[i + 1];
    }
  }
}

}  // namespace
}  // namespace kseg
