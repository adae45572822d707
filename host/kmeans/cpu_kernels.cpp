// Choosing the CPU kernel set at run time (cpu_kernels.hpp). Compiled for the build's baseline, as everything but the
// per-instruction-set translation units.
#include "host/kmeans/cpu_kernels.hpp"

#include <cstdlib>

#include "host/error.hpp"

namespace kseg {

extern const CpuKernels kCpuKernelsScalar;  // cpu_kernels_scalar.cpp
#if defined(KSEG_CPU_KERNELS_X86)
extern const CpuKernels kCpuKernelsAvx2;    // cpu_kernels_avx2.cpp
extern const CpuKernels kCpuKernelsAvx512;  // cpu_kernels_avx512.cpp
#endif

namespace {

struct CompiledSet {
  const CpuKernels* kernels;
  bool (*supported)();
};

#if defined(KSEG_CPU_KERNELS_X86)
// __builtin_cpu_supports also checks that the operating system saves the wider registers (XGETBV), so a set it
// accepts can run.
bool avx2_supported() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

bool avx512_supported() {
  __builtin_cpu_init();
  return avx2_supported() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl");
}
#endif

bool always_supported() { return true; }

// Fastest first.
std::vector<CompiledSet> sets_compiled() {
  return {
#if defined(KSEG_CPU_KERNELS_X86)
    {&kCpuKernelsAvx512, avx512_supported}, {&kCpuKernelsAvx2, avx2_supported},
#endif
    {
      &kCpuKernelsScalar, always_supported
    }
  };
}

}  // namespace

std::vector<const CpuKernels*> cpu_kernels_supported() {
  std::vector<const CpuKernels*> out;
  for (const CompiledSet& set : sets_compiled())
    if (set.supported()) out.push_back(set.kernels);
  return out;
}

std::vector<std::string> cpu_kernels_compiled() {
  std::vector<std::string> out;
  for (const CompiledSet& set : sets_compiled()) out.push_back(set.kernels->name);
  return out;
}

const CpuKernels& cpu_kernels_named(const std::string& name, const std::string& source) {
  std::string supported_names;
  for (const CpuKernels* k : cpu_kernels_supported())
    supported_names += (supported_names.empty() ? "" : ", ") + std::string(k->name);
  for (const CompiledSet& set : sets_compiled()) {
    if (name != set.kernels->name) continue;
    KSEG_EXPECTS(
        set.supported(), UsageError,
        source + "=" + name + ": this CPU lacks the instructions of that kernel; use one of " + supported_names);
    return *set.kernels;
  }
  throw UsageError(source + ": expected one of " + supported_names + " (the CPU kernels this machine runs), got \"" +
                   name + "\"");
}

const CpuKernels& cpu_kernels_default() {
  const char* forced = std::getenv("KSEG_CPU_KERNEL");
  if (forced && *forced) return cpu_kernels_named(forced, "KSEG_CPU_KERNEL");
  return *cpu_kernels_supported().front();
}

}  // namespace kseg
