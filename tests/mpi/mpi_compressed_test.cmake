# kseg under mpirun on gzip and Zstandard copies of a CSV (every rank decompresses the stream and keeps the records
# of its share of the decompressed bytes) gives byte for byte the segments, centroids, profiles and model (bar the
# input's name) of one process on the plain CSV; assign likewise; a truncated stream ends every rank with the error.
# Invoked by ctest as: cmake -DKSEG=<kseg> -DMPIEXEC=<mpirun> -DGZIP=<gzip> [-DZSTD=<zstd>] -DWORK=<dir> -P ...
include(${CMAKE_CURRENT_LIST_DIR}/mpi_common.cmake)

# model.json without the input's name.
function(model_unnamed path out_var)
  file(READ "${path}" model)
  string(JSON model REMOVE "${model}" fit input)
  set(${out_var} "${model}" PARENT_SCOPE)
endfunction()

run_ok("${KSEG}" generate --users 5000 --seed 12 --out "${WORK}/users.csv" --quiet)
execute_process(COMMAND "${GZIP}" -c "${WORK}/users.csv" OUTPUT_FILE "${WORK}/users.csv.gz" RESULT_VARIABLE code)
set(inputs users.csv.gz)
if(ZSTD)
  execute_process(COMMAND "${ZSTD}" -q -c "${WORK}/users.csv" OUTPUT_FILE "${WORK}/users.csv.zst")
  list(APPEND inputs users.csv.zst)
endif()

set(one "${WORK}/one")
run_ok("${KSEG}" fit "${WORK}/users.csv" --k 5 --seed 9 --out "${one}" --quiet)
model_unnamed("${one}/model.json" one_model)
run_ok("${KSEG}" assign "${WORK}/users.csv" --model "${one}/model.json" --out "${WORK}/assigned.csv" --quiet)
foreach(input IN LISTS inputs)
  foreach(ranks 2 3)
    set(many "${WORK}/${input}.${ranks}")
    run_ok(${mpirun} -np ${ranks} "${KSEG}" fit "${WORK}/${input}" --k 5 --seed 9 --out "${many}" --threads 1 --quiet)
    foreach(f segments.csv centroids.csv profiles.csv)
      same("${one}/${f}" "${many}/${f}")
    endforeach()
    model_unnamed("${many}/model.json" many_model)
    if(NOT one_model STREQUAL many_model)
      message(FATAL_ERROR "${many}/model.json differs from the single-process model beyond the input's name")
    endif()
  endforeach()
  run_ok(${mpirun} -np 3 "${KSEG}" assign "${WORK}/${input}" --model "${one}/model.json"
         --out "${WORK}/${input}.assigned3.csv" --threads 1 --quiet)
  same("${WORK}/assigned.csv" "${WORK}/${input}.assigned3.csv")
endforeach()

# Truncated: every rank stops with the one-line error, no segments are written.
file(SIZE "${WORK}/users.csv.gz" size)
math(EXPR half "${size} / 2")
execute_process(COMMAND head -c ${half} "${WORK}/users.csv.gz" OUTPUT_FILE "${WORK}/cut.csv.gz")
execute_process(COMMAND ${mpirun} -np 3 "${KSEG}" fit "${WORK}/cut.csv.gz" --k 5 --out "${WORK}/never" --threads 1
                        --quiet RESULT_VARIABLE code ERROR_VARIABLE err TIMEOUT 120)
if(code EQUAL 0 OR NOT err MATCHES "cut.csv.gz: the gzip data is truncated" OR EXISTS "${WORK}/never/segments.csv")
  message(FATAL_ERROR "truncated gzip under mpirun: exit ${code}, stderr: ${err}")
endif()
