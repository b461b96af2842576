"""JSON functions: ``get_json_object``, ``json_array_length``, ``json_object_keys``, ``to_json``
and ``from_json``.

Each value is parsed with Python's ``json`` per row; text that does not parse gives null, as in
Spark. ``to_json`` writes compact JSON (no spaces) and leaves out null struct fields, Spark's
default (``ignoreNullFields``).
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Any

from .. import types as T
from ..column import Column, Ctx, Typed, cast_to
from ..kernels import rowwise
from ._common import col_expr, func, per_partition

__all__ = ["get_json_object", "json_array_length", "json_object_keys", "to_json", "from_json"]

class _MISSING:
    """Marks text that is not JSON, or a path that is not there (a class, so that it pickles by
    reference and stays the same object in the workers)."""


def _loads(s: str) -> Any:
    try:
        return json.loads(s)
    except ValueError:
        return _MISSING


def _dumps(v: Any) -> str:
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def _apply(ctx: Ctx, t: Typed, fn: Any, out: T.DataType) -> Typed:
    t = cast_to(t, T.StringType())
    ts = [t] if not t.is_scalar else [Typed(ctx.broadcast(t), t.dtype, t.nullable)]
    one = rowwise(lambda s: None if s is None else fn(s), T.to_arrow(out))
    return Typed(per_partition(ctx, ts, one, out), out, True)


_STEP = re.compile(r"\.([^.\[]+)|\['([^']*)'\]|\[(\d+|\*)\]")


def _path(path: str) -> list | None:
    if not path.startswith("$"):
        return None
    steps, i = [], 1
    while i < len(path):
        m = _STEP.match(path, i)
        if m is None:
            return None
        steps.append(m.group(1) if m.group(1) is not None else m.group(2) if m.group(2) is not None
                     else ("*" if m.group(3) == "*" else int(m.group(3))))
        i = m.end()
    return steps


def _walk(v: Any, steps: list) -> Any:
    for s in steps:
        if isinstance(s, int) or s == "*":
            if not isinstance(v, list):
                return _MISSING
            if s == "*":
                return v
            if s >= len(v):
                return _MISSING
            v = v[s]
        else:
            if not isinstance(v, dict) or s not in v:
                return _MISSING
            v = v[s]
    return v


def get_json_object(col: Any, path: str) -> Column:
    """The value at a JSONPath (``$.a.b[0]``) as a string: strings bare, objects and arrays as JSON."""
    steps = _path(path)

    def fn(s: str) -> str | None:
        v = _loads(s)
        if v is _MISSING or steps is None:
            return None
        v = _walk(v, steps)
        if v is _MISSING or v is None:
            return None
        return v if isinstance(v, str) else _dumps(v)

    e = col_expr(col)
    return func("get_json_object", [e], lambda ctx, t: _apply(ctx, t, fn, T.StringType()),
                sql=f"get_json_object({e.sql()}, {path})")


def json_array_length(col: Any) -> Column:
    """The number of elements of a JSON array (null for anything else)."""
    def fn(s: str) -> int | None:
        v = _loads(s)
        return len(v) if isinstance(v, list) else None
    return func("json_array_length", [col], lambda ctx, t: _apply(ctx, t, fn, T.IntegerType()))


def json_object_keys(col: Any) -> Column:
    """The top-level keys of a JSON object (null for anything else)."""
    def fn(s: str) -> list | None:
        v = _loads(s)
        return list(v) if isinstance(v, dict) else None
    return func("json_object_keys", [col],
                lambda ctx, t: _apply(ctx, t, fn, T.ArrayType(T.StringType(), True)))


def _plain(v: Any, dt: T.DataType) -> Any:
    """A collected value as JSON-ready Python, following its Spark type."""
    if v is None:
        return None
    if isinstance(dt, T.StructType):
        items = v.items() if isinstance(v, dict) else zip([f.name for f in dt.fields], v)
        types = {f.name: f.dataType for f in dt.fields}
        return {k: _plain(x, types[k]) for k, x in items if x is not None}
    if isinstance(dt, T.MapType):
        pairs = v.items() if isinstance(v, dict) else v
        return {str(_plain(k, dt.keyType)): _plain(x, dt.valueType) for k, x in pairs}
    if isinstance(dt, T.ArrayType):
        return [_plain(x, dt.elementType) for x in v]
    if isinstance(v, _dt.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S.") + f"{v.microsecond // 1000:03d}Z"
    if isinstance(v, _dt.date):
        return v.isoformat()
    return v


def to_json(col: Any, options: dict | None = None) -> Column:
    """A struct, map or array as a JSON string."""
    def impl(ctx: Ctx, t: Typed) -> Typed:
        if isinstance(t.dtype, T.VariantType):  # a variant prints as its own JSON text
            from ._variant import variant_json
            one = rowwise(lambda v: None if v is None else variant_json(v), T.to_arrow(T.StringType()))
            return Typed(per_partition(ctx, [t], one, T.StringType()), T.StringType(), True)
        if not isinstance(t.dtype, (T.StructType, T.MapType, T.ArrayType, T.NullType)):
            from ..errors import AnalysisException
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.INVALID_JSON_SCHEMA] to_json needs a struct, map or array, '
                f'got "{t.dtype.simpleString().upper()}"', "DATATYPE_MISMATCH")
        dt = t.dtype
        one = rowwise(lambda v: None if v is None else _dumps(_plain(v, dt)),
                      T.to_arrow(T.StringType()))
        ts = [t] if not t.is_scalar else [Typed(ctx.broadcast(t), t.dtype, t.nullable)]
        return Typed(per_partition(ctx, ts, one, T.StringType()), T.StringType(), True)
    return func("to_json", [col], impl)


def _shaped(v: Any, dt: T.DataType) -> Any:
    """A parsed JSON value as a value of ``dt`` (null where it does not fit)."""
    if v is None:
        return None
    if isinstance(dt, T.StructType):
        if not isinstance(v, dict):
            return None
        return {f.name: _shaped(v.get(f.name), f.dataType) for f in dt.fields}
    if isinstance(dt, T.ArrayType):
        return [_shaped(x, dt.elementType) for x in v] if isinstance(v, list) else None
    if isinstance(dt, T.MapType):
        return [(k, _shaped(x, dt.valueType)) for k, x in v.items()] if isinstance(v, dict) else None
    if isinstance(dt, T.StringType):
        return v if isinstance(v, str) else _dumps(v)
    if isinstance(dt, T.BooleanType):
        return v if isinstance(v, bool) else None
    if isinstance(dt, T.IntegralType):
        return v if isinstance(v, int) and not isinstance(v, bool) else None
    if isinstance(dt, (T.DoubleType, T.FloatType, T.DecimalType)):
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
    if isinstance(dt, T.DateType):
        try:
            return _dt.date.fromisoformat(v)
        except (TypeError, ValueError):
            return None
    return None


def from_json(col: Any, schema: Any, options: dict | None = None) -> Column:
    """JSON text parsed into a struct (or array/map) of ``schema`` (a type or DDL string)."""
    if isinstance(schema, Column):
        schema = schema._expr.value
    if isinstance(schema, str):
        try:
            dt = T.parse_ddl(schema)
        except Exception:  # noqa: BLE001 - a single type such as "array<int>"
            dt = T.parse_type(schema)
    else:
        dt = schema

    def fn(s: str) -> Any:
        v = _loads(s)
        if isinstance(dt, T.StructType) and not isinstance(v, dict):  # Spark's PERMISSIVE mode
            return {f.name: None for f in dt.fields}
        return None if v is _MISSING else _shaped(v, dt)
    # Spark names a from_json giving a map "entries"
    return func("from_json", [col], lambda ctx, t: _apply(ctx, t, fn, dt),
                sql="entries" if isinstance(dt, T.MapType) else None)
