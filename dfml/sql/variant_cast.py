"""Casts between variants and Spark types, value by value.

``to_spark`` is the cast ``variant_get`` applies to the value it found (Spark's rules: numbers
convert when they fit, integers truncate decimals and doubles, strings parse strictly, objects
and arrays turn into structs, maps and arrays; anything else is ``INVALID_VARIANT_CAST``).
``from_spark`` turns a value of a Spark type into a variant value (``to_variant_object``, the
values given to ``variant_insert``/``variant_set``/``variant_array_append``).
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import re
from typing import Any

from . import types as T
from .variant_codec import Float32, VariantError, decode, encode
from .variant_text import scalar_text, to_json

_INT_RANGE = {T.ByteType: 8, T.ShortType: 16, T.IntegerType: 32, T.LongType: 64}
_INT_TEXT = re.compile(r"[+-]?\d+$")
_NUM_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_TRUE = {"t", "true", "y", "yes", "1"}
_FALSE = {"f", "false", "n", "no", "0"}


class _Fail(Exception):
    """The cast of some value does not fit its target type."""


def type_label(dt: T.DataType) -> str:
    """A type as Spark's cast errors quote it (``"INT"``, ``"DECIMAL(5,2)"``)."""
    if isinstance(dt, T.ArrayType):
        return f"ARRAY<{type_label(dt.elementType)}>"
    if isinstance(dt, T.MapType):
        return f"MAP<{type_label(dt.keyType)}, {type_label(dt.valueType)}>"
    if isinstance(dt, T.StructType):
        return "STRUCT<" + ", ".join(f"{f.name}: {type_label(f.dataType)}" for f in dt.fields) + ">"
    return dt.simpleString().upper()


def check_target(dt: T.DataType, what: str) -> None:
    """Refuse, before anything runs, the targets dfml does not cast variants to."""
    if isinstance(dt, (T.TimestampType, T.TimestampNTZType, T.DayTimeIntervalType)):
        raise NotImplementedError(f"{what}: dfml does not cast variants to {dt.simpleString()} yet")
    if isinstance(dt, T.NullType):
        from .errors import AnalysisException
        raise AnalysisException(f'[DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION] {what}: cannot cast '
                                f'"VARIANT" to "VOID"', "DATATYPE_MISMATCH")
    if isinstance(dt, T.ArrayType):
        check_target(dt.elementType, what)
    elif isinstance(dt, T.MapType):
        if not isinstance(dt.keyType, T.StringType):
            from .errors import AnalysisException
            raise AnalysisException(
                f"[DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION] {what}: cannot cast \"VARIANT\" to "
                f"\"{type_label(dt)}\" (a map from a variant needs string keys)", "DATATYPE_MISMATCH")
        check_target(dt.valueType, what)
    elif isinstance(dt, T.StructType):
        for f in dt.fields:
            check_target(f.dataType, what)


def to_spark(v: Any, dt: T.DataType, try_: bool) -> Any:
    """A decoded variant value cast to ``dt`` (as Arrow takes it); null when the cast fails under
    ``try_``, else ``INVALID_VARIANT_CAST``."""
    try:
        return _cast(v, dt, try_)
    except _Fail:
        if try_:
            return None
        raise VariantError("INVALID_VARIANT_CAST",
                           f"The variant value `{to_json(v)}` cannot be cast into "
                           f"`\"{type_label(dt)}\"`. Please use `try_variant_get` instead.") from None


def _inner(v: Any, dt: T.DataType, try_: bool) -> Any:
    """An element or field: under ``try_`` a value that does not fit becomes null on its own,
    the rest of the array or struct stays (Spark's ``try_variant_get``)."""
    try:
        return _cast(v, dt, try_)
    except _Fail:
        if try_:
            return None
        raise


def _cast(v: Any, dt: T.DataType, try_: bool = False) -> Any:
    if isinstance(dt, T.VariantType):
        value, meta = encode(v)
        return {"value": value, "metadata": meta}
    if v is None:
        return None
    if isinstance(dt, T.StringType):
        return scalar_text(v)
    if isinstance(dt, T.BooleanType):
        return _to_bool(v)
    if isinstance(dt, T.IntegralType):
        return _to_int(v, _INT_RANGE[type(dt)])
    if isinstance(dt, (T.DoubleType, T.FloatType)):
        return _to_float(v)
    if isinstance(dt, T.DecimalType):
        return _to_decimal(v, dt)
    if isinstance(dt, T.DateType):
        if isinstance(v, _dt.date) and not isinstance(v, _dt.datetime):
            return v
        if isinstance(v, str):
            try:
                return _dt.date.fromisoformat(v.strip())
            except ValueError:
                raise _Fail from None
        raise _Fail
    if isinstance(dt, T.BinaryType):
        if isinstance(v, (bytes, bytearray)):
            return bytes(v)
        raise _Fail
    if isinstance(dt, T.ArrayType):
        if not isinstance(v, list):
            raise _Fail
        return [_inner(x, dt.elementType, try_) for x in v]
    if isinstance(dt, T.MapType):
        if not isinstance(v, dict):
            raise _Fail
        return [(k, _inner(x, dt.valueType, try_)) for k, x in v.items()]
    if isinstance(dt, T.StructType):
        if not isinstance(v, dict):
            raise _Fail
        return {f.name: _inner(v.get(f.name), f.dataType, try_) for f in dt.fields}
    if isinstance(dt, T.NullType):
        raise _Fail
    raise NotImplementedError(f"dfml does not cast variants to {dt.simpleString()} yet")


def _to_bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float, decimal.Decimal)):
        return v != 0
    if isinstance(v, str):
        s = v.strip().lower()
        if s in _TRUE or s in _FALSE:
            return s in _TRUE
    raise _Fail


def _to_int(v: Any, bits: int) -> int:
    if isinstance(v, bool):
        n = int(v)
    elif isinstance(v, int):
        n = v
    elif isinstance(v, decimal.Decimal):
        n = int(v)  # toward zero
    elif isinstance(v, float):
        if not math.isfinite(v):
            raise _Fail
        n = int(v)
    elif isinstance(v, str) and _INT_TEXT.match(v.strip()):
        n = int(v.strip())
    else:
        raise _Fail
    if not -(1 << (bits - 1)) <= n < (1 << (bits - 1)):
        raise _Fail
    return n


def _to_float(v: Any) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float, decimal.Decimal)):
        return float(v)
    if isinstance(v, str):
        s = v.strip()
        if _NUM_TEXT.match(s):
            return float(s)
        low = s.lower()
        if low in ("nan", "infinity", "+infinity", "-infinity", "inf", "+inf", "-inf"):
            return float(low.replace("infinity", "inf"))
    raise _Fail


def _to_decimal(v: Any, dt: T.DecimalType) -> decimal.Decimal:
    if isinstance(v, bool):
        d = decimal.Decimal(int(v))
    elif isinstance(v, (int, decimal.Decimal)):
        d = decimal.Decimal(v)
    elif isinstance(v, float):
        if not math.isfinite(v):
            raise _Fail
        d = decimal.Decimal(repr(v))
    elif isinstance(v, str) and _NUM_TEXT.match(v.strip()):
        d = decimal.Decimal(v.strip())
    else:
        raise _Fail
    with decimal.localcontext() as c:
        c.prec = 80
        q = d.quantize(decimal.Decimal(1).scaleb(-dt.scale), rounding=decimal.ROUND_HALF_UP)
    if len(q.as_tuple().digits) - max(0, -q.as_tuple().exponent) > dt.precision - dt.scale and q != 0:
        raise _Fail
    return q


def check_source(dt: T.DataType, what: str) -> None:
    """Refuse, before anything runs, the types dfml does not put into a variant."""
    if isinstance(dt, (T.TimestampType, T.TimestampNTZType, T.DayTimeIntervalType)):
        raise NotImplementedError(f"{what}: dfml does not store {dt.simpleString()} values in a "
                                  f"variant yet")
    if isinstance(dt, T.ArrayType):
        check_source(dt.elementType, what)
    elif isinstance(dt, T.MapType):
        if not isinstance(dt.keyType, T.StringType):
            from .errors import AnalysisException
            raise AnalysisException(
                f"[DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION] {what}: a map with "
                f"{type_label(dt.keyType)} keys cannot become a variant object (keys must be "
                f"strings)", "DATATYPE_MISMATCH")
        check_source(dt.valueType, what)
    elif isinstance(dt, T.StructType):
        for f in dt.fields:
            check_source(f.dataType, what)


def from_spark(v: Any, dt: T.DataType) -> Any:
    """A value of Spark type ``dt`` (as Arrow gives it) as a decoded variant value."""
    if v is None:
        return None
    if isinstance(dt, T.VariantType):
        return decode(v["value"], v["metadata"])
    if isinstance(dt, T.StructType):
        return {f.name: from_spark(v.get(f.name), f.dataType) for f in dt.fields}
    if isinstance(dt, T.MapType):
        items = v.items() if isinstance(v, dict) else v
        return {k: from_spark(x, dt.valueType) for k, x in items}
    if isinstance(dt, T.ArrayType):
        return [from_spark(x, dt.elementType) for x in v]
    if isinstance(dt, T.FloatType):
        return Float32(v)
    if isinstance(dt, T.DoubleType):
        return float(v)
    return v


def cast_kernel(src: T.DataType, dst: T.DataType) -> Any:
    """The Arrow function of ``CAST`` to or from VARIANT (checked now, before anything runs).

    A cast from a variant is strict even with ANSI off, as in Spark: a value that does not
    convert raises ``INVALID_VARIANT_CAST`` (``try_variant_get`` is the lenient form)."""
    import pyarrow as pa
    if isinstance(dst, T.VariantType):
        check_source(src, "CAST")

        def one(x: Any) -> Any:
            if x is None:
                return None
            value, meta = encode(from_spark(x, src))
            return {"value": value, "metadata": meta}
    else:
        check_target(dst, "CAST")

        def one(x: Any) -> Any:
            return None if x is None else to_spark(decode(x["value"], x["metadata"]), dst, False)
    target = T.to_arrow(dst)
    return lambda a: pa.array([one(x) for x in a.to_pylist()], target)


def variant_operand(ctx: Any, t: Any, to: T.DataType) -> Any:
    """A literal cast to or from VARIANT as a column (its cast runs per partition)."""
    if (isinstance(to, T.VariantType) or isinstance(t.dtype, T.VariantType)) and t.is_scalar \
            and t.value is not None and t.dtype != to:
        return type(t)(ctx.broadcast(t), t.dtype, t.nullable)
    return t
