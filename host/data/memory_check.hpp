// Refusing sizes that cannot fit before allocating them, with the size asked and the memory available, instead of a
// crash or the kernel's OOM killer.
#pragma once

#include <cstdint>
#include <string>

namespace kseg {

// MemAvailable from /proc/meminfo, in bytes; a very large number where it cannot be read.
uint64_t memory_available_bytes();

// DataError "<what> needs X GiB but only Y GiB of memory are available; ..." when bytes > available.
void memory_check(double bytes, uint64_t available, const std::string& what);

// Hands memory the program freed but the allocator still holds (glibc keeps freed blocks in its arenas) back to the
// system, so that it does not count towards the next phase's peak. Only a hint, where glibc offers it.
void memory_release_to_system();

}  // namespace kseg
