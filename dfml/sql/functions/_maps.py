"""Map functions (``create_map``, ``map_keys``, ``map_values``, ``map_entries``,
``map_from_arrays``, ``map_from_entries``, ``map_contains_key``, ``map_concat``) and
``named_struct``.

Maps are Arrow ``map`` columns; a map value in Python is a list of (key, value) pairs, which keeps
the keys' order as Spark does. A null key is an error, as in Spark; a repeated key is an error too
(Spark's default ``spark.sql.mapKeyDedupPolicy=EXCEPTION``).
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

from .. import types as T
from ..column import Column, Ctx, Typed, cast_to
from ..errors import AnalysisException
from ..kernels import rowwise
from ..nan_rules import same_key
from ._common import col_expr, func, lit_expr, per_partition, require, wider_type

__all__ = ["create_map", "map_keys", "map_values", "map_entries", "map_from_arrays",
           "map_from_entries", "map_contains_key", "map_concat", "named_struct", "str_to_map"]


def _names(cols: tuple[Any, ...]) -> list[Any]:
    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        return list(cols[0])
    return list(cols)


def _pairs(m: Any) -> list:
    return list(m.items()) if isinstance(m, dict) else list(m)


def _hashable(k: Any) -> Any:
    """A key that a set can hold: arrays and structs as nested tuples (NaN and -0.0 as Spark
    compares them)."""
    if isinstance(k, dict):
        return tuple(_hashable(v) for v in k.values())
    if isinstance(k, (list, tuple)):
        return tuple(_hashable(v) for v in k)
    return same_key(k)


def dedup_policy() -> str:
    """``spark.sql.mapKeyDedupPolicy`` of the active session, read when an expression compiles:
    EXCEPTION (Spark's default) or LAST_WIN."""
    import sys
    session_module = sys.modules.get("dfml.sql.session")
    s = session_module.SparkSession.getActiveSession() if session_module else None
    policy = str((s.conf.get("spark.sql.mapKeyDedupPolicy") if s is not None else None)
                 or "EXCEPTION").upper()
    if policy not in ("EXCEPTION", "LAST_WIN"):
        raise ValueError(f"spark.sql.mapKeyDedupPolicy must be EXCEPTION or LAST_WIN, got {policy!r}")
    return policy


def _checked(pairs: list, fname: str, policy: str = "EXCEPTION") -> list:
    """The pairs of a new map: a null key fails; a repeated key fails (EXCEPTION) or, under
    LAST_WIN, keeps its first position with the last value given for it."""
    seen: dict = {}
    out: list = []
    for k, v in pairs:
        if k is None:
            raise ValueError(f"[NULL_MAP_KEY] {fname}: a map key cannot be null")
        h = _hashable(k)
        if h in seen:
            if policy != "LAST_WIN":
                raise ValueError(f"[DUPLICATED_MAP_KEY] {fname}: duplicate map key {k!r} (Spark's "
                                 "default spark.sql.mapKeyDedupPolicy is EXCEPTION)")
            out[seen[h]] = (out[seen[h]][0], v)
            continue
        seen[h] = len(out)
        out.append((k, v))
    return out


def _broadcast_all(ctx: Ctx, ts: tuple[Typed, ...]) -> list[Typed]:
    """Inputs for a kernel that needs at least one column: the first one broadcast if all are scalar."""
    ts = list(ts)
    if all(t.is_scalar for t in ts):
        ts[0] = Typed(ctx.broadcast(ts[0]), ts[0].dtype, ts[0].nullable)
    return ts


def create_map(*cols: Any) -> Column:
    """A map from alternating key and value columns, per row."""
    args = [col_expr(c) for c in _names(cols)]
    if len(args) % 2:
        raise AnalysisException(
            f"[WRONG_NUM_ARGS] create_map takes an even number of arguments (key, value, ...), got "
            f"{len(args)}", "WRONG_NUM_ARGS.WITHOUT_SUGGESTION")

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        kt = wider_type([t.dtype for t in ts[0::2]], "map")
        vt = wider_type([t.dtype for t in ts[1::2]], "map")
        kt = T.StringType() if isinstance(kt, T.NullType) else kt
        vt = T.StringType() if isinstance(vt, T.NullType) and not ts else vt
        out = T.MapType(kt, vt, True)
        vals = [cast_to(t, kt if i % 2 == 0 else vt) for i, t in enumerate(ts)]
        policy = dedup_policy()

        def one(*xs: Any) -> list:
            return _checked(list(zip(xs[0::2], xs[1::2])), "create_map", policy)
        if not vals:  # map(): an empty map per row, anchored on a broadcast constant
            anchor = Typed(ctx.broadcast(Typed(0, T.IntegerType(), False)), T.IntegerType(), False)
            return Typed(per_partition(ctx, [anchor], lambda a: pa.array([[]] * len(a), T.to_arrow(out)),
                                       out), out, False)
        return Typed(per_partition(ctx, _broadcast_all(ctx, tuple(vals)),
                                   rowwise(one, T.to_arrow(out)), out), out, False)
    return func("map", args, impl)


def _empty_maps(out: T.MapType) -> Any:
    """A kernel building one empty map per input row, from zero offsets (no row loop)."""
    def k(part: Any) -> pa.Array:
        import numpy as np
        offsets = pa.array(np.zeros(len(part) + 1, dtype=np.int32))
        return pa.MapArray.from_arrays(offsets, pa.array([], T.to_arrow(out.keyType)),
                                       pa.array([], T.to_arrow(out.valueType)))
    return k


def _map_part(name: str, pick: Any, out_of: Any) -> Any:
    def f(col: Any) -> Column:
        def impl(ctx: Ctx, t: Typed) -> Typed:
            require(t, (T.MapType,), name, '"MAP"')
            out = out_of(t.dtype)
            fn = rowwise(lambda m: None if m is None else [pick(kv) for kv in _pairs(m)],
                         T.to_arrow(out))
            return Typed(per_partition(ctx, [t], fn, out), out, t.nullable)
        return func(name, [col], impl)
    f.__name__ = name
    return f


map_keys = _map_part("map_keys", lambda kv: kv[0], lambda m: T.ArrayType(m.keyType, False))
map_values = _map_part("map_values", lambda kv: kv[1],
                       lambda m: T.ArrayType(m.valueType, m.valueContainsNull))
map_entries = _map_part(
    "map_entries", lambda kv: {"key": kv[0], "value": kv[1]},
    lambda m: T.ArrayType(T.StructType([T.StructField("key", m.keyType, False),
                                        T.StructField("value", m.valueType, m.valueContainsNull)]),
                          False))


def map_from_arrays(col1: Any, col2: Any) -> Column:
    """A map from an array of keys and an array of values of the same length."""
    def one(ks: list | None, vs: list | None) -> list | None:
        if ks is None or vs is None:
            return None
        if len(ks) != len(vs):
            raise ValueError("map_from_arrays: the key and value arrays must have the same length, "
                             f"got {len(ks)} and {len(vs)}")
        return _checked(list(zip(ks, vs)), "map_from_arrays")

    def impl(ctx: Ctx, k: Typed, v: Typed) -> Typed:
        require(k, (T.ArrayType,), "map_from_arrays", '"ARRAY"')
        require(v, (T.ArrayType,), "map_from_arrays", '"ARRAY"')
        out = T.MapType(k.dtype.elementType, v.dtype.elementType, v.dtype.containsNull)
        return Typed(per_partition(ctx, [k, v], rowwise(one, T.to_arrow(out)), out), out, True)
    return func("map_from_arrays", [col1, col2], impl)


def map_from_entries(col: Any) -> Column:
    """A map from an array of (key, value) structs."""
    def one(a: list | None) -> list | None:
        if a is None:
            return None
        if any(e is None for e in a):
            return None
        return _checked([tuple(e.values()) for e in a], "map_from_entries")

    def impl(ctx: Ctx, t: Typed) -> Typed:
        require(t, (T.ArrayType,), "map_from_entries", '"ARRAY" of pair "STRUCT"')
        et = t.dtype.elementType
        if not isinstance(et, T.StructType) or len(et.fields) != 2:
            raise AnalysisException(
                '[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] map_from_entries needs an array of '
                f'two-field structs, got "{t.dtype.simpleString().upper()}"',
                "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
        out = T.MapType(et.fields[0].dataType, et.fields[1].dataType, et.fields[1].nullable)
        return Typed(per_partition(ctx, [t], rowwise(one, T.to_arrow(out)), out), out, True)
    return func("map_from_entries", [col], impl)


def map_contains_key(col: Any, value: Any) -> Column:
    """Whether the map has the key (null for a null map)."""
    def impl(ctx: Ctx, t: Typed, v: Typed) -> Typed:
        require(t, (T.MapType,), "map_contains_key", '"MAP"')
        v = cast_to(v, t.dtype.keyType)

        def one(m: Any, key: Any) -> bool | None:
            if m is None or key is None:
                return None
            return any(k == key for k, _ in _pairs(m))
        return Typed(per_partition(ctx, [t, v], rowwise(one, pa.bool_()), T.BooleanType()),
                     T.BooleanType(), True)
    return func("map_contains_key", [col_expr(col), lit_expr(value)], impl)


def map_concat(*cols: Any) -> Column:
    """The union of maps (null if any is null); a key in two maps is an error, as in Spark."""
    args = [col_expr(c) for c in _names(cols)]

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        for t in ts:
            require(t, (T.MapType,), "map_concat", '"MAP"')
        maps = [t.dtype for t in ts if isinstance(t.dtype, T.MapType)]
        out = T.MapType(wider_type([m.keyType for m in maps], "map_concat"),
                        wider_type([m.valueType for m in maps], "map_concat"), True)
        vals = [cast_to(t, out) for t in ts]
        policy = dedup_policy()

        def one(*ms: Any) -> list | None:
            if any(m is None for m in ms):
                return None
            return _checked([kv for m in ms for kv in _pairs(m)], "map_concat", policy)
        return Typed(per_partition(ctx, _broadcast_all(ctx, tuple(vals)),
                                   rowwise(one, T.to_arrow(out)), out), out, True)
    return func("map_concat", args, impl)


def named_struct(*cols: Any) -> Column:
    """A struct from alternating field-name literals and value columns."""
    args = [col_expr(c) for c in _names(cols)]
    if len(args) % 2:
        raise AnalysisException(
            f"[WRONG_NUM_ARGS] named_struct takes name, value pairs, got {len(args)} arguments",
            "WRONG_NUM_ARGS.WITHOUT_SUGGESTION")

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        names = []
        for t in ts[0::2]:
            if not (t.is_scalar and isinstance(t.value, str)):
                raise AnalysisException(
                    "[DATATYPE_MISMATCH.CREATE_NAMED_STRUCT_WITHOUT_FOLDABLE_STRING] named_struct: "
                    "the field names must be string literals", "DATATYPE_MISMATCH")
            names.append(t.value)
        values = list(ts[1::2])
        out = T.StructType([T.StructField(n, t.dtype, t.nullable) for n, t in zip(names, values)])

        def k(*parts: Any) -> pa.Array:
            n = next(len(p) for p in parts if isinstance(p, pa.ChunkedArray))
            arrays = [p.combine_chunks().cast(T.to_arrow(t.dtype)) if isinstance(p, pa.ChunkedArray)
                      else pa.array([p] * n, T.to_arrow(t.dtype)) for p, t in zip(parts, values)]
            return pa.StructArray.from_arrays(arrays, fields=list(T.to_arrow(out)))
        return Typed(per_partition(ctx, _broadcast_all(ctx, tuple(values)), k, out), out, False)
    return func("named_struct", args, impl)


def str_to_map(text: Any, pairDelim: Any = None, keyValueDelim: Any = None) -> Column:  # noqa: N803
    """A string like ``"a:1,b:2"`` as a map of strings; the delimiters are regular expressions."""
    pair = col_expr(pairDelim) if pairDelim is not None else lit_expr(",")
    kv = col_expr(keyValueDelim) if keyValueDelim is not None else lit_expr(":")
    out = T.MapType(T.StringType(), T.StringType(), True)

    def one(s: str | None, p: str | None, k: str | None) -> list | None:
        if s is None or p is None or k is None:
            return None
        items = [re.split(k, part, maxsplit=1) for part in re.split(p, s)]
        return _checked([(i[0], i[1] if len(i) > 1 else None) for i in items], "str_to_map")

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        ts = [cast_to(t, T.StringType()) for t in ts]
        return Typed(per_partition(ctx, _broadcast_all(ctx, tuple(ts)), rowwise(one, T.to_arrow(out)),
                                   out), out, True)
    return func("str_to_map", [col_expr(text), pair, kv], impl)
