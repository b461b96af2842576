"""Date and time functions, as Arrow kernels per partition.

Dates are Arrow ``date32`` (Spark's DateType) and timestamps ``timestamp[us]`` without a zone,
read as UTC (Spark's session time zone in dfml). Spark's datetime patterns (``yyyy-MM-dd``)
are translated to strftime codes; text that does not parse gives null, as in Spark's non-ANSI mode.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .. import types as T
from ..column import Column, Ctx, Literal, Typed, cast_to
from ..kernels import rowwise
from ._common import ArrowKernel, col_expr, func, lit_expr, per_partition, require

__all__ = ["year", "month", "dayofmonth", "dayofweek", "dayofyear", "hour", "minute", "second",
           "quarter", "weekofyear", "to_date", "to_timestamp", "date_format", "date_add", "date_sub",
           "datediff", "months_between", "add_months", "current_date", "current_timestamp",
           "from_unixtime", "last_day"]

_DEFAULT_TS_FORMAT = "yyyy-MM-dd HH:mm:ss"

_PATTERN = re.compile(r"'[^']*'|y+|M+|d+|H+|h+|m+|s+|S+|a+|E+|D+|[^a-zA-Z']+|[a-zA-Z]")


def spark_to_strftime(fmt: str) -> str:
    """A Spark datetime pattern as a strftime format (the letters Spark users use most)."""
    out = []
    for tok in _PATTERN.findall(fmt):
        if tok.startswith("'"):
            out.append(tok[1:-1].replace("%", "%%") or "'")
            continue
        c, n = tok[0], len(tok)
        code = {
            "y": "%y" if n == 2 else "%Y", "M": "%B" if n >= 4 else "%b" if n == 3 else "%m",
            "d": "%d", "H": "%H", "h": "%I", "m": "%M", "s": "%S", "a": "%p",
            "E": "%A" if n >= 4 else "%a", "D": "%j",
        }.get(c)
        if code is None:
            if tok[0].isalpha():
                raise ValueError(f"unsupported datetime pattern letter {tok!r} in {fmt!r}")
            code = tok.replace("%", "%%")
        elif c == "S":
            code = "%f"
        out.append(code)
    return "".join(out)


def _zone_key(z: Any) -> str:
    """A zone as Arrow names it (a region id, or a fixed offset as ``+hh:mm``)."""
    key = getattr(z, "key", None)
    if key is not None:
        return key
    off = z.utcoffset(None)
    mins = int(off.total_seconds() // 60)
    return f"{'+' if mins >= 0 else '-'}{abs(mins) // 60:02d}:{abs(mins) % 60:02d}"


def _as_timestamp(t: Typed) -> Typed:
    if isinstance(t.dtype, T.StringType):
        return Typed(t.value, T.TimestampType(), True) if t.is_scalar and t.value is None else \
            _parse_ts(t, None)
    return cast_to(t, T.TimestampType())


def _field(name: str, kernel: Any, ts_only: bool = False) -> Any:
    def f(col: Any) -> Column:
        def impl(ctx: Ctx, t: Typed) -> Typed:
            if isinstance(t.dtype, T.StringType):
                t = _parse_ts(t, None) if ts_only else _parse_date(t, None)
            require(t, (T.DateType, T.TimestampType), name, '"DATE" or "TIMESTAMP"')
            if ts_only:
                t = cast_to(t, T.TimestampType())
            return Typed(per_partition(ctx, [t], lambda a: pc.cast(kernel(a), pa.int32()),
                                       T.IntegerType()), T.IntegerType(), t.nullable)
        return func(name, [col], impl)
    f.__name__ = name
    return f


year = _field("year", pc.year)
month = _field("month", pc.month)
dayofmonth = _field("dayofmonth", pc.day)
dayofweek = _field("dayofweek", lambda a: pc.day_of_week(a, count_from_zero=False, week_start=7))
dayofyear = _field("dayofyear", pc.day_of_year)
quarter = _field("quarter", pc.quarter)
weekofyear = _field("weekofyear", pc.iso_week)
hour = _field("hour", pc.hour, ts_only=True)
minute = _field("minute", pc.minute, ts_only=True)
second = _field("second", pc.second, ts_only=True)


def _strptime(a: pa.ChunkedArray, fmt: str | None, date_only: bool) -> pa.ChunkedArray:
    if fmt is None:
        text = pc.utf8_trim_whitespace(a)
        if date_only:
            text = pc.utf8_slice_codeunits(text, 0, 10)
            return pc.cast(pc.strptime(text, "%Y-%m-%d", "s", error_is_null=True), pa.date32())
        text = pc.replace_substring(text, "T", " ")
        out = []
        for v in text.to_pylist():
            try:
                out.append(None if v is None else _dt.datetime.fromisoformat(v))
            except ValueError:
                out.append(None)
        ts = pa.array([None if v is None else v.astimezone(_dt.timezone.utc).replace(tzinfo=None)
                       if v.tzinfo else v for v in out], pa.timestamp("us"))
        return pa.chunked_array([ts])
    parsed = pc.strptime(a, spark_to_strftime(fmt), "us", error_is_null=True)
    return pc.cast(parsed, pa.date32()) if date_only else parsed


def _parse_date(t: Typed, fmt: str | None) -> Typed:
    if t.is_scalar:
        if t.value is None:
            return Typed(None, T.DateType(), True)
        v = _strptime(pa.chunked_array([pa.array([t.value])]), fmt, True)[0].as_py()
        return Typed(v, T.DateType(), v is None)
    fn = ArrowKernel(lambda a: _strptime(a, fmt, True), [None], [0], pa.date32())
    return Typed(t.value.map_partitions(fn, meta=_meta(pa.date32())), T.DateType(), True)


def _parse_ts(t: Typed, fmt: str | None) -> Typed:
    if t.is_scalar:
        if t.value is None:
            return Typed(None, T.TimestampType(), True)
        v = _strptime(pa.chunked_array([pa.array([t.value])]), fmt, False)[0].as_py()
        return Typed(v, T.TimestampType(), v is None)
    fn = ArrowKernel(lambda a: _strptime(a, fmt, False), [None], [0], pa.timestamp("us"))
    return Typed(t.value.map_partitions(fn, meta=_meta(pa.timestamp("us"))), T.TimestampType(), True)


def _meta(t: pa.DataType) -> Any:
    import pandas as pd
    return pd.Series([], dtype=pd.ArrowDtype(t))


def to_date(col: Any, format: str | None = None) -> Column:
    def impl(ctx: Ctx, t: Typed) -> Typed:
        if isinstance(t.dtype, T.StringType):
            return _parse_date(t, format)
        require(t, (T.DateType, T.TimestampType), "to_date", '"STRING", "DATE" or "TIMESTAMP"')
        return cast_to(t, T.DateType()) if not isinstance(t.dtype, T.TimestampType) else \
            Typed(per_partition(ctx, [t], lambda a: pc.cast(a, pa.date32()), T.DateType()),
                  T.DateType(), t.nullable)
    e = col_expr(col)
    sql = f"to_date({e.sql()}{', ' + format if format else ''})"
    return func("to_date", [e], impl, sql=sql)


def to_timestamp(col: Any, format: str | None = None) -> Column:
    def impl(ctx: Ctx, t: Typed) -> Typed:
        if isinstance(t.dtype, T.StringType):
            from ._zones import Zones
            zones = Zones()
            parsed = _parse_ts(t, format)
            if zones.same or parsed.is_scalar:
                return parsed
            # the text is the session zone's wall-clock time: stored as its instant
            return Typed(per_partition(ctx, [parsed], rowwise(zones.session_to_stored,
                                                              pa.timestamp("us")), T.TimestampType()),
                         T.TimestampType(), True)
        return cast_to(t, T.TimestampType())
    e = col_expr(col)
    sql = f"to_timestamp({e.sql()}{', ' + format if format else ''})"
    return func("to_timestamp", [e], impl, sql=sql)


def _format_kernel(fmt: str) -> Any:
    code = spark_to_strftime(fmt)

    def k(a: pa.ChunkedArray) -> pa.ChunkedArray:
        if pa.types.is_date(a.type):
            a = pc.cast(a, pa.timestamp("s"))
        else:
            a = pc.cast(a, pa.timestamp("s"), safe=False)
        return pc.cast(pc.strftime(a, format=code), pa.large_string())
    return k


def date_format(date: Any, format: str) -> Column:
    kernel = _format_kernel(format)

    def impl(ctx: Ctx, t: Typed) -> Typed:
        if isinstance(t.dtype, T.StringType):
            t = _parse_ts(t, None)
        require(t, (T.DateType, T.TimestampType), "date_format", '"DATE" or "TIMESTAMP"')
        return Typed(per_partition(ctx, [t], kernel, T.StringType()), T.StringType(), t.nullable)
    e = col_expr(date)
    return func("date_format", [e], impl, sql=f"date_format({e.sql()}, {format})")


def _to_date(t: Typed) -> Typed:
    if isinstance(t.dtype, T.StringType):
        return _parse_date(t, None)
    if isinstance(t.dtype, T.TimestampType) and not t.is_scalar:
        return Typed(t.value.astype(T.to_dtype(T.DateType())), T.DateType(), t.nullable)
    return cast_to(t, T.DateType())


def _shift_days(name: str, sign: int) -> Any:
    def f(start: Any, days: Any) -> Column:
        d_expr = lit_expr(days) if not isinstance(days, str) else col_expr(days)

        def impl(ctx: Ctx, t: Typed, n: Typed) -> Typed:
            t = _to_date(t)
            require(t, (T.DateType,), name, '"DATE"')

            def k(a: Any, b: Any) -> pa.ChunkedArray:
                b = pa.scalar(int(b) * sign, pa.int32()) if isinstance(b, int) else \
                    pc.multiply(pc.cast(b, pa.int32()), sign)
                # int32 + (int32 * python int) is int64, which Arrow will not cast to a date
                return pc.cast(pc.cast(pc.add(pc.cast(a, pa.int32()), b), pa.int32()), pa.date32())
            if n.is_scalar and n.value is None:
                return Typed(None, T.DateType(), True)
            return Typed(per_partition(ctx, [t, n], k, T.DateType()), T.DateType(), True)
        e = col_expr(start)
        return func(name, [e, d_expr], impl, sql=f"{name}({e.sql()}, {d_expr.sql()})")
    f.__name__ = name
    return f


date_add = _shift_days("date_add", 1)
date_sub = _shift_days("date_sub", -1)


def _arg(c: Any) -> Any:
    return c._expr if isinstance(c, Column) else col_expr(c)


def datediff(end: Any, start: Any) -> Column:
    def impl(ctx: Ctx, a: Typed, b: Typed) -> Typed:
        a, b = _to_date(a), _to_date(b)

        def k(x: Any, y: Any) -> pa.ChunkedArray:
            x = pc.cast(x, pa.int32()) if not isinstance(x, _dt.date) else (x - _dt.date(1970, 1, 1)).days
            y = pc.cast(y, pa.int32()) if not isinstance(y, _dt.date) else (y - _dt.date(1970, 1, 1)).days
            return pc.subtract(x, y)
        return Typed(per_partition(ctx, [a, b], k, T.IntegerType()), T.IntegerType(), True)
    return func("datediff", [_arg(end), _arg(start)], impl)


def _months_between_rows(a: list, b: list, round_off: bool) -> list:
    import calendar
    out = []
    for x, y in zip(a, b):
        if x is None or y is None:
            out.append(None)
            continue
        x = x if isinstance(x, _dt.datetime) else _dt.datetime(x.year, x.month, x.day)
        y = y if isinstance(y, _dt.datetime) else _dt.datetime(y.year, y.month, y.day)
        months = (x.year - y.year) * 12 + (x.month - y.month)
        last_x = x.day == calendar.monthrange(x.year, x.month)[1]
        last_y = y.day == calendar.monthrange(y.year, y.month)[1]
        if x.day == y.day or (last_x and last_y):
            out.append(float(months))
            continue
        sec_x = (x.day - 1) * 86400 + x.hour * 3600 + x.minute * 60 + x.second
        sec_y = (y.day - 1) * 86400 + y.hour * 3600 + y.minute * 60 + y.second
        v = months + (sec_x - sec_y) / (31 * 86400)
        out.append(round(v, 8) if round_off else v)
    return out


def months_between(date1: Any, date2: Any, roundOff: bool = True) -> Column:
    def impl(ctx: Ctx, a: Typed, b: Typed) -> Typed:
        a = _as_timestamp(a) if isinstance(a.dtype, T.StringType) else a
        b = _as_timestamp(b) if isinstance(b.dtype, T.StringType) else b

        def k(x: Any, y: Any) -> pa.Array:
            n = len(x) if isinstance(x, pa.ChunkedArray) else len(y)
            xs = x.to_pylist() if isinstance(x, pa.ChunkedArray) else [x] * n
            ys = y.to_pylist() if isinstance(y, pa.ChunkedArray) else [y] * n
            return pa.array(_months_between_rows(xs, ys, roundOff), pa.float64())
        return Typed(per_partition(ctx, [a, b], k, T.DoubleType()), T.DoubleType(), True)
    e1, e2 = _arg(date1), _arg(date2)
    return func("months_between", [e1, e2], impl,
                sql=f"months_between({e1.sql()}, {e2.sql()}, {str(roundOff).lower()})")


def add_months(start: Any, months: Any) -> Column:
    import calendar
    m_expr = lit_expr(months) if not isinstance(months, str) else col_expr(months)

    def impl(ctx: Ctx, t: Typed, m: Typed) -> Typed:
        t = _to_date(t)

        def k(a: Any, n: Any) -> pa.Array:
            ds = a.to_pylist()
            ns = n.to_pylist() if isinstance(n, pa.ChunkedArray) else [n] * len(ds)
            out = []
            for d, k_ in zip(ds, ns):
                if d is None or k_ is None:
                    out.append(None)
                    continue
                total = d.year * 12 + d.month - 1 + int(k_)
                y, mo = divmod(total, 12)
                out.append(_dt.date(y, mo + 1, min(d.day, calendar.monthrange(y, mo + 1)[1])))
            return pa.array(out, pa.date32())
        return Typed(per_partition(ctx, [t, m], k, T.DateType()), T.DateType(), True)
    e = col_expr(start)
    return func("add_months", [e, m_expr], impl, sql=f"add_months({e.sql()}, {m_expr.sql()})")


def last_day(date: Any) -> Column:
    import calendar

    def impl(ctx: Ctx, t: Typed) -> Typed:
        t = _to_date(t)

        def k(a: Any) -> pa.Array:
            return pa.array([None if d is None else
                             _dt.date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
                             for d in a.to_pylist()], pa.date32())
        return Typed(per_partition(ctx, [t], k, T.DateType()), T.DateType(), t.nullable)
    return func("last_day", [date], impl)


def current_date() -> Column:
    """Today's date (UTC), fixed when the expression is built, as Spark fixes it per query."""
    return Column(Literal(_dt.datetime.now(_dt.timezone.utc).date(), T.DateType())).alias("current_date()")


def current_timestamp() -> Column:
    now = _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)
    return Column(Literal(now, T.TimestampType())).alias("current_timestamp()")


def from_unixtime(timestamp: Any, format: str = _DEFAULT_TS_FORMAT) -> Column:
    kernel = _format_kernel(format)

    def impl(ctx: Ctx, t: Typed) -> Typed:
        require(t, (T.IntegralType,), "from_unixtime", '"BIGINT"')
        from ._zones import Zones
        session = Zones().session  # the text is the session zone's wall-clock time

        def k(a: Any) -> pa.ChunkedArray:
            ts = pc.cast(pc.cast(a, pa.int64()), pa.timestamp("s"))
            if session is not _dt.timezone.utc:
                ts = pc.local_timestamp(pc.cast(pc.cast(ts, pa.timestamp("s", "UTC")),
                                                pa.timestamp("s", _zone_key(session))))
            return kernel(ts)
        return Typed(per_partition(ctx, [cast_to(t, T.LongType())], k, T.StringType()),
                     T.StringType(), True)
    e = col_expr(timestamp)
    return func("from_unixtime", [e], impl, sql=f"from_unixtime({e.sql()}, {format})")
