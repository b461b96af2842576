"""``CAST`` between Spark types, done with Arrow casts plus the few places Spark differs."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import types as T


def variant_operand(ctx: Any, t: Any, to: T.DataType) -> Any:
    """A literal cast to or from VARIANT, as a column (see ``variant_cast``)."""
    from .variant_cast import variant_operand as operand
    return operand(ctx, t, to)


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
        return _string_to_integral(arr, target)
    if isinstance(dst, (T.DateType, T.TimestampType)):
        # the strict ISO form casts natively; anything else ("2024-1-5", "2024-01-15 junk")
        # goes through Spark's lenient parser value by value
        from .lenient_dates import parse_date, parse_timestamp
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


# Spark's integral text: optional sign, ASCII digits, optionally a '.' and more digits (the
# fraction is dropped). No exponent, no hex, no digit-less sign; "." and "-." are 0.
_INTEGRAL_TEXT = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]*)$"


def _string_to_integral(arr: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray:
    """Spark's non-ANSI string -> byte/short/int/long cast: text that is not an integral
    number, or whose value is outside the target's range, is null (never wrapped or clamped).

    The integer part is parsed exactly as a decimal(20, 0) (any in-range long has at most 19
    digits once leading zeros go), so no value passes through a double on the way."""
    import numpy as np
    info = np.iinfo(target.to_pandas_dtype())
    ok = pc.match_substring_regex(arr, _INTEGRAL_TEXT)
    whole = pc.replace_substring_regex(arr, r"\..*$", "")
    negative = pc.starts_with(whole, "-")
    digits = pc.utf8_ltrim(pc.replace_substring_regex(whole, r"^[+-]", ""), "0")
    fits = pc.less_equal(pc.utf8_length(digits), 19)
    ok = pc.and_kleene(ok, fits)
    digits = pc.if_else(pc.and_kleene(ok, pc.greater(pc.utf8_length(digits), 0)), digits, "0")
    dec_t = pa.decimal128(20, 0)
    magnitude = pc.cast(digits, dec_t)
    value = pc.if_else(negative, pc.negate(magnitude), magnitude)
    in_range = pc.and_kleene(pc.greater_equal(value, pa.scalar(int(info.min), dec_t)),
                             pc.less_equal(value, pa.scalar(int(info.max), dec_t)))
    keep = pc.and_kleene(ok, in_range)
    return pc.cast(pc.if_else(keep, value, pa.scalar(None, dec_t)), target)


def _double_to_integral(a: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray:
    """Spark's non-ANSI double -> integer cast: truncate, NaN -> 0, saturate at the limits of
    int (for byte, short and int) or long; byte and short then wrap from that int, as Spark
    narrows through int (300.0 -> byte 44, 1e10 -> byte -1)."""
    import numpy as np
    via = target if target == pa.int64() else pa.int32()
    info = np.iinfo(via.to_pandas_dtype())
    a = pc.trunc(pc.if_else(pc.is_nan(a), 0.0, a))
    # a double cannot hold long's max (2**63 - 1 rounds up to 2**63): compare, don't clamp
    too_big = pc.greater_equal(a, float(info.max) + 1.0)
    a = pc.max_element_wise(pc.min_element_wise(a, float(info.max), skip_nulls=False),
                            float(info.min), skip_nulls=False)
    a = pc.if_else(too_big, pa.scalar(int(info.max), via),
                   pc.cast(pc.if_else(too_big, 0.0, a), via, safe=False))
    return pc.cast(a, target, safe=False)


_DECIMAL_TEXT = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def _to_decimal(arr: pa.ChunkedArray, src: T.DataType, dst: T.DecimalType) -> pa.ChunkedArray:
    """Spark's non-ANSI cast to ``decimal(p, s)``: rounded half up (away from zero) to the
    scale, null where the value does not fit the precision, and null for NaN, infinities and
    text that is not a number."""
    import decimal as _dec
    from . import decimals as D
    if isinstance(src, T.DecimalType):
        if dst.scale >= src.scale and dst.precision - dst.scale >= src.precision - src.scale:
            return arr.cast(T.to_arrow(dst))  # a widening: exact, nothing to round or check
        return D.fit(arr.cast(pa.decimal256(src.precision, src.scale)), dst)
    if isinstance(src, (T.IntegralType, T.BooleanType)):
        return D.fit(arr.cast(pa.int64()).cast(pa.decimal256(20, 0)), dst)
    if isinstance(src, T.StringType):
        arr = pc.utf8_trim_whitespace(arr)
        ok = pc.match_substring_regex(arr, _DECIMAL_TEXT)
        values = [v if good else None for v, good in zip(arr.to_pylist(), ok.to_pylist())]
    else:  # doubles and floats: their shortest decimal text, as Spark's Decimal(double)
        values = [None if v is None or v != v or v in (float("inf"), float("-inf")) else repr(v)
                  for v in arr.to_pylist()]
    ctx = _dec.Context(prec=100, rounding=_dec.ROUND_HALF_UP)
    quantum = _dec.Decimal(1).scaleb(-dst.scale)
    limit = _dec.Decimal(10) ** (dst.precision - dst.scale)
    out = []
    for v in values:
        q = None if v is None else _dec.Decimal(v).quantize(quantum, context=ctx)
        out.append(q if q is not None and abs(q) < limit else None)
    return pa.chunked_array([pa.array(out, pa.decimal128(dst.precision, dst.scale))])


def _from_decimal(arr: pa.ChunkedArray, dst: T.DataType) -> pa.ChunkedArray:
    """Decimal to a double (correctly rounded, as Java's BigDecimal does) or to an integral
    type (truncated, then wrapped from a long, as Spark's non-ANSI cast).

    Up to 15 digits the unscaled integer and the power of ten are exact doubles, so one IEEE
    division rounds correctly (TPC-H's decimal(15,2) takes this path); wider values go through
    their text, which Arrow parses correctly rounded. Arrow's own decimal -> double cast is not
    correctly rounded (3.3 became 3.3000000000000003)."""
    if isinstance(dst, (T.DoubleType, T.FloatType)):
        t = arr.type
        if t.precision <= 15:
            shifted = arr if t.scale == 0 else \
                pc.multiply(arr, pa.scalar(10 ** t.scale, pa.decimal128(t.scale + 1, 0)))
            unscaled = pc.cast(pc.cast(shifted, pa.int64()), pa.float64())
            as_double = pc.divide(unscaled, float(10 ** t.scale))
            return as_double.cast(T.to_arrow(dst))
        return pc.cast(pc.cast(arr, pa.large_string()), T.to_arrow(dst))
    t = arr.type
    whole = pc.cast(arr.cast(pa.decimal256(t.precision, t.scale)), pa.decimal256(76, 0), safe=False)
    as_long = pc.cast(whole, pa.int64(), safe=False)
    return pc.cast(as_long, T.to_arrow(dst), safe=False)


def _kernel(src: T.DataType, dst: T.DataType):
    """The Arrow function casting ``src`` to ``dst`` where Spark's result differs from a plain
    Arrow/pandas conversion; None where ``astype`` is right."""
    if isinstance(src, T.VariantType) or isinstance(dst, T.VariantType):
        from .variant_cast import cast_kernel
        return cast_kernel(src, dst)
    target = T.to_arrow(dst)
    if isinstance(dst, T.DecimalType) and isinstance(src, (T.NumericType, T.StringType,
                                                            T.BooleanType)):
        return lambda a: _to_decimal(a, src, dst)
    if isinstance(src, T.DecimalType) and isinstance(dst, (T.IntegralType, T.DoubleType,
                                                            T.FloatType)):
        return lambda a: _from_decimal(a, dst)
    if isinstance(dst, T.StringType):
        return lambda a: _to_string(a, src)
    if isinstance(src, T.ArrayType) and isinstance(dst, T.ArrayType):
        inner = _kernel(src.elementType, dst.elementType)
        return None if inner is None else (lambda a: _cast_elements(a, inner, target))
    if isinstance(src, T.StringType):
        return lambda a: _from_string(a, dst)
    if isinstance(src, (T.DoubleType, T.FloatType)) and isinstance(dst, T.IntegralType):
        return lambda a: _double_to_integral(a, target)
    if isinstance(src, T.IntegralType) and isinstance(dst, T.IntegralType):
        # narrowing wraps (two's complement), as Spark's non-ANSI long -> int does
        return lambda a: a.cast(target, safe=False)
    if isinstance(dst, T.BooleanType) and isinstance(src, T.NumericType):
        return lambda a: pc.not_equal(a, 0)
    if isinstance(src, T.BooleanType) and isinstance(dst, T.NumericType):
        return lambda a: a.cast(pa.int8()).cast(target)
    if isinstance(src, T.TimestampType) and isinstance(dst, T.LongType):
        return lambda a: pc.divide(a.cast(pa.int64()), 1_000_000)
    if isinstance(src, T.NullType):
        return lambda a: pa.nulls(len(a), target)
    return None


def _cast_elements(a: Any, inner: Any, target: pa.DataType) -> pa.Array:
    """An array column whose elements went through ``inner`` (Spark's element cast)."""
    a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
    values = inner(pa.chunked_array([a.values]))
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    offsets = a.offsets.cast(pa.int64())
    out = pa.LargeListArray.from_arrays(offsets, values, mask=a.is_null())
    return out.cast(target)


def cast_value(v: Any, src: T.DataType, dst: T.DataType) -> Any:
    """A Python value (a literal) of type ``src`` cast to ``dst`` by the same rules as a
    column; None if those rules are the plain Python conversion."""
    fn = _kernel(src, dst)
    if fn is None or v is None:
        return None
    arr = pa.chunked_array([pa.array([v], T.to_arrow(src))])
    out = fn(arr)
    return out[0].as_py() if len(out) else None


def cast_series(s: Any, src: T.DataType, dst: T.DataType) -> Any:
    """``s`` (a dask Series of Spark type ``src``) cast to ``dst``.

    Plain numeric and date/time widenings are native ``astype`` calls; casts where Spark's
    result differs from Arrow's (to and from strings and decimals, doubles to integers,
    integral narrowing) run per partition.
    """
    target = T.to_arrow(dst)
    dtype = pd.ArrowDtype(target)
    fn = _kernel(src, dst)
    if fn is None:
        return s.astype(dtype)
    return s.map_partitions(_arrow_partition(fn, target), meta=pd.Series([], dtype=dtype, name=s.name))
