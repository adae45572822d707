"""kseg.Segmenter's output options give what the CLI's flags give on the CSV of the same table: assign's nearest-leaf
rule (`kseg assign --assign nearest-leaf`), the tree path column (`kseg fit --hierarchy --with-path`), Parquet
outputs (`--out-format parquet`) and keyed pseudonyms (`--hash-ids`, checked against Python's own HMAC-SHA-256)."""

import hashlib
import hmac
import subprocess

import numpy as np
import pandas as pd
import pytest
from test_segmenter import CLI_OPTIONS, EXACT_FLOATS, OPTIONS, csv_write, kseg_binary, users

import kseg

KEY = "a-key-of-at-least-16-bytes"


def cli(*args):
    run = subprocess.run([kseg_binary(), *map(str, args)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run


def tree_fit(tmp_path, frame):
    """A 5-leaf tree fitted in Python, saved as model.json, and the same fit by the CLI into tmp_path/cli."""
    cli("fit", csv_write(frame, tmp_path / "users.csv"), "--k", 5, "--hierarchy", "--with-path", *CLI_OPTIONS,
        "--out", tmp_path / "cli")
    seg = kseg.Segmenter(k=5, hierarchy=True, with_path=True, **OPTIONS).fit(frame)
    seg.save(tmp_path / "model.json")
    return seg


def test_assign_modes_equal_cli_assign(tmp_path):
    frame, new = users(), users(n=700, seed=11, first=5000)
    seg = tree_fit(tmp_path, frame)
    new_path = csv_write(new, tmp_path / "new.csv")
    scored = {}
    for mode in ("tree", "nearest-leaf"):
        out = tmp_path / f"{mode}.csv"
        cli("assign", new_path, "--model", tmp_path / "model.json", "--assign", mode, "--out", out, "--device", "cpu",
            "--quiet")
        theirs = pd.read_csv(out, dtype={"id": str})
        ours = seg.assign(new, mode=mode)
        assert ours["id"].tolist() == theirs["id"].tolist()
        np.testing.assert_array_equal(ours["segment"].to_numpy(), theirs["segment"].to_numpy(), err_msg=mode)
        np.testing.assert_array_equal(ours["distance"].to_numpy(), theirs["distance"].to_numpy().astype(np.float32))
        np.testing.assert_array_equal(seg.predict(new_path, mode=mode), theirs["segment"].to_numpy())
        scored[mode] = ours
    # The nearest leaf is, by definition, never farther than the leaf the walk ends in (up to float32 rounding: the
    # two rules compute the distance by different sums); on this table the rules part for some users.
    nearest, walked = scored["nearest-leaf"]["distance"].to_numpy(), scored["tree"]["distance"].to_numpy()
    assert np.all(nearest <= walked + 1e-5)  # z-scored features: distances of order 1
    moved = scored["nearest-leaf"]["segment"].to_numpy() != scored["tree"]["segment"].to_numpy()
    assert moved.any() and np.all(nearest[moved] < walked[moved])
    with pytest.raises(ValueError, match="nearest-leaf"):
        seg.assign(new, mode="nearest")  # type: ignore[arg-type]


def test_with_path_equals_cli_fit(tmp_path):
    seg = tree_fit(tmp_path, users())
    seg.write(tmp_path / "py")
    for name in ("segments.csv", "centroids.csv"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    segments = pd.read_csv(tmp_path / "py" / "segments.csv", dtype={"path": str})
    assert "path" in segments.columns
    # Each path runs from the root to the user's leaf: the node ids end in the segment's node.
    assert segments["path"].str.startswith("0/").all()
    with pytest.raises(ValueError, match="with-path"):
        kseg.Segmenter(k=3, with_path=True, **OPTIONS).fit(users())  # no tree, no path


def test_parquet_outputs_equal_cli_fit(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    frame = users()
    cli("fit", csv_write(frame, tmp_path / "users.csv"), "--k", 3, *CLI_OPTIONS, "--out-format", "parquet", "--out",
        tmp_path / "cli")
    seg = kseg.Segmenter(k=3, **OPTIONS).fit(frame)
    files = seg.write(tmp_path / "py", out_format="parquet")
    assert str(tmp_path / "py" / "segments.parquet") in files and not (tmp_path / "py" / "segments.csv").exists()
    for name in ("segments.parquet", "centroids.parquet"):
        ours, theirs = pq.read_table(tmp_path / "py" / name), pq.read_table(tmp_path / "cli" / name)
        assert ours.equals(theirs), name
    segments = pq.read_table(tmp_path / "py" / "segments.parquet").to_pandas()
    np.testing.assert_array_equal(segments["segment"].to_numpy(), seg.segments_["segment"].to_numpy())
    # A CSV write after it replaces the set whole: the Parquet files go.
    seg.write(tmp_path / "py")
    assert (tmp_path / "py" / "segments.csv").exists() and not (tmp_path / "py" / "segments.parquet").exists()
    with pytest.raises(ValueError, match="out_format"):
        seg.write(tmp_path / "bad", out_format="xlsx")  # type: ignore[arg-type]
    assert not (tmp_path / "bad").exists()


def test_hash_ids_equal_cli_and_hmac(tmp_path, monkeypatch):
    frame = users(n=400)
    key_file = tmp_path / "key.txt"
    key_file.write_text(KEY + "\n")
    cli("fit", csv_write(frame, tmp_path / "users.csv"), "--k", 3, *CLI_OPTIONS, "--hash-ids", "--hash-key-file",
        key_file, "--out", tmp_path / "cli")
    seg = kseg.Segmenter(k=3, **OPTIONS).fit(frame)
    seg.write(tmp_path / "py", hash_ids=True, hash_key_file=key_file)
    ours = (tmp_path / "py" / "segments.csv").read_bytes()
    assert ours == (tmp_path / "cli" / "segments.csv").read_bytes()
    written = pd.read_csv(tmp_path / "py" / "segments.csv", dtype={"id": str}, **EXACT_FLOATS)
    expected = [hmac.new(KEY.encode(), i.encode(), hashlib.sha256).hexdigest() for i in frame["user_id"]]
    assert written["id"].tolist() == expected
    assert seg.segments_["id"].tolist() == frame["user_id"].tolist()  # in memory: the ids as read
    # The key from the environment, as the CLI takes it.
    monkeypatch.setenv("KSEG_HASH_KEY", KEY)
    seg.write(tmp_path / "env", hash_ids=True)
    assert (tmp_path / "env" / "segments.csv").read_bytes() == ours
    monkeypatch.delenv("KSEG_HASH_KEY")
    with pytest.raises(ValueError):
        seg.write(tmp_path / "nokey", hash_ids=True)  # no key anywhere: nothing written
    assert not (tmp_path / "nokey").exists()
    with pytest.raises(ValueError, match="hash_ids"):
        seg.write(tmp_path / "nokey", hash_key_file=key_file)


def test_csv_safe_ids_equal_cli_fit(tmp_path):
    frame = users(n=300)
    frame.loc[:3, "user_id"] = ["=1+2", "+cmd", "-x", '@"q"']  # formula-like ids, one with a quote
    cli("fit", csv_write(frame, tmp_path / "users.csv"), "--k", 3, *CLI_OPTIONS, "--csv-safe-ids", "--out",
        tmp_path / "cli")
    seg = kseg.Segmenter(k=3, **OPTIONS).fit(frame)
    seg.write(tmp_path / "py", csv_safe_ids=True)
    ours = (tmp_path / "py" / "segments.csv").read_text()
    assert ours == (tmp_path / "cli" / "segments.csv").read_text()
    ids = pd.read_csv(tmp_path / "py" / "segments.csv", dtype={"id": str})["id"].tolist()
    assert ids[:4] == ["'=1+2", "'+cmd", "'-x", "'@\"q\""]  # OWASP's rule: a quote in front, shown as text
    assert ids[4:] == frame["user_id"].tolist()[4:]
