# kseg under mpirun with a Parquet input (row groups shared out among the ranks: a file of 9 row groups and a
# directory of 3 parts) gives byte for byte the segments, centroids, model and profiles of one process; assign
# likewise. Invoked by ctest as:
#   cmake -DKSEG=<kseg> -DMPIEXEC=<mpirun> -DPYTHON=<python with pyarrow> -DWORK=<dir> -P mpi_parquet_test.cmake
include(${CMAKE_CURRENT_LIST_DIR}/mpi_common.cmake)

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
