# kseg under mpirun gives byte for byte the segments, centroids, model and profiles of one process, for CSV
# (including a CSV whose byte split falls inside a quoted field holding a line break) and .npy; assign under mpirun
# likewise; a rank meeting bad data ends every rank quickly with the error.
# Invoked by ctest as: cmake -DKSEG=<kseg> -DMPIEXEC=<mpirun> -DWORK=<dir> -P mpi_fit_test.cmake
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

run_ok("${KSEG}" generate --users 4000 --seed 5 --out "${WORK}/users.csv" --quiet)
run_ok("${KSEG}" generate --users 3000 --seed 6 --out "${WORK}/users.npy" --quiet)

# quoted.csv: users.csv with a long quoted text column (15 levels, each with a line break; commas and "" too)
# that holds most of the bytes, so the cuts between ranks fall inside quoted fields.
file(STRINGS "${WORK}/users.csv" lines)
set(pad "..........................................................................................")
set(note0 "\"first line of a long note, ${pad}\nsecond line \"\"quoted\"\" ${pad}")
set(note1 "\"another note ${pad}${pad}\nwith a break")
set(note2 "\"third, ${pad}\n${pad}")
set(quoted "")
set(i 0)
foreach(line IN LISTS lines)
  if(i EQUAL 0)
    string(APPEND quoted "${line},note\n")
  else()
    math(EXPR which "(${i} * 7) % 3")
    math(EXPR extra "(${i} * 13) % 5")
    if(i EQUAL 1)
      set(extra 150)  # moves the cuts off the record boundaries they would otherwise hit
    endif()
    string(REPEAT "-" ${extra} tail)  # five ends per level: the levels are still few, the records uneven
    string(APPEND quoted "${line},${note${which}}${tail}\"\n")
  endif()
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE "${WORK}/quoted.csv" "${quoted}")

# Check that the byte cuts for 2 and 3 ranks fall inside quotes (an odd number of quotes before the cut), as
# csv_range_split computes them: data_begin + ⌊length · r / N⌋.
string(FIND "${quoted}" "\n" header_end)
math(EXPR data_begin "${header_end} + 1")
string(LENGTH "${quoted}" size)
math(EXPR length "${size} - ${data_begin}")
foreach(ranks 2 3)
  math(EXPR cut "${data_begin} + ${length} / ${ranks}")
  string(SUBSTRING "${quoted}" 0 ${cut} before)
  string(REGEX REPLACE "[^\"]" "" quotes "${before}")
  string(LENGTH "${quotes}" n_quotes)
  math(EXPR odd "${n_quotes} % 2")
  if(NOT odd)
    message(FATAL_ERROR "quoted.csv: the cut for ${ranks} ranks is not inside a quoted field; change the padding")
  endif()
endforeach()

foreach(input users.csv quoted.csv users.npy)
  set(one "${WORK}/${input}.one")
  run_ok("${KSEG}" fit "${WORK}/${input}" --k 5 --seed 9 --out "${one}" --quiet)
  foreach(ranks 2 3)
    set(many "${WORK}/${input}.${ranks}")
    run_ok(${mpirun} -np ${ranks} "${KSEG}" fit "${WORK}/${input}" --k 5 --seed 9 --out "${many}" --threads 1 --quiet)
    foreach(f segments.csv centroids.csv model.json profiles.csv)
      same("${one}/${f}" "${many}/${f}")
    endforeach()
    file(READ "${many}/summary.json" summary)
    string(JSON count GET "${summary}" processes count)
    if(NOT count EQUAL ranks)
      message(FATAL_ERROR "${many}/summary.json: processes.count is ${count}, expected ${ranks}")
    endif()
  endforeach()
  run_ok("${KSEG}" assign "${WORK}/${input}" --model "${one}/model.json" --out "${WORK}/${input}.assigned.csv" --quiet)
  run_ok(${mpirun} -np 3 "${KSEG}" assign "${WORK}/${input}" --model "${one}/model.json"
         --out "${WORK}/${input}.assigned3.csv" --threads 1 --quiet)
  same("${WORK}/${input}.assigned.csv" "${WORK}/${input}.assigned3.csv")
endforeach()

# A ragged record in the last rank's slice only: every rank exits, non-zero, with the located error, well before
# the timeout (a hang would hit it).
file(READ "${WORK}/users.csv" text)
file(WRITE "${WORK}/bad.csv" "${text}u99999999,1,2,3\n")
string(TIMESTAMP t0 "%s")
execute_process(COMMAND ${mpirun} -np 3 "${KSEG}" fit "${WORK}/bad.csv" --k 5 --out "${WORK}/bad" --threads 1 --quiet
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
string(TIMESTAMP t1 "%s")
math(EXPR seconds "${t1} - ${t0}")
if(code EQUAL 0 OR NOT code MATCHES "^[0-9]+$")
  message(FATAL_ERROR "a bad slice on one rank: exit '${code}', expected a non-zero exit code\n${err}")
endif()
if(NOT err MATCHES "bad.csv:4002:[0-9]+: expected 11 fields, found 4")
  message(FATAL_ERROR "a bad slice on one rank: the error does not name the record\n${err}")
endif()
if(seconds GREATER 30 OR EXISTS "${WORK}/bad/segments.csv")
  message(FATAL_ERROR "a bad slice on one rank: took ${seconds} s or left segments.csv behind")
endif()
