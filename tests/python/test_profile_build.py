"""kseg.profile_build: the users table and spec `kseg profile-build` writes for the same log (CSV and Parquet), the
CLI's files byte for byte from write(), a refresh from the spec, RFM columns against a pandas groupby, and kseg's
errors as ValueError."""

import json
import subprocess

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_segmenter import EXACT_FLOATS, kseg_binary

import kseg

OPTIONS = {
    "user_column": "user_id",
    "time_column": "order_time",
    "amount_column": "amount",
    "category_column": "category",
    "last": ["device"],
    "mode": ["device"],
    "rfm_scores": True,
    "windows": [7, 30],
}
CLI_OPTIONS = [
    "--user-column", "user_id", "--time-column", "order_time", "--amount-column", "amount",
    "--category-column", "category", "--last", "device", "--mode", "device", "--rfm-scores", "--windows", "7,30",
]


def events(n=4000, users=300, seed=3, start="2026-01-01"):
    """An unsorted order log: ISO timestamps with zones, amounts in cents with gaps and refunds, categories, devices."""
    rng = np.random.default_rng(seed)
    base = np.datetime64(start + "T00:00:00", "s")
    seconds = rng.integers(0, 200 * 86400, size=n)
    times = [str(base + np.timedelta64(int(s), "s")) + "Z" for s in seconds]
    amount = np.round(rng.lognormal(3.0, 0.8, size=n), 2).astype(object)
    amount[rng.random(n) < 0.03] = -12.5
    amount[rng.random(n) < 0.02] = None
    return pd.DataFrame(
        {
            "user_id": [f"u{u:04d}" for u in rng.integers(0, users, size=n)],
            "order_time": times,
            "amount": amount,
            "category": rng.choice(["books", "games", "garden", "music", "toys", "tools"], size=n),
            "device": rng.choice(["ios", "android", "web"], size=n),
        }
    )


def cli(*args):
    return subprocess.run([kseg_binary(), *map(str, args)], capture_output=True, text=True)


def log_write(frame, path):
    frame.to_csv(path, index=False, na_rep="")
    return path


def cli_build(log, out, *options):
    run = cli("profile-build", log, "--out", out, "--quiet", *options)
    assert run.returncode == 0, run.stderr
    return pd.read_csv(out, **EXACT_FLOATS), json.loads((out.parent / "profile_build.json").read_text())


def table_equal(ours, theirs):
    assert list(ours.columns) == list(theirs.columns)
    for name in theirs.columns:
        if theirs[name].dtype.kind in "fiu":  # users.csv holds 12 significant digits; ours are all float64
            np.testing.assert_allclose(ours[name].to_numpy(float), theirs[name].to_numpy(), rtol=1e-11, err_msg=name)
        else:
            mine = [None if v is None else v for v in ours[name]]
            expected = [None if isinstance(v, float) and np.isnan(v) else str(v) for v in theirs[name]]
            assert [None if v is None else str(v) for v in mine] == expected, name


def test_equals_cli_and_write_gives_its_bytes(tmp_path):
    log = log_write(events(), tmp_path / "events.csv")
    theirs, spec = cli_build(log, tmp_path / "cli" / "users.csv", *CLI_OPTIONS)
    built = kseg.profile_build(log, **OPTIONS, n_threads=2)
    table_equal(built.users, theirs)
    assert built.spec == spec
    assert len(built.users) == spec["users"] > 250
    built.write(tmp_path / "py" / "users.csv")
    for name in ("users.csv", "profile_build.json"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name


def test_parquet_log_gives_the_csv_logs_table(tmp_path):
    frame = events(seed=8)
    csv_built = kseg.profile_build(log_write(frame, tmp_path / "events.csv"), **OPTIONS)
    table = pa.Table.from_pandas(frame.assign(amount=frame["amount"].astype(float)), preserve_index=False)
    pq.write_table(table, tmp_path / "events.parquet", row_group_size=1000)
    parquet_built = kseg.profile_build(tmp_path / "events.parquet", **OPTIONS)
    pd.testing.assert_frame_equal(parquet_built.users, csv_built.users)


def test_dataframes_and_arrow_tables_give_the_csv_logs_table(tmp_path):
    frame = events(seed=9)
    csv_built = kseg.profile_build(log_write(frame, tmp_path / "events.csv"), **OPTIONS)
    typed = frame.assign(order_time=pd.to_datetime(frame["order_time"], utc=True),
                         amount=frame["amount"].astype(float),
                         category=frame["category"].astype("category"))
    table = pa.Table.from_pandas(frame.assign(amount=frame["amount"].astype(float)), preserve_index=False)
    inputs = {
        "pandas, text times": frame.assign(amount=frame["amount"].astype(float)),
        "pandas, datetime64 and category": typed,
        "pyarrow Table": table,
        "RecordBatchReader of 7 batches": table.to_reader(max_chunksize=600),
    }
    try:
        import polars as pl

        inputs["polars"] = pl.from_pandas(typed)
    except ImportError:
        pass
    for name, source in inputs.items():
        built = kseg.profile_build(source, **OPTIONS, n_threads=2)
        pd.testing.assert_frame_equal(built.users, csv_built.users, obj=name)
        assert built.spec["events"] == "the table"
        assert {k: v for k, v in built.spec.items() if k != "events"} == {
            k: v for k, v in csv_built.spec.items() if k != "events"
        }, name
    # The in-memory build writes the same users table; a bad cell is named by row in "the table".
    built.write(tmp_path / "mem" / "users.csv")
    csv_built.write(tmp_path / "csv" / "users.csv")
    assert (tmp_path / "mem" / "users.csv").read_bytes() == (tmp_path / "csv" / "users.csv").read_bytes()
    bad = frame.assign(amount=frame["amount"].astype(float))
    bad.loc[41, "order_time"] = "soon"
    with pytest.raises(ValueError, match=r'the table: row 42: column "order_time": "soon" is not an ISO 8601'):
        kseg.profile_build(bad, user_column="user_id", time_column="order_time")


def test_rfm_columns_match_a_pandas_groupby(tmp_path):
    frame = events(seed=5)
    built = kseg.profile_build(log_write(frame, tmp_path / "events.csv"), user_column="user_id",
                               time_column="order_time", amount_column="amount", families="rfm", as_of="2026-07-31")
    when = pd.to_datetime(frame["order_time"], utc=True)
    amount = pd.to_numeric(frame["amount"])
    by = frame.assign(day=when.dt.floor("D"), amount=amount).groupby("user_id")
    expected = pd.DataFrame(
        {
            "frequency": by.size(),
            "active_days": by["day"].nunique(),
            "recency_days": (pd.Timestamp("2026-07-31", tz="UTC") - by["day"].max()).dt.days,
            "monetary_total": by["amount"].sum(),
            "monetary_max": by["amount"].max(),
        }
    )
    ours = built.users.set_index("user_id").loc[expected.index]
    for name in expected.columns:
        np.testing.assert_allclose(ours[name].to_numpy(float), expected[name].to_numpy(float), rtol=1e-12,
                                   err_msg=name)


def test_spec_replays_a_later_log_as_the_cli_does(tmp_path):
    first = log_write(events(seed=1), tmp_path / "first.csv")
    later = log_write(events(seed=2, start="2026-03-01"), tmp_path / "later.csv")
    built = kseg.profile_build(first, **OPTIONS)
    built.write(tmp_path / "first" / "users.csv")
    theirs, _ = cli_build(later, tmp_path / "cli" / "users.csv", "--spec", tmp_path / "first" / "profile_build.json")
    from_dict = kseg.profile_build(later, spec=built.spec)
    from_file = kseg.profile_build(later, spec=tmp_path / "first" / "profile_build.json")
    table_equal(from_dict.users, theirs)
    pd.testing.assert_frame_equal(from_file.users, from_dict.users)
    assert from_dict.spec["categories"] == built.spec["categories"]
    with pytest.raises(ValueError, match="user_column: the settings come from the spec"):
        kseg.profile_build(later, spec=built.spec, user_column="user_id")


def test_errors_are_one_line_value_errors_and_nothing_is_written(tmp_path):
    frame = events(n=200)
    log = log_write(frame, tmp_path / "events.csv")
    with pytest.raises(ValueError, match='--user-column: no column "who"'):
        kseg.profile_build(log, user_column="who", time_column="order_time")
    bad = frame.copy()
    bad.loc[57, "order_time"] = "yesterday"
    bad_log = log_write(bad, tmp_path / "bad.csv")
    with pytest.raises(ValueError, match=r"bad\.csv:59:2: .*\"yesterday\" is not an ISO 8601"):
        kseg.profile_build(bad_log, user_column="user_id", time_column="order_time")
    with pytest.raises(TypeError, match="table: expected a path"):
        kseg.profile_build(42, user_column="user_id", time_column="order_time")
    built = kseg.profile_build(log, user_column="user_id", time_column="order_time")
    with pytest.raises(ValueError, match="is the event log itself"):
        built.write(log)
    assert log.read_text().startswith("user_id,order_time")
    assert not (tmp_path / "profile_build.json").exists()


def test_verbose_prints_the_clis_progress_lines_to_stderr(tmp_path, capsys):
    frame = events()
    log = log_write(frame, tmp_path / "events.csv")
    kseg.profile_build(log, **OPTIONS)
    assert capsys.readouterr().err == "", "quiet unless verbose"
    built = kseg.profile_build(log, verbose=True, **OPTIONS)
    err = capsys.readouterr().err
    users = frame["user_id"].nunique()  # every event is up to the latest day: every user has a row
    assert len(built.users) == users
    assert f"kseg: read {len(frame)} events in " in err, err
    assert f"; building the features of {users} users\n" in err, err
    assert f"kseg: profile-build done: {len(frame)} events, {users} users in " in err, err
