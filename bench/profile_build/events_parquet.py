"""The generated order log as Parquet or as an Arrow IPC file, for profile-build's columnar speed rows (bench/RESULTS.md).

usage: events_parquet.py EVENTS.csv OUT [--format parquet|ipc] [--compression none|lz4|zstd|snappy]
                         [--batch-rows N]

Typed columns: user_id as a string, order_time as a timestamp[us, tz=UTC] (kseg generate writes
"YYYY-MM-DDTHH:MM:SSZ"), amount as double (empty → null), category and device as strings.
  parquet: pyarrow's defaults (row groups of up to 1 Mi rows, Snappy) unless --compression or --batch-rows is given;
  ipc:     the Arrow IPC file format (Feather v2, .arrow/.feather), record batches of --batch-rows rows (default
           1 Mi), buffers uncompressed unless --compression lz4 or zstd.
Streamed: the CSV is read block by block and written one row group (record batch) at a time, so memory stays about
one row group whatever the log's size (a 100 M-event log does not fit in memory three times over).
"""
import argparse

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("events")
parser.add_argument("out")
parser.add_argument("--format", choices=["parquet", "ipc"], default="parquet")
parser.add_argument("--compression", choices=["none", "lz4", "zstd", "snappy"], default=None)
parser.add_argument("--batch-rows", type=int, default=None)
args = parser.parse_args()
rows_per_group = args.batch_rows or (1 << 20)  # pq.write_table's default row group size (rows)
compression = args.compression or ("snappy" if args.format == "parquet" else "none")
if args.format == "ipc" and compression not in ("none", "lz4", "zstd"):
    parser.error("Arrow IPC buffers are compressed with lz4 or zstd only")

types = {"user_id": pa.string(), "order_time": pa.string(), "amount": pa.float64()}
reader = pcsv.open_csv(args.events, read_options=pcsv.ReadOptions(block_size=16 << 20),
                       convert_options=pcsv.ConvertOptions(column_types=types))


def typed(batch):
    times = pc.strptime(batch["order_time"], format="%Y-%m-%dT%H:%M:%SZ", unit="s").cast(pa.timestamp("us", tz="UTC"))
    return batch.set_column(batch.schema.get_field_index("order_time"), "order_time", times)


class Writer:
    """Parquet row groups or IPC record batches of exactly rows_per_group rows (the last one shorter)."""

    def __init__(self, schema):
        if args.format == "parquet":
            self.out = pq.ParquetWriter(args.out, schema, compression=compression)
        else:
            options = pa.ipc.IpcWriteOptions(compression=None if compression == "none" else compression)
            self.out = pa.ipc.new_file(args.out, schema, options=options)

    def write(self, table):
        if args.format == "parquet":
            self.out.write_table(table, row_group_size=rows_per_group)
        else:
            for batch in table.combine_chunks().to_batches(max_chunksize=rows_per_group):
                self.out.write_batch(batch)

    def close(self):
        self.out.close()


writer, pending, rows = None, [], 0
for batch in reader:
    table = typed(pa.Table.from_batches([batch]))
    if writer is None:
        writer = Writer(table.schema)
    pending.append(table)
    rows += table.num_rows
    if rows >= rows_per_group:  # full groups of exactly rows_per_group rows, as write_table cuts them
        whole = pa.concat_tables(pending)
        cut = rows - rows % rows_per_group
        writer.write(whole.slice(0, cut))
        pending, rows = [whole.slice(cut)], rows - cut
if writer is None:  # a header without rows
    writer = Writer(typed(reader.schema.empty_table()).schema)
if rows:
    writer.write(pa.concat_tables(pending))
writer.close()
if args.format == "parquet":
    meta = pq.ParquetFile(args.out).metadata
    print(f"{args.out}: {meta.num_rows} rows in {meta.num_row_groups} row groups")
else:
    with pa.memory_map(args.out) as source:
        ipc = pa.ipc.open_file(source)
        n = sum(ipc.get_batch(i).num_rows for i in range(ipc.num_record_batches))
        print(f"{args.out}: {n} rows in {ipc.num_record_batches} record batches ({compression})")
