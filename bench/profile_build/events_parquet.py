"""The generated order log as Parquet, for profile-build's columnar speed row (bench/RESULTS.md).

usage: events_parquet.py EVENTS.csv OUT.parquet

pyarrow's defaults (row groups of up to 1 Mi rows, Snappy), with typed columns: user_id as a string, order_time as a
timestamp[us, tz=UTC] (kseg generate writes "YYYY-MM-DDTHH:MM:SSZ"), amount as double (empty → null), category and
device as strings. Streamed: the CSV is read batch by batch and written one row group at a time, so memory stays
about one row group whatever the log's size (a 100 M-event log does not fit in memory three times over).
"""
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

ROW_GROUP = 1 << 20  # pq.write_table's default row group size (rows)

events, out = sys.argv[1], sys.argv[2]
types = {"user_id": pa.string(), "order_time": pa.string(), "amount": pa.float64()}
reader = pcsv.open_csv(events, read_options=pcsv.ReadOptions(block_size=16 << 20),
                       convert_options=pcsv.ConvertOptions(column_types=types))


def typed(batch):
    times = pc.strptime(batch["order_time"], format="%Y-%m-%dT%H:%M:%SZ", unit="s").cast(pa.timestamp("us", tz="UTC"))
    return batch.set_column(batch.schema.get_field_index("order_time"), "order_time", times)


writer, pending, rows = None, [], 0
for batch in reader:
    table = typed(pa.Table.from_batches([batch]))
    if writer is None:
        writer = pq.ParquetWriter(out, table.schema)
    pending.append(table)
    rows += table.num_rows
    if rows >= ROW_GROUP:  # full row groups of exactly ROW_GROUP rows, as write_table cuts them
        whole = pa.concat_tables(pending)
        cut = rows - rows % ROW_GROUP
        writer.write_table(whole.slice(0, cut), row_group_size=ROW_GROUP)
        pending, rows = [whole.slice(cut)], rows - cut
if writer is None:  # a header without rows
    writer = pq.ParquetWriter(out, typed(reader.schema.empty_table()).schema)
if rows:
    writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP)
writer.close()
meta = pq.ParquetFile(out).metadata
print(f"{out}: {meta.num_rows} rows in {meta.num_row_groups} row groups")
