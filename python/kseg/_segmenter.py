"""kseg.Segmenter: the CLI's segmentation workflow (prepare, fit, assign, profile, report) on tables in Python."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from . import _kseg

# Segmenter parameters that map one to one onto the fit request's fields (app/fit_segments.hpp), with the CLI's
# defaults. The names are the CLI's options without the leading dashes, '-' written '_'.
_FIT_DEFAULTS: dict[str, Any] = {
    "id_column": None,
    "weight_column": None,
    "columns": None,
    "categorical": None,
    "numeric": None,
    "ignore": None,
    "audit_columns": None,
    "date_columns": None,
    "impute": "median",
    "missing_indicators": False,
    "log": "auto",
    "feature_weights": None,
    "max_levels": 50,
    "as_of": None,
    "na_values": None,
    "scale": "zscore",
    "seed": 42,
    "n_init": 1,
    "max_iter": 300,
    "tol": 1e-4,
    "init": "k-means++",
    "hierarchy": False,
    "split": "largest-inertia",
    "min_size": 0.0,
    "min_share": 0.0,
    "device": "auto",
    "n_threads": None,
    "verbose": False,
}

# The options assign takes from the Segmenter (the model holds the rest).
_ASSIGN_OPTIONS = ("device", "n_threads")


def _table_source(table):
    """What the extension reads: a path (CSV, compressed CSV, .npy, Parquet file or directory) or an Arrow stream.

    pandas and polars DataFrames become Arrow tables without a text round trip (pandas ``category`` columns become
    dictionary arrays, NaN/None become nulls); pyarrow Tables and RecordBatchReaders, and any object with
    ``__arrow_c_stream__``, are passed as they are.
    """
    if isinstance(table, (str, os.PathLike)):
        return os.fspath(table)
    module = type(table).__module__.split(".")[0]
    if module == "pandas":
        import pyarrow as pa

        return pa.Table.from_pandas(table, preserve_index=False)
    if module == "polars":
        return table.to_arrow()
    if hasattr(table, "__arrow_c_stream__"):
        return table
    raise TypeError(
        f"table: expected a path, a pandas or polars DataFrame, a pyarrow Table or RecordBatchReader, got "
        f"{type(table).__name__}"
    )


def _frame(columns: dict[str, Any]):
    """A pandas DataFrame of the columns (pandas is the common denominator of the table libraries)."""
    import pandas as pd

    return pd.DataFrame(columns)


class Segmenter:
    """Segment users: prepare a user table, fit K-means, score new users, profile and report segments.

    The same workflow as the ``kseg`` program, on tables in memory: the preparation (column roles, missing values,
    imputation, logs, scaling, one-hot categories) is learned from the table, and the model is the CLI's
    ``model.json``, so a model fitted here scores users through ``kseg assign`` with the same segments, and the
    other way round.

    Parameters
    ----------
    k : int, default=8
        Number of segments.
    id_column, weight_column : str, optional
        The id column (default: one named ``id`` or ``user_id``, else row numbers) and per-user sample weights.
    columns : list of str, optional
        Feature columns (default: all but id and weight).
    categorical, numeric, ignore, audit_columns, date_columns : list of str, optional
        Column roles forced by name, as ``--categorical`` ... ``--date-columns``.
    impute : {"median", "mean", "zero"}, default="median"
    missing_indicators : bool, default=False
    log : str, default="auto"
        ``"auto"`` (log1p of non-negative columns with skew > 2), ``"none"`` or a list of columns.
    feature_weights : dict of str to float, optional
    max_levels : int, default=50
    as_of : str, optional
        Reference date for date columns (ISO 8601).
    na_values : list of str, optional
        Cell texts read as missing (text columns only); default pandas' set and ``-``.
    scale : {"zscore", "robust", "minmax", "none"}, default="zscore"
    seed, n_init, max_iter, tol, init :
        K-means options, as ``kseg fit``.
    hierarchy : bool, default=False
        Bisecting K-means tree (``--hierarchy``); ``split`` chooses the leaf split next.
    min_size, min_share : float, default=0
        Smallest usable segment (users or share); smaller segments are dissolved.
    device : str, default="auto"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (CUDA where the extension has it and a GPU is present).
    n_threads : int, optional
        CPU threads (default: all cores).
    verbose : bool, default=False
        Print kseg's notices (columns left out, log1p transforms, imputed values, CPU fallback) to stderr.

    Attributes
    ----------
    segments_ : pandas.DataFrame
        One row per user of the fitted table: id, segment, distance (as ``segments.csv``).
    centroids_ : pandas.DataFrame
        The centroids in the features' original units (as ``centroids.csv``).
    summary_ : dict
        What ``summary.json`` holds (k, inertia, iterations, sizes, timings).
    model_ : dict
        The model (``model.json``).

    Examples
    --------
    >>> import pandas as pd, kseg
    >>> users = pd.DataFrame({"user_id": [f"u{i}" for i in range(8)], "orders": [1, 2, 1, 2, 30, 31, 29, 30]})
    >>> seg = kseg.Segmenter(k=2).fit(users)
    >>> sorted(seg.segments_["segment"].value_counts().tolist())
    [4, 4]
    """

    def __init__(self, k: int = 8, **options: Any) -> None:
        unknown = sorted(set(options) - set(_FIT_DEFAULTS))
        if unknown:
            raise TypeError(f"Segmenter: unknown option(s) {', '.join(unknown)}")
        self.k = k
        self.options = {**_FIT_DEFAULTS, **options}
        self._products: dict[str, Any] | None = None
        self._model_text: str | None = None

    def __repr__(self) -> str:
        changed = {name: value for name, value in self.options.items() if value != _FIT_DEFAULTS[name]}
        extra = "".join(f", {name}={value!r}" for name, value in changed.items())
        return f"Segmenter(k={self.k}{extra})"

    def _request(self) -> dict[str, Any]:
        request = {name: value for name, value in self.options.items() if value is not None}
        request["k"] = int(self.k)
        for name in ("columns", "categorical", "numeric", "ignore", "audit_columns", "date_columns"):
            if isinstance(request.get(name), str):
                request[name] = [request[name]]
            elif name in request:
                request[name] = list(request[name])
        if isinstance(request.get("log"), (list, tuple)):
            request["log"] = ",".join(request["log"])
        if isinstance(request.get("feature_weights"), dict):
            request["feature_weights"] = [f"{name}={weight}" for name, weight in request["feature_weights"].items()]
        if isinstance(request.get("na_values"), (list, tuple)):
            request["na_values"] = ",".join(request["na_values"])
        request["n_threads"] = int(self.options["n_threads"] or 0)
        request["quiet"] = not request.pop("verbose", False)
        return request

    def _assign_request(self) -> dict[str, Any]:
        fit_request = self._request()
        request = {name: fit_request[name] for name in _ASSIGN_OPTIONS if name in fit_request}
        request["quiet"] = not self.options["verbose"]
        return request

    def _require_fitted(self) -> None:
        if self._model_text is None:
            raise ValueError("this Segmenter is not fitted yet: call fit(table) or Segmenter.load(path) first")

    # --- fitting and scoring -------------------------------------------------------------------------------------

    def fit(self, table) -> "Segmenter":
        """Learn the preparation and the segments from a user table, as ``kseg fit``.

        Parameters
        ----------
        table : pandas.DataFrame, polars.DataFrame, pyarrow.Table, pyarrow.RecordBatchReader or path
            One row per user. A path (CSV, .csv.gz, .csv.zst, .npy, Parquet file or directory) is read by kseg.

        Returns
        -------
        Segmenter
            self, fitted.

        Raises
        ------
        ValueError
            kseg's one-line message for data or options it cannot use (nothing is kept from the failed fit).
        """
        products = _kseg.segments_fit(_table_source(table), self._request())
        self._accept(products)
        return self

    def _accept(self, products: dict[str, Any]) -> None:
        if products.get("notices"):
            sys.stderr.write(products["notices"])
        self._products = products
        self._model_text = products["model"]

    @property
    def segments_(self):
        self._require_fitted()
        if self._products is None:
            raise ValueError("segments_ exists after fit(); a loaded model has no training users")
        products = self._products
        return _frame({"id": products["ids"], "segment": products["segments"], "distance": products["distances"]})

    @property
    def centroids_(self):
        self._require_fitted()
        if self._products is not None:
            return _frame(self._products["centroids"])
        return _frame(_kseg.model_centroids(self._model_text, "the model"))

    @property
    def summary_(self) -> dict[str, Any]:
        self._require_fitted()
        if self._products is None:
            raise ValueError("summary_ exists after fit(); a loaded model has no fit summary")
        return json.loads(self._products["summary"])

    @property
    def model_(self) -> dict[str, Any]:
        self._require_fitted()
        return json.loads(self._model_text)

    def assign(self, table):
        """Segment of every user of a table, scored against the fitted or loaded model, as ``kseg assign``.

        Parameters
        ----------
        table : DataFrame, pyarrow.Table, pyarrow.RecordBatchReader or path
            Users with (at least) the columns the model reads, matched by name. Arrow inputs and files are read
            batch by batch.

        Returns
        -------
        pandas.DataFrame
            ``id`` (text, or row numbers without an id column), ``segment`` (the stable segment id) and ``distance``
            (Euclidean, in the prepared space), one row per user in input order.
        """
        self._require_fitted()
        products = _kseg.segments_assign(self._model_text, _table_source(table), self._assign_request())
        if products.get("notices"):
            sys.stderr.write(products["notices"])
        return _frame({"id": products["ids"], "segment": products["segments"], "distance": products["distances"]})

    def predict(self, table) -> np.ndarray:
        """The segment of every user of the table (the ``segment`` column of :meth:`assign`)."""
        return self.assign(table)["segment"].to_numpy()

    # --- the model file --------------------------------------------------------------------------------------------

    def save(self, path) -> None:
        """Write the model as ``model.json`` (the CLI's format: ``kseg assign --model PATH`` reads it).

        The file appears whole or not at all (written beside it, then renamed).
        """
        self._require_fitted()
        target = Path(path)
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(self._model_text)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path, **options: Any) -> "Segmenter":
        """A Segmenter scoring with a saved ``model.json`` (from :meth:`save` or ``kseg fit``).

        Raises ValueError, naming the file, for a file that is not a kseg model (as ``kseg assign`` would).
        """
        text = Path(path).read_text(encoding="utf-8")
        centroids = _kseg.model_centroids(text, os.fspath(path))
        segmenter = cls(k=len(centroids["segment"]), **options)
        segmenter._model_text = text
        return segmenter

    # --- explaining and refreshing ---------------------------------------------------------------------------------

    def write(self, directory) -> list[str]:
        """Write the CLI's output set of the fit (segments.csv, centroids.csv, model.json, summary.json,
        profiles, report.html) into a directory, replacing an earlier set whole. Returns the files written."""
        self._require_fitted()
        if self._products is None:
            raise ValueError("write() needs a fit in this process (a loaded model has no training users)")
        _kseg.segments_fit_write(self._products["handle"], os.fspath(directory))
        return sorted(str(p) for p in Path(directory).iterdir())

    def profiles(self):
        """Per-segment profiles (size, share, mean/median of every feature, top categories) as a DataFrame."""
        with tempfile.TemporaryDirectory(prefix="kseg-profiles-") as directory:
            self.write(directory)
            import pandas as pd

            return pd.read_csv(Path(directory) / "profiles.csv")

    def report(self, path) -> None:
        """Write ``report.html`` (segment cards, personas, fairness audit) to path."""
        with tempfile.TemporaryDirectory(prefix="kseg-report-") as directory:
            self.write(directory)
            Path(path).write_bytes((Path(directory) / "report.html").read_bytes())
