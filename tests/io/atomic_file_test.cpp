#include "host/io/atomic_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "host/error.hpp"
#include "tests/io/test_files.hpp"

namespace kseg {
namespace {

std::vector<std::string> directory_names(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  return names;
}

TEST(atomic_file, CommitCreatesFileWithContents) {
  test::ScratchDir dir;
  const std::string path = dir.file("out.csv");
  const std::string big(3 << 20, 'x');  // larger than the buffer: goes straight to the file
  {
    AtomicFile file(path);
    EXPECT_EQ(file.path(), path);
    file.write("head\n");
    file.write(big);
    file.write("tail\n");
    EXPECT_FALSE(std::filesystem::exists(path));  // nothing visible before commit
    file.commit();
  }
  EXPECT_EQ(test::file_read(path), "head\n" + big + "tail\n");
  EXPECT_EQ(directory_names(dir.path()), std::vector<std::string>{"out.csv"});
}

TEST(atomic_file, CommitReplacesExistingFile) {
  test::ScratchDir dir;
  const std::string path = dir.file_write("out.txt", "old contents that are longer");
  AtomicFile file(path);
  file.write("new");
  EXPECT_EQ(test::file_read(path), "old contents that are longer");
  file.commit();
  EXPECT_EQ(test::file_read(path), "new");
  EXPECT_THROW(file.write("more"), DataError);
}

TEST(atomic_file, DestructionWithoutCommitLeavesNothing) {
  test::ScratchDir dir;
  const std::string path = dir.file("out.bin");
  {
    AtomicFile file(path);
    file.write("partial");
    const std::vector<std::string> names = directory_names(dir.path());
    ASSERT_EQ(names.size(), 1u);
    EXPECT_EQ(names[0].rfind(".out.bin.tmp.", 0), 0u) << names[0];
  }
  EXPECT_TRUE(directory_names(dir.path()).empty());
}

TEST(atomic_file, UnwritableDirectoryThrowsWithPath) {
  test::ScratchDir dir;
  const std::string missing = dir.file("absent/out.csv");
  try {
    AtomicFile file(missing);
    ADD_FAILURE() << "opened a file in a missing directory";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot write " + missing + ": No such file or directory");
  }
  // A regular file where a directory should be: unwritable even for root, unlike permission bits.
  const std::string not_dir = dir.file_write("plain", "x") + "/out.csv";
  try {
    AtomicFile file(not_dir);
    ADD_FAILURE() << "opened a file below a regular file";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot write " + not_dir + ": Not a directory");
  }
}

TEST(atomic_file, DirectoryEnsureCreatesParentsAndReportsFailures) {
  test::ScratchDir dir;
  const std::string nested = dir.file("a/b/c");
  directory_ensure(nested);
  EXPECT_TRUE(std::filesystem::is_directory(nested));
  directory_ensure(nested);  // existing directories are fine
  const std::string file = dir.file_write("plain", "x");
  try {
    directory_ensure(file + "/sub");
    ADD_FAILURE() << "created a directory below a regular file";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("cannot create directory " + file + "/sub: ", 0), 0u) << e.what();
  }
  EXPECT_THROW(directory_ensure(file), DataError);
}

}  // namespace
}  // namespace kseg
