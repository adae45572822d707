# Warning flags for every kseg target: one function so g++ and nvcc get the same policy.
add_library(kseg_warnings INTERFACE)
target_compile_options(kseg_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  # GCC 12 reports false positives inside its own AVX-512 intrinsics when Eigen is built with -march=native.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>>)
if(KSEG_WERROR)
  target_compile_options(kseg_warnings INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
endif()

add_library(kseg_cpu_tuning INTERFACE)
if(KSEG_NATIVE AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|aarch64")
  target_compile_options(kseg_cpu_tuning INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-march=native>)
endif()
