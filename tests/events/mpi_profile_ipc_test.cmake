# kseg profile-build of Arrow IPC event logs under mpirun: each rank reads its share of the record batches (of one
# LZ4-compressed file, of a directory of two uncompressed parts, and of a directory of .npy columns), events travel to
# the rank that owns their user, and rank 0 writes users.csv and profile_build.json byte for byte as one process does
# from the IPC log and from its CSV (2 and 3 ranks, every feature family, --last/--mode, RFM scores), and a bad cell in
# a later rank's share is named by its row in its part.
# Invoked by ctest as: cmake -DKSEG=<kseg> -DMPIEXEC=<mpirun> -DPYTHON=<python with pyarrow> -DWORK=<dir> -P ...
include(${CMAKE_CURRENT_LIST_DIR}/../mpi/mpi_common.cmake)

run_ok("${KSEG}" generate --users 4000 --seed 5 --out "${WORK}/users.csv" --events "${WORK}/events.csv" --quiet)
# Times as timestamps with a zone, categories as a dictionary, small record batches so that every rank reads several.
file(WRITE "${WORK}/write.py" [=[
import sys, os
import pyarrow as pa, pyarrow.csv as pc, pyarrow.ipc as ipc, pyarrow.compute as pcc
t = pc.read_csv(sys.argv[1], convert_options=pc.ConvertOptions(column_types={"user_id": pa.string(), "order_time": pa.string()}))
t = t.set_column(1, "order_time", pcc.strptime(t["order_time"], format="%Y-%m-%dT%H:%M:%SZ", unit="s").cast(pa.timestamp("ms", tz="UTC")))
t = t.set_column(3, "category", pcc.dictionary_encode(t["category"].combine_chunks()))
def write(path, table, compression):
    with ipc.new_file(path, table.schema, options=ipc.IpcWriteOptions(compression=compression)) as w:
        for batch in table.to_batches(max_chunksize=2500):
            w.write_batch(batch)
write(sys.argv[2] + "/events.arrow", t, "lz4")
os.makedirs(sys.argv[2] + "/parts")
third = t.num_rows // 3
write(sys.argv[2] + "/parts/part-0.arrow", t.slice(0, third), None)
write(sys.argv[2] + "/parts/part-1.arrow", t.slice(third), None)
import numpy as np
os.makedirs(sys.argv[2] + "/npy")  # the same log as .npy columns: one batch, so one rank reads it and the other none
for name in t.column_names:
    column = t[name]
    if name == "order_time":
        values = column.cast(pa.timestamp("ms")).to_numpy()
    elif name == "amount":
        values = column.to_numpy()
    else:
        values = np.array(column.cast(pa.string()).to_pylist(), "U")
    np.save(sys.argv[2] + "/npy/" + name + ".npy", values)
write(sys.argv[2] + "/bad.arrow", t.slice(0, 5000).set_column(0, "user_id", pa.array(["u"] * 4000 + [None] + ["u"] * 999)), None)
]=])
run_ok("${PYTHON}" "${WORK}/write.py" "${WORK}/events.csv" "${WORK}")
set(options --user-column user_id --time-column order_time --amount-column amount --category-column category
            --last device --mode device --rfm-scores --quiet)

run_ok("${KSEG}" profile-build "${WORK}/events.csv" --out "${WORK}/csv/users.csv" ${options})
run_ok("${KSEG}" profile-build "${WORK}/events.arrow" --out "${WORK}/one/users.csv" ${options})
same("${WORK}/csv/users.csv" "${WORK}/one/users.csv")
foreach(input events.arrow parts npy)
  foreach(ranks 2 3)
    set(many "${WORK}/many_${input}_${ranks}")
    run_ok(${mpirun} -np ${ranks} "${KSEG}" profile-build "${WORK}/${input}" --out "${many}/users.csv" ${options}
           --threads 1)
    same("${WORK}/one/users.csv" "${many}/users.csv")
    if(input STREQUAL "events.arrow")  # the spec names its input
      same("${WORK}/one/profile_build.json" "${many}/profile_build.json")
    endif()
  endforeach()
endforeach()
# Two batches of 2500: the null user id is row 4001 of the file, in the second rank's share.
execute_process(COMMAND ${mpirun} -np 2 "${KSEG}" profile-build "${WORK}/bad.arrow" --out "${WORK}/bad/users.csv"
                        ${options} --threads 1 RESULT_VARIABLE code ERROR_VARIABLE err OUTPUT_QUIET TIMEOUT 300)
if(code EQUAL 0 OR NOT err MATCHES "bad.arrow: row 4001: column \"user_id\": no user id \\(null\\)")
  message(FATAL_ERROR "a null user id in rank 1's share: exit ${code}, stderr: ${err}")
endif()
