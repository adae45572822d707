// Output sets under SIGKILL at random points of a large fit, SIGINT, SIGTERM and a full disk: the directory holds
// exactly the earlier complete set or exactly the new one, and what a killed run leaves beside it goes with the next
// run. Plus the publishing mechanism itself (host/io/output_set.hpp).
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/output_set.hpp"
#include "tests/robustness/output_sets_support.hpp"

namespace kseg {
namespace {

namespace fs = std::filesystem;

pid_t kseg_start(const std::vector<std::string>& args) {
  std::vector<std::string> full = {KSEG_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execv(full[0].c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

int kseg_wait(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Hidden entries kseg leaves beside or inside an output directory while it works (staging, temporary files).
std::vector<std::string> hidden_entries(const fs::path& root) {
  std::vector<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".kseg-") != std::string::npos || name.find(".tmp.") != std::string::npos) names.push_back(name);
  }
  return names;
}

bool staging_present(const fs::path& parent) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parent, ec))
    if (entry.path().filename().string().find(".kseg-staging.") != std::string::npos) return true;
  return false;
}

// The set without summary.json, which holds timings (checked to be whole JSON separately).
std::map<std::string, std::string> set_state(const fs::path& out) {
  std::map<std::string, std::string> state = test::tree_state(out);
  state.erase("summary.json");
  return state;
}

struct LargeFit {
  test::ScratchDir dir;
  std::string big, small;
  std::vector<std::string> args;  // the large fit, without --out
  LargeFit() : big(dir.file("big.csv")), small(dir.file("small.csv")) {
    EXPECT_EQ(test::cli({"generate", "--users", "200000", "--seed", "3", "--out", big, "--quiet"}).code, 0);
    dir.file_write("small.csv", test::users_csv());
    args = {"fit", big, "--k", "3", "--max-iter", "3", "--threads", "2", "--quiet"};
  }
  // out holds the small fit and a file of the user's: the earlier complete set.
  void earlier_write(const std::string& out) const {
    fs::remove_all(out);
    ASSERT_EQ(test::cli({"fit", small, "--k", "2", "--out", out, "--quiet"}).code, 0);
    dir.file_write(fs::relative(out, dir.path()).string() + "/notes.txt", "mine\n");
  }
  std::vector<std::string> into(const std::string& out) const {
    std::vector<std::string> a = args;
    a.insert(a.end(), {"--out", out});
    return a;
  }
};

TEST(OutputSetSignals, SigkillAtRandomPointsLeavesTheEarlierOrTheNewSet) {
  LargeFit fit;
  const std::string reference = fit.dir.file("reference");
  fit.earlier_write(reference);  // the complete new set also carries the user's file
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(kseg_wait(kseg_start(fit.into(reference))), 0);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::map<std::string, std::string> complete = set_state(reference);

  const unsigned seed = std::random_device{}();
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> at(0.05, 1.0);
  for (double point : {at(random), at(random), at(random)}) {
    SCOPED_TRACE("seed " + std::to_string(seed) + ", SIGKILL at " + std::to_string(point) + " of " +
                 std::to_string(seconds) + " s");
    const std::string out = fit.dir.file("out");
    fit.earlier_write(out);
    const std::map<std::string, std::string> earlier = set_state(out);
    const std::string earlier_summary = test::file_read(out + "/summary.json");
    const pid_t pid = kseg_start(fit.into(out));
    std::this_thread::sleep_for(std::chrono::duration<double>(point * seconds));
    ::kill(pid, SIGKILL);
    const int code = kseg_wait(pid);
    EXPECT_TRUE(code == 128 + SIGKILL || code == 0) << code;
    const std::map<std::string, std::string> after = set_state(out);
    EXPECT_TRUE(after == earlier || after == complete) << "a mix of the earlier and the new set";
    const std::string summary = test::file_read(out + "/summary.json");
    EXPECT_TRUE(after == earlier ? summary == earlier_summary : summary.find("\"seconds\"") != std::string::npos);

    // The next run into the directory removes what the killed run left beside it.
    ASSERT_EQ(test::cli({"fit", fit.small, "--k", "2", "--out", out, "--quiet"}).code, 0);
    EXPECT_TRUE(hidden_entries(fit.dir.path()).empty()) << hidden_entries(fit.dir.path()).front();
  }
}

TEST(OutputSetSignals, SigintAndSigtermRemoveTheStagingAndKeepTheEarlierSet) {
  LargeFit fit;
  for (int signal : {SIGINT, SIGTERM}) {
    SCOPED_TRACE("signal " + std::to_string(signal));
    const std::string out = fit.dir.file("out");
    fit.earlier_write(out);
    const std::map<std::string, std::string> earlier = test::tree_state(out);
    const pid_t pid = kseg_start(fit.into(out));
    const auto start = std::chrono::steady_clock::now();
    while (!staging_present(fit.dir.path()) && std::chrono::steady_clock::now() - start < std::chrono::seconds(30))
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // into the reading and fitting
    ::kill(pid, signal);
    EXPECT_EQ(kseg_wait(pid), 128 + signal);
    EXPECT_TRUE(test::tree_state(out) == earlier);
    EXPECT_TRUE(hidden_entries(fit.dir.path()).empty()) << hidden_entries(fit.dir.path()).front();
  }
}

TEST(OutputSetSignals, FullDiskFailsWithOneLineAndKeepsTheEarlierSet) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root (CI runs as root)";
  test::ScratchDir dir, capture;
  const std::string disk = dir.file("disk");
  fs::create_directories(disk);
  if (::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=256k") != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno) << "): no CAP_SYS_ADMIN in this container";
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{disk};
  const std::string users = dir.file_write("u.csv", test::users_csv());
  const std::string big = dir.file("big.csv");
  ASSERT_EQ(test::cli({"generate", "--users", "20000", "--seed", "5", "--out", big, "--quiet"}).code, 0);
  const std::string out = disk + "/out";
  ASSERT_EQ(test::cli({"fit", users, "--k", "2", "--out", out, "--quiet"}).code, 0);
  const std::map<std::string, std::string> earlier = test::tree_state(disk);
  const test::ExecResult r = test::kseg_exec({"fit", big, "--k", "3", "--out", out, "--quiet"}, capture.file(""), 60);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(out), std::string::npos) << "names the output directory: " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(test::tree_state(disk) == earlier);
}

// Today's crash inside the OpenMP runtime: a thread count the machine cannot start. Capped at 4 × the cores with one
// notice, and the fit runs.
TEST(OutputSetResources, HugeThreadCountsAreCappedWithANotice) {
  test::ScratchDir dir, capture;
  const std::string users = dir.file_write("u.csv", test::users_csv());
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::string using_text = "using " + std::to_string(4 * cores) + " threads";
  const test::ExecResult option = test::kseg_exec(
      {"fit", users, "--k", "2", "--out", dir.file("a"), "--threads", "100000000"}, capture.path().string(), 60);
  EXPECT_EQ(option.code, 0) << option.err;
  EXPECT_NE(option.err.find("notice: --threads 100000000 is more than 4 × this machine's"), std::string::npos)
      << option.err;
  EXPECT_NE(option.err.find(using_text), std::string::npos) << option.err;
  const test::ExecResult env = test::kseg_exec({"fit", users, "--k", "2", "--out", dir.file("b")},
                                               capture.path().string(), 60, {"OMP_NUM_THREADS=100000000"});
  EXPECT_EQ(env.code, 0) << env.err;
  EXPECT_NE(env.err.find("notice: OMP_NUM_THREADS 100000000 is more than"), std::string::npos) << env.err;
  EXPECT_EQ(test::file_read(dir.file("a/segments.csv")), test::file_read(dir.file("b/segments.csv")));
}

TEST(OutputSet, ANewDirectoryAndItsParentsAppearOnlyAtPublish) {
  test::ScratchDir dir;
  const std::string out = dir.file("a/b/c");
  {
    OutputSet unpublished(out);
    AtomicFile file(unpublished.path() + "/x.txt");
    file.write("x");
    file.commit();
    EXPECT_FALSE(fs::exists(dir.file("a")));
  }
  EXPECT_TRUE(fs::is_empty(dir.path())) << "an unpublished set leaves nothing";
  OutputSet set(out);
  AtomicFile file(set.path() + "/x.txt");
  file.write("x");
  file.commit();
  set.publish();
  EXPECT_EQ(test::file_read(out + "/x.txt"), "x");
  EXPECT_TRUE(hidden_entries(dir.path()).empty());
}

TEST(OutputSet, OtherEntriesAreCarriedAndWrittenOnesReplacedWhole) {
  test::ScratchDir dir;
  const std::string out = dir.file("out");
  fs::create_directories(out + "/parts");
  dir.file_write("out/keep.txt", "mine");
  dir.file_write("out/x.txt", "old x");
  dir.file_write("out/parts/old-part.csv", "old");
  dir.file_write("out/gone.csv", "dropped");
  fs::create_symlink("keep.txt", out + "/link");
  OutputSet set(out);
  fs::create_directories(set.path() + "/parts");
  dir.file_write(fs::relative(set.path(), dir.path()).string() + "/x.txt", "new x");
  dir.file_write(fs::relative(set.path(), dir.path()).string() + "/parts/new-part.csv", "new");
  set.drop("gone.csv");
  set.publish();
  EXPECT_EQ(test::file_read(out + "/keep.txt"), "mine");
  EXPECT_EQ(test::file_read(out + "/x.txt"), "new x");
  EXPECT_EQ(fs::read_symlink(out + "/link"), "keep.txt");
  EXPECT_TRUE(fs::exists(out + "/parts/new-part.csv"));
  EXPECT_FALSE(fs::exists(out + "/parts/old-part.csv")) << "a written subdirectory is not merged with the old one";
  EXPECT_FALSE(fs::exists(out + "/gone.csv"));
  EXPECT_TRUE(hidden_entries(dir.path()).empty());
}

TEST(OutputSet, StagingOfAGoneProcessIsRemovedALiveOneKept) {
  test::ScratchDir dir;
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);  // a pid certainly gone
  const std::string gone = dir.file(".out.kseg-staging." + std::to_string(child) + ".AbCdEf");
  const std::string live = dir.file(".out.kseg-staging." + std::to_string(::getppid()) + ".AbCdEf");
  dir.file_write(fs::relative(gone, dir.path()).string() + "/segments.csv", "half");
  fs::create_directories(live);
  const OutputSet set(dir.file("out"));
  EXPECT_FALSE(fs::exists(gone));
  EXPECT_TRUE(fs::exists(live)) << "another kseg may still be writing it";
}

TEST(OutputSet, RefusesEmptyAndTheWorkingDirectory) {
  test::ScratchDir dir;
  EXPECT_THROW(OutputSet(""), UsageError);
  const fs::path before = fs::current_path();
  fs::current_path(dir.path());
  EXPECT_THROW(OutputSet("."), UsageError);
  EXPECT_THROW(OutputSet(dir.path().parent_path().string()), UsageError);
  fs::current_path(before);
  EXPECT_THROW(OutputSet(dir.file_write("f", "x") + "/sub"), DataError);
}

TEST(OutputSet, StagedPathsAreShownAsTheUserGaveThem) {
  EXPECT_EQ(output_path_shown("/x/.out.kseg-staging.12.AbCdEf/model.json"), "/x/out/model.json");
  EXPECT_EQ(output_path_shown(".segs.kseg-staging.7.zzzzzz/a/b.csv"), "segs/a/b.csv");
  EXPECT_EQ(output_path_shown("/x/out/model.json"), "/x/out/model.json");
}

TEST(OutputSet, ProfileAndCompareIntoAFitDirectoryKeepTheFitFiles) {
  test::ScratchDir dir;
  const std::string users = dir.file_write("u.csv", test::users_csv()), out = dir.file("out");
  ASSERT_EQ(test::cli({"fit", users, "--k", "2", "--out", out, "--quiet"}).code, 0);
  const std::string segments = test::file_read(out + "/segments.csv"), model = test::file_read(out + "/model.json");
  const test::CliResult profile =
      test::cli({"profile", users, "--model", out + "/model.json", "--segments", out + "/segments.csv"});
  ASSERT_EQ(profile.code, 0) << profile.err;
  EXPECT_NE(profile.out.find(out + "/report.html"), std::string::npos) << "paths shown as given: " << profile.out;
  ASSERT_EQ(test::cli({"compare", out + "/segments.csv", out + "/segments.csv", "--out", out, "--quiet"}).code, 0);
  EXPECT_EQ(test::file_read(out + "/segments.csv"), segments);
  EXPECT_EQ(test::file_read(out + "/model.json"), model);
  EXPECT_NE(test::file_read(out + "/report.html").find("migration"), std::string::npos);
  EXPECT_TRUE(fs::exists(out + "/compare.json"));
  EXPECT_TRUE(hidden_entries(dir.path()).empty());
}

}  // namespace
}  // namespace kseg
