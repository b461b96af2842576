"""Functions that move timestamps between zones or read them in the session zone:
``from_utc_timestamp``, ``to_utc_timestamp``, ``convert_timezone``, ``to_timestamp_ltz``,
``to_timestamp_ntz``, ``try_to_timestamp``, ``try_to_date``, ``to_unix_timestamp`` and
``localtimestamp``.

Each computes per row in Python with ``zoneinfo`` (zone rules change rarely but per instant, and
Arrow's zone kernels resolve DST gaps differently from java.time). The zones are read when the
expression compiles (see ``_zones``); the values a row works with are wall-clock times in the
session zone, as Spark's are.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable

from .. import types as T
from ..column import Column, Ctx, Expr, Literal, Typed
from ..kernels import per_partition, rowwise
from ..lenient_dates import parse_date, parse_timestamp
from ._common import col_expr, func, lit_expr, renamed
from ._dates import spark_to_strftime
from ._zones import Zones, as_datetime, utc_to_wall, wall_to_utc, zone

__all__ = ["from_utc_timestamp", "to_utc_timestamp", "convert_timezone", "to_timestamp_ltz",
           "to_timestamp_ntz", "try_to_timestamp", "try_to_date", "to_unix_timestamp",
           "localtimestamp", "unix_timestamp"]

_TS, _NTZ, _D, _S = T.TimestampType(), T.TimestampNTZType(), T.DateType(), T.StringType()
_DEFAULT_FORMAT = "yyyy-MM-dd HH:mm:ss"


def text_parser(fmt: str | None, date_only: bool = False) -> Callable[[str], Any]:
    """A per-row parser of strings: Spark's lenient cast without a format, the pattern with one;
    text that does not parse gives None (Spark's non-ANSI null)."""
    if fmt is None:
        return parse_date if date_only else parse_timestamp
    code = spark_to_strftime(fmt)

    def parse(text: str) -> Any:
        try:
            v = _dt.datetime.strptime(text.strip(), code)
        except ValueError:
            return None
        return v.date() if date_only else v
    return parse


def wall_reader(dtype: T.DataType, zones: Zones, fmt: str | None, fname: str,
                ltz: bool = True) -> Callable[[Any], Any]:
    """How a value of ``dtype`` reads as the session's wall-clock time (a naive datetime).
    ``ltz``: the function takes a TIMESTAMP, so text and dates become instants of the session
    zone first (a time in a DST gap moves forward, as Spark's cast moves it); otherwise they
    are TIMESTAMP_NTZ wall-clock times as written."""
    if isinstance(dtype, (T.StringType, T.DateType)):
        parse = text_parser(fmt) if isinstance(dtype, T.StringType) else as_datetime
        if not ltz or zones.session in (_dt.timezone.utc,):
            return parse
        return lambda v: _through(parse(v), zones.session)
    if isinstance(dtype, T.TimestampNTZType):
        return lambda v: v
    if isinstance(dtype, T.TimestampType):
        return zones.stored_to_session
    if isinstance(dtype, T.NullType):
        return lambda v: None
    from ..errors import AnalysisException
    raise AnalysisException(
        f"[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] {fname}: the timestamp argument must be a "
        f"STRING, DATE, TIMESTAMP or TIMESTAMP_NTZ, got {dtype.simpleString().upper()}.",
        "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")


def _through(w: Any, z: Any) -> Any:
    return None if w is None else utc_to_wall(wall_to_utc(w, z), z)


def rows(ctx: Ctx, ts: list[Typed], fn: Callable[..., Any], out: T.DataType) -> Typed:
    """``fn`` per row over the compiled arguments (null in, null out is ``fn``'s own choice)."""
    if all(t.is_scalar for t in ts):
        ts = [Typed(ctx.broadcast(ts[0]), ts[0].dtype, ts[0].nullable)] + list(ts[1:])
    return Typed(per_partition(ctx, ts, rowwise(fn, T.to_arrow(out)), out), out, True)


def _literal_text(e: Expr, what: str) -> str | None:
    """A format or zone given as a literal (a Python str, or ``lit(...)``) as its text."""
    if isinstance(e, Literal):
        return e.value
    raise ValueError(f"{what} must be a literal string here, got the expression {e.sql()}")


def _zone_arg(tz: Any) -> Expr:
    return lit_expr(tz) if not isinstance(tz, Column) else tz._expr


def instant_reader(dtype: T.DataType, zones: Zones, fname: str) -> Callable[[Any], Any]:
    """How a value of ``dtype`` reads as a UTC instant (a naive datetime): a stored timestamp
    through the process zone, text, dates and TIMESTAMP_NTZ as session wall-clock time."""
    if isinstance(dtype, T.TimestampType):
        return zones.stored_to_utc
    read = wall_reader(dtype, zones, None, fname, ltz=False)
    return lambda v: wall_to_utc(read(v), zones.session)


def _shift(name: str, to_utc: bool) -> Callable[[Any, Any], Column]:
    def f(timestamp: Any, tz: Any) -> Column:
        def impl(ctx: Ctx, t: Typed, z: Typed) -> Typed:
            zones = Zones()
            read = instant_reader(t.dtype, zones, name)

            def one(v: Any, zname: Any) -> Any:
                u = read(v) if v is not None else None
                if u is None or zname is None:
                    return None
                target = zone(zname, f"{name}: tz")
                # the instant's UTC wall-clock time, moved as wall-clock time: the session zone
                # plays no part for a TIMESTAMP (Spark shifts the instant itself)
                moved = wall_to_utc(u, target) if to_utc else utc_to_wall(u, target)
                return zones.utc_to_stored(moved)
            return rows(ctx, [t, z], one, _TS)
        e, z = col_expr(timestamp), _zone_arg(tz)
        return func(name, [e, z], impl)
    f.__name__ = name
    f.__doc__ = (f"The instant's UTC wall-clock time read as wall-clock time in "
                 f"{'``tz``' if to_utc else 'UTC'} and shown in {'UTC' if to_utc else '``tz``'}: "
                 f"a shift by the zone's offset, as Spark's.")
    return f


from_utc_timestamp = _shift("from_utc_timestamp", False)
to_utc_timestamp = _shift("to_utc_timestamp", True)


def convert_timezone(sourceTz: Any, targetTz: Any, sourceTs: Any = None) -> Column:  # noqa: N803
    """The wall-clock time ``sourceTs`` (read in ``sourceTz``, the session zone when None) as
    wall-clock time in ``targetTz``, a TIMESTAMP_NTZ. Two arguments are SQL's form
    ``convert_timezone(targetTz, sourceTs)``."""
    if sourceTs is None:
        sourceTz, targetTz, sourceTs = None, sourceTz, targetTz
    src = None if sourceTz is None else _zone_arg(sourceTz)
    tgt, e = _zone_arg(targetTz), col_expr(sourceTs)

    def impl(ctx: Ctx, t: Typed, target: Typed, *source: Typed) -> Typed:
        zones = Zones()
        read = wall_reader(t.dtype, zones, None, "convert_timezone", ltz=False)
        if source:
            args = [t, target, source[0]]
        else:
            args = [t, target, Typed(zones.session_name, _S, False)]

        def one(v: Any, tname: Any, sname: Any) -> Any:
            w = read(v) if v is not None else None
            if w is None or tname is None or sname is None:
                return None
            u = wall_to_utc(w, zone(sname, "convert_timezone: sourceTz"))
            return utc_to_wall(u, zone(tname, "convert_timezone: targetTz"))
        return rows(ctx, args, one, _NTZ)
    shown = src.sql() if src is not None else "current_timezone()"
    sql = f"convert_timezone({shown}, {tgt.sql()}, {e.sql()})"
    return func("convert_timezone", [e, tgt] + ([src] if src is not None else []), impl, sql=sql)


def _parse_fn(name: str, out: T.DataType, fmt_shown: bool = False) -> Callable[..., Column]:
    """``to_timestamp_ltz``/``to_timestamp_ntz``/``try_to_timestamp``/``to_unix_timestamp``:
    text (with an optional pattern: a literal, or a column giving each row's pattern), dates
    and timestamps as ``out``. A ``format`` given as a str names a column, as in PySpark."""
    def f(timestamp: Any, format: Any = None) -> Column:  # noqa: A002 - Spark's name
        fe = None if format is None else col_expr(format)
        fmt = fe.value if isinstance(fe, Literal) else None
        per_row = fe is not None and not isinstance(fe, Literal)
        e = col_expr(timestamp)

        def impl(ctx: Ctx, t: Typed, *fmt_col: Typed) -> Typed:
            zones = Zones()
            ltz = not isinstance(out, T.TimestampNTZType)
            readers: dict = {}

            def reader(pattern: Any) -> Callable[[Any], Any]:
                if pattern not in readers:
                    readers[pattern] = wall_reader(t.dtype, zones, pattern, name, ltz=ltz)
                return readers[pattern]

            def convert(v: Any, pattern: Any) -> Any:
                if isinstance(out, T.TimestampType) and isinstance(t.dtype, T.TimestampType):
                    return v
                w = reader(pattern)(v)
                if w is None or isinstance(out, T.TimestampNTZType):
                    return w
                if isinstance(out, T.LongType):
                    d = wall_to_utc(w, zones.session) - _dt.datetime(1970, 1, 1)
                    micros = (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds
                    # Spark divides the microseconds truncating toward zero (-0.5 s is 0)
                    return abs(micros) // 1_000_000 * (1 if micros >= 0 else -1)
                return zones.session_to_stored(w)
            if fmt_col:
                return rows(ctx, [t, fmt_col[0]], lambda v, p: None if v is None or p is None
                            else convert(v, p), out)
            return rows(ctx, [t], lambda v: None if v is None else convert(v, fmt), out)
        shown_fmt = fe.sql() if fe is not None else (_DEFAULT_FORMAT if fmt_shown else None)
        sql = f"{name}({e.sql()}{'' if shown_fmt is None else ', ' + shown_fmt})"
        return func(name, [e] + ([fe] if per_row else []), impl, sql=sql)
    f.__name__ = name
    return f


to_timestamp_ltz = _parse_fn("to_timestamp_ltz", _TS)
to_timestamp_ntz = _parse_fn("to_timestamp_ntz", _NTZ)
try_to_timestamp = _parse_fn("try_to_timestamp", _TS)
to_unix_timestamp = _parse_fn("to_unix_timestamp", T.LongType(), fmt_shown=True)


def try_to_date(col: Any, format: str | None = None) -> Column:  # noqa: A002 - Spark's name
    """The date of ``col`` (text, with an optional pattern; a timestamp's date in the session
    zone); null when the text does not parse."""
    fmt = None if format is None else _literal_text(lit_expr(format), "try_to_date: format")
    e = col_expr(col)

    def impl(ctx: Ctx, t: Typed) -> Typed:
        if isinstance(t.dtype, T.StringType):
            parse = text_parser(fmt, date_only=True)
            return rows(ctx, [t], lambda v: None if v is None else parse(v), _D)
        read = wall_reader(t.dtype, Zones(), None, "try_to_date")
        return rows(ctx, [t], lambda v: None if v is None else read(v).date(), _D)
    sql = f"try_to_date({e.sql()}{'' if fmt is None else ', ' + fmt})"
    return func("try_to_date", [e], impl, sql=sql)


def localtimestamp() -> Column:
    """The session zone's wall-clock time now, a TIMESTAMP_NTZ (fixed when the expression is
    built, as Spark fixes it per query)."""
    zones = Zones()
    now = utc_to_wall(_dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None), zones.session)
    return Column(Literal(now, _NTZ)).alias("localtimestamp()")


def unix_timestamp(timestamp: Any = None, format: str = _DEFAULT_FORMAT) -> Column:  # noqa: A002
    """Seconds since the epoch of ``timestamp`` (text read with ``format`` in the session zone),
    or of now when no column is given."""
    if timestamp is None:
        now = int(_dt.datetime.now(_dt.timezone.utc).timestamp())
        return Column(Literal(now, T.LongType())).alias(f"unix_timestamp(current_timestamp(), {format})")
    e = col_expr(timestamp)
    return renamed(to_unix_timestamp(timestamp, Column(Literal(format))),
                   f"unix_timestamp({e.sql()}, {format})")
