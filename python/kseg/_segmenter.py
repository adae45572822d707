"""kseg.Segmenter: the CLI's segmentation workflow (prepare, fit, assign, profile, report) on tables in Python."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Literal

import numpy as np

from . import _kseg
from ._segmenter_workflows import SegmenterWorkflows
from ._tables import frame as _frame
from ._tables import TableLike
from ._tables import table_source as _table_source

if TYPE_CHECKING:
    import pandas as pd

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
    "with_path": False,
    "min_size": 0.0,
    "min_share": 0.0,
    "warm_start": None,
    "match_ids": None,
    "segment_names": None,
    "audit_ratio": 0.8,
    "audit_min_diff": 0.02,
    "device": "auto",
    "n_threads": None,
    "precision": "fp32",
    "gpu_memory": None,
    "algorithm": "lloyd",
    "verbose": False,
}

# The options assign, drift and update take from the Segmenter (the model holds the rest).
_ASSIGN_OPTIONS = ("device", "n_threads", "precision", "gpu_memory", "algorithm")


def _is_default(value: Any, default: Any) -> bool:
    """Whether an option holds its default (a value of another type, e.g. an init array, never does)."""
    return value is default or (type(value) is type(default) and value == default)


class Segmenter(SegmenterWorkflows):
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
        K-means options, as ``kseg fit``; ``init`` may also be a ``(k, d)`` array of centroids in original units.
    hierarchy : bool, default=False
        Bisecting K-means tree (``--hierarchy``); ``split`` chooses the leaf split next.
    with_path : bool, default=False
        With ``hierarchy``, :meth:`write` adds a ``path`` column to segments.csv: the tree's node ids from the
        root, e.g. ``0/1/4`` (``--with-path``).
    min_size, min_share : float, default=0
        Smallest usable segment (users or share); smaller segments are dissolved.
    warm_start : Segmenter or path, optional
        Start from this model's centroids (in the new preparation) and keep its segment ids (``--warm-start``).
    match_ids : Segmenter or path, optional
        After a fresh fit, give segments the ids of the nearest old ones (``--match-ids``, Hungarian matching).
    segment_names : dict of int to str, or path, optional
        Segment names kept in the model (``--segment-names``: a CSV ``segment,name``).
    audit_ratio, audit_min_diff : float, default=0.8, 0.02
        The fairness audit of the profiles (``--audit-ratio``, ``--audit-min-diff``).
    device : str, default="auto"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (CUDA where the extension has it and a GPU is present).
    n_threads : int, optional
        CPU threads (default: all cores).
    precision : {"fp32", "tf32"}, default="fp32"
        GPU product precision.
    gpu_memory : float, optional
        GPU memory budget in GiB (default: 80% of free memory).
    algorithm : {"lloyd", "hamerly"}, default="lloyd"
        The CPU pass (``--algorithm``).
    verbose : bool, default=False
        Print kseg's notices (columns left out, log1p transforms, imputed values, CPU fallback) to stderr.

    Attributes
    ----------
    segments_ : pandas.DataFrame
        One row per user of the fitted table: id, segment, distance (as ``segments.csv``).
    centroids_ : pandas.DataFrame
        The centroids in the features' original units (as ``centroids.csv``).
    summary_ : dict
        What ``summary.json`` holds (k, inertia, iterations, sizes, timings; after :meth:`update`, the update's).
    model_ : dict
        The model (``model.json``).
    sweep_ : dict
        After :meth:`sweep`: ``sweep.json`` (every k's metrics, the recommendation and why).

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
        self._products: dict[str, Any] | None = None  # a fit's, in this process
        self._model_text: str | None = None
        self._summary_text: str | None = None
        self._centroids: dict[str, Any] | None = None
        self._update_products: Any = None  # an update's, for write()

    def __repr__(self) -> str:
        changed = {name: value for name, value in self.options.items() if not _is_default(value, _FIT_DEFAULTS[name])}
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

    @contextlib.contextmanager
    def _fit_request(self) -> Iterator[dict[str, Any]]:
        """The request, with the options given as objects (a Segmenter, names, an init array) written as the files
        kseg reads, in a directory removed afterwards."""
        request = self._request()
        with tempfile.TemporaryDirectory(prefix="kseg-fit-") as directory:
            for name in ("warm_start", "match_ids"):
                if isinstance(request.get(name), Segmenter):
                    path = Path(directory) / f"{name}.model.json"
                    request[name].save(path)
                    request[name] = str(path)
                elif name in request:
                    request[name] = os.fspath(request[name])
            if isinstance(request.get("segment_names"), dict):
                path = Path(directory) / "segment_names.csv"
                with open(path, "w", newline="", encoding="utf-8") as file:
                    writer = csv.writer(file, lineterminator="\n")
                    writer.writerow(["segment", "name"])
                    writer.writerows(sorted(request["segment_names"].items()))
                request["segment_names"] = str(path)
            elif "segment_names" in request:
                request["segment_names"] = os.fspath(request["segment_names"])
            if not isinstance(request.get("init"), str):
                path = Path(directory) / "init.npy"
                np.save(path, np.asarray(request["init"], dtype=np.float32))
                request["init"] = str(path)
            yield request

    def _assign_request(self) -> dict[str, Any]:
        fit_request = self._request()
        request = {name: fit_request[name] for name in _ASSIGN_OPTIONS if name in fit_request}
        request["quiet"] = not self.options["verbose"]
        return request

    def _require_fitted(self) -> str:
        """The model's text; ValueError when there is none yet."""
        if self._model_text is None:
            raise ValueError("this Segmenter is not fitted yet: call fit(table) or Segmenter.load(path) first")
        return self._model_text

    # --- fitting and scoring -------------------------------------------------------------------------------------

    def fit(self, table: TableLike) -> Segmenter:
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
        with self._fit_request() as request:
            products = _kseg.segments_fit(_table_source(table), request)
        if products.get("notices"):
            sys.stderr.write(products["notices"])
        self._products = products
        self._model_text = products["model"]
        self._summary_text = products["summary"]
        self._centroids = products["centroids"]
        return self

    @property
    def segments_(self) -> pd.DataFrame:
        """One row per user of the fitted table: ``id``, ``segment``, ``distance`` (as segments.csv)."""
        self._require_fitted()
        if self._products is None:
            raise ValueError("segments_ exists after fit(); a loaded model has no training users")
        products = self._products
        return _frame({"id": products["ids"], "segment": products["segments"], "distance": products["distances"]})

    @property
    def centroids_(self) -> pd.DataFrame:
        """The centroids in the features' original units (as centroids.csv)."""
        model_text = self._require_fitted()
        if self._centroids is not None:
            return _frame(self._centroids)
        return _frame(_kseg.model_centroids(model_text, "the model"))

    @property
    def summary_(self) -> dict[str, Any]:
        """What summary.json holds (after :meth:`fit` or :meth:`update`)."""
        self._require_fitted()
        if self._summary_text is None:
            raise ValueError("summary_ exists after fit() or update(); a loaded model has no summary")
        summary: dict[str, Any] = json.loads(self._summary_text)
        return summary

    @property
    def model_(self) -> dict[str, Any]:
        """The model, as model.json holds it."""
        result: dict[str, Any] = json.loads(self._require_fitted())
        return result

    def assign(self, table: TableLike, *, mode: Literal["tree", "nearest-leaf"] = "tree") -> pd.DataFrame:
        """Segment of every user of a table, scored against the fitted or loaded model, as ``kseg assign``.

        Parameters
        ----------
        table : DataFrame, pyarrow.Table, pyarrow.RecordBatchReader or path
            Users with (at least) the columns the model reads, matched by name. Arrow inputs and files are read
            batch by batch.
        mode : {"tree", "nearest-leaf"}, default="tree"
            How a tree model (``hierarchy=True``) places a user, as ``--assign``: ``"tree"`` walks from the root to
            the nearer child at each split, ``"nearest-leaf"`` takes the nearest segment centroid (the two can
            differ). A flat model always takes the nearest centroid.

        Returns
        -------
        pandas.DataFrame
            ``id`` (text, or row numbers without an id column), ``segment`` (the stable segment id) and ``distance``
            (Euclidean, in the prepared space), one row per user in input order.
        """
        model_text = self._require_fitted()
        if mode not in ("tree", "nearest-leaf"):
            raise ValueError(f'assign: mode must be "tree" or "nearest-leaf", got {mode!r}')
        products = _kseg.segments_assign(model_text, _table_source(table), self._assign_request(), mode)
        if products.get("notices"):
            sys.stderr.write(products["notices"])
        return _frame({"id": products["ids"], "segment": products["segments"], "distance": products["distances"]})

    def predict(self, table: TableLike, *, mode: Literal["tree", "nearest-leaf"] = "tree") -> np.ndarray:
        """The segment of every user of the table (the ``segment`` column of :meth:`assign`).

        Parameters
        ----------
        table : DataFrame, pyarrow.Table, pyarrow.RecordBatchReader or path
            As for :meth:`assign`.
        mode : {"tree", "nearest-leaf"}, default="tree"
            As for :meth:`assign`.

        Returns
        -------
        numpy.ndarray of int64
            One segment id per user, in input order.
        """
        return np.asarray(self.assign(table, mode=mode)["segment"])

    # --- the model file --------------------------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model as ``model.json`` (the CLI's format: ``kseg assign --model PATH`` reads it).

        The file appears whole or not at all (written beside it, then renamed).

        Parameters
        ----------
        path : str or path-like
            The file written (replaced when it exists).

        Raises
        ------
        ValueError
            When the Segmenter is neither fitted nor loaded.
        """
        model_text = self._require_fitted()
        target = Path(path)
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(model_text)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike[str], **options: Any) -> Segmenter:
        """A Segmenter scoring with a saved ``model.json`` (from :meth:`save` or ``kseg fit``).

        Parameters
        ----------
        path : str or path-like
            The model file.
        **options
            Segmenter options for scoring (``device``, ``n_threads``, ``verbose``, ...).

        Returns
        -------
        Segmenter
            Fitted with the file's model: :meth:`assign`, :meth:`drift`, :meth:`update` and :meth:`save` work;
            ``segments_``, ``summary_`` and :meth:`profiles` need a fit in this process.

        Raises
        ------
        ValueError
            Naming the file, for a file that is not a kseg model (as ``kseg assign`` would).
        """
        text = Path(path).read_text(encoding="utf-8")
        centroids = _kseg.model_centroids(text, os.fspath(path))
        segmenter = cls(k=len(centroids["segment"]), **options)
        segmenter._model_text = text
        return segmenter

    # --- explaining and refreshing ---------------------------------------------------------------------------------

    def write(
        self,
        directory: str | os.PathLike[str],
        *,
        out_format: Literal["csv", "parquet"] = "csv",
        hash_ids: bool = False,
        hash_key_file: str | os.PathLike[str] | None = None,
        csv_safe_ids: bool = False,
    ) -> list[str]:
        """Write the CLI's output set into a directory, replacing an earlier set whole.

        Parameters
        ----------
        directory : str or path-like
            The output directory (created; an earlier output set there is replaced whole).
        out_format : {"csv", "parquet"}, default="csv"
            After a fit, segments and centroids as CSV or Parquet files (``--out-format``); the update's files are
            CSV only.
        hash_ids : bool, default=False
            After a fit, the segments file's ids as keyed pseudonyms (``--hash-ids``: HMAC-SHA-256 of the id, in
            hex); the in-memory ``segments_`` keeps the ids as read.
        hash_key_file : str or path-like, optional
            The key's file (``--hash-key-file``, at least 16 bytes); default: the environment variable
            ``KSEG_HASH_KEY``.
        csv_safe_ids : bool, default=False
            After a fit, ids a spreadsheet would run as formulas (starting with ``=``, ``+``, ``-``, ``@``) written
            as quoted text with a leading ``'`` (``--csv-safe-ids``).

        Returns
        -------
        list of str
            The files written: after :meth:`fit`, ``kseg fit``'s (segments, centroids, model.json, summary.json,
            profiles, report.html); on the Segmenter :meth:`update` returned, ``kseg update``'s (model.json,
            centroids.csv, summary.json).

        Raises
        ------
        ValueError
            For a loaded model (no products in this process), an out_format other than csv and parquet, or
            hash_ids without a key (nothing is written).
        """
        self._require_fitted()
        if self._products is not None:
            key_file = "" if hash_key_file is None else os.fspath(hash_key_file)
            _kseg.segments_fit_write(
                self._products["handle"], os.fspath(directory), out_format, hash_ids, key_file, csv_safe_ids
            )
        elif self._update_products is not None:
            if out_format != "csv" or hash_ids or csv_safe_ids:
                raise ValueError("write: an update writes model.json, centroids.csv and summary.json only (no "
                                 "out_format, no ids to hash)")
            _kseg.segments_update_write(self._update_products, os.fspath(directory))
        else:
            raise ValueError("write() needs a fit or an update in this process (a loaded model has no products)")
        return sorted(str(p) for p in Path(directory).iterdir())

    def profiles(self) -> pd.DataFrame:
        """Per-segment profiles of the fitted users, computed in memory as ``profiles.csv`` is written.

        Returns
        -------
        pandas.DataFrame
            ``profiles.csv``'s table, one row per segment and statistic: ``segment``, ``name`` (the persona or the
            given name), ``kind`` (``size``, ``share``, ``mean``, ``level_share``, ``audit_mean``,
            ``audit_level_share``), ``column``, ``level``, ``value``, ``population``, ``index``, ``std_diff``
            (NaN where the file has an empty field) and ``flag`` (1: the audit flagged it). The personas and
            descriptions are in ``profiles_`` (``profiles.json``) afterwards.

        Raises
        ------
        ValueError
            For a loaded or updated model (no training users in this process).
        """
        self._require_fitted()
        if self._products is None:
            raise ValueError("profiles() needs a fit in this process (a loaded model has no training users)")
        products = _kseg.fit_profiles(self._products["handle"])
        self.profiles_ = json.loads(products["json"])
        return _frame(products["table"])

    def report(self, path: str | os.PathLike[str]) -> None:
        """Write ``report.html`` (segment cards, personas, fairness audit) to path.

        Parameters
        ----------
        path : str or path-like
            The HTML file written.

        Raises
        ------
        ValueError
            For a loaded or updated model (the report needs the fitted users).
        """
        with tempfile.TemporaryDirectory(prefix="kseg-report-") as directory:
            self.write(directory)
            Path(path).write_bytes((Path(directory) / "report.html").read_bytes())
