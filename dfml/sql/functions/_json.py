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


class _ANY:
    """The ``[*]`` step (a class, not the string "*": ``['*']`` is a field of that name)."""


def _path(path: str) -> list | None:
    if not path.startswith("$"):
        return None
    steps, i = [], 1
    while i < len(path):
        m = _STEP.match(path, i)
        if m is None or m.group(1) == "*":  # Spark has no ``.*`` wildcard: no value at all
            return None
        steps.append(m.group(1) if m.group(1) is not None else m.group(2) if m.group(2) is not None
                     else (_ANY if m.group(3) == "*" else int(m.group(3))))
        i = m.end()
    return steps


_RAW, _QUOTED, _FLAT = "raw", "quoted", "flat"


def _matches(v: Any, steps: list, style: str) -> list[str]:
    """The JSON fragments a path writes from ``v``, as Spark's get_json_object writes them.

    ``style``: at the top a string comes out bare (raw); under a wildcard every match stays
    JSON (quoted). One wildcard gathers its matches in an array, unwrapped when exactly one
    element matched (``$[*].f1`` over one match gives ``"x"``, quotes kept); a second wildcard
    right after (``[*][*]``) flattens nested arrays into one array, never unwrapped. A field
    holding null is no match; a null array element is one (``$[0]`` of ``[null]`` is "null")."""
    if not steps:
        if style == _RAW and isinstance(v, str):
            return [v]
        if style == _FLAT and isinstance(v, list):
            return [f for x in v for f in _matches(x, [], _FLAT)]
        return [_dumps(v)]
    step, rest = steps[0], steps[1:]
    if isinstance(step, int):
        if not isinstance(v, list) or step >= len(v):
            return []
        # a wildcard right after an index keeps its array even for one match ($[0][*])
        return _matches(v[step], rest, _QUOTED if rest and rest[0] is _ANY else style)
    if step is not _ANY:
        found = isinstance(v, dict) and v.get(step) is not None  # a field holding null: no match
        return _matches(v[step], rest, style) if found else []
    if not isinstance(v, list):
        return []
    if rest and rest[0] is _ANY:
        parts = [f for x in v for f in _matches(x, rest[1:], _FLAT)]
        return ["[" + ",".join(parts) + "]"] if parts else []
    elems = [_matches(x, rest, _FLAT if style == _FLAT else _QUOTED) for x in v]
    parts = [f for e in elems for f in e]
    if style == _QUOTED:
        return ["[" + ",".join(parts) + "]"]
    hits = sum(1 for e in elems if e)
    return [] if hits == 0 else [",".join(parts)] if hits == 1 else ["[" + ",".join(parts) + "]"]


def get_json_object(col: Any, path: str) -> Column:
    """The value at a JSONPath (``$.a.b[0]``, wildcards ``$[*].f1``) as a string: strings bare,
    objects and arrays as JSON (``_matches`` has Spark's wildcard rules)."""
    steps = _path(path)

    def fn(s: str) -> str | None:
        v = _loads(s)
        if v is _MISSING or steps is None:
            return None
        found = _matches(v, steps, _RAW)
        return found[0] if found else None

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
    """JSON text parsed into a struct (or array/map) of ``schema`` (a type, a DDL string or
    ``schema_of_json``'s column); option ``allowUnquotedFieldNames`` reads ``{a: 1}``, and
    other options are refused rather than ignored."""
    from ._csv_fns import quote_bare_names, schema_argument
    opts = dict(options or {})
    unquoted = str(opts.pop("allowUnquotedFieldNames", "false")).lower() == "true"
    if str(opts.pop("mode", "PERMISSIVE")).upper() != "PERMISSIVE":
        raise NotImplementedError("from_json(): only mode PERMISSIVE (Spark's default) is supported")
    if opts:
        raise NotImplementedError(f"from_json(): options are not supported yet, got {opts!r}")
    schema = schema_argument(schema, "from_json")
    if isinstance(schema, str):
        try:
            dt = T.parse_ddl(schema)
        except Exception:  # noqa: BLE001 - a single type such as "array<int>"
            dt = T.parse_type(schema)
    else:
        dt = schema

    def fn(s: str) -> Any:
        v = _loads(quote_bare_names(s) if unquoted else s)
        if isinstance(dt, T.StructType) and not isinstance(v, dict):  # Spark's PERMISSIVE mode
            return {f.name: None for f in dt.fields}
        return None if v is _MISSING else _shaped(v, dt)
    # Spark names a from_json giving a map "entries"
    return func("from_json", [col], lambda ctx, t: _apply(ctx, t, fn, dt),
                sql="entries" if isinstance(dt, T.MapType) else None)
