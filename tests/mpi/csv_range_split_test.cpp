// csv_range_split without MPI: N simulated ranks (each sees the others' counts as an allgather would give them) must
// tile the data bytes with ranges that start at record boundaries, also when a cut falls inside a quoted field
// holding line breaks, and report the physical line of each start.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/io/csv_parse.hpp"
#include "host/io/csv_slice.hpp"

namespace kseg {
namespace {

// Rank `rank` of `blobs.size()` ranks whose allgather_bytes returns precomputed blobs.
class SimulatedRank final : public Communicator {
 public:
  SimulatedRank(int rank, std::vector<std::string> blobs) : rank_(rank), blobs_(std::move(blobs)) {}
  int rank() const override { return rank_; }
  int size() const override { return static_cast<int>(blobs_.size()); }
  void sum_all(double*, size_t) const override {}
  void sum_all(int64_t*, size_t) const override {}
  std::vector<std::string> allgather_bytes(std::string_view) const override { return blobs_; }
  void root_collect(std::string_view, const std::function<void(int, std::string_view)>&) const override {}

 private:
  int rank_;
  std::vector<std::string> blobs_;
};

std::vector<CsvByteRange> ranges_split(const CsvSource& src, size_t data_begin, int ranks) {
  const size_t length = src.size - data_begin;
  std::vector<std::string> blobs;
  for (int r = 0; r < ranks; ++r) {
    const size_t begin = data_begin + length / ranks * r + length % ranks * r / ranks;
    const size_t end = data_begin + length / ranks * (r + 1) + length % ranks * (r + 1) / ranks;
    const CsvByteCounts counts = csv_bytes_count(src, begin, end);
    blobs.emplace_back(reinterpret_cast<const char*>(&counts), sizeof(counts));
  }
  std::vector<CsvByteRange> ranges;
  for (int r = 0; r < ranks; ++r) ranges.push_back(csv_range_split(src, data_begin, 2, SimulatedRank(r, blobs)));
  return ranges;
}

TEST(CsvRangeSplit, TilesTheRecordsWhateverTheCuts) {
  std::string text = "id,note,x\n";
  for (int i = 0; i < 40; ++i)
    text += std::to_string(i) + ",\"line one, " + std::string(static_cast<size_t>(i % 7) * 5, '.') +
            "\nline \"\"two\"\"\"," + std::to_string(i * 3) + (i % 5 == 0 ? "\r\n" : "\n");
  const size_t data_begin = text.find('\n') + 1;
  const CsvSource src{text.data(), text.size(), "t.csv", ',', {}};
  std::vector<CsvRecordSpan> all;
  csv_records_scan(src, data_begin, src.size, src.size, 2, all);
  ASSERT_EQ(all.size(), 40u);
  int cuts_inside_quotes = 0;
  for (int ranks = 1; ranks <= 9; ++ranks) {
    const std::vector<CsvByteRange> ranges = ranges_split(src, data_begin, ranks);
    EXPECT_EQ(ranges.front().begin, data_begin);
    EXPECT_EQ(ranges.back().end, src.size);
    std::vector<CsvRecordSpan> joined;
    for (int r = 0; r < ranks; ++r) {
      if (r > 0) {
        EXPECT_EQ(ranges[r].begin, ranges[r - 1].end) << ranks << " ranks, rank " << r;
      }
      const size_t length = src.size - data_begin;
      const size_t cut = data_begin + length / ranks * r + length % ranks * r / ranks;
      const std::string before = text.substr(0, cut);
      cuts_inside_quotes += r > 0 && std::count(before.begin(), before.end(), '"') % 2 == 1;
      std::vector<CsvRecordSpan> mine;
      if (ranges[r].begin < ranges[r].end)
        csv_records_scan(src, ranges[r].begin, ranges[r].end, src.size, ranges[r].line, mine);
      joined.insert(joined.end(), mine.begin(), mine.end());
    }
    ASSERT_EQ(joined.size(), all.size()) << ranks << " ranks";
    for (size_t i = 0; i < all.size(); ++i) {
      EXPECT_EQ(joined[i].begin, all[i].begin) << ranks << " ranks, record " << i;
      EXPECT_EQ(joined[i].end, all[i].end);
      EXPECT_EQ(joined[i].line, all[i].line);
    }
  }
  EXPECT_GT(cuts_inside_quotes, 5);  // the case this split exists for was exercised
}

TEST(CsvRangeSplit, MoreRanksThanRecordsLeavesSomeEmpty) {
  const std::string text = "a,b\n1,2\n3,4\n";
  const CsvSource src{text.data(), text.size(), "t.csv", ',', {}};
  const std::vector<CsvByteRange> ranges = ranges_split(src, 4, 7);
  size_t covered = 0;
  for (const CsvByteRange& r : ranges) covered += r.end - r.begin;
  EXPECT_EQ(covered, text.size() - 4);
}

}  // namespace
}  // namespace kseg
