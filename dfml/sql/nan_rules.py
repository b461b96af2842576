"""Spark's rules for NaN in floating-point comparisons, kept in one place.

Spark treats NaN as a value, not as missing: NaN = NaN is true and NaN is larger than every
other number (so ``NaN > 1e308`` is true and a max over a NaN is NaN), while -0.0 = 0.0. IEEE
comparisons, which Arrow and numpy follow, say the opposite for NaN, and pandas goes further
and reads a NaN in an Arrow float column as missing. Comparisons of float and double columns
therefore run here, as Arrow kernels that order values by (is NaN, value).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from . import types as T
from .decimal_compare import compare_decimal_with_double


def is_floating(dt: T.DataType) -> bool:
    return isinstance(dt, (T.DoubleType, T.FloatType))


def compare_scalars(op: str, a: Any, b: Any) -> bool:
    """``a op b`` for two non-null Python numbers, NaN largest and equal to itself."""
    ka = (isinstance(a, float) and math.isnan(a), 0.0 if isinstance(a, float) and math.isnan(a) else a)
    kb = (isinstance(b, float) and math.isnan(b), 0.0 if isinstance(b, float) and math.isnan(b) else b)
    return {"=": ka == kb, "!=": ka != kb, "<": ka < kb, "<=": ka <= kb, ">": ka > kb,
            ">=": ka >= kb}[op]


def _as_array(v: Any, like: Any) -> Any:
    if isinstance(v, (pa.Array, pa.ChunkedArray)):
        return v
    return pa.scalar(v, like.type if isinstance(like, (pa.Array, pa.ChunkedArray)) else pa.float64())


def _compare(op: str, a: Any, b: Any) -> Any:
    a, b = _as_array(a, b), _as_array(b, a)
    na, nb = pc.is_nan(a), pc.is_nan(b)
    # with NaNs replaced by 0, the plain comparison decides only where neither side is NaN
    va = pc.if_else(na, pa.scalar(0.0, a.type), a)
    vb = pc.if_else(nb, pa.scalar(0.0, b.type), b)
    plain = {"=": pc.equal, "!=": pc.not_equal, "<": pc.less, "<=": pc.less_equal,
             ">": pc.greater, ">=": pc.greater_equal}[op](va, vb)
    both, neither = pc.and_(na, nb), pc.and_(pc.invert(na), pc.invert(nb))
    if op == "=":
        return pc.or_(both, pc.and_(neither, plain))
    if op == "!=":
        return pc.invert(pc.or_(both, pc.and_(neither, pc.invert(plain))))
    if op in ("<", "<="):
        nan_rule = pc.and_(pc.invert(na), nb)  # a number is below NaN
    else:
        nan_rule = pc.and_(na, pc.invert(nb))  # NaN is above a number
    if op in ("<=", ">="):
        nan_rule = pc.or_(nan_rule, both)
    return pc.or_(nan_rule, pc.and_(neither, plain))


def compare_kernel(op: str) -> Any:
    """An Arrow kernel ``(a, b) -> a op b`` by Spark's NaN rules (a null side gives null)."""
    return functools.partial(_compare, op)


def compare_with_scalar(op: str, col: Any, c: Any, col_type: T.DataType | None = None) -> Any:
    """``col op c`` for a float column and a non-null scalar, with native dask operators only,
    so that a filter such as ``x < 5`` still reaches the parquet reader. ``x != x`` is true
    exactly on NaN (IEEE), which is how the NaN rows get Spark's answer; a null row stays null.
    For ``<``, ``<=``, ``=`` and ``!=`` against a number IEEE already agrees with Spark. A
    decimal ``col`` (``col_type``) against a double is first tried as a comparison with a
    decimal literal, which also reaches the reader (``decimal_compare``)."""
    if isinstance(col_type, T.DecimalType):
        value = compare_decimal_with_double(op, col, col_type, c)
        if value is not None:
            return value
    if isinstance(c, float) and math.isnan(c):
        is_nan, is_num = col != col, col == col
        return {"=": is_nan, "!=": is_num, "<": is_num, "<=": is_num | is_nan,
                ">": is_nan & is_num, ">=": is_nan}[op]
    if op in (">", ">="):
        return (col > c if op == ">" else col >= c) | (col != col)
    return {"=": col == c, "!=": col != c, "<": col < c, "<=": col <= c}[op]


def order_key(x: Any) -> Any:
    """A sort key putting Python values in Spark's order: NaN above every number (and equal to
    itself), -0.0 equal to 0.0. Non-float values sort as themselves."""
    if isinstance(x, float):
        return (1, 0.0) if math.isnan(x) else (0, x)
    if isinstance(x, dict):  # a struct: field by field, a null field first
        return tuple((0,) if v is None else (1, order_key(v)) for v in x.values())
    if isinstance(x, list):  # an array: element by element, a null element first, shorter first
        return tuple((0,) if v is None else (1, order_key(v)) for v in x)
    return x


def same_key(x: Any) -> Any:
    """A dict key under which Spark's equal values meet: every NaN, and -0.0 with 0.0."""
    if isinstance(x, float):
        return "NaN" if math.isnan(x) else x + 0.0
    return x


def normalized(x: Any) -> Any:
    """``x`` as Spark normalizes floats where it compares them for equality (-0.0 -> 0.0)."""
    return x + 0.0 if isinstance(x, float) and x == 0 else x


def distinct_values(values: list) -> list:
    """First occurrences, every NaN one value and -0.0 the same as 0.0 (normalized), as Spark's
    set semantics (``array_distinct``, ``collect_set``)."""
    seen: dict = {}
    for v in values:
        seen.setdefault(same_key(v), normalized(v))
    return list(seen.values())
