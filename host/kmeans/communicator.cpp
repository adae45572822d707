#include "host/kmeans/communicator.hpp"

#include <cstdlib>
#include <cstring>

namespace kseg {
namespace {

template <class T>
std::vector<T> values_allgather(const Communicator& comm, T value) {
  const std::vector<std::string> blobs =
      comm.allgather_bytes(std::string_view(reinterpret_cast<const char*>(&value), sizeof(T)));
  std::vector<T> values(blobs.size());
  for (size_t r = 0; r < blobs.size(); ++r) std::memcpy(&values[r], blobs[r].data(), sizeof(T));
  return values;
}

int env_int(const char* name) {
  const char* text = std::getenv(name);
  return text && *text ? std::atoi(text) : 0;
}

}  // namespace

std::vector<double> Communicator::allgather(double value) const { return values_allgather(*this, value); }

std::vector<int64_t> Communicator::allgather(int64_t value) const { return values_allgather(*this, value); }

int64_t Communicator::total(int64_t value) const {
  sum_all(&value, 1);
  return value;
}

int64_t Communicator::prefix_exclusive(int64_t value) const {
  const std::vector<int64_t> all = allgather(value);
  int64_t before = 0;
  for (int r = 0; r < rank(); ++r) before += all[r];
  return before;
}

const Communicator& single_process() {
  static const SingleProcess one;
  return one;
}

int launcher_process_count() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const int n = env_int(name); n > 0) return n;
  if (std::getenv("SLURM_STEP_ID") && std::getenv("PMIX_RANK"))
    if (const int n = env_int("SLURM_STEP_NUM_TASKS"); n > 0) return n;
  return 1;
}

}  // namespace kseg
