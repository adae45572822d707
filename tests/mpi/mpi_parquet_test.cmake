# kseg under mpirun with a Parquet input (row groups shared out among the ranks: a file of 9 row groups and a
# directory of 3 parts) gives byte for byte the segments, centroids, model and profiles of one process; assign
# likewise. Invoked by ctest as:
#   cmake -DKSEG=<kseg> -DMPIEXEC=<mpirun> -DPYTHON=<python with pyarrow> -DWORK=<dir> -P mpi_parquet_test.cmake
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
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

run_ok("${KSEG}" generate --users 4000 --seed 5 --out "${WORK}/users.csv" --quiet)
file(WRITE "${WORK}/write.py" "
import os, sys, pyarrow.csv as pcsv, pyarrow.parquet as pq
os.chdir(sys.argv[1])
t = pcsv.read_csv('users.csv')
pq.write_table(t, 'users.parquet', row_group_size=450)
os.mkdir('parts')
for i, (a, b) in enumerate([(0, 1700), (1700, 300), (2000, 2000)]):
    pq.write_table(t.slice(a, b), 'parts/part-%05d.parquet' % i, row_group_size=600)
")
run_ok("${PYTHON}" "${WORK}/write.py" "${WORK}")

foreach(input users.parquet parts)
  set(one "${WORK}/${input}.one")
  run_ok("${KSEG}" fit "${WORK}/${input}" --k 5 --seed 9 --out "${one}" --quiet)
  foreach(ranks 2 3)
    set(many "${WORK}/${input}.${ranks}")
    run_ok(${mpirun} -np ${ranks} "${KSEG}" fit "${WORK}/${input}" --k 5 --seed 9 --out "${many}" --threads 1 --quiet)
    foreach(f segments.csv centroids.csv model.json profiles.csv)
      same("${one}/${f}" "${many}/${f}")
    endforeach()
    run_ok(${mpirun} -np ${ranks} "${KSEG}" assign "${WORK}/${input}" --model "${one}/model.json"
           --out "${WORK}/assigned.${input}.${ranks}.csv" --threads 1 --quiet)
    same("${one}/segments.csv" "${WORK}/assigned.${input}.${ranks}.csv")
  endforeach()
endforeach()
