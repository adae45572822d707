#!/usr/bin/env python3
"""The RFM family of `kseg profile-build` written in pandas and in DuckDB, timed on the same CSV or Parquet log.

Usage: rfm_compare.py EVENTS.csv|EVENTS.parquet AS_OF [KSEG_USERS.csv]
Prints one line per engine: wall seconds (read + aggregate, from the file) and events per second; with
KSEG_USERS.csv (kseg profile-build --families rfm output) it also checks that the three agree on every user.
Columns as written by `kseg generate --events`: user_id, order_time (ISO 8601 UTC), amount (empty = missing); a
Parquet log as bench/profile_build/events_parquet.py writes it (order_time a UTC timestamp). For Parquet the engine
"arrow-read" (pyarrow decoding the three columns into a table, nothing aggregated; the fastest of 3 reads, the first
paying for the library's first use) gives the floor of any reader built on Arrow C++, as kseg's is.
RFM_ENGINES=duckdb (a comma list; default pandas,duckdb) runs only those: pandas holds the whole log in memory
(4.1 GiB at 25 M events, 8.1 GiB at 50 M: about 16 GiB at 100 M; bench/RESULTS.md), DuckDB streams it
(DUCKDB_MEMORY_LIMIT=8GB caps its memory).
"""
import os
import sys
import time

import numpy as np
import pandas as pd

events_path, as_of_text = sys.argv[1], sys.argv[2]
as_of = (pd.Timestamp(as_of_text) - pd.Timestamp("1970-01-01")).days
parquet = events_path.endswith(".parquet")
columns = ["user_id", "order_time", "amount"]


def rfm_pandas():
    if parquet:
        ev = pd.read_parquet(events_path, columns=columns)
    else:
        ev = pd.read_csv(events_path, usecols=columns, dtype={"user_id": str}, engine="pyarrow")
    ts = pd.to_datetime(ev["order_time"], utc=True, format="ISO8601")
    ev["day"] = (ts - pd.Timestamp("1970-01-01", tz="UTC")).dt.days
    ev = ev[ev["day"] <= as_of]
    ev["refund"] = ev["amount"] < 0
    g = ev.groupby("user_id", sort=False)
    o = g.agg(last=("day", "max"), first=("day", "min"), frequency=("day", "size"), active_days=("day", "nunique"),
              monetary_total=("amount", "sum"), monetary_mean=("amount", "mean"), monetary_max=("amount", "max"),
              refunds=("refund", "sum"))
    o["recency_days"] = as_of - o["last"]
    o["tenure_days"] = as_of - o["first"]
    o["interpurchase_days"] = (o["last"] - o["first"]) / (o["active_days"] - 1).where(o["active_days"] > 1)
    return o.drop(columns=["last", "first"])


def rfm_duckdb():
    import duckdb
    con = duckdb.connect()
    if "DUCKDB_MEMORY_LIMIT" in os.environ:  # e.g. 8GB on a shared machine (DuckDB's default: 80 % of RAM)
        con.execute(f"SET memory_limit = '{os.environ['DUCKDB_MEMORY_LIMIT']}'")
    source = (f"read_parquet('{events_path}')" if parquet else
              f"""read_csv('{events_path}', header = true,
                        columns = {{'user_id': 'VARCHAR', 'order_time': 'VARCHAR', 'amount': 'DOUBLE',
                                   'category': 'VARCHAR', 'device': 'VARCHAR'}})""")
    return con.execute(f"""
        WITH ev AS (
          SELECT user_id, CAST(floor(epoch(order_time::TIMESTAMPTZ) / 86400) AS INTEGER) AS day, amount
          FROM {source})
        SELECT user_id, {as_of} - max(day) AS recency_days, count(*) AS frequency,
               count(DISTINCT day) AS active_days, {as_of} - min(day) AS tenure_days,
               CASE WHEN count(DISTINCT day) > 1 THEN (max(day) - min(day)) / (count(DISTINCT day) - 1) END
                 AS interpurchase_days,
               coalesce(sum(amount), 0) AS monetary_total, avg(amount) AS monetary_mean, max(amount) AS monetary_max,
               count(*) FILTER (WHERE amount < 0) AS refunds
        FROM ev WHERE day <= {as_of} GROUP BY user_id""").df().set_index("user_id")


def arrow_read():
    import pyarrow.parquet as pq
    return pq.read_table(events_path, columns=columns)


def fastest_of_3(fn):
    best = None
    for _ in range(3):
        start, cpu = time.perf_counter(), time.process_time()
        out = fn()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        best = (seconds, cpu, out) if best is None or seconds < best[0] else best
    return best


results = {}
engines = os.environ.get("RFM_ENGINES", "pandas,duckdb").split(",")
for name, fn in [("arrow-read", arrow_read), ("pandas", rfm_pandas), ("duckdb", rfm_duckdb)]:
    if name not in engines or (name == "arrow-read" and not parquet):
        continue
    if name == "arrow-read":
        seconds, cpu, out = fastest_of_3(fn)
        print(f"{name}: {seconds:.2f} s wall, {cpu:.2f} s CPU (all threads), {out.num_rows / seconds / 1e6:.2f} M "
              "events/s (decoding alone)", flush=True)
        continue
    start, cpu = time.perf_counter(), time.process_time()
    results[name] = fn()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    n = int(results[name]["frequency"].sum())
    print(f"{name}: {seconds:.2f} s wall, {cpu:.2f} s CPU (all threads), {n / seconds / 1e6:.2f} M events/s, "
          f"{len(results[name])} users", flush=True)

if len(sys.argv) > 3:
    kseg = pd.read_csv(sys.argv[3], dtype={"user_id": str}).set_index("user_id")
    for name, other in results.items():
        other = other.reindex(kseg.index)
        for column in kseg.columns:
            a, b = kseg[column].to_numpy(float), other[column].to_numpy(float)
            ok = np.allclose(a, b, rtol=1e-9, atol=1e-6, equal_nan=True)
            if not ok:
                print(f"MISMATCH {name} {column}: {np.nanmax(np.abs(a - b))}")
    print("checked against kseg:", ", ".join(kseg.columns))
