"""kseg.Segmenter's sweep, drift, update, compare and fit options give what `kseg sweep`, `kseg drift`,
`kseg update`, `kseg compare` and `kseg fit` write for the CSV of the same table; kseg's errors come back as
ValueError/TypeError with nothing written; Arrow streams are consumed batch by batch."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from test_segmenter import EXACT_FLOATS, OPTIONS, cli_fit, csv_write, kseg_binary, users

import kseg


def cli(*args):
    return subprocess.run([kseg_binary(), *map(str, args)], capture_output=True, text=True)


def shifted(n=500, seed=11, first=5000):
    """New users whose spend and orders moved up: drift to detect and to update towards."""
    frame = users(n=n, seed=seed, first=first)
    return frame.assign(spend=frame["spend"] * 3, orders=frame["orders"] + 4)


def frames_equal(ours, path, skip=()):
    theirs = pd.read_csv(path, **EXACT_FLOATS)
    assert list(ours.columns) == list(theirs.columns)
    for name in theirs.columns:
        if name not in skip:
            np.testing.assert_array_equal(ours[name].to_numpy(), theirs[name].to_numpy(), err_msg=name)


def test_sweep_equals_cli_sweep(tmp_path):
    frame = users(n=600)
    path = csv_write(frame, tmp_path / "users.csv")
    run = cli("sweep", path, "--k", "2..5", "--seeds", "2", "--seed", 7, "--device", "cpu", "--quiet", "--out",
              tmp_path / "cli")
    assert run.returncode == 0, run.stderr
    seg = kseg.Segmenter(seed=7, device="cpu")
    table = seg.sweep(frame, k=range(2, 6), seeds=2)
    frames_equal(table, tmp_path / "cli" / "sweep.csv", skip=("seconds",))
    cli_json = json.loads((tmp_path / "cli" / "sweep.json").read_text())
    ours = json.loads(json.dumps(seg.sweep_))
    for doc in (ours, cli_json):  # all but the timings
        doc.pop("seconds")
        for row in doc["rows"]:
            row.pop("seconds")
    assert ours == cli_json
    assert table["recommended"].sum() == 1
    assert table.loc[table["recommended"] == 1, "k"].item() == cli_json["recommended"]["k"]
    # kseg's own k syntax, and an Arrow stream, give the same table.
    again = kseg.Segmenter(seed=7, device="cpu").sweep(
        pa.Table.from_pandas(frame, preserve_index=False).to_reader(max_chunksize=128), k="2..5", seeds=2
    )
    pd.testing.assert_frame_equal(again.drop(columns="seconds"), table.drop(columns="seconds"))


def test_drift_equals_cli_drift(tmp_path):
    frame, new = users(), shifted()
    seg = kseg.Segmenter(k=3, **OPTIONS).fit(frame)
    seg.save(tmp_path / "model.json")
    run = cli("drift", csv_write(new, tmp_path / "new.csv"), "--model", tmp_path / "model.json", "--out",
              tmp_path / "drift.json", "--device", "cpu", "--quiet")
    assert run.returncode in (0, 3), run.stderr  # 3: refit recommended (see README)
    expected = json.loads((tmp_path / "drift.json").read_text())
    report = seg.drift(new)
    assert report == expected
    assert report["refit_recommended"] and report["reasons"]  # spend tripled: the drift is there to find
    table = pa.Table.from_pandas(new, preserve_index=False)
    assert seg.drift(table.to_reader(max_chunksize=50)) == expected  # batch by batch, the same counts
    calm = seg.drift(frame, psi_threshold=10.0, distance_threshold=10.0)
    assert not calm["refit_recommended"]


def test_update_equals_cli_update(tmp_path):
    frame, new = users(), shifted()
    seg = kseg.Segmenter(k=3, **OPTIONS).fit(frame)
    seg.save(tmp_path / "model.json")
    run = cli("update", csv_write(new, tmp_path / "new.csv"), "--model", tmp_path / "model.json", "--out",
              tmp_path / "cli", "--epochs", 2, "--batch-size", 128, "--seed", 3, "--device", "cpu", "--quiet")
    assert run.returncode == 0, run.stderr
    updated = seg.update(new, epochs=2, batch_size=128, seed=3)  # a Table: read once per epoch
    model, expected = updated.model_, json.loads((tmp_path / "cli" / "model.json").read_text())
    for doc in (model, expected):
        doc["fit"].pop("updated_from"), doc["fit"].pop("input")
    assert model == expected
    # centroids.csv: sizes of the last epoch, features as the shortest text of the float32 value.
    theirs = pd.read_csv(tmp_path / "cli" / "centroids.csv")
    assert list(updated.centroids_.columns) == list(theirs.columns)
    np.testing.assert_array_equal(updated.centroids_.to_numpy(np.float32), theirs.to_numpy(np.float32))
    summary, cli_summary = updated.summary_, json.loads((tmp_path / "cli" / "summary.json").read_text())
    for name in ("model", "input", "input_format", "seconds"):
        summary.pop(name), cli_summary.pop(name)
    assert summary == cli_summary
    assert seg.model_ != updated.model_  # the original is left as it was
    # write() gives kseg update's files: centroids.csv byte for byte, the rest but the input's name and the time.
    assert [p.rsplit("/", 1)[-1] for p in updated.write(tmp_path / "py")] == [
        "centroids.csv", "model.json", "summary.json"]
    assert (tmp_path / "py" / "centroids.csv").read_bytes() == (tmp_path / "cli" / "centroids.csv").read_bytes()
    written = json.loads((tmp_path / "py" / "model.json").read_text())
    written["fit"].pop("updated_from"), written["fit"].pop("input")
    assert written == expected
    by_cli = kseg.Segmenter.load(tmp_path / "cli" / "model.json", device="cpu")
    np.testing.assert_array_equal(updated.predict(new), by_cli.predict(new))


def test_compare_equals_cli_compare(tmp_path):
    frame = users(n=800)
    path = csv_write(frame, tmp_path / "users.csv")
    cli_fit(path, tmp_path / "k3", k=3)
    cli_fit(path, tmp_path / "k4", k=4)
    run = cli("compare", tmp_path / "k3" / "segments.csv", tmp_path / "k4" / "segments.csv", "--out",
              tmp_path / "cmp", "--quiet")
    assert run.returncode == 0, run.stderr
    three = kseg.Segmenter(k=3, **OPTIONS).fit(frame)
    four = kseg.Segmenter(k=4, **OPTIONS).fit(frame)
    result = three.compare(four)
    expected = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    tables = ("migration_table", "migration_shares", "segment_psi")  # the CSV files, as DataFrames
    names = ("old", "new")  # the two files' paths, or "this Segmenter" and "the other Segmenter"
    assert {k: v for k, v in result.items() if k not in tables + names} == {
        k: v for k, v in expected.items() if k not in names
    }
    frames_equal(result["migration_table"], tmp_path / "cmp" / "migration.csv")
    frames_equal(result["migration_shares"], tmp_path / "cmp" / "migration_shares.csv")
    frames_equal(result["segment_psi"], tmp_path / "cmp" / "segment_psi.csv")
    # Labels as a DataFrame, and both models scoring the same table, agree with the fitted users' labels.
    by_labels = three.compare(four.segments_[["id", "segment"]])
    assert by_labels["adjusted_rand_index"] == result["adjusted_rand_index"]
    by_table = three.compare(four, table=frame)
    assert by_table["migration"] == result["migration"]
    assert three.compare(three)["adjusted_rand_index"] == 1.0


def test_fit_options_equal_cli_fit(tmp_path):
    frame, new = users(), shifted(n=1200, seed=12)
    path, new_path = csv_write(frame, tmp_path / "users.csv"), csv_write(new, tmp_path / "new.csv")
    options, cli_options = {**OPTIONS, "n_init": 1}, ["--seed", 7, "--device", "cpu", "--quiet"]  # one start
    old = kseg.Segmenter(k=3, **options).fit(frame)
    old.save(tmp_path / "old.json")
    (tmp_path / "names.csv").write_text('segment,name\n0,"Loyal ""big"" spenders"\n2,"Newcomers, web"\n')
    for flag, option in (("--warm-start", "warm_start"), ("--match-ids", "match_ids")):
        out = tmp_path / option
        run = cli("fit", new_path, "--k", 3, *cli_options, "--out", out, flag, tmp_path / "old.json",
                  "--segment-names", tmp_path / "names.csv")
        assert run.returncode == 0, run.stderr
        names = {0: 'Loyal "big" spenders', 2: "Newcomers, web"}
        seg = kseg.Segmenter(k=3, **options, **{option: old}, segment_names=names).fit(new)
        cli_segments = pd.read_csv(out / "segments.csv", dtype={"id": str})
        np.testing.assert_array_equal(seg.segments_["segment"].to_numpy(), cli_segments["segment"].to_numpy())
        expected = json.loads((out / "model.json").read_text())
        model = seg.model_
        for doc in (model, expected):
            doc["fit"].pop("input")
        assert model == expected
        assert model["segment_names"] == ['Loyal "big" spenders', "", "Newcomers, web"]
        by_path = kseg.Segmenter(k=3, **options, **{option: tmp_path / "old.json"},
                                 segment_names=tmp_path / "names.csv").fit(new)
        assert by_path.model_["centroids"] == model["centroids"]
    # init as an array of centroids in original units equals --init FILE.npy.
    centres = old.centroids_[["orders", "spend", "days_since"]].to_numpy(np.float32)
    numeric = frame.drop(columns=["channel"])
    np.save(tmp_path / "init.npy", centres)
    run = cli("fit", csv_write(numeric, tmp_path / "numeric.csv"), "--k", 3, *cli_options, "--init",
              tmp_path / "init.npy", "--out", tmp_path / "init")
    assert run.returncode == 0, run.stderr
    seg = kseg.Segmenter(k=3, **{**options, "init": centres}).fit(numeric)
    assert seg.model_["centroids"] == json.loads((tmp_path / "init" / "model.json").read_text())["centroids"]
    assert "init=" in repr(seg)


def test_errors_raise_kseg_messages_and_write_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    frame = users(n=300)
    seg = kseg.Segmenter(k=3, **OPTIONS).fit(frame)
    with pytest.raises(ValueError, match="k"):
        seg.sweep(frame, k="5..3")
    with pytest.raises(ValueError, match="sweep: unknown option"):
        kseg._kseg.segments_sweep(pa.Table.from_pandas(frame), {}, {"colour": 1})
    with pytest.raises(ValueError, match="psi-threshold"):
        seg.drift(frame, psi_threshold=0)
    with pytest.raises(ValueError, match="spend"):
        seg.drift(frame.drop(columns=["spend"]))
    with pytest.raises(ValueError, match="batch-size"):
        seg.update(frame, batch_size=0)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pytest.raises(ValueError, match="epochs.*read once"):
        seg.update(table.to_reader(max_chunksize=100), epochs=2)
    with pytest.raises(ValueError, match="repeats"):
        seg.compare(pd.DataFrame({"id": ["u1", "u1"], "segment": [0, 1]}))
    with pytest.raises(ValueError, match="segment"):
        seg.compare(pd.DataFrame({"id": ["u1"]}))
    with pytest.raises(TypeError):
        seg.compare(5)
    with pytest.raises(ValueError, match="give table"):
        seg.update(frame).compare(seg)  # an updated model has no users of its own
    with pytest.raises(ValueError, match="warm"):
        kseg.Segmenter(k=3, warm_start=tmp_path / "missing.json", **{**OPTIONS, "n_init": 1}).fit(frame)
    assert list(tmp_path.iterdir()) == []


def test_streams_are_consumed_batch_by_batch():
    """assign, drift and update hold one batch at a time: while a lazily made stream is read, the Arrow memory in use
    stays a few batches, whatever the number of batches (a reader that kept them would grow with each)."""
    seg = kseg.Segmenter(k=3, **OPTIONS).fit(users(n=600))
    rows, batches = 4000, 30
    in_use = []

    def made_lazily():
        for b in range(batches):
            frame = users(n=rows, seed=100 + b, first=b * rows)
            in_use.append(pa.total_allocated_bytes())
            # Built element by element, so every buffer is allocated by Arrow's pool (counted above).
            yield pa.record_batch(
                [pa.array(frame[c].astype(object).tolist(), type=t, from_pandas=True) for c, t in
                 (("user_id", pa.string()), ("orders", pa.float64()), ("spend", pa.float64()),
                  ("days_since", pa.float64()), ("channel", pa.string()))],
                names=["user_id", "orders", "spend", "days_since", "channel"],
            )

    schema = pa.schema([("user_id", pa.string()), ("orders", pa.float64()), ("spend", pa.float64()),
                        ("days_since", pa.float64()), ("channel", pa.string())])
    one_batch = pa.Table.from_batches(list(pa.RecordBatchReader.from_batches(schema, made_lazily()))).nbytes / batches
    for run in (lambda reader: seg.assign(reader), lambda reader: seg.drift(reader),
                lambda reader: seg.update(reader, batch_size=512)):
        in_use.clear()
        base = pa.total_allocated_bytes()
        result = run(pa.RecordBatchReader.from_batches(schema, made_lazily()))
        assert len(in_use) == batches and result is not None
        assert max(in_use) - base < 4 * one_batch, (max(in_use) - base, one_batch)
    # The measure can fail: fit learns the preparation from every row, so it keeps the batches it reads.
    in_use.clear()
    base = pa.total_allocated_bytes()
    kseg.Segmenter(k=3, **OPTIONS).fit(pa.RecordBatchReader.from_batches(schema, made_lazily()))
    assert max(in_use) - base > 10 * one_batch
    assert len(seg.assign(pa.RecordBatchReader.from_batches(schema, made_lazily()))) == rows * batches


def test_results_are_numpy_dicts_without_pandas(monkeypatch):
    """Where pandas is not installed, tables come back as dicts of NumPy arrays with the same columns and values."""
    frame = users(n=400)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    seg = kseg.Segmenter(k=3, **OPTIONS).fit(table)
    other = kseg.Segmenter(k=2, **OPTIONS).fit(table)
    with_pandas = seg.assign(table), seg.sweep(table, k=[2, 3], seeds=1), seg.compare(other)["segment_psi"]
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    without = seg.assign(table), seg.sweep(table, k=[2, 3], seeds=1), seg.compare(other)["segment_psi"]
    for ours, theirs in zip(without, with_pandas):
        assert isinstance(ours, dict) and list(ours) == list(theirs.columns)
        for name in ours:
            assert isinstance(ours[name], np.ndarray)
            if name != "seconds":
                np.testing.assert_array_equal(ours[name], theirs[name].to_numpy(), err_msg=name)
    np.testing.assert_array_equal(seg.predict(table), with_pandas[0]["segment"].to_numpy())
