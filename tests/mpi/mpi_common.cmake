# What every mpirun test script starts with (include()d after WORK, MPIEXEC and KSEG are set): a fresh WORK
# directory, OpenMPI settings for containers, ${mpirun}, run_ok(COMMAND...) and same(single_process_file other_file).
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
# What a container needs: no cross-memory attach, shared memory and loopback transports only, more ranks than cores.
set(ENV{OMPI_MCA_btl_vader_single_copy_mechanism} none)
set(ENV{OMPI_MCA_rmaps_base_oversubscribe} 1)
set(mpirun "${MPIEXEC}" --allow-run-as-root --oversubscribe --mca btl self,vader)

function(run_ok)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 300)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "${ARGN}: exit ${code}\nstdout: ${out}\nstderr: ${err}")
  endif()
endfunction()

function(same a b)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${a}" "${b}" RESULT_VARIABLE differ)
  if(differ)
    message(FATAL_ERROR "${b} differs from the single-process ${a}")
  endif()
endfunction()
