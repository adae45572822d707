# Warning flags for every kseg target: one function so g++ and nvcc get the same policy.
add_library(kseg_warnings INTERFACE)
target_compile_options(kseg_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  # GCC 12 reports false positives inside its own AVX-512 intrinsics (the AVX-512 kernels; Eigen under KSEG_NATIVE).
  $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>>)
if(KSEG_WERROR)
  target_compile_options(kseg_warnings INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
endif()

# Code generation for kseg's own C++. By default the build's baseline (x86-64: SSE2), so the program runs on any CPU
# of the architecture; the CPU kernels pick AVX-512 or AVX2 at run time (host/kmeans/cpu_kernels.hpp). KSEG_NATIVE=ON
# compiles everything for the build machine (-march=native) instead. -ffp-contract=off: no a·b + c is fused unless
# the code says so (std::fma, FMA intrinsics), so the results are the same bits whatever the target; g++ fuses
# across statements in C++ by default wherever FMA instructions exist (-march=native, -mfma).
add_library(kseg_cpu_tuning INTERFACE)
target_compile_options(kseg_cpu_tuning INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-ffp-contract=off>)
if(KSEG_NATIVE AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|aarch64")
  target_compile_options(kseg_cpu_tuning INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-march=native>)
  target_compile_definitions(kseg_cpu_tuning INTERFACE KSEG_NATIVE_BUILD=1)  # kseg doctor reports it
endif()
