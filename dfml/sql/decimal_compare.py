"""A decimal column compared with a double literal, as a comparison with a decimal literal.

Spark compares ``decimal_col >= 0.05`` in double: the column is cast to double first. Done that
way here, the comparison is a kernel dask cannot push into the parquet read, so a filter such as
TPC-H Q6's ``l_discount between 0.05 and 0.07`` kept every row until pandas filtered them, and the
rest of its conjunction stayed unpushed too. Because the cast is monotonic, the rows where
``double(d) >= c`` are exactly those where ``d >= t``, for ``t`` the smallest decimal of the
column's scale whose double is at least ``c``; ``>``, ``<`` and ``<=`` follow from ``t`` of ``c``
or of the next double up. Those are plain comparisons with a ``Decimal`` literal, which dask
pushes and Arrow evaluates during the scan. The answer is the same for every row, null included.
"""

from __future__ import annotations

import decimal as _dec
import math
from typing import Any

from . import types as T

_CTX = _dec.Context(prec=120)


def compare_decimal_with_double(op: str, col: Any, dtype: T.DecimalType, c: Any) -> Any | None:
    """``col op c`` (``col`` a decimal column of ``dtype``, ``c`` a double) as a comparison with
    a decimal literal, or None where this does not apply (an equality, a NaN or infinite ``c``,
    or a threshold beyond the column's range, where the caller's general path answers)."""
    if op not in ("<", "<=", ">", ">=") or isinstance(c, bool):
        return None
    try:
        c = float(c)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(c):
        return None
    # double(d) > c  <=>  double(d) >= next double above c
    bound = c if op in (">=", "<") else math.nextafter(c, math.inf)
    limit = _dec.Decimal(10) ** (dtype.precision - dtype.scale)
    if not math.isfinite(bound) or abs(_dec.Decimal(bound)) >= limit:
        return None
    t = smallest_at_least(bound, dtype.scale)
    if abs(t) >= limit:
        return None
    return col >= t if op in (">=", ">") else col < t


def smallest_at_least(c: float, scale: int) -> _dec.Decimal:
    """The smallest decimal with ``scale`` digits after the point whose double (correctly rounded,
    as Python's ``float`` and Spark's cast give it) is ``>= c``, for ``|c| < 10**38``. Doubles below the midpoint of
    ``c`` and the double before it round below ``c``; the search starts at that midpoint and
    steps over the one tie that rounding to even may send either way."""
    unit = _dec.Decimal(1).scaleb(-scale)
    below = _dec.Decimal(math.nextafter(c, -math.inf))
    mid = _CTX.divide(_CTX.add(below, _dec.Decimal(c)), 2)
    t = mid.quantize(unit, rounding=_dec.ROUND_CEILING, context=_CTX)
    while float(t) < c:
        t = _CTX.add(t, unit)
    while float(_CTX.subtract(t, unit)) >= c:
        t = _CTX.subtract(t, unit)
    return t
