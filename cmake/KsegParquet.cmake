# Parquet input and output through Apache Arrow C++. Debian 12 packages no Arrow, so the libraries and headers come
# from the pyarrow wheel that scripts/install-python-deps.sh puts in .venv/ (the wheel ships libarrow.so.NNN,
# libparquet.so.NNN and their headers for building extensions against). Sets KSEG_WITH_PARQUET and, when ON, the
# imported target kseg::arrow_parquet and KSEG_ARROW_LIBRARIES (the two libraries' paths).
set(KSEG_PARQUET AUTO CACHE STRING "Parquet input/output: AUTO (where pyarrow's Arrow C++ is found), ON (required), OFF")
set_property(CACHE KSEG_PARQUET PROPERTY STRINGS AUTO ON OFF)
# Under scikit-build-core (pip install .) the Arrow C++ comes from the pyarrow of the Python that builds the wheel (the
# build environment: pyproject.toml requires pyarrow), the same pyarrow the installed package then depends on.
if(SKBUILD AND Python_EXECUTABLE)
  set(kseg_pyarrow_python_default "${Python_EXECUTABLE}")
else()
  set(kseg_pyarrow_python_default "${PROJECT_SOURCE_DIR}/.venv/bin/python")
endif()
set(KSEG_PYARROW_PYTHON "${kseg_pyarrow_python_default}" CACHE FILEPATH "Python whose pyarrow provides Arrow C++")

set(KSEG_WITH_PARQUET OFF)
if(NOT KSEG_PARQUET STREQUAL "OFF")
  set(kseg_arrow_include "")
  set(kseg_arrow_dir "")
  if(EXISTS "${KSEG_PYARROW_PYTHON}")
    execute_process(
      COMMAND "${KSEG_PYARROW_PYTHON}" -c "import pyarrow as pa; print(pa.get_include()); print(pa.get_library_dirs()[0])"
      OUTPUT_VARIABLE kseg_pyarrow_out RESULT_VARIABLE kseg_pyarrow_rc ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(kseg_pyarrow_rc EQUAL 0)
      string(REPLACE "\n" ";" kseg_pyarrow_out "${kseg_pyarrow_out}")
      list(GET kseg_pyarrow_out 0 kseg_arrow_include)
      list(GET kseg_pyarrow_out 1 kseg_arrow_dir)
    endif()
  endif()
  # The wheel has only the versioned names (libarrow.so.2600): no unversioned symlink to find_library.
  set(kseg_arrow_lib "")
  set(kseg_parquet_lib "")
  if(kseg_arrow_dir)
    file(GLOB kseg_arrow_candidates "${kseg_arrow_dir}/libarrow.so.*")
    file(GLOB kseg_parquet_candidates "${kseg_arrow_dir}/libparquet.so.*")
    foreach(candidate IN LISTS kseg_arrow_candidates)
      if(candidate MATCHES "/libarrow\\.so\\.[0-9]+$")
        set(kseg_arrow_lib "${candidate}")
      endif()
    endforeach()
    foreach(candidate IN LISTS kseg_parquet_candidates)
      if(candidate MATCHES "/libparquet\\.so\\.[0-9]+$")
        set(kseg_parquet_lib "${candidate}")
      endif()
    endforeach()
  endif()
  if(kseg_arrow_lib AND kseg_parquet_lib AND EXISTS "${kseg_arrow_include}/parquet/arrow/reader.h")
    add_library(kseg::arrow SHARED IMPORTED)
    set_target_properties(kseg::arrow PROPERTIES IMPORTED_LOCATION "${kseg_arrow_lib}"
                                                 INTERFACE_INCLUDE_DIRECTORIES "${kseg_arrow_include}")
    add_library(kseg::arrow_parquet SHARED IMPORTED)
    set_target_properties(kseg::arrow_parquet PROPERTIES IMPORTED_LOCATION "${kseg_parquet_lib}"
                                                         INTERFACE_LINK_LIBRARIES kseg::arrow)
    # The wheel is built with the C++11 string ABI (its symbols name std::__cxx11), g++'s default: nothing to set.
    # Its headers need C++20 (std::span, <bit>): only the Arrow code (host/parquet) is compiled so. The programs find the libraries
    # where the wheel keeps them through their RPATH, without LD_LIBRARY_PATH (the project has no install step).
    list(APPEND CMAKE_BUILD_RPATH "${kseg_arrow_dir}")
    list(APPEND CMAKE_INSTALL_RPATH "${kseg_arrow_dir}")  # the installed kseg still uses the wheel's libraries
    set(KSEG_ARROW_LIBRARIES "${kseg_parquet_lib};${kseg_arrow_lib}")
    set(KSEG_WITH_PARQUET ON)
    get_filename_component(kseg_arrow_name "${kseg_arrow_lib}" NAME)
    message(STATUS "kseg: Parquet ON (${kseg_arrow_name} from ${kseg_arrow_dir})")
  elseif(KSEG_PARQUET STREQUAL "ON")
    message(FATAL_ERROR "kseg: KSEG_PARQUET=ON but no pyarrow with Arrow C++ was found through ${KSEG_PYARROW_PYTHON} "
                        "(run scripts/install-python-deps.sh, or set KSEG_PYARROW_PYTHON)")
  else()
    message(STATUS "kseg: Parquet OFF (no pyarrow in ${KSEG_PYARROW_PYTHON}; scripts/install-deps.sh installs it)")
  endif()
else()
  message(STATUS "kseg: Parquet OFF (KSEG_PARQUET=OFF)")
endif()
