"""The one door through which dfml.ml (and anything above dfml.sql) reaches dask.

dfml.ml works on DataFrames, but its fits and transforms need a few engine operations a
DataFrame's public API does not offer: the dask frame of a plan, one counted action, a
per-partition Arrow kernel as a Column, a tree reduction, and the futures of an iterative
trainer. They live here, small and named for what they do, so that the rest of dfml.sql can
change its internals freely and every graph that runs is counted in one place
(``SparkSession._run``/``_persist``/``submit`` below, read as ``session.graphs_run``).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Callable, Sequence

import pandas as pd
import pyarrow as pa

from . import types as T
from .column import Column, Ctx, Typed
from .functions._common import arrow_of, func, per_partition

if TYPE_CHECKING:
    from .dataframe import DataFrame
    from .session import SparkSession

__all__ = ["frame_of", "session_of", "from_source", "with_frame", "run", "submit", "client_of",
           "partitions", "tree_reduce", "column_kernel", "arrow_of", "arrow_array"]


# ---------------------------------------------------------------- frames and sessions
def frame_of(df: "DataFrame", columns: Sequence[str] | None = None) -> Any:
    """The lazy dask frame of ``df``'s plan (only ``columns``, if given)."""
    frame = df._frame
    return frame[list(dict.fromkeys(columns))] if columns is not None else frame


def session_of(df_or_reader: Any) -> "SparkSession":
    """The session of a DataFrame, or of a reader (``spark.read``) a data source is given."""
    return df_or_reader._session


def from_source(session: "SparkSession", frame: Any, paths: Sequence[str]) -> "DataFrame":
    """A DataFrame read from ``paths`` by a data source (a write refuses to overwrite them)."""
    return session.read._frame(frame, list(paths))


def with_frame(df: "DataFrame", frame: Any, nullable: dict[str, bool] | None = None) -> "DataFrame":
    """A DataFrame over ``frame``, a dask frame computed from ``df``'s (columns it passes
    through keep their Spark type and metadata)."""
    return df._new(frame, nullable, keep_alias=False)


# ---------------------------------------------------------------- running graphs
def run(session: "SparkSession", collection: Any) -> Any:
    """Compute ``collection`` as one counted action and return its result."""
    return session._run(collection)


def submit(session: "SparkSession", tasks: list) -> list:
    """Start ``tasks`` (dask delayed objects) as one counted graph whose results stay on the
    workers, as futures: what iterative trainers iterate on."""
    if session._stopped:
        raise RuntimeError("this SparkSession has been stopped")
    session.graphs_run += 1
    return session.client.compute(tasks)


def client_of(session: "SparkSession") -> Any:
    """The session's ``distributed.Client``, for work on futures ``submit`` returned."""
    return session.client


def partitions(df: "DataFrame", columns: Sequence[str]) -> list:
    """The partitions of ``df``'s ``columns`` as delayed objects, their parquet reads recorded
    (the caller submits them in one graph, so the source is read once)."""
    frame = df._session._record_reads(frame_of(df, columns))
    return frame.to_delayed(optimize_graph=False)


# ---------------------------------------------------------------- reductions
class _Chunk:
    """Per-partition step of a reduction: the partial state, boxed in a one-row frame."""
    __name__ = "reduction_chunk"  # dask names its tasks after this (a repr would hold an address)

    def __init__(self, chunk: Callable[[pd.DataFrame], Any]):
        self.chunk = chunk
        self._token = uuid.uuid4().hex

    def __dask_tokenize__(self) -> tuple:
        # one token per reduction, drawn once: dask otherwise pickles the closure (the fit's
        # aggregation specs, fitted labels) every time it names an expression holding it
        return ("dfml-reduction-chunk", self._token)

    def __call__(self, part: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"state": pd.Series([self.chunk(part)], dtype=object)})


class _Combine:
    __name__ = "reduction_combine"  # dask names its tasks after this (a repr would hold an address)

    def __init__(self, combine: Callable[[list[Any]], Any]):
        self.combine = combine
        self._token = uuid.uuid4().hex

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-reduction-combine", self._token)

    def __call__(self, parts: pd.DataFrame) -> pd.DataFrame:
        states = [s for s in parts["state"] if s is not None]
        merged = self.combine(states) if states else None
        return pd.DataFrame({"state": pd.Series([merged], dtype=object)})


def tree_reduce(df: "DataFrame", columns: Sequence[str], chunk: Callable[[pd.DataFrame], Any],
                combine: Callable[[list[Any]], Any], split_every: int = 8) -> Any:
    """``combine`` of ``chunk(partition[columns])`` over all partitions, as one counted action:
    a tree reduction, ``split_every`` partials a node; None when the input has no partitions."""
    frame = frame_of(df, columns) if columns else frame_of(df)
    meta = pd.DataFrame({"state": pd.Series([], dtype=object)})
    merge = _Combine(combine)
    reduced = frame.reduction(_Chunk(chunk), aggregate=merge, combine=merge, meta=meta,
                              split_every=split_every)
    out = run(df._session, reduced)
    return out["state"].iloc[0] if len(out) else None


# ---------------------------------------------------------------- column kernels
def column_kernel(name: str, inputs: list[Any], kernel: Callable[..., Any], out_type: T.DataType,
                  nullable: bool | None = True,
                  check: Callable[[list[T.DataType]], None] | None = None) -> Column:
    """A Column computed per partition by ``kernel(*arrow chunked arrays) -> arrow array``
    (for transforms with no native dask operation: vector math). dask still sees which input
    columns it reads, so column pruning and filter pushdown survive. ``check`` validates the
    input types when the column is resolved; ``nullable=None`` means: if any input is."""
    def impl(ctx: Ctx, *typed: Typed) -> Typed:
        if check is not None:
            check([t.dtype for t in typed])
        null = any(t.nullable for t in typed) if nullable is None else nullable
        return Typed(per_partition(ctx, list(typed), kernel, out_type), out_type, null)
    return func(name, inputs, impl)


def arrow_array(a: Any) -> pa.Array:
    """A partition's column (a pandas Series or an Arrow chunked array) as one Arrow array."""
    if isinstance(a, pd.Series):
        a = arrow_of(a)
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
