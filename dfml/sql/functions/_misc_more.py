"""Miscellaneous functions added for breadth: ``raise_error``, ``assert_true``,
``call_function``/``call_udf``, and the random family ``random``, ``uniform``, ``randstr``,
``uuid``.

Errors raised by ``raise_error``/``assert_true`` happen when a row is computed (an action), as
in Spark, and carry Spark's ``USER_RAISED_EXCEPTION`` class. Seeded random values are
Spark's own for the same seed and partitioning (``_spark_random`` reproduces its generators).
"""

from __future__ import annotations

import uuid as _uuid
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import types as T
from .. import udf_registry
from ..column import Column, Ctx, Func, Literal, Typed, cast_to
from ..errors import AnalysisException, SparkException
from ..kernels import rowwise
from ._common import col_expr, func, lit_expr, per_partition
from ._misc import rand
from ._spark_random import random_strings, random_uuids

__all__ = ["raise_error", "assert_true", "call_function", "call_udf", "random", "uniform",
           "randstr", "uuid"]


def _user_error(message: Any) -> SparkException:
    return SparkException(f"[USER_RAISED_EXCEPTION] {message} SQLSTATE: P0001")


def _raise(message: Any) -> None:
    raise _user_error(message)


def raise_error(errMsg: Any) -> Column:  # noqa: N803 - Spark's name
    """A column that fails the action with ``errMsg`` as soon as a row is computed (its type
    is void; Spark's USER_RAISED_EXCEPTION)."""
    e = lit_expr(errMsg)

    def impl(ctx: Ctx, t: Typed) -> Typed:
        ts = [t] if not t.is_scalar else [Typed(ctx.broadcast(t), T.StringType(), t.nullable)]
        fn = rowwise(lambda m: _raise(m), pa.null())
        return Typed(per_partition(ctx, ts, fn, T.NullType()), T.NullType(), True)
    return func("raise_error", [e], impl,
                sql=f"raise_error(USER_RAISED_EXCEPTION, map(errorMessage, {e.sql()}))")


def assert_true(col: Any, errMsg: Any = None) -> Column:  # noqa: N803 - Spark's name
    """Null where ``col`` is true; fails the action where it is false or null, with ``errMsg``
    (by default Spark's "'<condition>' is not true!")."""
    c = col_expr(col)
    msg = lit_expr(f"'{c.sql()}' is not true!" if errMsg is None else errMsg)

    def impl(ctx: Ctx, t: Typed, m: Typed) -> Typed:
        if not isinstance(t.dtype, (T.BooleanType, T.NullType)):
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "assert_true" due to '
                f'data type mismatch: the first parameter requires "BOOLEAN" type, however the '
                f'input has type "{t.dtype.simpleString().upper()}".',
                "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")

        def check(ok: Any, message: Any) -> None:
            if ok is not True:
                _raise(message)
        ts = [t if not t.is_scalar else Typed(ctx.broadcast(t), t.dtype, t.nullable), m]
        return Typed(per_partition(ctx, ts, rowwise(check, pa.null()), T.NullType()),
                     T.NullType(), True)
    shown = msg.sql() if errMsg is not None else f"'{c.sql()}' is not true!"
    return func("assert_true", [c, msg], impl, sql=f"assert_true({c.sql()}, {shown})")


_NOT_CALLABLE = {"col", "column", "lit", "expr", "broadcast", "when", "udf", "pandas_udf",
                 "call_function", "call_udf"}


def call_function(funcName: str, *cols: Any) -> Column:  # noqa: N803 - Spark's name
    """The function named ``funcName`` (a registered UDF first, then a built-in) over
    ``cols``; an unknown name is Spark's UNRESOLVED_ROUTINE."""
    registered = udf_registry.lookup(funcName)
    if registered is not None:
        return registered(*cols)
    import sys
    # the package, looked up rather than imported: it imports this module
    fn = getattr(sys.modules[__package__], funcName.lower(), None)
    if fn is None or funcName.startswith("_") or funcName.lower() in _NOT_CALLABLE or not callable(fn):
        raise AnalysisException(
            f"[UNRESOLVED_ROUTINE] Cannot resolve routine `{funcName}` on search path "
            f"[`system`.`builtin`, `system`.`session`, `spark_catalog`.`default`]. "
            f"SQLSTATE: 42883", "UNRESOLVED_ROUTINE")
    return fn(*[Column(col_expr(c)) for c in cols])


def call_udf(udfName: str, *cols: Any) -> Column:  # noqa: N803 - Spark's name
    """The UDF registered under ``udfName`` (``spark.udf.register``) over ``cols``."""
    registered = udf_registry.lookup(udfName)
    if registered is None:
        raise AnalysisException(
            f"[UNRESOLVED_ROUTINE] Cannot resolve routine `{udfName}` on search path "
            f"[`system`.`builtin`, `system`.`session`, `spark_catalog`.`default`]. "
            f"SQLSTATE: 42883", "UNRESOLVED_ROUTINE")
    return registered(*cols)


def random(seed: Any = None) -> Column:
    """Spark's ``random``: ``rand`` under its other name (Spark prints it as ``rand``)."""
    return rand(_seed_value(seed))


def _seed_value(seed: Any) -> int | None:
    if isinstance(seed, Column):
        if not isinstance(seed._expr, Literal):
            raise AnalysisException("the seed must be a constant integer, got "
                                    f"{seed._expr.sql()}", "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT")
        seed = seed._expr.value
    return None if seed is None else int(seed)


def _constant(v: Any, fname: str, param: str) -> Any:
    if isinstance(v, Column):
        if not isinstance(v._expr, Literal):
            raise AnalysisException(f"{fname}(): `{param}` must be a constant, got {v._expr.sql()}",
                                    "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT")
        return v._expr.value
    return v


def uniform(min: Any, max: Any, seed: Any = None) -> Column:  # noqa: A002 - Spark's names
    """Values drawn uniformly from [min, max): integers for integer bounds (truncated toward
    ``min``), doubles otherwise; reproducible for a seed over the same partitioning."""
    lo, hi = _constant(min, "uniform", "min"), _constant(max, "uniform", "max")
    for v, p in ((lo, "min"), (hi, "max")):
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            raise AnalysisException(f"uniform(): `{p}` must be a number, got {v!r}",
                                    "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
    s = _seed_value(seed)
    r = rand(s)
    integral = isinstance(lo, int) and isinstance(hi, int)
    shown = f"uniform({Literal(lo).sql()}, {Literal(hi).sql()}, {r._expr.sql()[5:-1]})"

    def impl(ctx: Ctx, t: Typed) -> Typed:
        v = t.value * float(hi - lo) + float(lo)
        if integral:
            out = T.LongType() if any(abs(x) >= 2**31 for x in (lo, hi)) else T.IntegerType()
            v = v.map_partitions(np.floor, meta=v._meta)
            return cast_to(Typed(v, T.DoubleType(), False), out)
        return Typed(v, T.DoubleType(), False)
    return func("uniform", [r._expr], impl, sql=shown)


class _SeededStrings:
    """A partition's ``randstr``/``uuid`` strings from Spark's stream for it (seed + index)."""
    __name__ = "seeded_strings_kernel"  # dask names its tasks after this (a repr would hold an address)

    def __init__(self, kind: str, seed: int, length: int = 0):
        self.kind, self.seed, self.length = kind, seed, length

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-" + self.kind, self.seed, self.length)

    def __call__(self, part: pd.Series, partition_info: dict | None = None) -> pd.Series:
        seed = self.seed + (partition_info or {}).get("number", 0)
        vals = (random_strings(seed, len(part), self.length) if self.kind == "randstr"
                else random_uuids(seed, len(part)))
        return pd.Series(pa.array(vals, pa.string()), index=part.index,
                         dtype=pd.ArrowDtype(pa.string()))


def _seeded_strings(name: str, kernel: _SeededStrings, sql: str) -> Column:
    def impl(ctx: Ctx) -> Typed:
        if not len(ctx.frame.columns):
            raise ValueError(f"{name}() needs a frame with at least one column")
        anchor = ctx.frame[ctx.frame.columns[0]]
        meta = pd.Series([], dtype=pd.ArrowDtype(pa.string()))
        return Typed(anchor.map_partitions(kernel, meta=meta), T.StringType(), False)
    return Column(Func(name, [], impl, sql=sql))


def _fixed_seed(seed: Any) -> int:
    """The seed as given, or one drawn now: fixed in the plan, so every action on the same
    DataFrame sees the same values (Spark fixes an unseeded one at analysis)."""
    s = _seed_value(seed)
    return _uuid.uuid4().int & 0x7FFFFFFFFFFFFFFF if s is None else s


def randstr(length: Any, seed: Any = None) -> Column:
    """Strings of ``length`` characters drawn from 0-9, a-z and A-Z: Spark's values for the
    same seed and partitioning."""
    n = _constant(length, "randstr", "length")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise AnalysisException(f"randstr(): `length` must be a non-negative integer, got {n!r}",
                                "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
    s = _fixed_seed(seed)
    return _seeded_strings("randstr", _SeededStrings("randstr", s, n), f"randstr({n}, {s})")


def uuid(seed: Any = None) -> Column:
    """A version-4 UUID string per row: Spark's values for the same seed and partitioning;
    without a seed one is drawn when the column is built. Spark names it ``uuid()`` either way."""
    return _seeded_strings("uuid", _SeededStrings("uuid", _fixed_seed(seed)), "uuid()")
