"""Spark 4.1's functions over ``array<float>`` vectors: ``vector_inner_product``,
``vector_cosine_similarity``, ``vector_l2_distance``, ``vector_norm``, ``vector_normalize``, and
the aggregates ``vector_sum`` and ``vector_avg``.

Spark types these strictly: the vectors must be ``array<float>`` (a double array is refused at
analysis, not cast) and results are floats. A null vector, or a vector holding a null element,
gives null; NaN propagates; vectors of different lengths fail the action with
VECTOR_DIMENSION_MISMATCH, as Spark's do. The arithmetic runs in double and is rounded to float
once, which agrees with Spark's float results to float precision.
"""

from __future__ import annotations

import math
from typing import Any

from .. import types as T
from ..column import Column, Ctx, Literal, Typed
from ..kernels import rowwise
from ..errors import AnalysisException, SparkException
from ._aggregates import collect_list
from ._common import col_expr, func, per_partition
from ._zoned import rows

__all__ = ["vector_inner_product", "vector_cosine_similarity", "vector_l2_distance", "vector_norm",
           "vector_normalize", "vector_sum", "vector_avg"]

_ORDINALS = ("first", "second")


def _check(fname: str, t: Typed, i: int, arg_sql: str, want: T.DataType) -> None:
    """Spark's analysis-time refusal of anything but exactly ``want`` (no implicit casts)."""
    if isinstance(t.dtype, T.NullType) or t.dtype == want:
        return
    if isinstance(want, T.ArrayType) and isinstance(t.dtype, T.ArrayType) \
            and t.dtype.elementType == want.elementType:
        return
    shown = "ARRAY<FLOAT>" if isinstance(want, T.ArrayType) else "FLOAT"
    raise AnalysisException(
        f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "{fname}" due to data type '
        f'mismatch: The {_ORDINALS[i]} parameter requires the "{shown}" type, however '
        f'"{arg_sql}" has the type "{t.dtype.simpleString().upper()}".',
        "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")


_VEC = T.ArrayType(T.FloatType(), True)


def _mismatch(fname: str, a: int, b: int) -> SparkException:
    return SparkException(f"[VECTOR_DIMENSION_MISMATCH] Vectors passed to `{fname}` must have "
                          f"the same dimension, but got {a} and {b}. SQLSTATE: 22000")


def _pair(fname: str, left: Any, right: Any, fn: Any) -> Column:
    """A float function of two same-length vectors (null when either is or holds a null)."""
    a, b = col_expr(left), col_expr(right)
    sql = f"{fname}({a.sql()}, {b.sql()})"

    def one(x: Any, y: Any) -> Any:
        if x is None or y is None or None in x or None in y:
            return None
        if len(x) != len(y):
            raise _mismatch(fname, len(x), len(y))
        return fn(x, y)

    def impl(ctx: Ctx, ta: Typed, tb: Typed) -> Typed:
        _check(sql, ta, 0, a.sql(), _VEC)
        _check(sql, tb, 1, b.sql(), _VEC)
        return rows(ctx, [ta, tb], one, T.FloatType())
    return func(fname, [a, b], impl, sql=sql)


def _dot(x: list, y: list) -> float:
    return math.fsum(p * q for p, q in zip(x, y))


def vector_inner_product(left: Any, right: Any) -> Column:
    """The dot product of two float vectors (0.0 for two empty ones)."""
    return _pair("vector_inner_product", left, right, _dot)


def _cosine(x: list, y: list) -> Any:
    nx, ny = math.sqrt(_dot(x, x)), math.sqrt(_dot(y, y))
    if any(math.isnan(v) for v in x + y):
        return math.nan
    if nx == 0 or ny == 0:
        return None  # undefined for a zero (or empty) vector: Spark gives null
    return _dot(x, y) / (nx * ny)


def vector_cosine_similarity(left: Any, right: Any) -> Column:
    """The cosine of the angle between two float vectors (null when either has zero length)."""
    return _pair("vector_cosine_similarity", left, right, _cosine)


def vector_l2_distance(left: Any, right: Any) -> Column:
    """The Euclidean distance between two float vectors."""
    return _pair("vector_l2_distance", left, right,
                 lambda x, y: math.sqrt(math.fsum((p - q) ** 2 for p, q in zip(x, y))))


def _norm_of(x: list, p: float) -> float:
    if any(math.isnan(v) for v in x):
        return math.nan
    if not x:
        return 0.0
    if math.isinf(p):
        return max(abs(v) for v in x)
    if p == 1:
        return math.fsum(abs(v) for v in x)
    return math.sqrt(_dot(x, x))


def _degree(degree: Any) -> Any:
    if degree is None:
        return Literal(2.0, T.FloatType())
    if isinstance(degree, (int, float)) and not isinstance(degree, bool):
        return Literal(float(degree), T.FloatType())
    return col_expr(degree)


def _with_degree(fname: str, vector: Any, degree: Any, fn: Any, out: T.DataType) -> Column:
    v, d = col_expr(vector), _degree(degree)
    sql = f"{fname}({v.sql()}, {d.sql()})"

    def one(x: Any, p: Any) -> Any:
        if x is None or p is None or None in x:
            return None
        if p not in (1.0, 2.0, math.inf):
            raise SparkException(
                f"[INVALID_VECTOR_NORM_DEGREE] For the `{fname}` function, degree must be 1.0, "
                f"2.0, or float('inf'), but got {p}. SQLSTATE: 22023")
        return fn(x, float(p))

    def impl(ctx: Ctx, tv: Typed, td: Typed) -> Typed:
        _check(sql, tv, 0, v.sql(), _VEC)
        _check(sql, td, 1, d.sql(), T.FloatType())
        return rows(ctx, [tv, td], one, out)
    return func(fname, [v, d], impl, sql=sql)


def vector_norm(vector: Any, degree: Any = None) -> Column:
    """The Lp norm of a float vector; ``degree`` (a float column, 2.0 by default) is p: 1.0,
    2.0, or infinity for the largest absolute element (any other degree fails the action, as
    in Spark)."""
    return _with_degree("vector_norm", vector, degree, _norm_of, T.FloatType())


def _normalized(x: list, p: float) -> Any:
    n = _norm_of(x, p)
    if not x:
        return []
    if math.isnan(n):
        return [math.nan] * len(x)
    if n == 0:
        return None  # a zero vector has no direction: Spark gives null
    return [v / n for v in x]


def vector_normalize(vector: Any, degree: Any = None) -> Column:
    """``vector`` divided by its Lp norm (null for a zero vector; ``degree`` as in
    ``vector_norm``)."""
    return _with_degree("vector_normalize", vector, degree, _normalized, _VEC)


def _over_gathered(name: str, gathered: Column, fn: Any, out_of: Any, sql: str) -> Column:
    """``fn`` of each group's gathered list (``collect_list``, a tree reduction): a vector
    aggregate is a function of the group's vectors, which must all be compared anyway."""
    def impl(ctx: Ctx, t: Typed) -> Typed:
        out = out_of(t.dtype.elementType)
        one = rowwise(lambda xs: fn([x for x in (xs or []) if x is not None]), T.to_arrow(out))
        ts = [t] if not t.is_scalar else [Typed(ctx.broadcast(t), t.dtype, t.nullable)]
        return Typed(per_partition(ctx, ts, one, out), out, True)
    return func(name, [gathered._expr], impl, sql=sql)


def _elementwise(fname: str, col: Any, finish: Any) -> Column:
    """An element-wise aggregate over the group's non-null vectors (null for none)."""
    e = col_expr(col)

    def fn(vs: list) -> Any:
        if not vs:
            return None
        n = len(vs[0])
        for v in vs[1:]:
            if len(v) != n:
                raise _mismatch(fname, n, len(v))
        if any(None in v for v in vs):
            return None
        return [finish(math.fsum(v[i] for v in vs), len(vs)) for i in range(n)]

    gathered = collect_list(Column(e))

    def checked(et: T.DataType) -> T.DataType:
        if et != T.FloatType() and not isinstance(et, T.NullType):
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "{fname}({e.sql()})" '
                f'due to data type mismatch: The first parameter requires the "ARRAY<FLOAT>" '
                f'type, however "{e.sql()}" has a type of elements '
                f'"{et.simpleString().upper()}".',
                "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
        return _VEC
    return _over_gathered(fname, gathered, fn,
                      lambda arr_t: checked(getattr(arr_t, "elementType", arr_t)),
                      f"{fname}({e.sql()})")


def vector_sum(col: Any) -> Column:
    """Aggregate: the element-wise sum of the group's float vectors (all of one length)."""
    return _elementwise("vector_sum", col, lambda s, n: s)


def vector_avg(col: Any) -> Column:
    """Aggregate: the element-wise mean of the group's float vectors (all of one length)."""
    return _elementwise("vector_avg", col, lambda s, n: s / n)
