"""kseg.Segmenter: the same segments, centroids and model.json as `kseg fit` / `kseg assign` on the same table, from
pandas (category dtype, NaN/None), pyarrow and polars, and kseg's errors as ValueError."""

import json
import os
import subprocess

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import kseg


def kseg_binary():
    binary = os.environ.get("KSEG_BINARY")
    if not binary:
        pytest.skip("KSEG_BINARY is not set (ctest sets it to the kseg program)")
    return binary


def users(n=1200, seed=5, first=0):
    """A user table: three behaviour groups, a heavy-tailed spend, a categorical channel (pandas category) and gaps.

    Values are multiples of 1/4, so the CSV text and the binary value are the same float (no rounding differs).
    """
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, size=n)
    orders = np.round(rng.normal(np.array([2.0, 10.0, 25.0])[group], 1.5) * 4) / 4
    spend = np.round(rng.lognormal(np.array([2.0, 4.0, 6.0])[group], 0.4) * 4) / 4
    days = rng.integers(0, 365, size=n).astype(float)
    days[rng.random(n) < 0.05] = np.nan
    channel = np.array(["web", "app", "store"], dtype=object)[group].copy()
    channel[rng.random(n) < 0.05] = None
    return pd.DataFrame(
        {
            "user_id": [f"u{first + i}" for i in range(n)],
            "orders": orders,
            "spend": spend,
            "days_since": days,
            "channel": pd.Categorical(channel, categories=["web", "app", "store"]),
        }
    )


def csv_write(frame, path):
    frame.to_csv(path, index=False, na_rep="")
    return str(path)


# pandas 3 parses floats exactly by default (and deprecates the option); pandas 2 needs "round_trip".
EXACT_FLOATS = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}

OPTIONS = {"seed": 7, "n_init": 2, "device": "cpu"}
CLI_OPTIONS = ["--seed", "7", "--n-init", "2", "--device", "cpu", "--quiet"]


def cli_fit(path, out, k=3):
    subprocess.run([kseg_binary(), "fit", path, "--k", str(k), *CLI_OPTIONS, "--out", str(out)], check=True)


def cli_assign(path, model, out):
    subprocess.run(
        [kseg_binary(), "assign", path, "--model", str(model), "--out", str(out), "--device", "cpu", "--quiet"],
        check=True,
    )
    return pd.read_csv(out, dtype={"id": str})


def profiles_csv_read(path):
    """profiles.csv as kseg means it: text columns as text (an empty level is ""), numbers parsed exactly, an empty
    number NaN."""
    numbers = ["value", "population", "index", "std_diff"]
    return pd.read_csv(
        path,
        **EXACT_FLOATS,
        keep_default_na=False,
        na_values={name: [""] for name in numbers},
        dtype={"name": str, "kind": str, "column": str, "level": str},
    )


def model_without_input(path):
    """model.json but the input's name (a path for the CLI, none for a table in memory)."""
    model = json.loads(open(path).read())
    model["fit"].pop("input")
    return model


def test_dataframe_fit_equals_cli_fit(tmp_path):
    frame = users()
    cli_fit(csv_write(frame, tmp_path / "users.csv"), tmp_path / "cli")
    seg = kseg.Segmenter(k=3, **OPTIONS).fit(frame)
    seg.write(tmp_path / "py")
    for name in ("segments.csv", "centroids.csv"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert model_without_input(tmp_path / "py" / "model.json") == model_without_input(tmp_path / "cli" / "model.json")
    cli = pd.read_csv(tmp_path / "cli" / "segments.csv", dtype={"id": str})
    assert seg.segments_["id"].tolist() == cli["id"].tolist()
    np.testing.assert_array_equal(seg.segments_["segment"].to_numpy(), cli["segment"].to_numpy())
    np.testing.assert_allclose(seg.segments_["distance"].to_numpy(), cli["distance"].to_numpy(), rtol=1e-6)
    centroids = pd.read_csv(tmp_path / "cli" / "centroids.csv")
    assert list(seg.centroids_.columns) == list(centroids.columns)
    np.testing.assert_allclose(seg.centroids_.to_numpy(dtype=float), centroids.to_numpy(dtype=float), rtol=1e-6)
    assert seg.model_["n_clusters"] == 3
    assert seg.summary_["k"] == 3 and seg.summary_["input"] == "the table"
    assert seg.summary_["input_format"] == "arrow"
    # Computed in memory (no file): the same rows, and the numbers the file's text stands for.
    profiles = seg.profiles()
    assert profiles.equals(profiles_csv_read(tmp_path / "cli" / "profiles.csv"))
    assert [s["persona"] for s in seg.profiles_["segments"]] == [
        s["persona"] for s in json.loads((tmp_path / "cli" / "profiles.json").read_text())["segments"]
    ]


def test_models_score_alike_in_python_and_cli(tmp_path):
    frame, new = users(), users(n=500, seed=11, first=5000)
    new_path = csv_write(new, tmp_path / "new.csv")
    seg = kseg.Segmenter(k=3, **OPTIONS).fit(frame)
    seg.save(tmp_path / "model.json")
    cli = cli_assign(new_path, tmp_path / "model.json", tmp_path / "assigned.csv")
    ours = seg.assign(new)
    assert ours["id"].tolist() == cli["id"].tolist()
    np.testing.assert_array_equal(ours["segment"].to_numpy(), cli["segment"].to_numpy())
    # The CLI writes the shortest text that reads back as the same float32.
    np.testing.assert_array_equal(ours["distance"].to_numpy(), cli["distance"].to_numpy().astype(np.float32))
    np.testing.assert_array_equal(seg.predict(new_path), cli["segment"].to_numpy())  # a path, read by kseg

    # A model from `kseg fit` loaded into Python scores the same users the same way.
    cli_fit(csv_write(frame, tmp_path / "users.csv"), tmp_path / "cli")
    loaded = kseg.Segmenter.load(tmp_path / "cli" / "model.json", device="cpu")
    cli2 = cli_assign(new_path, tmp_path / "cli" / "model.json", tmp_path / "assigned2.csv")
    np.testing.assert_array_equal(loaded.predict(new), cli2["segment"].to_numpy())
    np.testing.assert_array_equal(loaded.centroids_["segment"].to_numpy(), np.arange(3))


def test_pyarrow_and_category_inputs_equal_pandas():
    frame = users()
    by_pandas = kseg.Segmenter(k=3, **OPTIONS).fit(frame)
    as_text = frame.assign(channel=frame["channel"].astype(object))
    by_text = kseg.Segmenter(k=3, **OPTIONS).fit(as_text)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    by_table = kseg.Segmenter(k=3, **OPTIONS).fit(table)
    batches = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(100))
    by_batches = kseg.Segmenter(k=3, **OPTIONS).fit(batches)
    for other in (by_text, by_table, by_batches):
        np.testing.assert_array_equal(other.segments_["segment"], by_pandas.segments_["segment"])
        assert other.model_["centroids"] == by_pandas.model_["centroids"]
    # The gaps were read as missing: imputed days, and a missing channel is no level of its own.
    assert frame["days_since"].isna().any() and frame["channel"].isna().any()
    assert set(by_pandas.centroids_.columns) >= {"orders", "spend", "days_since"}
    # Rows without an id column are numbered from 0 across batches, in fit and assign alike.
    no_ids = table.drop_columns(["user_id"])
    scored = by_pandas.assign(pa.RecordBatchReader.from_batches(no_ids.schema, no_ids.to_batches(64)))
    assert scored["id"].tolist() == [str(i) for i in range(len(frame))]
    np.testing.assert_array_equal(scored["segment"], by_pandas.predict(frame))


def test_polars_input_equals_pandas():
    pl = pytest.importorskip("polars", reason="polars is not installed")
    frame = users(n=400).assign(channel=lambda f: f["channel"].astype(object))
    by_pandas = kseg.Segmenter(k=3, **OPTIONS).fit(frame)
    by_polars = kseg.Segmenter(k=3, **OPTIONS).fit(pl.from_pandas(frame))
    np.testing.assert_array_equal(by_polars.segments_["segment"], by_pandas.segments_["segment"])


def test_bad_input_raises_kseg_message_and_writes_nothing(tmp_path):
    frame = users(n=200)
    with pytest.raises(ValueError, match="nope"):
        kseg.Segmenter(k=3, id_column="nope", **OPTIONS).fit(frame)
    with pytest.raises(ValueError, match="k"):
        kseg.Segmenter(k=0, **OPTIONS).fit(frame)
    with pytest.raises(ValueError, match="Segmenter: unknown option|unknown"):
        kseg._kseg.segments_fit(pa.Table.from_pandas(frame), {"k": 3, "colour": "red"})
    with pytest.raises(TypeError):
        kseg.Segmenter(k=3, colour="red")
    seg = kseg.Segmenter(k=3, **OPTIONS).fit(frame)
    with pytest.raises(ValueError, match="orders"):  # a column the model needs is missing
        seg.assign(frame.drop(columns=["orders"]))
    (tmp_path / "bad.json").write_text('{"format": "something else"}')
    with pytest.raises(ValueError, match="bad.json"):
        kseg.Segmenter.load(tmp_path / "bad.json")
    with pytest.raises(ValueError, match="not fitted"):
        kseg.Segmenter(k=3).assign(frame)
    assert list(tmp_path.iterdir()) == [tmp_path / "bad.json"]  # nothing written by the failed calls


def test_batches_made_by_python_while_kseg_reads():
    """A RecordBatchReader over a Python generator: kseg reads it with the GIL released (pyarrow takes it back)."""
    table = pa.Table.from_pandas(users(n=600), preserve_index=False)
    whole = kseg.Segmenter(k=3, **OPTIONS).fit(table)
    generated = kseg.Segmenter(k=3, **OPTIONS).fit(
        pa.RecordBatchReader.from_batches(table.schema, (batch for batch in table.to_batches(50)))
    )
    np.testing.assert_array_equal(generated.segments_["segment"], whole.segments_["segment"])
    scored = whole.assign(pa.RecordBatchReader.from_batches(table.schema, (b for b in table.to_batches(37))))
    assert scored["id"].tolist() == whole.segments_["id"].tolist()
    np.testing.assert_array_equal(scored["segment"], whole.segments_["segment"])
