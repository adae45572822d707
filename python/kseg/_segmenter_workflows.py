"""The kseg commands around a fit, as kseg.Segmenter methods: sweep (choosing k), drift, update and compare."""

from __future__ import annotations

import json
import sys
import contextlib
from typing import TYPE_CHECKING, Any, Iterable, Literal, cast

import numpy as np

from . import _kseg
from ._tables import TableLike, column, csv_frame, frame, source_rereadable, table_source

if TYPE_CHECKING:
    import pandas as pd

    from ._segmenter import Segmenter


def _k_range(k: Iterable[int] | int | str) -> str:
    """The sweep's k as kseg reads it: one k, or an increasing list written 3,5,8."""
    if isinstance(k, str):
        return k
    if isinstance(k, (int, np.integer)):
        return str(int(k))
    return ",".join(str(int(value)) for value in k)


def _notices_write(products: dict[str, Any]) -> None:
    if products.get("notices"):
        sys.stderr.write(products["notices"])


class SegmenterWorkflows:
    """sweep, drift, update and compare of :class:`kseg.Segmenter` (a mixin: the state is the Segmenter's)."""

    # The Segmenter's state and helpers the workflows use, declared for type checkers (kseg/_segmenter.py).
    options: dict[str, Any]
    sweep_: dict[str, Any]
    _products: dict[str, Any] | None
    _model_text: str | None
    _summary_text: str | None
    _centroids: dict[str, Any] | None
    _update_products: Any

    if TYPE_CHECKING:

        def _fit_request(self) -> contextlib.AbstractContextManager[dict[str, Any]]: ...
        def _assign_request(self) -> dict[str, Any]: ...
        def __init__(self, k: int = 8, **options: Any) -> None: ...
        def _require_fitted(self) -> str: ...
        def assign(self, table: TableLike, *, mode: Literal["tree", "nearest-leaf"] = "tree") -> pd.DataFrame: ...

    def sweep(
        self,
        table: TableLike,
        k: Iterable[int] | int | str = range(2, 13),
        *,
        seeds: int = 3,
        sample: int = 20000,
        fit_sample: int = 0,
        min_share: float = 0.02,
        min_stability: float = 0.8,
    ) -> pd.DataFrame:
        """Fit every k of a range on the same prepared table and recommend one, as ``kseg sweep``.

        The preparation, scaling, ``seed``, ``max_iter``, ``tol``, ``hierarchy``/``split`` and device options are
        this Segmenter's; ``k`` and ``n_init`` are not used (``seeds`` fits per k instead). The Segmenter itself
        stays as it was: fit the recommended k with ``Segmenter(k=...)``.

        Parameters
        ----------
        table : pandas.DataFrame, polars.DataFrame, pyarrow.Table, pyarrow.RecordBatchReader or path
            The users, as for :meth:`fit`.
        k : iterable of int, int or str, default=range(2, 13)
            The k to try, increasing, each at least 2 (a string is kseg's ``2..12`` or ``3,5,8``).
        seeds : int, default=3
            Fits per k, with seeds ``seed``, ``seed + 1``, ...; the stability compares them.
        sample : int, default=20000
            Rows in the uniform sample the silhouette is computed on.
        fit_sample : int, default=0
            Fit on this many random rows (0: all), judge on all rows.
        min_share, min_stability : float, default=0.02, 0.8
            The rule: the smallest segment's share of users, and the mean adjusted Rand index between seeds, at
            least these.

        Returns
        -------
        pandas.DataFrame
            ``sweep.csv``'s table: ``k``, ``inertia``, ``silhouette``, ``calinski_harabasz``, ``davies_bouldin``,
            ``min_share``, ``stability`` (NaN with one seed), ``best_seed``, ``n_iter``, ``seconds`` and
            ``recommended`` (1 on the recommended k). ``sweep_`` then holds ``sweep.json`` (the recommendation and
            its reason).

        Raises
        ------
        ValueError
            kseg's message for options or data it cannot use (k above the rows, a decreasing range, ...).
        """
        options = {
            "k": _k_range(k),
            "seeds": int(seeds),
            "sample": int(sample),
            "fit_sample": int(fit_sample),
            "min_share": float(min_share),
            "min_stability": float(min_stability),
        }
        with self._fit_request() as request:
            products = _kseg.segments_sweep(table_source(table), request, options)
        _notices_write(products)
        self.sweep_ = json.loads(products["json"])
        return frame(products["table"])

    def drift(
        self, table: TableLike, *, psi_threshold: float = 0.25, distance_threshold: float = 0.2
    ) -> dict[str, Any]:
        """How far new users have moved from the training population the model recorded, as ``kseg drift``.

        Reads the table batch by batch (Arrow streams and files alike), in bounded memory.

        Parameters
        ----------
        table : DataFrame, pyarrow.Table, pyarrow.RecordBatchReader or path
            The new users, with the columns the model reads.
        psi_threshold : float, default=0.25
            A feature's PSI, or the segment mix's, at or above it calls for a refit.
        distance_threshold : float, default=0.2
            A relative rise of the mean distance to the centroid at or above it calls for a refit.

        Returns
        -------
        dict
            The report ``kseg drift --out`` writes: ``refit`` and its ``reasons``, per-feature PSI with the bins,
            the segment mix's shares and PSI, the mean distances.

        Raises
        ------
        ValueError
            For a model without training statistics, a table lacking a column the model needs, or no users.
        """
        model_text = self._require_fitted()
        products = _kseg.segments_drift(
            model_text, table_source(table), self._assign_request(), psi_threshold, distance_threshold
        )
        _notices_write(products)
        report: dict[str, Any] = json.loads(products["report"])
        return report

    def update(
        self,
        table: TableLike,
        *,
        batch_size: int = 1024,
        epochs: int = 1,
        reassignment_ratio: float = 0.01,
        memory: float = 1.0,
        seed: int = 42,
    ) -> Segmenter:
        """The model moved towards new users by mini-batch K-means, as ``kseg update``; a new Segmenter.

        The table is streamed batch by batch in bounded memory. Segment ids stay, except for centres reassigned,
        which get new ids. This Segmenter is left as it was.

        Parameters
        ----------
        table : DataFrame, pyarrow.Table, pyarrow.RecordBatchReader or path
            The new users, with the columns the model reads. A RecordBatchReader is read once: ``epochs`` must be
            1 (a Table, a DataFrame or a path can be read again).
        batch_size : int, default=1024
            Rows per mini-batch.
        epochs : int, default=1
            Passes over the table.
        reassignment_ratio : float, default=0.01
            Centres that saw less than this times the largest centre's weight jump to random rows; 0 = never.
        memory : float, default=1.0
            The weight of the model's past, in [0, 1]: counts start at memory times its segment weights.
        seed : int, default=42
            Row order and reassignment draws.

        Returns
        -------
        Segmenter
            Scoring with the updated model: ``model_`` (``model.json``), ``centroids_`` (``centroids.csv``, sizes
            of the last epoch) and ``summary_`` (``summary.json``); its ``write(dir)`` writes those three files as
            ``kseg update --out dir`` does.

        Raises
        ------
        ValueError
            kseg's message for options or data it cannot use; nothing changes.
        """
        model_text = self._require_fitted()
        source = table_source(table)
        params = {
            "batch_size": int(batch_size),
            "epochs": int(epochs),
            "reassignment_ratio": float(reassignment_ratio),
            "memory": float(memory),
            "seed": int(seed),
        }
        products = _kseg.segments_update(
            model_text, source, self._assign_request(), params, source_rereadable(source)
        )
        _notices_write(products)
        updated = cast("Segmenter", type(self)(k=len(products["centroids"]["segment"]), **self.options))
        updated._model_text = products["model"]
        updated._summary_text = products["summary"]
        updated._centroids = products["centroids"]
        updated._update_products = products["handle"]
        return updated

    def _assignments(self, table: TableLike | None, what: str) -> tuple[list[str], np.ndarray]:
        """Ids and segment ids: of table scored by this model, else of the users it was fitted on."""
        if table is not None:
            scored: Any = self.assign(table)
        else:
            self._require_fitted()
            if self._products is None:
                raise ValueError(f"compare: {what} has no users of its own (a loaded or updated model): give table")
            scored = {"id": self._products["ids"], "segment": self._products["segments"]}
        return [str(i) for i in column(scored, "id", what)], np.asarray(column(scored, "segment", what), np.int64)

    def compare(self, other: SegmenterWorkflows | Any, table: TableLike | None = None) -> dict[str, Any]:
        """Who moved between this segmentation and another, as ``kseg compare`` (this one the old, other the new).

        Parameters
        ----------
        other : Segmenter, DataFrame or dict
            Another Segmenter, or labels: a table with columns ``id`` and ``segment`` (as ``segments.csv``).
        table : DataFrame, pyarrow.Table or path, optional
            Users both Segmenters score (:meth:`assign`); default: the users each was fitted on.

        Returns
        -------
        dict
            ``compare.json``'s fields (``adjusted_rand_index``, ``changed_segment``, ``changed_share``,
            ``users_in_both``, ``appeared``, ``disappeared``, ``psi_total``, the ``migration`` matrix, ...), with
            the tables ``migration_table``, ``migration_shares`` and ``segment_psi`` as DataFrames
            (``migration.csv``, ``migration_shares.csv``, ``segment_psi.csv``).

        Raises
        ------
        ValueError
            Labels without the columns, with a repeated id or a segment outside [0, 2^31).
        TypeError
            other is neither a Segmenter nor a table of labels.
        """
        before_ids, before_segments = self._assignments(table, "this Segmenter")
        if isinstance(other, SegmenterWorkflows):
            after_name = "the other Segmenter"
            after_ids, after_segments = other._assignments(table, after_name)
        elif hasattr(other, "__getitem__") and not isinstance(other, (str, bytes)):
            after_name = "the labels"
            after_ids = [str(i) for i in column(other, "id", after_name)]
            segments = column(other, "segment", after_name)
            if not np.issubdtype(segments.dtype, np.integer):
                raise ValueError(f"{after_name}: column segment holds {segments.dtype}, not integer segment ids")
            after_segments = segments.astype(np.int64)
        else:
            raise TypeError(f"compare: expected a Segmenter or a table of id, segment; got {type(other).__name__}")
        products = _kseg.segments_compare(
            "this Segmenter", before_ids, before_segments.tolist(), after_name, after_ids, after_segments.tolist()
        )
        result: dict[str, Any] = json.loads(products["json"])
        result["migration_table"] = csv_frame(products["migration"])
        result["migration_shares"] = csv_frame(products["migration_shares"])
        result["segment_psi"] = csv_frame(products["segment_psi"])
        return result
