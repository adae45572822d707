"""How kseg.Segmenter passes tables in and results out: inputs as paths or Arrow C streams, results as pandas
DataFrames (dicts of NumPy arrays where pandas is not installed)."""

from __future__ import annotations

import csv
import io
import os
import sys
from typing import TYPE_CHECKING, Any, Union

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

# What a Segmenter method takes as a table: a path (CSV, .csv.gz, .csv.zst, .npy, Parquet file or directory), or a
# pandas or polars DataFrame, a pyarrow Table or RecordBatchReader, or any object with ``__arrow_c_stream__``
# (typed as Any: none of those libraries is a dependency of the package).
TableLike = Union[str, "os.PathLike[str]", Any]


def table_source(table: TableLike) -> Any:
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


def source_rereadable(source: Any) -> bool:
    """Whether the source gives its rows again on a second read: paths and pyarrow Tables do, streams do not."""
    if isinstance(source, str):
        return True
    pyarrow = sys.modules.get("pyarrow")
    return pyarrow is not None and isinstance(source, pyarrow.Table)


def frame(columns: dict[str, Any]) -> pd.DataFrame:
    """A pandas DataFrame of the columns, or the columns as NumPy arrays where pandas is not installed."""
    try:
        import pandas as pd
    except ImportError:
        return {name: np.asarray(values) for name, values in columns.items()}  # type: ignore[return-value]
    return pd.DataFrame(columns)


def csv_frame(text: str) -> pd.DataFrame:
    """A CSV text kseg made (a header, numbers as shortest round-trip text, empty for undefined) as a frame."""
    try:
        import pandas as pd
    except ImportError:
        rows = list(csv.reader(io.StringIO(text)))
        columns = {name: [row[i] for row in rows[1:]] for i, name in enumerate(rows[0])}
        return {name: _numbers_or_text(values) for name, values in columns.items()}  # type: ignore[return-value]
    # pandas 3 parses floats exactly by default (and deprecates the option); pandas 2 needs "round_trip".
    exact: dict[str, Any] = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    table: pd.DataFrame = pd.read_csv(io.StringIO(text), **exact)
    return table


def _numbers_or_text(values: list[str]) -> np.ndarray:
    try:
        return np.array([float(v) if v else np.nan for v in values])
    except ValueError:
        return np.array(values, dtype=object)


def column(table: Any, name: str, what: str) -> np.ndarray:
    """One column of a DataFrame (pandas, polars), a pyarrow Table or a dict of arrays, as a NumPy array."""
    try:
        values = table[name]
    except Exception as error:  # KeyError (pandas, pyarrow, dict), ColumnNotFoundError (polars)
        raise ValueError(f'{what}: no column "{name}" (expected columns id and segment)') from error
    if hasattr(values, "to_numpy"):
        return np.asarray(values.to_numpy())
    return np.asarray(values)
