"""The window-only functions: ranking, distribution, lag/lead and nth_value.

Each is a ``WindowFunction`` node giving its Spark result type and its vectorized evaluation
over one sorted partition (``dfml.sql.window_frames.SortedPartition``): positions, partition
and peer-group boundaries are numpy arrays there, so every function is a few array operations,
never a loop over rows. Results are Arrow arrays in window order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import types as T
from .column import Typed
from .errors import AnalysisException
from .window_nodes import WindowFunction


def _int32(v: np.ndarray) -> pa.Array:
    return pa.array(v.astype(np.int32), pa.int32())


def _double(v: np.ndarray) -> pa.Array:
    return pa.array(v.astype(np.float64), pa.float64())


class RowNumber(WindowFunction):
    def result(self, args: list[Typed]) -> tuple[Any, bool]:
        return T.IntegerType(), False

    def evaluate(self, w: Any, args: list[Any]) -> pa.Array:
        return _int32(w.pos + 1)


class Rank(WindowFunction):
    """``rank`` (ties share the rank of their first row), ``dense_rank`` (no gaps) and
    ``percent_rank`` ((rank - 1) / (rows - 1)), by ``options["how"]``."""

    def result(self, args: list[Typed]) -> tuple[Any, bool]:
        return (T.DoubleType() if self.options["how"] == "percent" else T.IntegerType()), False

    def evaluate(self, w: Any, args: list[Any]) -> pa.Array:
        how = self.options["how"]
        if how == "dense":
            return _int32(w.dense_rank())
        rank = w.peer_start - w.start + 1
        if how == "percent":
            denom = np.maximum(w.size - 1, 1)
            return _double(np.where(w.size > 1, (rank - 1) / denom, 0.0))
        return _int32(rank)


class CumeDist(WindowFunction):
    kind = "cume"

    def result(self, args: list[Typed]) -> tuple[Any, bool]:
        return T.DoubleType(), False

    def evaluate(self, w: Any, args: list[Any]) -> pa.Array:
        return _double((w.peer_end - w.start) / w.size)


class Ntile(WindowFunction):
    """Spark's buckets: the first ``rows % n`` buckets hold one row more than the rest."""

    def result(self, args: list[Typed]) -> tuple[Any, bool]:
        n = self.options["n"]
        if isinstance(n, bool) or not isinstance(n, int) or not 0 < n <= 2147483647:
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE] Cannot resolve "{self.sql()}" due to data '
                f'type mismatch: The buckets must be between (0, 2147483647] (current value = '
                f'{n}).', "DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE")
        return T.IntegerType(), False

    def evaluate(self, w: Any, args: list[Any]) -> pa.Array:
        k = self.options["n"]
        size, rem = w.size // k, w.size % k
        big = rem * (size + 1)  # rows in the larger buckets
        small = np.maximum(size, 1)
        bucket = np.where(w.pos < big, w.pos // (size + 1), rem + (w.pos - big) // small)
        return _int32(bucket + 1)


class Offset(WindowFunction):
    """``lag``/``lead``: the value ``offset`` rows before (lag) or after (lead) in the
    partition, else ``default``."""

    kind = "offset"

    def offset(self) -> int:
        o = self.options["offset"]
        return -o if self.name == "lag" else o

    def result(self, args: list[Typed]) -> tuple[Any, bool]:
        return args[0].dtype, True

    def evaluate(self, w: Any, args: list[Any]) -> pa.Array:
        x = args[0]
        j = np.arange(w.n) + self.offset()
        valid = (j >= w.start) & (j < w.end)
        taken = x.take(pa.array(np.clip(j, 0, max(w.n - 1, 0))))
        default = self.options.get("default")
        fill = pa.scalar(default).cast(x.type) if default is not None else pa.scalar(None, x.type)
        return pc.if_else(pa.array(valid), taken, fill)


class NthValue(WindowFunction):
    """``nth_value(x, n[, ignoreNulls])`` of the frame: null when the frame is shorter."""

    kind = "frame"

    def result(self, args: list[Typed]) -> tuple[Any, bool]:
        n = self.options["n"]
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE] Cannot resolve "{self.sql()}" due to data '
                f'type mismatch: The offset must be greater than 0 (current value = {n}).',
                "DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE")
        return args[0].dtype, True

    def evaluate(self, w: Any, args: list[Any]) -> pa.Array:
        x, n = args[0], self.options["n"]
        lo, hi = w.bounds
        if self.options.get("ignore_nulls"):
            return nth_valid(x, lo, hi, n)
        idx = lo + n - 1
        return take_or_null(x, idx, idx < hi)


def take_or_null(x: pa.Array, idx: np.ndarray, valid: np.ndarray) -> pa.Array:
    """``x[idx]`` where ``valid``, else null."""
    safe = np.where(valid, idx, 0) if len(x) else idx
    taken = x.take(pa.array(safe.astype(np.int64))) if len(x) else x
    return pc.if_else(pa.array(valid), taken, pa.scalar(None, x.type))


def nth_valid(x: pa.Array, lo: np.ndarray, hi: np.ndarray, n: int) -> pa.Array:
    """The ``n``-th non-null value of ``x[lo:hi]`` per row (1-based), else null."""
    valid = ~np.asarray(x.is_null(), dtype=bool)
    before = np.concatenate([[0], np.cumsum(valid)])  # non-nulls before each position
    where = np.flatnonzero(valid)
    k = before[lo] + n - 1
    ok = k < len(where)
    idx = np.where(ok, where[np.minimum(k, max(len(where) - 1, 0))] if len(where) else 0, 0)
    return take_or_null(x, idx, ok & (idx < hi))


def last_valid(x: pa.Array, lo: np.ndarray, hi: np.ndarray) -> pa.Array:
    """The last non-null value of ``x[lo:hi]`` per row, else null."""
    valid = ~np.asarray(x.is_null(), dtype=bool)
    marks = np.where(valid, np.arange(len(x)), -1)
    prev = np.maximum.accumulate(marks) if len(x) else marks
    idx = prev[np.clip(hi - 1, 0, max(len(x) - 1, 0))] if len(x) else prev
    return take_or_null(x, idx, (hi > lo) & (idx >= lo))
