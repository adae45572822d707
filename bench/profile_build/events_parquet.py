"""The generated order log as Parquet, for profile-build's columnar speed row (bench/RESULTS.md).

usage: events_parquet.py EVENTS.csv OUT.parquet

pyarrow's defaults (row groups of up to 1 Mi rows, Snappy), with typed columns: user_id as a string, order_time as a
timestamp[us, tz=UTC] (kseg generate writes "YYYY-MM-DDTHH:MM:SSZ"), amount as double (empty → null), category and
device as strings.
"""
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

events, out = sys.argv[1], sys.argv[2]
types = {"user_id": pa.string(), "order_time": pa.string(), "amount": pa.float64()}
table = pcsv.read_csv(events, convert_options=pcsv.ConvertOptions(column_types=types))
times = pc.strptime(table["order_time"], format="%Y-%m-%dT%H:%M:%SZ", unit="s").cast(pa.timestamp("us", tz="UTC"))
table = table.set_column(table.schema.get_field_index("order_time"), "order_time", times)
pq.write_table(table, out)
meta = pq.ParquetFile(out).metadata
print(f"{out}: {meta.num_rows} rows in {meta.num_row_groups} row groups")
