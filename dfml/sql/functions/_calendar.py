"""More date and time functions: Spark's other names for existing ones (``day``, ``date_diff``,
``dateadd``, ``curdate``, ``now``), day and month names, epoch conversions (``unix_date``,
``unix_seconds``..., ``timestamp_seconds``...), ``make_date``, ``trunc``, ``date_trunc`` and
``next_day``.

Dates are Arrow ``date32`` and timestamps ``timestamp[us]`` read as UTC, as in ``_dates``; the
conversions here are integer arithmetic on those (vectorized with Arrow), the calendar ones per row.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable

import pyarrow as pa
import pyarrow.compute as pc

from .. import types as T
from ..column import Column, Ctx, Expr, Typed, cast_to
from ..kernels import rowwise
from ._common import col_expr, func, lit_expr, per_partition, renamed
from ._dates import current_date, current_timestamp, date_add, datediff, dayofmonth

__all__ = ["day", "date_diff", "dateadd", "curdate", "now", "dayname", "monthname", "weekday",
           "make_date", "unix_date", "date_from_unix_date", "unix_seconds", "unix_millis",
           "unix_micros", "timestamp_seconds", "timestamp_millis", "timestamp_micros", "trunc",
           "date_trunc", "next_day"]

_EPOCH = _dt.date(1970, 1, 1)
_D, _TS = T.DateType(), T.TimestampType()


def day(col: Any) -> Column:
    return renamed(dayofmonth(col), f"day({col_expr(col).sql()})")


def date_diff(end: Any, start: Any) -> Column:
    return renamed(datediff(end, start), f"date_diff({col_expr(end).sql()}, {col_expr(start).sql()})")


def dateadd(start: Any, days: Any) -> Column:
    d = col_expr(days) if isinstance(days, (str, Column)) else lit_expr(days)
    return renamed(date_add(start, days), f"date_add({col_expr(start).sql()}, {d.sql()})")


def curdate() -> Column:
    return renamed(current_date(), "curdate()")


def now() -> Column:
    return renamed(current_timestamp(), "now()")


def _row(name: str, args: list[Expr], fn: Callable[..., Any], out: T.DataType,
         casts: list[T.DataType]) -> Column:
    """A per-row function; null in any argument gives null."""
    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        ts = [cast_to(t, c) for t, c in zip(ts, casts)]
        if all(t.is_scalar for t in ts):
            ts[0] = Typed(ctx.broadcast(ts[0]), ts[0].dtype, ts[0].nullable)
        one = rowwise(lambda *v: None if any(x is None for x in v) else fn(*v), T.to_arrow(out))
        return Typed(per_partition(ctx, ts, one, out), out, True)
    return func(name, args, impl)


def _as_date(v: Any) -> _dt.date:
    return v.date() if isinstance(v, _dt.datetime) else v


def dayname(col: Any) -> Column:
    """The three-letter English day name (``Mon``...)."""
    return _row("dayname", [col_expr(col)], lambda d: _as_date(d).strftime("%a"), T.StringType(), [_D])


def monthname(col: Any) -> Column:
    """The three-letter English month name (``Jan``...)."""
    return _row("monthname", [col_expr(col)], lambda d: _as_date(d).strftime("%b"), T.StringType(),
                [_D])


def weekday(col: Any) -> Column:
    """The day of the week, 0 for Monday to 6 for Sunday."""
    return _row("weekday", [col_expr(col)], lambda d: _as_date(d).weekday(), T.IntegerType(), [_D])


def make_date(year: Any, month: Any, day: Any) -> Column:
    """The date of the given year, month and day (null when there is no such date)."""
    def fn(y: int, m: int, d: int) -> _dt.date | None:
        try:
            return _dt.date(y, m, d)
        except ValueError:
            return None
    return _row("make_date", [col_expr(year), col_expr(month), col_expr(day)], fn, _D,
                [T.IntegerType()] * 3)


def _arrow_fn(name: str, kernel: Callable[[Any], Any], out: T.DataType, cast: T.DataType) -> Any:
    def f(col: Any) -> Column:
        def impl(ctx: Ctx, t: Typed) -> Typed:
            t = cast_to(t, cast)
            ts = [t] if not t.is_scalar else [Typed(ctx.broadcast(t), t.dtype, t.nullable)]
            return Typed(per_partition(ctx, ts, kernel, out), out, True)
        return func(name, [col], impl)
    f.__name__ = name
    return f


def _floor_div(a: Any, n: int) -> Any:
    q = pc.divide(a, n)
    return pc.if_else(pc.greater(pc.multiply(q, n), a), pc.subtract(q, 1), q)  # floor, not trunc


def _micros(a: Any) -> Any:
    return pc.cast(a, pa.int64())


unix_date = _arrow_fn("unix_date", lambda a: pc.cast(pc.cast(a, pa.int32()), pa.int32()),
                      T.IntegerType(), _D)
date_from_unix_date = _arrow_fn("date_from_unix_date", lambda a: pc.cast(pc.cast(a, pa.int32()),
                                                                        pa.date32()), _D,
                                T.IntegerType())
def _unix(name: str, unit: int) -> Any:
    """``unix_micros``/``unix_millis``/``unix_seconds``: the instant's distance from the epoch. A
    stored timestamp is the wall-clock time of its instant in the process zone (see ``_zones``),
    so it is localized there first (vectorized, by Arrow), read when the expression compiles."""
    def f(col: Any) -> Column:
        def impl(ctx: Ctx, t: Typed) -> Typed:
            from ._zones import process_zone_name
            zone_name = process_zone_name()
            t = cast_to(t, _TS)
            ts = [t] if not t.is_scalar else [Typed(ctx.broadcast(t), t.dtype, t.nullable)]

            def kernel(a: Any) -> Any:
                if zone_name.upper() not in ("UTC", "Z", "GMT", "ETC/UTC"):
                    a = pc.assume_timezone(a, timezone=zone_name, ambiguous="earliest",
                                           nonexistent="latest")
                us = _micros(a)
                return us if unit == 1 else _floor_div(us, unit)
            return Typed(per_partition(ctx, ts, kernel, T.LongType()), T.LongType(), True)
        return func(name, [col], impl)
    f.__name__ = name
    return f


unix_micros = _unix("unix_micros", 1)
unix_millis = _unix("unix_millis", 1000)
unix_seconds = _unix("unix_seconds", 1_000_000)
timestamp_micros = _arrow_fn("timestamp_micros", lambda a: pc.cast(a, pa.timestamp("us")), _TS,
                             T.LongType())
timestamp_millis = _arrow_fn("timestamp_millis",
                             lambda a: pc.cast(pc.multiply(a, 1000), pa.timestamp("us")), _TS,
                             T.LongType())


def timestamp_seconds(col: Any) -> Column:
    """Seconds since the epoch (an integer or a fraction) as a timestamp."""
    def impl(ctx: Ctx, t: Typed) -> Typed:
        exact = isinstance(t.dtype, (T.IntegralType, T.NullType))
        t = cast_to(t, T.LongType() if exact else T.DoubleType())

        def k(a: Any) -> Any:
            us = pc.multiply(a, 1_000_000)
            if not exact:
                us = pc.cast(pc.trunc(us), pa.int64())
            return pc.cast(us, pa.timestamp("us"))
        ts = [t] if not t.is_scalar else [Typed(ctx.broadcast(t), t.dtype, t.nullable)]
        return Typed(per_partition(ctx, ts, k, _TS), _TS, True)
    return func("timestamp_seconds", [col], impl)


def _trunc_date(d: _dt.date, unit: str) -> _dt.date | None:
    u = unit.lower()
    if u in ("year", "yyyy", "yy"):
        return d.replace(month=1, day=1)
    if u in ("month", "mon", "mm"):
        return d.replace(day=1)
    if u == "quarter":
        return d.replace(month=3 * ((d.month - 1) // 3) + 1, day=1)
    if u == "week":
        return d - _dt.timedelta(days=d.weekday())
    return None


def trunc(date: Any, format: str) -> Column:  # noqa: A002 - Spark's name
    """The date truncated to the start of its year, quarter, month or week (null for other units)."""
    e = col_expr(date)
    c = _row("trunc", [e], lambda d: _trunc_date(_as_date(d), format), _D, [_D])
    c._expr._sql = f"trunc({e.sql()}, {format})"
    return c


def _trunc_ts(ts: _dt.datetime, unit: str) -> _dt.datetime | None:
    u = unit.lower()
    d = _trunc_date(ts.date(), u)
    if d is not None:
        return _dt.datetime(d.year, d.month, d.day)
    cut = {"day": 3, "dd": 3, "hour": 4, "minute": 5, "second": 6, "millisecond": 7,
           "microsecond": 8}.get(u)
    if cut is None:
        return None
    if cut == 7:
        return ts.replace(microsecond=ts.microsecond // 1000 * 1000)
    fields = [ts.year, ts.month, ts.day, ts.hour, ts.minute, ts.second, ts.microsecond]
    return _dt.datetime(*fields[:cut], *([0] * (7 - cut)))


def date_trunc(format: str, timestamp: Any) -> Column:  # noqa: A002 - Spark's name
    """The timestamp truncated to the unit (``year`` ... ``microsecond``; null for other units)."""
    e = col_expr(timestamp)
    c = _row("date_trunc", [e], lambda t: _trunc_ts(t, format), _TS, [_TS])
    c._expr._sql = f"date_trunc({format}, {e.sql()})"
    return c


_DAYS = {"MO": 0, "MON": 0, "MONDAY": 0, "TU": 1, "TUE": 1, "TUESDAY": 1, "WE": 2, "WED": 2,
         "WEDNESDAY": 2, "TH": 3, "THU": 3, "THURSDAY": 3, "FR": 4, "FRI": 4, "FRIDAY": 4,
         "SA": 5, "SAT": 5, "SATURDAY": 5, "SU": 6, "SUN": 6, "SUNDAY": 6}


def next_day(date: Any, dayOfWeek: str) -> Column:  # noqa: N803 - Spark's name
    """The first date after ``date`` falling on ``dayOfWeek`` (``Mon``, ``Monday`` or ``mo``...)."""
    def fn(d: Any, name: str) -> _dt.date | None:
        target = _DAYS.get(name.strip().upper())
        if target is None:
            return None
        d = _as_date(d)
        return d + _dt.timedelta(days=(target - d.weekday() - 1) % 7 + 1)
    return _row("next_day", [col_expr(date), lit_expr(dayOfWeek)], fn, _D, [_D, T.StringType()])
