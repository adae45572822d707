# kseg profile-build under mpirun: each rank reads its share of the log, events travel to the rank that owns their
# user, and rank 0 writes users.csv and profile_build.json byte for byte as one process does (2 and 3 ranks, plain and
# gzip logs, every feature family, --last/--mode, RFM scores, shares of spend); a bad cell ends the job with exit 1.
# Invoked by ctest as: cmake -DKSEG=<kseg> -DMPIEXEC=<mpirun> -DGZIP=<gzip> -DWORK=<dir> -P ...
include(${CMAKE_CURRENT_LIST_DIR}/../mpi/mpi_common.cmake)

# The generated log is sorted by time, so most users' events lie in every rank's share of the bytes.
run_ok("${KSEG}" generate --users 4000 --seed 5 --out "${WORK}/users.csv" --events "${WORK}/events.csv" --quiet)
execute_process(COMMAND "${GZIP}" -c "${WORK}/events.csv" OUTPUT_FILE "${WORK}/events.csv.gz" RESULT_VARIABLE code)
set(options --user-column user_id --time-column order_time --amount-column amount --category-column category
            --last device --mode device --rfm-scores --quiet)

foreach(share events amount)
  foreach(input events.csv events.csv.gz)
    set(one "${WORK}/one_${share}_${input}")
    run_ok("${KSEG}" profile-build "${WORK}/${input}" --out "${one}/users.csv" ${options} --category-share ${share})
    foreach(ranks 2 3)
      set(many "${WORK}/many_${share}_${input}_${ranks}")
      run_ok(${mpirun} -np ${ranks} "${KSEG}" profile-build "${WORK}/${input}" --out "${many}/users.csv" ${options}
             --category-share ${share} --threads 1)
      same("${one}/users.csv" "${many}/users.csv")
      same("${one}/profile_build.json" "${many}/profile_build.json")
    endforeach()
  endforeach()
endforeach()

# A bad time in the second half of the log: the rank that reads it ends the job, naming the line.
file(READ "${WORK}/events.csv" text)
string(REGEX REPLACE "\n([^,\n]*),2026-11-2[0-9]T[^,\n]*," "\n\\1,2026-11-31T00:00:00Z," text "${text}")
file(WRITE "${WORK}/bad.csv" "${text}")
execute_process(COMMAND ${mpirun} -np 2 "${KSEG}" profile-build "${WORK}/bad.csv" --out "${WORK}/bad/users.csv"
                        ${options} --threads 1
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 300)
if(code EQUAL 0 OR NOT err MATCHES "bad.csv:[0-9]+:2: column \"order_time\": \"2026-11-31T00:00:00Z\"")
  message(FATAL_ERROR "a bad time under mpirun: exit ${code}\nstderr: ${err}")
endif()
if(EXISTS "${WORK}/bad/users.csv")
  message(FATAL_ERROR "a failed run under mpirun wrote ${WORK}/bad/users.csv")
endif()
