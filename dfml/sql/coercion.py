"""Spark's type rules for compiled values: literal types, numeric widening, common types,
casts of ``Typed`` values, and the argument checks functions share."""

from __future__ import annotations

import datetime as _dt
import decimal as _dec
import re as _re
from typing import Any

from . import types as T
from .errors import AnalysisException
from .lenient_dates import parse_date, parse_timestamp  # noqa: F401 - re-exported
from .typed import Typed


def literal_type(value: Any) -> T.DataType:
    """The type Spark gives a Python literal: small ints are IntegerType, larger LongType."""
    if isinstance(value, bool):
        return T.BooleanType()
    if isinstance(value, int):
        return T.IntegerType() if -2**31 <= value < 2**31 else T.LongType()
    if isinstance(value, _dec.Decimal):
        sign, digits, exp = value.as_tuple()
        scale = max(-exp, 0)
        return T.DecimalType(max(len(digits), scale), scale)
    return T.infer_type(value)


_INT_RANK = {T.ByteType: 1, T.ShortType: 2, T.IntegerType: 3, T.LongType: 4}


def is_numeric(dt: T.DataType) -> bool:
    return isinstance(dt, (T.NumericType, T.NullType))


def wider_numeric(a: T.DataType, b: T.DataType) -> T.DataType:
    """Spark's numeric promotion for arithmetic and comparison."""
    if isinstance(a, T.NullType):
        return b
    if isinstance(b, T.NullType):
        return a
    if isinstance(a, T.DoubleType) or isinstance(b, T.DoubleType):
        return T.DoubleType()
    if isinstance(a, T.FloatType) or isinstance(b, T.FloatType):
        return T.DoubleType() if isinstance(a, T.DecimalType) or isinstance(b, T.DecimalType) \
            else T.FloatType()
    if isinstance(a, T.DecimalType) or isinstance(b, T.DecimalType):
        da = a if isinstance(a, T.DecimalType) else _int_as_decimal(a)
        db = b if isinstance(b, T.DecimalType) else _int_as_decimal(b)
        scale = max(da.scale, db.scale)
        whole = max(da.precision - da.scale, db.precision - db.scale)
        return T.DecimalType(min(whole + scale, 38), scale)
    return a if _INT_RANK[type(a)] >= _INT_RANK[type(b)] else b


def _int_as_decimal(dt: T.DataType) -> T.DecimalType:
    return T.DecimalType({T.ByteType: 3, T.ShortType: 5, T.IntegerType: 10, T.LongType: 20}[type(dt)], 0)


def common_type(types: list[T.DataType], what: str) -> T.DataType:
    """One type all of ``types`` can be cast to (numeric widening; otherwise all must agree)."""
    known = [t for t in types if not isinstance(t, T.NullType)]
    if not known:
        return T.NullType()
    out = known[0]
    for t in known[1:]:
        if t == out:
            continue
        if is_numeric(t) and is_numeric(out):
            out = wider_numeric(out, t)
        elif {type(t), type(out)} <= {T.DateType, T.TimestampType}:
            out = T.TimestampType()
        elif t.simpleString() == out.simpleString():  # nested types differing in nullability only
            out = looser(out, t)
        else:
            raise AnalysisException(
                f"[DATATYPE_MISMATCH.DATA_DIFF_TYPES] Cannot resolve {what} due to data type "
                f"mismatch: the input types {', '.join(x.simpleString() for x in types)} differ.",
                "DATATYPE_MISMATCH.DATA_DIFF_TYPES")
    return out


def looser(a: T.DataType, b: T.DataType) -> T.DataType:
    """Two types of one shape (``a.simpleString() == b.simpleString()``) as one whose nested
    fields, elements and values may be null wherever either's may."""
    if isinstance(a, T.StructType) and isinstance(b, T.StructType):
        return T.StructType([T.StructField(x.name, looser(x.dataType, y.dataType),
                                           x.nullable or y.nullable, x.metadata)
                             for x, y in zip(a.fields, b.fields)])
    if isinstance(a, T.ArrayType) and isinstance(b, T.ArrayType):
        return T.ArrayType(looser(a.elementType, b.elementType), a.containsNull or b.containsNull)
    if isinstance(a, T.MapType) and isinstance(b, T.MapType):
        return T.MapType(looser(a.keyType, b.keyType), looser(a.valueType, b.valueType),
                         a.valueContainsNull or b.valueContainsNull)
    return a


def cast_to(t: Typed, dt: T.DataType) -> Typed:
    """``t`` converted to ``dt`` (a no-op when the dtype already matches)."""
    if t.dtype == dt or isinstance(dt, T.NullType):
        return t
    if t.is_scalar:
        return Typed(cast_scalar(t.value, dt), dt, t.nullable)
    target = T.to_dtype(dt)
    if t.value.dtype == target:
        return Typed(t.value, dt, t.nullable)
    lenient = isinstance(t.dtype, T.StringType) and isinstance(dt, (T.DateType, T.TimestampType))
    if isinstance(t.dtype, T.DecimalType) or isinstance(dt, T.DecimalType) or lenient:
        # text to a date or timestamp: Spark's lenient reading ('2024-10-31 10:09:16' is a
        # date too), where Arrow's cast takes the strict ISO form only
        # Arrow's decimal -> double scales by a power of ten in binary (3.3 became
        # 3.3000000000000003); the cast module rounds correctly and checks precision
        from ._casts import cast_series
        return Typed(cast_series(t.value, t.dtype, dt), dt, t.nullable)
    return Typed(t.value.astype(target), dt, t.nullable)


def cast_scalar(v: Any, dt: T.DataType) -> Any:
    if v is None:
        return None
    if isinstance(dt, (T.DoubleType, T.FloatType)):
        return float(v)
    if isinstance(dt, T.IntegralType):
        return int(v)
    if isinstance(dt, T.StringType):
        if isinstance(v, (bytes, bytearray)):  # binary -> string reads the bytes as UTF-8
            return bytes(v).decode("utf-8", errors="replace")
        return str(v)
    if isinstance(dt, T.DecimalType):
        return _dec.Decimal(str(v))
    if isinstance(dt, T.TimestampType) and isinstance(v, _dt.date) and not isinstance(v, _dt.datetime):
        return _dt.datetime(v.year, v.month, v.day)
    if isinstance(dt, T.DateType) and isinstance(v, str):
        return parse_date(v)
    if isinstance(dt, T.TimestampType) and isinstance(v, str):
        return parse_timestamp(v)
    if isinstance(dt, T.DateType) and isinstance(v, _dt.datetime):
        return v.date()
    return v


# Spark's lenient text forms: ``yyyy``, ``yyyy-[m]m``, ``yyyy-[m]m-[d]d``, then for a date
# anything after a space or ``T``; for a timestamp an optional ``[h]h:[m]m[:[s]s[.f...]]``
def fix_dtype(value: Any, dt: T.DataType) -> Any:
    """Make a computed dask Series carry exactly the Arrow dtype of Spark type ``dt``."""
    if not hasattr(value, "dtype") or isinstance(dt, T.NullType):
        return value
    target = T.to_dtype(dt)
    return value if value.dtype == target else value.astype(target)


def comparable(l: T.DataType, r: T.DataType) -> bool:
    if isinstance(l, T.NullType) or isinstance(r, T.NullType):
        return True
    if is_numeric(l) and is_numeric(r):
        return True
    if {type(l), type(r)} <= {T.DateType, T.TimestampType, T.StringType} and \
            not (isinstance(l, T.StringType) and isinstance(r, T.StringType)):
        return True
    return type(l) is type(r)


def as_bool(t: Typed, what: str) -> Typed:
    if not isinstance(t.dtype, (T.BooleanType, T.NullType)):
        raise AnalysisException(
            f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "{what}" due to data type '
            f'mismatch: requires "BOOLEAN" type, but got "{t.dtype.simpleString().upper()}".',
            "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
    return t


def require(t: Typed, kinds: tuple[type, ...], fname: str, what: str) -> None:
    if not isinstance(t.dtype, kinds + (T.NullType,)):
        raise AnalysisException(
            f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "{fname}" due to data type '
            f'mismatch: the parameter requires {what} type, however the input has type '
            f'"{t.dtype.simpleString().upper()}".', "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
