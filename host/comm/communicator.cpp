#include "host/comm/communicator.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "host/comm/byte_pack.hpp"

namespace kseg {
namespace {

int env_int(const char* name) {
  const char* text = std::getenv(name);
  return text && *text ? std::atoi(text) : 0;
}

}  // namespace

std::vector<double> Communicator::allgather(double value) const { return values_allgather(*this, value); }

std::vector<int64_t> Communicator::allgather(int64_t value) const { return values_allgather(*this, value); }

std::vector<std::string> Communicator::exchange_bytes(const std::vector<std::string>& to_each) const {
  std::string mine;  // (size, bytes) for rank 0, 1, …
  for (const std::string& piece : to_each) {
    const uint64_t n = piece.size();
    mine.append(reinterpret_cast<const char*>(&n), sizeof(n)).append(piece);
  }
  const std::vector<std::string> all = allgather_bytes(mine);
  std::vector<std::string> from(all.size());
  for (size_t r = 0; r < all.size(); ++r) {
    size_t at = 0;
    for (int to = 0; to <= rank(); ++to) {
      uint64_t n = 0;
      std::memcpy(&n, all[r].data() + at, sizeof(n));
      if (to == rank()) from[r] = all[r].substr(at + sizeof(n), n);
      at += sizeof(n) + n;
    }
  }
  return from;
}

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

double Communicator::max_all(double value) const {
  if (size() == 1) return value;
  const std::vector<double> all = allgather(value);
  return *std::max_element(all.begin(), all.end());
}

ExactSums::ExactSums(size_t slots, double max_value) : lo_(slots, 0), hi_(slots, 0), max_value_(max_value) {
  if (max_value > 0.0 && std::isfinite(max_value)) std::frexp(max_value, &exponent_);  // max_value < 2^exponent_
}

void ExactSums::add(size_t slot, double value) {
  if (!(value > 0.0)) return;
  const double scaled = std::ldexp(std::min(value, max_value_), 62 - exponent_);  // < 2^62
  const uint64_t units = static_cast<uint64_t>(scaled);
  lo_[slot] += units;
  if (lo_[slot] < units) ++hi_[slot];
}

void ExactSums::merge(const ExactSums& other) {
  for (size_t s = 0; s < lo_.size(); ++s) {
    lo_[s] += other.lo_[s];
    hi_[s] += other.hi_[s] + (lo_[s] < other.lo_[s] ? 1 : 0);
  }
}

std::vector<double> ExactSums::totals(const Communicator& comm) const {
  // Four 32-bit limbs per slot, each summed over ranks as int64 (below 2^63 for fewer than 2^31 ranks), then the
  // carries are propagated: the same integer, whatever the split.
  constexpr uint64_t kMask = 0xFFFFFFFFull;
  const size_t slots = lo_.size();
  std::vector<int64_t> limbs(slots * 4);
  for (size_t s = 0; s < slots; ++s) {
    limbs[4 * s + 0] = static_cast<int64_t>(lo_[s] & kMask);
    limbs[4 * s + 1] = static_cast<int64_t>(lo_[s] >> 32);
    limbs[4 * s + 2] = static_cast<int64_t>(hi_[s] & kMask);
    limbs[4 * s + 3] = static_cast<int64_t>(hi_[s] >> 32);
  }
  comm.sum_all(limbs.data(), limbs.size());
  std::vector<double> out(slots);
  for (size_t s = 0; s < slots; ++s) {
    uint64_t carry = 0;
    double value = 0.0;
    for (int j = 0; j < 4; ++j) {
      const uint64_t limb = static_cast<uint64_t>(limbs[4 * s + j]) + carry;
      carry = limb >> 32;
      value += std::ldexp(static_cast<double>(limb & kMask), 32 * j);
    }
    value += std::ldexp(static_cast<double>(carry), 128);
    out[s] = std::ldexp(value, exponent_ - 62);
  }
  return out;
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

int node_rank_from_environment() {
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID"})
    if (const char* text = std::getenv(name); text && *text) return std::max(0, std::atoi(text));
  if (std::getenv("SLURM_STEP_ID"))
    if (const char* text = std::getenv("SLURM_LOCALID"); text && *text) return std::max(0, std::atoi(text));
  return 0;
}

}  // namespace kseg
