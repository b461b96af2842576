"""Timestamps from their fields and fields from timestamps: ``make_timestamp`` (``_ltz``,
``_ntz`` and the ``try_`` forms), ``extract``/``date_part``/``datepart``, ``timestamp_add`` and
``timestamp_diff``.

Fields are those of the session zone's wall-clock time (see ``_zones``). Calendar units (days,
months...) move the wall-clock time and exact units (hours and below) move the instant, as
java.time's ``ZonedDateTime`` does in Spark; a result that names no real time is null (Spark's
non-ANSI mode; the ``try_`` forms are null in both modes).
"""

from __future__ import annotations

import calendar
import datetime as _dt
import decimal
from typing import Any, Callable

from .. import types as T
from ..column import Column, Ctx, Expr, Literal, Typed
from ..errors import AnalysisException
from ._common import col_expr, func
from ._zoned import rows, wall_reader
from ._zones import Zones, wall_to_utc, zone

__all__ = ["make_timestamp", "make_timestamp_ltz", "make_timestamp_ntz", "try_make_timestamp",
           "try_make_timestamp_ltz", "try_make_timestamp_ntz", "extract", "date_part",
           "datepart", "timestamp_add", "timestamp_diff"]

_TS, _NTZ = T.TimestampType(), T.TimestampNTZType()
_SEC_TYPE = T.DecimalType(8, 6)
_MICRO = decimal.Decimal("0.000001")


def _arg(v: Any) -> Expr:
    """A column argument: a name, a Column, or a plain value (SQL literals arrive as values)."""
    return col_expr(v) if isinstance(v, (str, Column)) else Literal(v)


def _wall(y: Any, mo: Any, d: Any, h: Any, mi: Any, s: Any) -> _dt.datetime | None:
    """The wall-clock time of the fields; seconds are rounded to microseconds (Spark reads them
    as DECIMAL(16, 6)), and 60 seconds with no fraction is the next minute."""
    if any(v is None for v in (y, mo, d, h, mi, s)):
        return None
    sec = decimal.Decimal(str(s)).quantize(_MICRO, rounding=decimal.ROUND_HALF_UP)
    whole = int(sec)
    micros = int((sec - whole) * 1_000_000)
    extra = 0
    if whole == 60 and micros == 0:
        whole, extra = 0, 60
    try:
        out = _dt.datetime(int(y), int(mo), int(d), int(h), int(mi), whole, micros)
    except (ValueError, OverflowError):
        return None
    return out + _dt.timedelta(seconds=extra)


def _no_time_variant(name: str, date: Any, time: Any) -> None:
    if date is not None or time is not None:
        raise AnalysisException(
            f"[UNSUPPORTED_FEATURE] {name}(date=..., time=...) needs Spark's TIME type, which "
            f"dfml does not have yet; pass years, months, days, hours, mins and secs.",
            "UNSUPPORTED_FEATURE")


def _maker(name: str, ntz: bool, with_zone: bool) -> Callable[..., Column]:
    def build(parts: list[Any], timezone: Any) -> Column:
        if any(p is None for p in parts):
            raise TypeError(f"{name}: years, months, days, hours, mins and secs are all required")
        args = [_arg(p) for p in parts] + ([_arg(timezone)] if timezone is not None else [])

        def impl(ctx: Ctx, *ts: Typed) -> Typed:
            zones = Zones()
            zoned = len(ts) == 7

            def one(y: Any, mo: Any, d: Any, h: Any, mi: Any, s: Any, *tz: Any) -> Any:
                w = _wall(y, mo, d, h, mi, s)
                if w is None or ntz:
                    return w
                if zoned:
                    if tz[0] is None:
                        return None
                    return zones.utc_to_stored(wall_to_utc(w, zone(tz[0], f"{name}: timezone")))
                return zones.session_to_stored(w)
            return rows(ctx, list(ts), one, _NTZ if ntz else _TS)
        # Spark prints try_make_timestamp without its zone argument (try_make_timestamp_ltz keeps it)
        shown = args[:6] if name == "try_make_timestamp" else args
        return func(name, args, impl, sql=f"{name}({', '.join(a.sql() for a in shown)})")

    if ntz:
        def f(years: Any = None, months: Any = None, days: Any = None, hours: Any = None,
              mins: Any = None, secs: Any = None, date: Any = None, time: Any = None) -> Column:
            _no_time_variant(name, date, time)
            return build([years, months, days, hours, mins, secs], None)
    elif with_zone:
        def f(years: Any = None, months: Any = None, days: Any = None, hours: Any = None,  # type: ignore[misc]
              mins: Any = None, secs: Any = None, timezone: Any = None, date: Any = None,
              time: Any = None) -> Column:
            _no_time_variant(name, date, time)
            return build([years, months, days, hours, mins, secs], timezone)
    else:
        def f(years: Any, months: Any, days: Any, hours: Any, mins: Any,  # type: ignore[misc]
              secs: Any, timezone: Any = None) -> Column:
            return build([years, months, days, hours, mins, secs], timezone)
    f.__name__ = name
    f.__doc__ = (f"The {'TIMESTAMP_NTZ' if ntz else 'TIMESTAMP'} of the given fields"
                 f"{'' if ntz else ' (wall-clock time in ``timezone``, else the session zone)'}; "
                 f"null when the fields name no real time.")
    return f


make_timestamp = _maker("make_timestamp", False, True)
make_timestamp_ltz = _maker("make_timestamp_ltz", False, False)
make_timestamp_ntz = _maker("make_timestamp_ntz", True, False)
try_make_timestamp = _maker("try_make_timestamp", False, True)
try_make_timestamp_ltz = _maker("try_make_timestamp_ltz", False, False)
try_make_timestamp_ntz = _maker("try_make_timestamp_ntz", True, False)


def _second(w: _dt.datetime) -> decimal.Decimal:
    return (decimal.Decimal(w.second * 1_000_000 + w.microsecond) / 1_000_000).quantize(_MICRO)


_FIELDS: dict[str, tuple[Callable[[Any], Any], T.DataType]] = {}
for _names, _fn in [
    (("YEAR", "Y", "YEARS", "YR", "YRS"), lambda w: w.year),
    (("YEAROFWEEK",), lambda w: w.isocalendar()[0]),
    (("QUARTER", "QTR"), lambda w: (w.month - 1) // 3 + 1),
    (("MONTH", "MON", "MONS", "MONTHS"), lambda w: w.month),
    (("WEEK", "W", "WEEKS"), lambda w: w.isocalendar()[1]),
    (("DAY", "D", "DAYS"), lambda w: w.day),
    (("DAYOFWEEK", "DOW"), lambda w: (w.weekday() + 1) % 7 + 1),
    (("DAYOFWEEK_ISO", "DOW_ISO"), lambda w: w.isoweekday()),
    (("DOY",), lambda w: w.timetuple().tm_yday),
    (("HOUR", "H", "HOURS", "HR", "HRS"), lambda w: w.hour),
    (("MINUTE", "M", "MIN", "MINS", "MINUTES"), lambda w: w.minute),
]:
    for _n in _names:
        _FIELDS[_n] = (_fn, T.IntegerType())
for _n in ("SECOND", "S", "SEC", "SECONDS", "SECS"):
    _FIELDS[_n] = (_second, _SEC_TYPE)


def _field_text(field: Any, fname: str) -> str:
    e = field._expr if isinstance(field, Column) else Literal(field)
    if not isinstance(e, Literal) or not isinstance(e.value, str):
        raise AnalysisException(
            f"[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] {fname}: the field must be a literal string "
            f"such as lit('YEAR'), got {e.sql()}.", "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT")
    return e.value


def _extractor(fname: str, shown: Callable[[str, str], str]) -> Callable[[Any, Any], Column]:
    def f(field: Any, source: Any) -> Column:
        text = _field_text(field, fname)
        e = col_expr(source)
        spec = _FIELDS.get(text.strip().upper())
        if spec is None:
            raise AnalysisException(
                f"[INVALID_EXTRACT_FIELD] Cannot extract {text} from {e.sql()}. SQLSTATE: 42601",
                "INVALID_EXTRACT_FIELD")
        get, out = spec

        def impl(ctx: Ctx, t: Typed) -> Typed:
            read = wall_reader(t.dtype, Zones(), None, fname)
            if isinstance(t.dtype, T.DateType):
                if isinstance(out, T.DecimalType):
                    return rows(ctx, [t], lambda v: None if v is None else decimal.Decimal("0.000000"),
                                out)
            def one(v: Any) -> Any:
                w = None if v is None else read(v)
                return None if w is None else get(w)
            return rows(ctx, [t], one, out)
        return func(fname, [e], impl, sql=shown(text, e.sql()))
    f.__name__ = fname
    f.__doc__ = (f"The named field (``YEAR``, ``MONTH``, ``DOW``, ``SECOND``...) of a date or "
                 f"timestamp, in the session zone; seconds come with their fraction.")
    return f


extract = _extractor("extract", lambda fld, src: f"extract({fld} FROM {src})")
date_part = _extractor("date_part", lambda fld, src: f"date_part({fld}, {src})")
datepart = _extractor("datepart", lambda fld, src: f"datepart({fld} FROM {src})")

_EXACT = {"MICROSECOND": 1, "MILLISECOND": 1000, "SECOND": 1_000_000, "MINUTE": 60_000_000,
          "HOUR": 3_600_000_000}
_DAYS = {"DAY": 1, "DAYOFYEAR": 1, "WEEK": 7}
_MONTHS = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}


def _unit(unit: Any, fname: str) -> tuple[str, str]:
    """The unit (upper case) and its text as the call wrote it (Spark prints that)."""
    if isinstance(unit, Column) and isinstance(unit._expr, Literal):
        unit = unit._expr.value
    u = unit.strip().upper() if isinstance(unit, str) else None
    if u not in _EXACT and u not in _DAYS and u not in _MONTHS:
        raise AnalysisException(
            f"[INVALID_PARAMETER_VALUE.DATETIME_UNIT] The value of parameter(s) `unit` in "
            f"`{fname}` is invalid: expects one of the units without quotes YEAR, QUARTER, MONTH, "
            f"WEEK, DAY, DAYOFYEAR, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND, but got "
            f"the string literal {unit!r}.", "INVALID_PARAMETER_VALUE.DATETIME_UNIT")
    return u, unit.strip()


def _plus_months(w: _dt.datetime, n: int) -> _dt.datetime:
    total = w.year * 12 + w.month - 1 + n
    y, m = divmod(total, 12)
    return w.replace(year=y, month=m + 1, day=min(w.day, calendar.monthrange(y, m + 1)[1]))


def timestamp_add(unit: str, quantity: Any, ts: Any) -> Column:
    """``ts`` plus ``quantity`` units; days and longer move the wall-clock time (the result of a
    DST change keeps its time of day), hours and shorter the instant."""
    u, shown = _unit(unit, "timestamp_add")
    q, e = _arg(quantity), col_expr(ts)

    def impl(ctx: Ctx, t: Typed, n: Typed) -> Typed:
        zones = Zones()
        ntz = isinstance(t.dtype, T.TimestampNTZType)
        read = wall_reader(t.dtype, zones, None, "timestamp_add")

        def one(v: Any, k: Any) -> Any:
            w = None if v is None else read(v)
            if w is None or k is None:
                return None
            k = int(k)
            try:
                if u in _EXACT:
                    if ntz:
                        return w + _dt.timedelta(microseconds=k * _EXACT[u])
                    inst = wall_to_utc(w, zones.session) + _dt.timedelta(microseconds=k * _EXACT[u])
                    return zones.utc_to_stored(inst)
                w = w + _dt.timedelta(days=k * _DAYS[u]) if u in _DAYS else _plus_months(w, k * _MONTHS[u])
            except (OverflowError, ValueError):
                return None
            return w if ntz else zones.session_to_stored(w)
        return rows(ctx, [t, n], one, _NTZ if ntz else _TS)
    return func("timestamp_add", [e, q], impl, sql=f"timestampadd({shown}, {q.sql()}, {e.sql()})")


def _months_until(a: _dt.datetime, b: _dt.datetime) -> int:
    """Whole months from ``a`` to ``b`` (truncated toward zero), as java.time counts them."""
    end = b.date()
    if end > a.date() and b.time() < a.time():
        end -= _dt.timedelta(days=1)
    elif end < a.date() and b.time() > a.time():
        end += _dt.timedelta(days=1)
    months = (end.year - a.year) * 12 + end.month - a.month
    if months > 0 and end.day < a.day:
        months -= 1
    elif months < 0 and end.day > a.day:
        months += 1
    return months


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // b
    return q if a >= 0 else -q


def timestamp_diff(unit: str, start: Any, end: Any) -> Column:
    """Whole ``unit``s from ``start`` to ``end`` (truncated toward zero), counted on the session
    zone's wall-clock times."""
    u, shown = _unit(unit, "timestamp_diff")
    s, e = col_expr(start), col_expr(end)

    def impl(ctx: Ctx, a: Typed, b: Typed) -> Typed:
        zones = Zones()
        ra = wall_reader(a.dtype, zones, None, "timestamp_diff")
        rb = wall_reader(b.dtype, zones, None, "timestamp_diff")

        def one(x: Any, y: Any) -> Any:
            wa, wb = (None if x is None else ra(x)), (None if y is None else rb(y))
            if wa is None or wb is None:
                return None
            # every unit counts wall-clock time (a DST change makes an hour vanish or repeat),
            # as Spark compares local date-times
            d = wb - wa
            micros = (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds
            if u in _EXACT:
                return _trunc_div(micros, _EXACT[u])
            if u in _DAYS:
                return _trunc_div(micros, 86_400_000_000 * _DAYS[u])
            return _trunc_div(_months_until(wa, wb), _MONTHS[u])
        return rows(ctx, [a, b], one, T.LongType())
    return func("timestamp_diff", [s, e], impl, sql=f"timestampdiff({shown}, {s.sql()}, {e.sql()})")
