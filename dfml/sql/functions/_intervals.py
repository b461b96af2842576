"""Interval constructors: ``make_dt_interval`` (a DAY TO SECOND interval, Python's
``timedelta``), ``make_ym_interval`` (YEAR TO MONTH) and ``make_interval``/``try_make_interval``
(Spark's calendar interval), the last two with the types of ``dfml.sql.interval_types``."""

from __future__ import annotations

import datetime as _dt
import decimal
from typing import Any

from .. import types as T
from .. import interval_types as I
from ..column import Column, Ctx, Expr, Literal, Typed
from ..errors import ArithmeticException
from ._common import col_expr
from ._common import func
from ._zoned import rows

__all__ = ["make_dt_interval", "make_ym_interval", "make_interval", "try_make_interval"]

_INT_MIN, _INT_MAX = -(1 << 31), (1 << 31) - 1
_LONG_MIN, _LONG_MAX = -(1 << 63), (1 << 63) - 1

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


def _overflow(what: str) -> ArithmeticException:
    """Spark's overflow errors: make_ym_interval raises whatever the ANSI setting."""
    if what == "ym":
        return ArithmeticException(
            "[INTERVAL_ARITHMETIC_OVERFLOW.WITHOUT_SUGGESTION] Integer overflow while operating "
            "with intervals. Try devising appropriate values for the interval parameters. "
            "SQLSTATE: 22015")
    return ArithmeticException(
        '[ARITHMETIC_OVERFLOW] overflow. If necessary set "spark.sql.ansi.enabled" to "false" '
        'to bypass this error. SQLSTATE: 22003')  # ANSI mode's; dfml follows non-ANSI


def make_ym_interval(years: Any = None, months: Any = None) -> Column:
    """The YEAR TO MONTH interval of ``years`` years and ``months`` months (an omitted part is
    0, a null one makes the result null; a total beyond an int's months is Spark's overflow)."""
    args = [_arg(years), _arg(months)]
    out = I.YearMonthIntervalType()

    def one(y: Any, m: Any) -> Any:
        if y is None or m is None:
            return None
        total = int(y) * 12 + int(m)
        if not _INT_MIN <= total <= _INT_MAX:
            raise _overflow("ym")
        return out.serialize(I.YearMonthInterval(total))

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        return rows(ctx, list(ts), one, out)
    return func("make_ym_interval", args, impl)


def _calendar(name: str, parts: list[Any], lenient: bool) -> Column:
    args = [_arg(p) for p in parts]
    out = I.CalendarIntervalType()

    def one(y: Any, mo: Any, w: Any, d: Any, h: Any, mi: Any, s: Any) -> Any:
        if any(v is None for v in (y, mo, w, d, h, mi, s)):
            return None
        months = int(y) * 12 + int(mo)
        days = int(w) * 7 + int(d)
        sec = decimal.Decimal(repr(s) if isinstance(s, float) else str(s)).quantize(
            _MICRO, rounding=decimal.ROUND_HALF_UP)
        micros = (int(h) * 60 + int(mi)) * 60_000_000 + int(sec * 1_000_000)
        if not (_INT_MIN <= months <= _INT_MAX and _INT_MIN <= days <= _INT_MAX
                and _LONG_MIN <= micros <= _LONG_MAX):
            if lenient:
                return None
            raise _overflow("calendar")
        return out.serialize(I.CalendarInterval(months, days, micros))

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        return rows(ctx, list(ts), one, out)
    return func(name, args, impl)


def make_interval(years: Any = None, months: Any = None, weeks: Any = None, days: Any = None,
                  hours: Any = None, mins: Any = None, secs: Any = None) -> Column:
    """The calendar interval of the given years, months, weeks, days, hours, minutes and
    seconds (seconds to the microsecond, rounded half up; an omitted part is 0, a null one
    makes the result null; months or days beyond an int are null, Spark's non-ANSI answer,
    which dfml follows)."""
    return _calendar("make_interval", [years, months, weeks, days, hours, mins, secs], True)


def try_make_interval(years: Any = None, months: Any = None, weeks: Any = None,
                      days: Any = None, hours: Any = None, mins: Any = None,
                      secs: Any = None) -> Column:
    """``make_interval``, null where it would overflow."""
    return _calendar("try_make_interval", [years, months, weeks, days, hours, mins, secs], True)
