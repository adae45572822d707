#include "host/mpi/mpi_communicator.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>

#include "host/error.hpp"

namespace kseg {
namespace {

constexpr size_t kMaxMessage = size_t{1} << 30;  // MPI counts are int: big blobs travel in pieces of 1 GiB

// Adds the wall time of a communication call to the communicator's counter.
class CommTimer {
 public:
  explicit CommTimer(double& seconds) : seconds_(seconds), start_(std::chrono::steady_clock::now()) {}
  ~CommTimer() { seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }
  CommTimer(const CommTimer&) = delete;
  CommTimer& operator=(const CommTimer&) = delete;

 private:
  double& seconds_;
  std::chrono::steady_clock::time_point start_;
};

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw DataError(std::string("MPI: ") + what + " failed: " + std::string(text, static_cast<size_t>(length)));
}

// Bytes [0, size) of buf sent to / received from one peer in pieces of at most kMaxMessage.
void bytes_send(const char* buf, size_t size, int to) {
  for (size_t at = 0; at < size || at == 0; at += kMaxMessage) {
    const int n = static_cast<int>(std::min(kMaxMessage, size - at));
    check(MPI_Send(buf + at, n, MPI_BYTE, to, 1, MPI_COMM_WORLD), "MPI_Send");
    if (size == 0) break;
  }
}

void bytes_recv(char* buf, size_t size, int from) {
  for (size_t at = 0; at < size || at == 0; at += kMaxMessage) {
    const int n = static_cast<int>(std::min(kMaxMessage, size - at));
    check(MPI_Recv(buf + at, n, MPI_BYTE, from, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
    if (size == 0) break;
  }
}

}  // namespace

MpiCommunicator::MpiCommunicator(int* argc, char*** argv) {
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm node = MPI_COMM_NULL;
  if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node) == MPI_SUCCESS &&
      node != MPI_COMM_NULL) {
    MPI_Comm_rank(node, &node_rank_);
    MPI_Comm_size(node, &node_size_);
    MPI_Comm_free(&node);
  } else {
    node_rank_ = node_rank_from_environment();
    node_size_ = 0;  // unknown
  }
}

MpiCommunicator::~MpiCommunicator() { MPI_Finalize(); }

void MpiCommunicator::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);  // MPI_Abort does not return; this keeps [[noreturn]] honest
}

void MpiCommunicator::sum_all(double* values, size_t n) const {
  if (size_ == 1 || n == 0) return;
  KSEG_EXPECTS(n < INT_MAX / 2, DataError, "MPI: a sum of " + std::to_string(n) + " values is too large");
  CommTimer timer(seconds_);
  const int ranks = size_;
  // Chunk j = [j·n/N, (j+1)·n/N) is reduced by rank j.
  std::vector<int> chunk_begin(static_cast<size_t>(ranks) + 1);
  for (int j = 0; j <= ranks; ++j) chunk_begin[j] = static_cast<int>(n * static_cast<size_t>(j) / ranks);
  std::vector<int> send_counts(ranks), send_displs(ranks), recv_counts(ranks), recv_displs(ranks);
  const int mine = chunk_begin[rank_ + 1] - chunk_begin[rank_];
  for (int j = 0; j < ranks; ++j) {
    send_counts[j] = chunk_begin[j + 1] - chunk_begin[j];
    send_displs[j] = chunk_begin[j];
    recv_counts[j] = mine;
    recv_displs[j] = j * mine;
  }
  std::vector<double> pieces(static_cast<size_t>(ranks) * static_cast<size_t>(mine));
  check(MPI_Alltoallv(values, send_counts.data(), send_displs.data(), MPI_DOUBLE, pieces.data(), recv_counts.data(),
                      recv_displs.data(), MPI_DOUBLE, MPI_COMM_WORLD),
        "MPI_Alltoallv");
  std::vector<double> reduced(pieces.begin(), pieces.begin() + mine);  // rank 0's piece, then ranks 1, 2, … in order
  for (int j = 1; j < ranks; ++j)
    for (int t = 0; t < mine; ++t) reduced[t] += pieces[static_cast<size_t>(j) * mine + t];
  check(MPI_Allgatherv(reduced.data(), mine, MPI_DOUBLE, values, send_counts.data(), send_displs.data(), MPI_DOUBLE,
                       MPI_COMM_WORLD),
        "MPI_Allgatherv");
}

void MpiCommunicator::sum_all(int64_t* values, size_t n) const {
  if (size_ == 1 || n == 0) return;
  CommTimer timer(seconds_);
  check(MPI_Allreduce(MPI_IN_PLACE, values, static_cast<int>(n), MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD),
        "MPI_Allreduce");
}

std::vector<std::string> MpiCommunicator::allgather_bytes(std::string_view mine) const {
  CommTimer timer(seconds_);
  const int64_t my_size = static_cast<int64_t>(mine.size());
  std::vector<int64_t> sizes(static_cast<size_t>(size_));
  check(MPI_Allgather(&my_size, 1, MPI_INT64_T, sizes.data(), 1, MPI_INT64_T, MPI_COMM_WORLD), "MPI_Allgather");
  int64_t total = 0;
  for (int64_t s : sizes) total += s;
  std::vector<std::string> blobs(static_cast<size_t>(size_));
  if (total < INT_MAX) {
    std::vector<int> counts(static_cast<size_t>(size_)), displs(static_cast<size_t>(size_));
    for (int r = 0; r < size_; ++r) {
      counts[r] = static_cast<int>(sizes[r]);
      displs[r] = r == 0 ? 0 : displs[r - 1] + counts[r - 1];
    }
    std::string all(static_cast<size_t>(total), '\0');
    check(MPI_Allgatherv(mine.data(), static_cast<int>(my_size), MPI_BYTE, all.data(), counts.data(), displs.data(),
                         MPI_BYTE, MPI_COMM_WORLD),
          "MPI_Allgatherv");
    for (int r = 0; r < size_; ++r) blobs[r] = all.substr(static_cast<size_t>(displs[r]), sizes[r]);
    return blobs;
  }
  for (int r = 0; r < size_; ++r) {  // more than 2 GiB in all: each rank broadcasts its bytes in pieces
    blobs[r] = r == rank_ ? std::string(mine) : std::string(static_cast<size_t>(sizes[r]), '\0');
    for (size_t at = 0; at < blobs[r].size(); at += kMaxMessage) {
      const int n = static_cast<int>(std::min(kMaxMessage, blobs[r].size() - at));
      check(MPI_Bcast(blobs[r].data() + at, n, MPI_BYTE, r, MPI_COMM_WORLD), "MPI_Bcast");
    }
  }
  return blobs;
}

void MpiCommunicator::root_collect(std::string_view mine, const std::function<void(int, std::string_view)>& fn) const {
  if (rank_ != 0) {
    CommTimer timer(seconds_);
    const int64_t size = static_cast<int64_t>(mine.size());
    check(MPI_Send(&size, 1, MPI_INT64_T, 0, 0, MPI_COMM_WORLD), "MPI_Send");
    bytes_send(mine.data(), mine.size(), 0);
    return;
  }
  fn(0, mine);
  std::string bytes;
  for (int r = 1; r < size_; ++r) {
    {
      CommTimer timer(seconds_);
      int64_t size = 0;
      check(MPI_Recv(&size, 1, MPI_INT64_T, r, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
      bytes.assign(static_cast<size_t>(size), '\0');
      bytes_recv(bytes.data(), bytes.size(), r);
    }
    fn(r, bytes);
  }
}

std::vector<std::string> MpiCommunicator::exchange_bytes(const std::vector<std::string>& to_each) const {
  CommTimer timer(seconds_);
  std::vector<int64_t> out_sizes(static_cast<size_t>(size_)), in_sizes(static_cast<size_t>(size_));
  for (int r = 0; r < size_; ++r) out_sizes[r] = static_cast<int64_t>(to_each[r].size());
  check(MPI_Alltoall(out_sizes.data(), 1, MPI_INT64_T, in_sizes.data(), 1, MPI_INT64_T, MPI_COMM_WORLD),
        "MPI_Alltoall");
  std::vector<std::string> from(static_cast<size_t>(size_));
  from[rank_] = to_each[rank_];
  // Every piece in messages of at most kMaxMessage bytes; each side knows the sizes, so the message counts match.
  std::vector<MPI_Request> requests;
  for (int r = 0; r < size_; ++r) {
    if (r == rank_) continue;
    from[r].assign(static_cast<size_t>(in_sizes[r]), '\0');
    for (size_t at = 0; at < from[r].size(); at += kMaxMessage) {
      requests.emplace_back();
      check(MPI_Irecv(from[r].data() + at, static_cast<int>(std::min(kMaxMessage, from[r].size() - at)), MPI_BYTE, r, 3,
                      MPI_COMM_WORLD, &requests.back()),
            "MPI_Irecv");
    }
    for (size_t at = 0; at < to_each[r].size(); at += kMaxMessage) {
      requests.emplace_back();
      check(MPI_Isend(to_each[r].data() + at, static_cast<int>(std::min(kMaxMessage, to_each[r].size() - at)), MPI_BYTE,
                      r, 3, MPI_COMM_WORLD, &requests.back()),
            "MPI_Isend");
    }
  }
  check(MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
  return from;
}

}  // namespace kseg
