#include "host/events/profile_csv.hpp"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "host/events/number_general12.hpp"
#include "host/io/atomic_file.hpp"

namespace kseg {

namespace {

bool csv_needs_quotes(std::string_view text, char delimiter) {
  for (char c : text)
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') return true;
  return false;
}

// CSV text of one cell: quoted (inner quotes doubled) when it holds the delimiter, a quote or a line break. out has
// room for 2 · size + 2 bytes.
char* csv_cell_write(char* out, std::string_view text, char delimiter) {
  if (!csv_needs_quotes(text, delimiter)) {
    std::memcpy(out, text.data(), text.size());
    return out + text.size();
  }
  *out++ = '"';
  for (char c : text) {
    if (c == '"') *out++ = '"';
    *out++ = c;
  }
  *out++ = '"';
  return out;
}

void csv_cell_append(std::string& out, std::string_view text, char delimiter) {
  const size_t used = out.size();
  out.resize(used + 2 * text.size() + 2);
  out.resize(static_cast<size_t>(csv_cell_write(out.data() + used, text, delimiter) - out.data()));
}

// The text of some rows. The buffer is not zero-filled (each row is written straight into it) and is reused from
// block to block.
struct TextBlock {
  std::unique_ptr<char[]> bytes;
  size_t capacity = 0;
  size_t size = 0;
  // Room for need more bytes after size.
  char* room(size_t need) {
    if (size + need > capacity) {
      const size_t grown = std::max(size + need, 2 * capacity);
      std::unique_ptr<char[]> more(new char[grown]);
      if (size > 0) std::memcpy(more.get(), bytes.get(), size);
      bytes = std::move(more);
      capacity = grown;
    }
    return bytes.get() + size;
  }
};

// The texts of recently written numbers, by their bits (direct mapped): a profile's shares, trends and gaps are
// ratios of small counts that repeat across users (1/3, 2/7, ...), and a hit copies the text instead of converting.
// The text is number_general12_write's, so the output is the same with or without the cache.
class NumberTextCache {
 public:
  NumberTextCache() : entries_(kEntries) {}
  // Writes v's text at out (kNumberGeneral12Max bytes of room) and returns its end.
  char* write(char* out, double v) {
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(bits));
    Entry& e = entries_[(bits * 0x9E3779B97F4A7C15ull) >> (64 - kBits)];
    if (e.bits == bits && e.size > 0) {
      std::memcpy(out, e.text, sizeof(e.text));
      return out + e.size;
    }
    char* const end = number_general12_write(out, v);
    const auto size = static_cast<size_t>(end - out);
    if (size <= sizeof(e.text)) {
      e.bits = bits;
      e.size = static_cast<uint8_t>(size);
      std::memcpy(e.text, out, size);
    }
    return end;
  }

 private:
  static constexpr int kBits = 13;
  static constexpr size_t kEntries = size_t{1} << kBits;  // 8192 × 32 bytes: fits a core's L2 cache
  struct Entry {
    uint64_t bits = 0;
    uint8_t size = 0;  // 0: empty
    char text[23] = {};
  };
  std::vector<Entry> entries_;
};

// The table's columns as plain arrays (a deque's elements cost an iterator step each).
struct TableColumns {
  const std::vector<std::string>* ids = nullptr;
  std::vector<const double*> numeric;
  std::vector<const std::string*> categorical;
};

// Rows [begin, end) as CSV text into block (emptied first). Each row's room is reserved for its longest text: every
// text cell quoted, every number kNumberGeneral12Max bytes. The numbers are read a tile of rows at a time, column by
// column, into tile (row-major): reading a cell from each of 30-odd columns per row would keep as many memory streams
// open, more than the hardware prefetcher follows.
void rows_format(const TableColumns& c, size_t begin, size_t end, char delimiter, NumberTextCache& numbers,
                 std::vector<double>& tile, TextBlock& block) {
  constexpr size_t kTileRows = 64;
  const size_t n_numeric = c.numeric.size();
  tile.resize(kTileRows * n_numeric);
  block.size = 0;
  const size_t numbers_room = n_numeric * (kNumberGeneral12Max + 1) + 1;
  for (size_t first = begin; first < end; first += kTileRows) {
    const size_t rows = std::min(kTileRows, end - first);
    for (size_t j = 0; j < n_numeric; ++j)
      for (size_t r = 0; r < rows; ++r) tile[r * n_numeric + j] = c.numeric[j][first + r];
    for (size_t r = 0; r < rows; ++r) {
      const size_t i = first + r;
      const std::string& id = (*c.ids)[i];
      size_t need = numbers_room + 2 * id.size() + 2;
      for (const std::string* column : c.categorical) need += 2 * column[i].size() + 3;
      char* const start = block.room(need);
      char* out = csv_cell_write(start, id, delimiter);
      for (const double *cell = tile.data() + r * n_numeric, *row_end = cell + n_numeric; cell != row_end; ++cell) {
        *out++ = delimiter;
        if (!std::isnan(*cell)) out = numbers.write(out, *cell);
      }
      for (const std::string* column : c.categorical) {
        *out++ = delimiter;
        out = csv_cell_write(out, column[i], delimiter);
      }
      *out++ = '\n';
      block.size += static_cast<size_t>(out - start);
    }
  }
}

}  // namespace

// Formatting the numbers is most of the time: blocks of rows are formatted on all threads. The thread that finishes
// block k stores it and writes, in order, every finished block from the next one due (under a lock), so no thread
// spins waiting for another's block; a thread sleeps only when it is 4 blocks a thread ahead of the file (the text
// held stays a few blocks). A write error is rethrown after the loop.
void users_csv_write(const ProfileTable& t, const std::string& path, char delimiter, int threads) {
  AtomicFile file(path);
  std::string header;
  csv_cell_append(header, t.id_name, delimiter);
  for (const std::string& name : t.numeric_names) csv_cell_append(header += delimiter, name, delimiter);
  for (const std::string& name : t.categorical_names) csv_cell_append(header += delimiter, name, delimiter);
  file.write(header + '\n');
  TableColumns columns;
  columns.ids = &t.ids;
  for (const std::vector<double>& column : t.numeric) columns.numeric.push_back(column.data());
  for (const std::vector<std::string>& column : t.categorical) columns.categorical.push_back(column.data());
  constexpr size_t kBlockRows = 16384;
  const size_t n = t.ids.size(), n_blocks = (n + kBlockRows - 1) / kBlockRows;
  const size_t ahead = 4 * static_cast<size_t>(std::max(1, threads));
  std::mutex lock;
  std::condition_variable written;
  std::vector<TextBlock> finished(n_blocks);
  std::vector<char> ready(n_blocks, 0);
  std::vector<TextBlock> spare;  // buffers of written blocks, reused
  size_t next = 0;               // the next block due in the file
  std::exception_ptr error;
#pragma omp parallel num_threads(threads)
  {
    NumberTextCache numbers;
    std::vector<double> tile;
#pragma omp for schedule(dynamic, 1)
    for (size_t k = 0; k < n_blocks; ++k) {
      TextBlock block;
      {
        std::unique_lock<std::mutex> hold(lock);
        written.wait(hold, [&] { return k < next + ahead; });  // the block `next` is claimed: it will come
        if (!spare.empty()) {
          block = std::move(spare.back());
          spare.pop_back();
        }
      }
      rows_format(columns, k * kBlockRows, std::min(n, (k + 1) * kBlockRows), delimiter, numbers, tile, block);
      std::unique_lock<std::mutex> hold(lock);
      finished[k] = std::move(block);
      ready[k] = 1;
      for (; next < n_blocks && ready[next] != 0; ++next) {
        if (!error) try {
            file.write(std::string_view(finished[next].bytes.get(), finished[next].size));
          } catch (...) {
            error = std::current_exception();
          }
        spare.push_back(std::move(finished[next]));
      }
      hold.unlock();
      written.notify_all();
    }
  }
  if (error) std::rethrow_exception(error);
  file.commit();
}

}  // namespace kseg
