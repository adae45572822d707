# cmake --install: the kseg program, the libraries (kseg::kseg = the application layer, kseg_app, which links
# kseg::host, the algorithms, and, when built, kseg::cuda, the CUDA backend; all static), the public headers under
# include/kseg/ and a CMake package (find_package(kseg)). The public headers are app/kseg.hpp (installed as
# include/kseg/kseg.hpp) and every kseg header it includes, directly or not; the other headers stay private.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The kseg headers `header` (a path relative to the source root) includes with "...", recursively, itself included.
function(kseg_header_closure header out_var)
  set(pending ${header})
  set(found "")
  while(pending)
    list(POP_FRONT pending current)
    if(current IN_LIST found OR NOT EXISTS ${PROJECT_SOURCE_DIR}/${current})
      continue()
    endif()
    list(APPEND found ${current})
    file(STRINGS ${PROJECT_SOURCE_DIR}/${current} lines REGEX "^[ \t]*#[ \t]*include[ \t]+\"")
    foreach(line IN LISTS lines)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]+\"([^\"]+)\".*" "\\1" included "${line}")
      list(APPEND pending ${included})
    endforeach()
  endwhile()
  set(${out_var} ${found} PARENT_SCOPE)
endfunction()

set(KSEG_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/kseg)
set_target_properties(kseg_app PROPERTIES EXPORT_NAME kseg)
set_target_properties(kseg_host PROPERTIES EXPORT_NAME host)  # the three parts below together
set_target_properties(kseg_core PROPERTIES EXPORT_NAME core)
set_target_properties(kseg_explain PROPERTIES EXPORT_NAME explain)
set_target_properties(kseg_events PROPERTIES EXPORT_NAME events)
set(kseg_libraries kseg_app kseg_host kseg_core kseg_explain kseg_events)
if(TARGET kseg_cuda)
  set_target_properties(kseg_cuda PROPERTIES EXPORT_NAME cuda)
  list(APPEND kseg_libraries kseg_cuda)
endif()
install(TARGETS kseg RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(KSEG_SHARED_LIBS)  # the program's own library goes with it (not exported: no headers, no C++ interface)
  install(TARGETS kseg_cli LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
install(TARGETS ${kseg_libraries} EXPORT ksegTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} ${CMAKE_INSTALL_INCLUDEDIR}/kseg)
kseg_header_closure(app/kseg.hpp kseg_public_headers)
list(REMOVE_ITEM kseg_public_headers app/kseg.hpp)
install(FILES app/kseg.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kseg)
foreach(header IN LISTS kseg_public_headers)
  get_filename_component(dir ${header} DIRECTORY)
  install(FILES ${header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kseg/${dir})
endforeach()
install(EXPORT ksegTargets NAMESPACE kseg:: DESTINATION ${KSEG_INSTALL_CMAKEDIR})
configure_package_config_file(cmake/ksegConfig.cmake.in ${PROJECT_BINARY_DIR}/ksegConfig.cmake
                              INSTALL_DESTINATION ${KSEG_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ksegConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ksegConfig.cmake ${PROJECT_BINARY_DIR}/ksegConfigVersion.cmake
        DESTINATION ${KSEG_INSTALL_CMAKEDIR})
