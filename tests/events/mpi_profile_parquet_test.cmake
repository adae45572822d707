# kseg profile-build of a Parquet event log under mpirun: each rank reads its share of the row groups, events travel
# to the rank that owns their user, and rank 0 writes users.csv and profile_build.json byte for byte as one process
# does from the Parquet log and from its CSV (2 and 3 ranks, every feature family, --last/--mode, RFM scores).
# Invoked by ctest as: cmake -DKSEG=<kseg> -DMPIEXEC=<mpirun> -DPYTHON=<python with pyarrow> -DWORK=<dir> -P ...
include(${CMAKE_CURRENT_LIST_DIR}/../mpi/mpi_common.cmake)

run_ok("${KSEG}" generate --users 4000 --seed 5 --out "${WORK}/users.csv" --events "${WORK}/events.csv" --quiet)
# Times as timestamps with a zone, categories as a dictionary, small row groups so that every rank reads several.
file(WRITE "${WORK}/write.py" [=[
import sys
import pyarrow as pa, pyarrow.csv as pc, pyarrow.parquet as pq, pyarrow.compute as pcc
t = pc.read_csv(sys.argv[1], convert_options=pc.ConvertOptions(column_types={"user_id": pa.string(), "order_time": pa.string()}))
t = t.set_column(1, "order_time", pcc.strptime(t["order_time"], format="%Y-%m-%dT%H:%M:%SZ", unit="s").cast(pa.timestamp("ms", tz="UTC")))
t = t.set_column(3, "category", pcc.dictionary_encode(t["category"]))
pq.write_table(t, sys.argv[2], row_group_size=2500)
]=])
run_ok("${PYTHON}" "${WORK}/write.py" "${WORK}/events.csv" "${WORK}/events.parquet")
set(options --user-column user_id --time-column order_time --amount-column amount --category-column category
            --last device --mode device --rfm-scores --quiet)

run_ok("${KSEG}" profile-build "${WORK}/events.csv" --out "${WORK}/csv/users.csv" ${options})
run_ok("${KSEG}" profile-build "${WORK}/events.parquet" --out "${WORK}/one/users.csv" ${options})
same("${WORK}/csv/users.csv" "${WORK}/one/users.csv")
foreach(ranks 2 3)
  set(many "${WORK}/many_${ranks}")
  run_ok(${mpirun} -np ${ranks} "${KSEG}" profile-build "${WORK}/events.parquet" --out "${many}/users.csv" ${options}
         --threads 1)
  same("${WORK}/one/users.csv" "${many}/users.csv")
  same("${WORK}/one/profile_build.json" "${many}/profile_build.json")
endforeach()
