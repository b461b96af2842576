"""Random numbers, row ids and Spark's Murmur3 ``hash``.

``rand``/``randn`` draw from a generator seeded by (seed, partition index), so the same seed
over the same partitioning gives the same numbers. ``hash`` reproduces Spark's values: Murmur3
x86_32 with seed 42 over Spark's encoding of each type, chained column by column.
"""

from __future__ import annotations

import random as _stdlib_random
import struct as _struct
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import murmur3, nested_hash, types as T
from ..column import Column, Ctx, Func, Typed
from ..star_args import expands_star
from ._common import arrow_of, col_expr, func
from ._spark_random import doubles, gaussians

__all__ = ["rand", "randn", "monotonically_increasing_id", "hash", "typeof", "negate",
           "current_database", "current_catalog", "current_schema", "current_user", "user",
           "session_user", "current_timezone"]

# the Murmur3 primitives are shared with the ML hashing stages (dfml/sql/murmur3.py)
_hash_int, _hash_long = murmur3.hash_int, murmur3.hash_long


def _hash_column(a: pa.ChunkedArray, dtype: T.DataType, seed: np.ndarray) -> np.ndarray:
    if nested_hash.is_nested(dtype):
        return nested_hash.fold(a, dtype, seed, _hash_column)
    if isinstance(dtype, T.NullType):
        return seed
    a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
    valid = ~np.asarray(a.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    out = seed.copy()
    if isinstance(dtype, (T.ByteType, T.ShortType, T.IntegerType, T.DateType)):
        vals = np.asarray(a.cast(pa.int32()).fill_null(0).to_numpy(zero_copy_only=False))
        h = _hash_int(vals, seed)
    elif isinstance(dtype, T.BooleanType):
        vals = np.asarray(a.cast(pa.int32()).fill_null(0).to_numpy(zero_copy_only=False))
        h = _hash_int(vals, seed)
    elif isinstance(dtype, (T.LongType, T.TimestampType)):
        vals = np.asarray(a.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False))
        h = _hash_long(vals, seed)
    elif isinstance(dtype, T.DoubleType):
        d = np.asarray(a.fill_null(0.0).to_numpy(zero_copy_only=False), dtype=np.float64)
        d = np.where(d == 0.0, 0.0, d)  # -0.0 hashes as 0.0
        bits = d.view(np.int64).copy()
        bits[np.isnan(d)] = 0x7FF8000000000000
        h = _hash_long(bits, seed)
    elif isinstance(dtype, T.FloatType):
        f = np.asarray(a.fill_null(0.0).to_numpy(zero_copy_only=False), dtype=np.float32)
        f = np.where(f == 0.0, np.float32(0.0), f)
        bits = f.view(np.int32).astype(np.int64)
        bits[np.isnan(f)] = 0x7FC00000
        h = _hash_int(bits, seed)
    elif isinstance(dtype, (T.StringType, T.BinaryType)):
        h = murmur3.hash_binary_array(a, seed, standard=False)
    else:
        raise TypeError(f"hash() of {dtype.simpleString()} columns is not supported yet")
    out[valid] = h[valid]
    return out


_MURMUR_LEAVES = (T.ByteType, T.ShortType, T.IntegerType, T.DateType, T.BooleanType, T.LongType,
                  T.TimestampType, T.DoubleType, T.FloatType, T.StringType, T.BinaryType,
                  T.NullType)


class _HashKernel:
    __name__ = "hash_kernel"  # dask names its tasks after this (a repr would hold an address)

    def __init__(self, types: list[T.DataType]):
        self.types = types

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-hash", tuple(t.simpleString() for t in self.types))

    def __call__(self, *parts: pd.Series) -> pd.Series:
        n = len(parts[0])
        h = np.full(n, 42, dtype=np.uint32)
        for p, t in zip(parts, self.types):
            h = _hash_column(arrow_of(p), t, h)
        return pd.Series(pa.array(h.view(np.int32), pa.int32()), index=parts[0].index,
                         dtype=pd.ArrowDtype(pa.int32()))


@expands_star
def hash(*cols: Any) -> Column:  # noqa: A001 - Spark's name
    """Spark's ``hash``: Murmur3 (seed 42) of the columns, an int; nulls leave the hash unchanged."""
    if not cols:
        raise ValueError("hash() needs at least one column")
    args = [col_expr(c) for c in cols]
    sql = f"hash({', '.join(a.sql() for a in args)})"

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        nested_hash.check_hashable("hash", sql, [t.dtype for t in ts], _MURMUR_LEAVES)
        series = [ctx.broadcast(t) for t in ts]
        kernel = _HashKernel([t.dtype for t in ts])
        meta = pd.Series([], dtype=pd.ArrowDtype(pa.int32()))
        return Typed(series[0].map_partitions(kernel, *series[1:], meta=meta), T.IntegerType(), False)
    return func("hash", list(cols), impl)


class _RandomKernel:
    __name__ = "random_kernel"  # dask names its tasks after this (a repr would hold an address)

    def __init__(self, seed: int, normal: bool):
        self.seed, self.normal = seed, normal

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-rand", self.seed, self.normal)

    def __call__(self, part: pd.Series, partition_info: dict | None = None) -> pd.Series:
        # Spark's stream for this partition: its generator seeded with seed + partition index
        number = (partition_info or {}).get("number", 0)
        draw = gaussians if self.normal else doubles
        vals = draw(self.seed + number, len(part))
        return pd.Series(pa.array(vals, pa.float64()), index=part.index,
                         dtype=pd.ArrowDtype(pa.float64()))


def _random(name: str, normal: bool, seed: int | None) -> Column:
    seed = _random_seed() if seed is None else int(seed)

    def impl(ctx: Ctx) -> Typed:
        anchor = ctx.frame[ctx.frame.columns[0]] if len(ctx.frame.columns) else None
        if anchor is None:
            raise ValueError(f"{name}() needs a frame with at least one column")
        meta = pd.Series([], dtype=pd.ArrowDtype(pa.float64()))
        return Typed(anchor.map_partitions(_RandomKernel(seed, normal), meta=meta),
                     T.DoubleType(), False)
    return Column(Func(name, [], impl, sql=f"{name}({seed})"))


def _random_seed() -> int:
    return _stdlib_random.SystemRandom().randrange(2**31)


def rand(seed: int | None = None) -> Column:
    """Uniform doubles in [0, 1), reproducible for a seed over the same partitioning."""
    return _random("rand", False, seed)


def randn(seed: int | None = None) -> Column:
    """Standard normal doubles, reproducible for a seed over the same partitioning."""
    return _random("randn", True, seed)


class _RowIdKernel:
    __name__ = "row_id_kernel"  # dask names its tasks after this (a repr would hold an address)

    def __dask_tokenize__(self) -> str:
        return "dfml-monotonically-increasing-id"

    def __call__(self, part: pd.Series, partition_info: dict | None = None) -> pd.Series:
        number = (partition_info or {}).get("number", 0)
        ids = (np.int64(number) << np.int64(33)) + np.arange(len(part), dtype=np.int64)
        return pd.Series(pa.array(ids, pa.int64()), index=part.index, dtype=pd.ArrowDtype(pa.int64()))


def monotonically_increasing_id() -> Column:
    """Unique, increasing ids: the partition index in the upper bits, the row within it below."""
    def impl(ctx: Ctx) -> Typed:
        anchor = ctx.frame[ctx.frame.columns[0]]
        meta = pd.Series([], dtype=pd.ArrowDtype(pa.int64()))
        return Typed(anchor.map_partitions(_RowIdKernel(), meta=meta), T.LongType(), False)
    return Column(Func("monotonically_increasing_id", [], impl, sql="monotonically_increasing_id()"))



def typeof(col: Any) -> Column:
    """The Spark SQL name of the column's type (``int``, ``array<string>``...), per row."""
    return func("typeof", [col], lambda ctx, t: Typed(t.dtype.simpleString(), T.StringType(), False))


def negate(col: Any) -> Column:
    """``-col``, under the name Spark gives it (``negative(col)``)."""
    def impl(ctx: Ctx, t: Typed) -> Typed:
        if t.is_scalar:
            return Typed(None if t.value is None else -t.value, t.dtype, t.nullable)
        return Typed(-t.value, t.dtype, t.nullable)
    return func("negative", [col], impl)


def _constant(name: str, value: Any) -> Column:
    """A per-query constant string under Spark's name for it (``value`` is computed when the
    expression is analyzed)."""
    return func(name, [], lambda ctx: Typed(value(), T.StringType(), False), sql=f"{name}()")


def current_database() -> Column:
    """The current database: dfml's catalog has one, ``default`` (Spark names it current_schema)."""
    return _constant("current_schema", lambda: "default")


def current_schema() -> Column:
    return _constant("current_schema", lambda: "default")


def current_catalog() -> Column:
    return _constant("current_catalog", lambda: "spark_catalog")


def _os_user() -> str:
    import getpass
    return getpass.getuser()


def current_user() -> Column:
    """The user running the session (the operating system's user, as Spark reports it)."""
    return _constant("current_user", _os_user)


def user() -> Column:
    return _constant("user", _os_user)


def session_user() -> Column:
    return _constant("session_user", _os_user)


def current_timezone() -> Column:
    """The session time zone (``spark.sql.session.timeZone``)."""
    def tz() -> str:
        import sys
        # looked up, not imported: the session module sits above the functions (no import cycle),
        # and is loaded whenever a session exists
        session_module = sys.modules.get("dfml.sql.session")
        s = session_module.SparkSession.getActiveSession() if session_module else None
        return s.conf.get("spark.sql.session.timeZone", "UTC") if s is not None else "UTC"
    return _constant("current_timezone", tz)
