"""kseg.profile_build: one row of behavioural features per user (RFM, windows, category mix, time habits) from a raw
event log, as ``kseg profile-build`` builds them, and the spec that rebuilds the same columns from a later log."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Literal, Union

import numpy as np

from . import _kseg
from ._tables import TableLike, frame, table_source

if TYPE_CHECKING:
    import pandas as pd

@dataclass
class ProfileBuild:
    """The result of :func:`profile_build`.

    Attributes
    ----------
    users : pandas.DataFrame
        One row per user, in order of first appearance in the log: the user id column, the numeric features (float64,
        NaN where undefined) and the text features (``last_*``, ``mode_*``, ``rfm_segment``; None where empty).
    spec : dict
        The build's ``profile_build.json``: every setting, the categories kept and the reference date. Pass it (or the
        file) as ``spec=`` to rebuild the same columns from a later log.
    """

    users: pd.DataFrame
    spec: dict[str, Any]
    _products: Any = field(repr=False)

    def write(self, path: str | os.PathLike[str]) -> None:
        """Writes the users table (CSV) and ``profile_build.json`` beside it, the bytes ``kseg profile-build --out
        PATH`` writes; both appear together or, on an error, neither is changed."""
        _kseg.profile_build_write(self._products, os.fspath(path))


def profile_build(
    events: TableLike,
    *,
    user_column: str | None = None,
    time_column: str | None = None,
    amount_column: str | None = None,
    category_column: str | None = None,
    as_of: str | None = None,
    windows: Iterable[int] | None = None,
    max_categories: int | None = None,
    category_share: Literal["events", "amount"] | None = None,
    last: Iterable[str] | None = None,
    mode: Iterable[str] | None = None,
    rfm_scores: bool | None = None,
    families: Iterable[str] | str | None = None,
    spec: Union[str, os.PathLike[str], dict[str, Any], None] = None,
    delimiter: str | None = None,
    n_threads: int | None = None,
    verbose: bool = False,
) -> ProfileBuild:
    """Builds behavioural profiles from an event log: ``kseg profile-build`` in Python.

    Parameters
    ----------
    events : path, DataFrame or Arrow table
        The log, one event per row in any order: a path (CSV with a header, plain, .gz or .zst; Parquet, Arrow IPC
        or a directory of .npy columns: a file or a directory of parts), or a pandas or polars DataFrame, a pyarrow
        Table or RecordBatchReader (read batch by batch as Arrow, without text; messages name it "the table").
    user_column, time_column : str
        Who did each event, and when (ISO 8601 date or timestamp, converted to UTC). Required unless ``spec``.
    amount_column : str, optional
        Order amount: monetary features (empty or NA = missing, negative = refund).
    category_column : str, optional
        Product category, channel...: the category mix.
    as_of : str, optional
        Reference date (default: the latest event's day); later events are left out.
    windows : iterable of int, default (7, 30, 90)
        Window lengths in days.
    max_categories : int, default 10
        Categories kept, most frequent first; the others count as "(other)".
    category_share : {"events", "amount"}, default "events"
        The category mix as shares of events or of spend (positive amounts).
    last, mode : iterable of str, optional
        Columns whose most recent (``last_COL``) or most frequent (``mode_COL``) value each user gets.
    rfm_scores : bool, default False
        Adds the R, F, M quintile scores and the named RFM segment.
    families : iterable of str or str, default all
        Feature families: ``rfm``, ``windows``, ``categories``, ``time``.
    spec : str, os.PathLike or dict, optional
        A ``profile_build.json`` (or :attr:`ProfileBuild.spec`) of an earlier build: the same settings and
        categories (a refresh). The settings above may not be given with it.
    delimiter : str, default ","
        Field separator of a CSV log.
    n_threads : int, optional
        CPU threads (default: all cores); the result does not depend on it.
    verbose : bool, default False
        Print ``kseg profile-build``'s progress lines to ``sys.stderr`` as the build goes: at most one a second while
        the log is read (events, share of the file or rows read, rate), one when the per-user features are built,
        and a summary (events, users, seconds, M events/s).

    Returns
    -------
    ProfileBuild
        ``users`` (a pandas DataFrame) and ``spec`` (a dict); ``write(path)`` writes the CLI's files.

    Raises
    ------
    ValueError
        kseg's one-line message for an unknown column, a bad cell (file, line, column) or bad settings.
    """
    source = table_source(events)
    settings = {
        "user_column": user_column,
        "time_column": time_column,
        "amount_column": amount_column,
        "category_column": category_column,
        "windows": windows,
        "max_categories": max_categories,
        "category_share": category_share,
        "last": last,
        "mode": mode,
        "rfm_scores": rfm_scores,
        "families": families,
        "delimiter": delimiter,
    }
    request: dict[str, Any] = {
        "as_of": as_of or "",
        "n_threads": 0 if n_threads is None else int(n_threads),
        "verbose": bool(verbose),
    }
    if spec is not None:
        given = [name for name, value in settings.items() if value is not None]
        if given:
            raise ValueError(f"{given[0]}: the settings come from the spec; drop {given[0]} (or drop spec)")
        request.update(_spec_source(spec))
    else:
        request.update(_settings_request(settings))
    built = _kseg.profile_build(source, request)
    return ProfileBuild(users=_users_frame(built), spec=json.loads(built["spec"]), _products=built["handle"])


def _spec_source(spec: Union[str, os.PathLike[str], dict[str, Any]]) -> dict[str, Any]:
    if isinstance(spec, dict):
        return {"spec_text": json.dumps(spec), "spec_name": "spec"}
    path = os.fspath(spec)
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except OSError as error:
        raise ValueError(f"spec: cannot read {path} ({error.strerror})") from error
    return {"spec_text": text, "spec_name": path}


def _settings_request(s: dict[str, Any]) -> dict[str, Any]:
    families = s["families"]
    if families is not None and not isinstance(families, str):
        families = ",".join(families)
    return {
        "spec_text": "",
        "user_column": s["user_column"] or "",
        "time_column": s["time_column"] or "",
        "amount_column": s["amount_column"] or "",
        "category_column": s["category_column"] or "",
        "windows": [int(w) for w in (s["windows"] if s["windows"] is not None else (7, 30, 90))],
        "max_categories": 10 if s["max_categories"] is None else int(s["max_categories"]),
        "category_share": s["category_share"] or "events",
        "last": list(s["last"] or ()),
        "mode": list(s["mode"] or ()),
        "rfm_scores": bool(s["rfm_scores"]),
        "families": families or "",
        "delimiter": s["delimiter"] or ",",
    }


def _users_frame(built: dict[str, Any]) -> pd.DataFrame:
    columns: dict[str, Any] = {built["id_name"]: np.array(built["ids"], dtype=object)}
    for name, values in zip(built["numeric_names"], built["numeric"]):
        columns[name] = values
    for name, values in zip(built["categorical_names"], built["categorical"]):
        columns[name] = np.array([v if v else None for v in values], dtype=object)
    return frame(columns)
