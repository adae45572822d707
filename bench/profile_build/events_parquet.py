"""The generated order log as Parquet or as an Arrow IPC file, for profile-build's columnar speed rows (bench/RESULTS.md).

usage: events_parquet.py EVENTS.csv OUT [--format parquet|ipc] [--compression none|lz4|zstd|snappy]
                         [--batch-rows N]

Typed columns: user_id as a string, order_time as a timestamp[us, tz=UTC] (kseg generate writes
"YYYY-MM-DDTHH:MM:SSZ"), amount as double (empty → null), category and device as strings.
  parquet: pyarrow's defaults (row groups of up to 1 Mi rows, Snappy) unless --compression or --batch-rows is given;
  ipc:     the Arrow IPC file format (Feather v2, .arrow/.feather), record batches of --batch-rows rows (default
           1 Mi), buffers uncompressed unless --compression lz4 or zstd.
"""
import argparse

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.feather as feather
import pyarrow.parquet as pq

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("events")
parser.add_argument("out")
parser.add_argument("--format", choices=["parquet", "ipc"], default="parquet")
parser.add_argument("--compression", choices=["none", "lz4", "zstd", "snappy"], default=None)
parser.add_argument("--batch-rows", type=int, default=None)
args = parser.parse_args()

types = {"user_id": pa.string(), "order_time": pa.string(), "amount": pa.float64()}
table = pcsv.read_csv(args.events, convert_options=pcsv.ConvertOptions(column_types=types))
times = pc.strptime(table["order_time"], format="%Y-%m-%dT%H:%M:%SZ", unit="s").cast(pa.timestamp("us", tz="UTC"))
table = table.set_column(table.schema.get_field_index("order_time"), "order_time", times)
if args.format == "parquet":
    options = {}
    if args.compression is not None:
        options["compression"] = args.compression
    if args.batch_rows is not None:
        options["row_group_size"] = args.batch_rows
    pq.write_table(table, args.out, **options)
    meta = pq.ParquetFile(args.out).metadata
    print(f"{args.out}: {meta.num_rows} rows in {meta.num_row_groups} row groups")
else:
    table = table.combine_chunks()  # the CSV reader's small chunks into batches of --batch-rows rows
    compression = args.compression or "none"
    if compression not in ("none", "lz4", "zstd"):
        parser.error("Arrow IPC buffers are compressed with lz4 or zstd only")
    feather.write_feather(table, args.out, compression="uncompressed" if compression == "none" else compression,
                          chunksize=args.batch_rows or (1 << 20))
    with pa.memory_map(args.out) as source:
        reader = pa.ipc.open_file(source)
        rows = sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches))
        print(f"{args.out}: {rows} rows in {reader.num_record_batches} record batches ({compression})")
