"""Comparing dfml with real PySpark: same rows (order normalized), floats to a relative tolerance."""

from __future__ import annotations

import datetime as dt
import decimal
import math
from typing import Any


def plain(v: Any) -> Any:
    """A PySpark or dfml value as plain Python (Rows to tuples, maps to sorted items)."""
    if hasattr(v, "asDict") and isinstance(v, tuple):
        return tuple(plain(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((plain(k), plain(x)) for k, x in v.items()))
    if isinstance(v, list):
        if v and isinstance(v[0], tuple) and len(v[0]) == 2 and not hasattr(v[0], "asDict"):
            return tuple(sorted((plain(k), plain(x)) for k, x in v))
        return [plain(x) for x in v]
    if isinstance(v, decimal.Decimal):
        return float(v)
    return v


def _sort_key(row: tuple) -> tuple:
    def k(v: Any) -> tuple:
        if v is None:
            return (0, "")
        if isinstance(v, float) and math.isnan(v):
            return (1, "nan")
        if isinstance(v, (int, float)):
            return (2, round(float(v), 6))
        return (3, repr(v))
    return tuple(k(v) for v in row)


def values_equal(a: Any, b: Any, rel: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) \
                or isinstance(a, bool) or isinstance(b, bool):
            return False
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(values_equal(x, y, rel) for x, y in zip(a, b))
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a.replace(tzinfo=None) == b.replace(tzinfo=None)
    return type(a) is type(b) and a == b or (isinstance(a, bool) is isinstance(b, bool) and a == b)


def assert_same(ours: Any, theirs: Any, ordered: bool = False, check_names: bool = True,
                rel: float = 1e-9, check_types: bool = True) -> None:
    """``ours`` (dfml) and ``theirs`` (PySpark) hold the same rows."""
    if check_names:
        assert ours.columns == theirs.columns, f"columns differ: {ours.columns} vs {theirs.columns}"
    if check_types:
        assert [t for _, t in ours.dtypes] == [t for _, t in theirs.dtypes], \
            f"types differ: {ours.dtypes} vs {theirs.dtypes}"
    a = [plain(r) for r in ours.collect()]
    b = [plain(r) for r in theirs.collect()]
    assert len(a) == len(b), f"{len(a)} rows vs {len(b)} rows\n dfml:    {a[:5]}\n pyspark: {b[:5]}"
    if not ordered:
        a, b = sorted(a, key=_sort_key), sorted(b, key=_sort_key)
    for x, y in zip(a, b):
        assert values_equal(x, y, rel), f"row differs:\n dfml:    {x}\n pyspark: {y}\n" \
                                        f"all dfml:    {a}\nall pyspark: {b}"
