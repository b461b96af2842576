"""``CAST`` between Spark types, done with Arrow casts plus the few places Spark differs."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import types as T


def _arrow_partition(fn, arrow_t: pa.DataType):
    def apply(s: pd.Series) -> pd.Series:
        arr = pa.chunked_array(s.array._pa_array, type=s.dtype.pyarrow_dtype) if isinstance(s.dtype, pd.ArrowDtype) \
            else pa.chunked_array([pa.array(s, from_pandas=True)])
        out = fn(arr)
        return pd.Series(out, index=s.index, dtype=pd.ArrowDtype(arrow_t), name=s.name)
    return apply


def _to_string(arr: pa.ChunkedArray, src: T.DataType) -> pa.ChunkedArray:
    if isinstance(src, T.BooleanType):
        return pc.if_else(arr, "true", "false").cast(pa.large_string())
    if isinstance(src, (T.DoubleType, T.FloatType)):
        from .formatting import format_double
        vals = [None if v is None else format_double(v) for v in arr.to_pylist()]
        return pa.chunked_array([pa.array(vals, pa.large_string())])
    if isinstance(src, T.TimestampType):
        text = pc.strftime(arr, format="%Y-%m-%d %H:%M:%S")
        return text.cast(pa.large_string())
    return arr.cast(pa.large_string())


def _from_string(arr: pa.ChunkedArray, dst: T.DataType) -> pa.ChunkedArray:
    arr = pc.utf8_trim_whitespace(arr)
    target = T.to_arrow(dst)
    if isinstance(dst, T.BooleanType):
        low = pc.utf8_lower(arr)
        t = pc.is_in(low, pa.array(["true", "t", "yes", "y", "1"]))
        f = pc.is_in(low, pa.array(["false", "f", "no", "n", "0"]))
        return pc.if_else(t, True, pc.if_else(f, False, pa.scalar(None, pa.bool_())))
    if isinstance(dst, T.IntegralType):
        # Spark (non-ANSI) gives null for text that is not a number; "1.5" truncates to 1
        as_f = _safe(arr, pa.float64())
        return pc.cast(pc.trunc(as_f), target, safe=False)
    if isinstance(dst, (T.DateType, T.TimestampType)):
        # the strict ISO form casts natively; anything else ("2024-1-5", "2024-01-15 junk")
        # goes through Spark's lenient parser value by value
        from .coercion import parse_date, parse_timestamp
        parse = parse_date if isinstance(dst, T.DateType) else parse_timestamp
        try:
            if isinstance(dst, T.DateType):
                ok = pc.all(pc.match_substring_regex(arr, r"^\d{4}-\d{2}-\d{2}$")).as_py()
                if ok is not False:
                    return arr.cast(target)
            else:
                return arr.cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        return pa.chunked_array([pa.array([None if v is None else parse(v) for v in arr.to_pylist()],
                                          target)])
    return _safe(arr, target)


def _safe(arr: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray:
    try:
        return arr.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        out = []
        for v in arr.to_pylist():
            try:
                out.append(pa.scalar(v).cast(target).as_py() if v is not None else None)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                out.append(None)
        return pa.chunked_array([pa.array(out, target)])


def _double_to_integral(a: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray:
    """Spark's non-ANSI double -> integer cast: truncate, NaN -> 0, saturate at the type's limits."""
    import numpy as np
    info = np.iinfo(target.to_pandas_dtype())
    a = pc.if_else(pc.is_nan(a), 0.0, a)
    a = pc.max_element_wise(pc.min_element_wise(pc.trunc(a), float(info.max), skip_nulls=False),
                            float(info.min), skip_nulls=False)
    return pc.cast(a, target, safe=False)


def cast_series(s: Any, src: T.DataType, dst: T.DataType) -> Any:
    """``s`` (a dask Series of Spark type ``src``) cast to ``dst``.

    Plain numeric and date/time widenings are native ``astype`` calls; casts where Spark's
    result differs from Arrow's (to and from strings, doubles to integers) run per partition.
    """
    target = T.to_arrow(dst)
    dtype = pd.ArrowDtype(target)
    if isinstance(dst, T.StringType):
        fn = lambda a: _to_string(a, src)  # noqa: E731
    elif isinstance(src, T.StringType):
        fn = lambda a: _from_string(a, dst)  # noqa: E731
    elif isinstance(src, (T.DoubleType, T.FloatType)) and isinstance(dst, T.IntegralType):
        fn = lambda a: _double_to_integral(a, target)  # noqa: E731
    elif isinstance(dst, T.BooleanType) and isinstance(src, T.NumericType):
        fn = lambda a: pc.not_equal(a, 0)  # noqa: E731
    elif isinstance(src, T.BooleanType) and isinstance(dst, T.NumericType):
        fn = lambda a: a.cast(pa.int8()).cast(target)  # noqa: E731
    elif isinstance(src, T.TimestampType) and isinstance(dst, T.LongType):
        fn = lambda a: pc.divide(a.cast(pa.int64()), 1_000_000)  # noqa: E731
    elif isinstance(src, T.NullType):
        fn = lambda a: pa.nulls(len(a), target)  # noqa: E731
    else:
        return s.astype(dtype)
    return s.map_partitions(_arrow_partition(fn, target), meta=pd.Series([], dtype=dtype, name=s.name))
