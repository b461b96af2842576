"""Every use of dask's private API, in one place.

dfml lowers its plans to dask-expr and extends dask's parquet reader; a few of the names it
needs live in dask's private modules (``dask_expr._expr``, ``dask_expr.io``, ``_task_spec``),
which change between dask releases without notice. Importing them only here means a dask
upgrade breaks one module, and this list says what to check first (pinned: dask 2026.8.0).
"""

from __future__ import annotations

from typing import Any

from dask._task_spec import Task
from dask.dataframe._dtypes import _make_array_nonempty_pyarrow_dtype as arrow_sample
from dask.dataframe.dask_expr._collection import new_collection
from dask.dataframe.dask_expr._expr import AsType
from dask.dataframe.dask_expr.io.io import FusedIO, FusedParquetIO
from dask.dataframe.dask_expr.io.parquet import ReadParquet, ReadParquetPyarrowFS
from dask.dataframe.io.utils import DataFrameIOFunction

__all__ = ["arrow_sample", "Task", "new_collection", "FusedIO", "FusedParquetIO", "ReadParquet",
           "ReadParquetPyarrowFS", "DataFrameIOFunction", "without_astype", "parquet_reads"]


def without_astype(series: Any) -> Any:
    """``series`` without trailing dtype casts (dask's optimizer mishandles a filter whose
    mask is ``AsType(predicate)``: it returns the predicate, not the rows)."""
    expr = series.expr
    while isinstance(expr, AsType):
        expr = expr.frame
    return new_collection(expr) if expr is not series.expr else series


def parquet_reads(optimized: Any) -> list[Any]:
    """The parquet read nodes of an optimized frame (a read fused with its projection counts
    as its read), each once."""
    found, seen = [], set()
    for node in optimized.expr.walk():
        if isinstance(node, FusedIO):
            node = node.operand("_expr")
        if isinstance(node, ReadParquet) and node._name not in seen:
            seen.add(node._name)
            found.append(node)
    return found
