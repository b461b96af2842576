"""Event-time windows: ``window`` (tumbling: the ``struct<start, end>`` a timestamp falls in,
usable in ``groupBy``) and ``window_time`` (a window's last microsecond); the partition
transforms ``years``/``months``/``days``/``hours``/``bucket``, which only mean something to a
table writer's ``partitionedBy``.

Window bounds are computed on the instant (microseconds since the epoch, UTC), so they do not
move with the session zone, as in Spark; ``startTime`` shifts them.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import pyarrow as pa

from .. import types as T
from ..column import Column, Ctx, Expr, Func, Typed
from ..errors import AnalysisException
from ..kernels import per_partition
from ._common import col_expr, func
from ._zones import Zones

__all__ = ["window", "window_time", "years", "months", "days", "hours", "bucket"]

_UNIT_MICROS = {"microsecond": 1, "millisecond": 1000, "second": 1_000_000,
                "minute": 60_000_000, "hour": 3_600_000_000, "day": 86_400_000_000,
                "week": 7 * 86_400_000_000}
_PART = re.compile(r"\s*([+-]?\d+(?:\.\d+)?)\s*([a-z]+)", re.I)
_EPOCH = _dt.datetime(1970, 1, 1)


def duration_micros(text: Any, what: str) -> int:
    """An interval string (``'10 minutes'``, ``'1 hour 30 minutes'``, ``'interval 2 days'``) as
    microseconds; months and years are refused (their length varies), as Spark refuses them."""
    if isinstance(text, Column) and isinstance(getattr(text._expr, "value", None), str):
        text = text._expr.value  # a literal column (SQL text passes its arguments so)
    if not isinstance(text, str):
        raise TypeError(f"window: {what} must be an interval string such as '10 minutes', got "
                        f"{type(text).__name__}: {text!r}")
    body = re.sub(r"^\s*interval\s+", "", text.strip(), flags=re.I)
    total, pos = 0, 0
    for m in _PART.finditer(body):
        if body[pos:m.start()].strip():
            break
        unit = m.group(2).lower().rstrip("s") if m.group(2).lower() != "s" else "second"
        if unit in ("month", "year"):
            raise AnalysisException(f"window: {what} {text!r}: intervals of months or years are "
                                    f"not supported (their length varies).", "INVALID_INTERVAL")
        if unit not in _UNIT_MICROS:
            break
        total += int(float(m.group(1)) * _UNIT_MICROS[unit])
        pos = m.end()
    if pos == 0 or body[pos:].strip():
        raise AnalysisException(f"window: {what} {text!r} is not an interval such as "
                                f"'10 minutes' or '1 hour 30 minutes'.", "INVALID_INTERVAL")
    return total


def _window_type(ts: T.DataType) -> T.StructType:
    return T.StructType([T.StructField("start", ts, True), T.StructField("end", ts, True)])


def window(timeColumn: Any, windowDuration: str, slideDuration: str | None = None,  # noqa: N803
           startTime: str | None = None) -> Column:
    """The tumbling window ``timeColumn`` falls in, as ``struct<start, end>`` named ``window``.
    Windows start at multiples of ``windowDuration`` from the epoch, shifted by ``startTime``.
    Sliding windows (``slideDuration`` shorter than the window) put a row in several windows;
    dfml does not produce those yet and says so."""
    size = duration_micros(windowDuration, "windowDuration")
    slide = size if slideDuration is None else duration_micros(slideDuration, "slideDuration")
    start = 0 if startTime is None else duration_micros(startTime, "startTime")
    if size <= 0 or slide <= 0:
        raise AnalysisException(f"window: the duration must be positive, got {windowDuration!r}"
                                f"{'' if slideDuration is None else ' / ' + repr(slideDuration)}.",
                                "INVALID_INTERVAL")
    if slide != size:
        raise AnalysisException(
            "[UNSUPPORTED_FEATURE] window(): sliding windows (slideDuration different from "
            "windowDuration) are not supported by dfml yet; use a tumbling window.",
            "UNSUPPORTED_FEATURE")
    if abs(start) >= slide:
        raise AnalysisException(f"window: startTime {startTime!r} must be shorter than the "
                                f"slide duration.", "INVALID_INTERVAL")

    def impl(ctx: Ctx, t: Typed) -> Typed:
        if isinstance(t.dtype, T.StringType):
            from ._zoned import to_timestamp_ltz
            raise AnalysisException(
                f"window: the time column must be a TIMESTAMP or TIMESTAMP_NTZ, got STRING "
                f"(convert it first, e.g. with {to_timestamp_ltz.__name__}).",
                "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
        if not isinstance(t.dtype, (T.TimestampType, T.TimestampNTZType, T.DateType)):
            raise AnalysisException(
                f"[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] window: the time column must be a "
                f"TIMESTAMP or TIMESTAMP_NTZ, got {t.dtype.simpleString().upper()}.",
                "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
        ntz = isinstance(t.dtype, T.TimestampNTZType)
        out_ts = T.TimestampNTZType() if ntz else T.TimestampType()
        zones = Zones()
        zone_free = ntz or zones.process.utcoffset(_EPOCH) == _dt.timedelta(0) and \
            zones.process_name.upper() in ("UTC", "ETC/UTC", "GMT", "Z", "ETC/GMT")
        out = _window_type(out_ts)

        def k(a: Any) -> pa.Array:
            vals = a.to_pylist()
            starts, ends = [], []
            for v in vals:
                if v is None:
                    starts.append(None)
                    ends.append(None)
                    continue
                if not isinstance(v, _dt.datetime):
                    v = _dt.datetime(v.year, v.month, v.day)
                u = v if zone_free else zones.stored_to_utc(v)
                d = u - _EPOCH
                micros = (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds
                lo = micros - (micros - start) % slide
                s_, e_ = _EPOCH + _dt.timedelta(microseconds=lo), \
                    _EPOCH + _dt.timedelta(microseconds=lo + size)
                starts.append(s_ if zone_free else zones.utc_to_stored(s_))
                ends.append(e_ if zone_free else zones.utc_to_stored(e_))
            ts_t = pa.timestamp("us")
            mask = pa.array([v is None for v in vals], pa.bool_())
            return pa.StructArray.from_arrays([pa.array(starts, ts_t), pa.array(ends, ts_t)],
                                              names=["start", "end"], mask=mask)
        if t.is_scalar:
            t = Typed(ctx.broadcast(t), t.dtype, t.nullable)
        return Typed(per_partition(ctx, [t], k, out), out, True)
    # Spark computes window() under a filter of its time column being non-null, so an
    # operator that computes it loses the rows without an event time (dfml.sql.analysis)
    out = func("window", [col_expr(timeColumn)], impl, sql="window")
    out._expr.drops_null_input = True
    return out


def window_time(windowColumn: Any) -> Column:  # noqa: N803
    """The last instant of a window (its end minus one microsecond): the event time of a row
    aggregated over that window."""
    e = col_expr(windowColumn)

    def impl(ctx: Ctx, w: Typed) -> Typed:
        dtype = w.dtype
        names = [f.name for f in dtype.fields] if isinstance(dtype, T.StructType) else []
        if names != ["start", "end"]:
            raise AnalysisException(
                f"[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] window_time: {e.sql()} must be a "
                f"window column (struct<start, end>), got {dtype.simpleString()}.",
                "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
        out = dtype.fields[1].dataType

        def k(a: Any) -> Any:
            import pyarrow.compute as pc
            end = pc.struct_field(a, [1])
            return pc.cast(pc.subtract(pc.cast(end, pa.int64()), 1), pa.timestamp("us"))
        return Typed(per_partition(ctx, [w], k, out), out, True)
    return func("window_time", [e], impl)


def _transform(name: str, args: list[Expr], sql: str) -> Column:
    def impl(ctx: Ctx, *_: Typed) -> Typed:
        raise AnalysisException(
            f"[PARTITION_TRANSFORM_EXPRESSION_NOT_IN_PARTITIONED_BY] The expression {sql} must "
            f"be inside 'partitionedBy'. SQLSTATE: 42S23",
            "PARTITION_TRANSFORM_EXPRESSION_NOT_IN_PARTITIONED_BY")
    return Column(Func(name, args, impl, sql=sql))


def _partition_fn(name: str) -> Any:
    def f(col: Any) -> Column:
        e = col_expr(col)
        return _transform(name, [e], f"{name}({e.sql()})")
    f.__name__ = name
    f.__doc__ = (f"A partition transform (the {name} of a date or timestamp) for a table "
                 f"writer's ``partitionedBy``; it has no value anywhere else.")
    return f


years = _partition_fn("years")
months = _partition_fn("months")
days = _partition_fn("days")
hours = _partition_fn("hours")


def bucket(numBuckets: Any, col: Any) -> Column:  # noqa: N803
    """A partition transform (a hash bucket of ``col``) for a table writer's ``partitionedBy``;
    it has no value anywhere else."""
    from ..column import Literal
    if isinstance(numBuckets, Column):
        n = numBuckets._expr
    elif isinstance(numBuckets, int) and not isinstance(numBuckets, bool):
        n = Literal(numBuckets)
    else:
        raise TypeError(f"bucket: numBuckets must be an int or a Column, got "
                        f"{type(numBuckets).__name__}: {numBuckets!r}")
    e = col_expr(col)
    return _transform("bucket", [n, e], f"bucket({n.sql()}, {e.sql()})")
