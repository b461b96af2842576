"""Interval constructors: ``make_dt_interval`` (a DAY TO SECOND interval, Python's
``timedelta``). Year-month and calendar intervals (``make_ym_interval``, ``make_interval``)
have no dfml type yet: PySpark itself cannot collect them."""

from __future__ import annotations

import datetime as _dt
import decimal
from typing import Any

from .. import types as T
from ..column import Column, Ctx, Expr, Literal, Typed
from ._common import col_expr
from ._common import func
from ._zoned import rows

__all__ = ["make_dt_interval"]

_MICRO = decimal.Decimal("0.000001")


def _arg(v: Any) -> Expr:
    if v is None:
        return Literal(0)
    return col_expr(v) if isinstance(v, (str, Column)) else Literal(v)


def make_dt_interval(days: Any = None, hours: Any = None, mins: Any = None,
                     secs: Any = None) -> Column:
    """The interval of ``days`` days, ``hours`` hours, ``mins`` minutes and ``secs`` seconds
    (rounded to microseconds; an omitted part is 0, a null one makes the result null)."""
    args = [_arg(days), _arg(hours), _arg(mins), _arg(secs)]
    out = T.DayTimeIntervalType(0, 3)

    def one(d: Any, h: Any, m: Any, s: Any) -> Any:
        if d is None or h is None or m is None or s is None:
            return None
        sec = decimal.Decimal(str(s)).quantize(_MICRO, rounding=decimal.ROUND_HALF_UP)
        micros = ((int(d) * 24 + int(h)) * 60 + int(m)) * 60_000_000 + int(sec * 1_000_000)
        return _dt.timedelta(microseconds=micros)

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        return rows(ctx, list(ts), one, out)
    return func("make_dt_interval", args, impl)
