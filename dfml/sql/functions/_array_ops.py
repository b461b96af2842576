"""More array functions: lookups and edits (``array_position``, ``array_remove``, ``slice``,
``array_append``...), set operations (``array_union``, ``array_intersect``, ``array_except``,
``arrays_overlap``), reshaping (``flatten``, ``arrays_zip``) and builders (``array_repeat``,
``sequence``).

They work row by row on each partition's arrays (Arrow has no kernels for these), with Spark's
rules for nulls: set operations treat null as one value, and NaNs as one value (``nan_rules``).
"""

from __future__ import annotations

from typing import Any


from .. import types as T
from ..column import Alias, Column, ColumnRef, Ctx, Typed, cast_to
from ..errors import AnalysisException
from ..kernels import rowwise
from ..nan_rules import normalized, same_key
from ._common import col_expr, func, lit_expr, per_partition, require, wider_type

__all__ = ["array_position", "array_remove", "array_union", "array_intersect", "array_except",
           "arrays_overlap", "arrays_zip", "flatten", "slice", "array_repeat", "sequence",
           "array_compact", "array_append", "array_prepend", "array_size", "cardinality",
           "array_join", "get", "try_element_at", "array_insert"]


def _arr(t: Typed, fname: str) -> None:
    require(t, (T.ArrayType,), fname, '"ARRAY"')


def _apply(ctx: Ctx, ts: list[Typed], fn: Any, out: T.DataType, nullable: bool = True) -> Typed:
    if all(t.is_scalar for t in ts):
        ts = [Typed(ctx.broadcast(ts[0]), ts[0].dtype, ts[0].nullable)] + list(ts[1:])
    return Typed(per_partition(ctx, ts, rowwise(fn, T.to_arrow(out)), out), out, nullable)


def _key(x: Any) -> Any:
    return same_key(x)


def array_position(col: Any, value: Any) -> Column:
    """The 1-based position of the first element equal to ``value`` (0 when absent), a bigint."""
    def one(a: list | None, v: Any) -> int | None:
        if a is None or v is None:
            return None
        return next((i + 1 for i, x in enumerate(a) if x is not None and _key(x) == _key(v)), 0)

    def impl(ctx: Ctx, t: Typed, v: Typed) -> Typed:
        _arr(t, "array_position")
        return _apply(ctx, [t, cast_to(v, t.dtype.elementType)], one, T.LongType())
    return func("array_position", [col_expr(col), lit_expr(value)], impl)


def array_remove(col: Any, element: Any) -> Column:
    """The array without the elements equal to ``element`` (nulls stay)."""
    def one(a: list | None, v: Any) -> list | None:
        if a is None or v is None:
            return None
        return [x for x in a if x is None or _key(x) != _key(v)]

    def impl(ctx: Ctx, t: Typed, v: Typed) -> Typed:
        _arr(t, "array_remove")
        return _apply(ctx, [t, cast_to(v, t.dtype.elementType)], one, t.dtype)
    return func("array_remove", [col_expr(col), lit_expr(element)], impl)


def _set_op(name: str, combine: Any) -> Any:
    def f(col1: Any, col2: Any) -> Column:
        def impl(ctx: Ctx, a: Typed, b: Typed) -> Typed:
            _arr(a, name)
            _arr(b, name)
            et = wider_type([a.dtype.elementType, b.dtype.elementType], name)
            out = T.ArrayType(et, a.dtype.containsNull or b.dtype.containsNull)
            a, b = cast_to(a, out), cast_to(b, out)

            def one(x: list | None, y: list | None) -> list | None:
                if x is None or y is None:
                    return None
                return combine(x, y)
            return _apply(ctx, [a, b], one, out)
        return func(name, [col1, col2], impl)
    f.__name__ = name
    return f


def _distinct(xs: Any) -> list:
    seen: dict = {}
    for x in xs:
        seen.setdefault(_key(x), normalized(x))
    return list(seen.values())


array_union = _set_op("array_union", lambda x, y: _distinct(x + y))
array_intersect = _set_op("array_intersect",
                          lambda x, y: _distinct(v for v in x if _key(v) in {_key(w) for w in y}))
array_except = _set_op("array_except",
                       lambda x, y: _distinct(v for v in x if _key(v) not in {_key(w) for w in y}))


def arrays_overlap(a1: Any, a2: Any) -> Column:
    """True if the arrays share a non-null element; null if not but either holds a null."""
    def one(x: list | None, y: list | None) -> bool | None:
        if x is None or y is None:
            return None
        keys = {_key(v) for v in x if v is not None}
        if any(v is not None and _key(v) in keys for v in y):
            return True
        if x and y and (None in x or None in y):
            return None
        return False

    def impl(ctx: Ctx, a: Typed, b: Typed) -> Typed:
        _arr(a, "arrays_overlap")
        _arr(b, "arrays_overlap")
        et = wider_type([a.dtype.elementType, b.dtype.elementType], "arrays_overlap")
        a, b = cast_to(a, T.ArrayType(et, True)), cast_to(b, T.ArrayType(et, True))
        return _apply(ctx, [a, b], one, T.BooleanType())
    return func("arrays_overlap", [a1, a2], impl)


def arrays_zip(*cols: Any) -> Column:
    """An array of structs: the i-th elements of each array (null past a shorter array's end)."""
    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        cols = tuple(cols[0])
    args = [col_expr(c) for c in cols]
    names = [a.name if isinstance(a, Alias) else a.output_name() if isinstance(a, ColumnRef)
             else str(i) for i, a in enumerate(args)]

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        for t in ts:
            _arr(t, "arrays_zip")
        out = T.ArrayType(T.StructType([T.StructField(n, t.dtype.elementType, True)
                                        for n, t in zip(names, ts)]), False)

        def one(*arrays: list | None) -> list | None:
            if any(a is None for a in arrays):
                return None
            n = max((len(a) for a in arrays), default=0)
            return [{nm: (a[i] if i < len(a) else None) for nm, a in zip(names, arrays)}
                    for i in range(n)]
        return _apply(ctx, list(ts), one, out)
    return func("arrays_zip", args, impl)


def flatten(col: Any) -> Column:
    """An array of arrays as one array (null if any inner array is null)."""
    def one(a: list | None) -> list | None:
        if a is None or any(x is None for x in a):
            return None
        return [v for x in a for v in x]

    def impl(ctx: Ctx, t: Typed) -> Typed:
        _arr(t, "flatten")
        if not isinstance(t.dtype.elementType, T.ArrayType):
            require(Typed(None, t.dtype.elementType), (T.ArrayType,), "flatten", '"ARRAY" of "ARRAY"')
        return _apply(ctx, [t], one, t.dtype.elementType)
    return func("flatten", [col], impl)


def _int_arg(v: Any) -> Any:
    return col_expr(v) if isinstance(v, (str, Column)) else lit_expr(v)


def slice(x: Any, start: Any, length: Any) -> Column:  # noqa: A001 - Spark's name
    """``length`` elements from 1-based ``start`` (negative counts from the end)."""
    def one(a: list | None, s: Any, n: Any) -> list | None:
        if a is None or s is None or n is None:
            return None
        if s == 0:
            raise ValueError("slice: the start index 0 is invalid; SQL array indices start at 1")
        if n < 0:
            raise ValueError(f"slice: the length must be at least 0, got {n}")
        i = s - 1 if s > 0 else len(a) + s
        if i < 0 or i >= len(a):
            return []
        return a[i:i + n]

    def impl(ctx: Ctx, t: Typed, s: Typed, n: Typed) -> Typed:
        _arr(t, "slice")
        return _apply(ctx, [t, cast_to(s, T.IntegerType()), cast_to(n, T.IntegerType())], one, t.dtype)
    return func("slice", [col_expr(x), _int_arg(start), _int_arg(length)], impl)


def array_repeat(col: Any, count: Any) -> Column:
    """An array holding the value ``count`` times (empty for a count below 1)."""
    def one(v: Any, n: Any) -> list | None:
        return None if n is None else [v] * builtins_max(int(n), 0)

    def impl(ctx: Ctx, v: Typed, n: Typed) -> Typed:
        require(n, (T.IntegralType,), "array_repeat", '"INT"')
        out = T.ArrayType(v.dtype, True)
        ts = [v, n] if not v.is_scalar else [Typed(ctx.broadcast(v), v.dtype, v.nullable), n]
        return _apply(ctx, ts, one, out)
    return func("array_repeat", [col_expr(col), _int_arg(count)], impl)


def builtins_max(a: int, b: int) -> int:
    return a if a > b else b


def sequence(start: Any, stop: Any, step: Any = None) -> Column:
    """Integers from ``start`` to ``stop`` inclusive by ``step`` (default 1, or -1 going down)."""
    def one(a: Any, b: Any, s: Any = None) -> list | None:
        if a is None or b is None:
            return None
        s = (1 if b >= a else -1) if s is None else s
        if s == 0 or (b - a) * s < 0:
            if a == b:
                return [a]
            raise ValueError(f"sequence: illegal step {s} from {a} to {b}")
        return list(range(a, b + (1 if s > 0 else -1), s))

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        for t in ts:
            require(t, (T.IntegralType,), "sequence", '"INTEGRAL"')
        et = wider_type([t.dtype for t in ts], "sequence")
        out = T.ArrayType(et, False)
        return _apply(ctx, [cast_to(t, et) for t in ts], one, out)
    args = [col_expr(start), col_expr(stop)] + ([] if step is None else [col_expr(step)])
    return func("sequence", args, impl)


def array_compact(col: Any) -> Column:
    """The array without its nulls."""
    def impl(ctx: Ctx, t: Typed) -> Typed:
        _arr(t, "array_compact")
        return _apply(ctx, [t], lambda a: None if a is None else [x for x in a if x is not None],
                      t.dtype)
    return func("array_compact", [col], impl)


def _add_end(name: str, at_end: bool) -> Any:
    def f(col: Any, value: Any) -> Column:
        def impl(ctx: Ctx, t: Typed, v: Typed) -> Typed:
            _arr(t, name)
            et = wider_type([t.dtype.elementType, v.dtype], name)
            out = T.ArrayType(et, True)

            def one(a: list | None, x: Any) -> list | None:
                if a is None:
                    return None
                return a + [x] if at_end else [x] + a
            return _apply(ctx, [cast_to(t, out), cast_to(v, et)], one, out)
        return func(name, [col_expr(col), lit_expr(value)], impl)
    f.__name__ = name
    return f


array_append = _add_end("array_append", True)
array_prepend = _add_end("array_prepend", False)


def array_size(col: Any) -> Column:
    """The number of elements (null for a null array)."""
    def impl(ctx: Ctx, t: Typed) -> Typed:
        _arr(t, "array_size")
        return _apply(ctx, [t], lambda a: None if a is None else len(a), T.IntegerType())
    return func("array_size", [col], impl)


def cardinality(col: Any) -> Column:
    """The size of an array or map (-1 for null, Spark's non-ANSI ``size``)."""
    def impl(ctx: Ctx, t: Typed) -> Typed:
        if not isinstance(t.dtype, T.MapType):
            _arr(t, "cardinality")
        return _apply(ctx, [t], lambda a: -1 if a is None else len(a), T.IntegerType(), False)
    return func("cardinality", [col], impl)


def array_join(col: Any, delimiter: str, null_replacement: str | None = None) -> Column:
    """The elements as strings joined by ``delimiter``; nulls skipped unless replaced."""
    def one(a: list | None) -> str | None:
        if a is None:
            return None
        parts = [x if x is not None else null_replacement for x in a]
        return delimiter.join(p for p in parts if p is not None)

    def impl(ctx: Ctx, t: Typed) -> Typed:
        _arr(t, "array_join")
        if not isinstance(t.dtype.elementType, (T.StringType, T.NullType)):
            raise AnalysisException(
                '[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "array_join": the '
                f'parameter requires "ARRAY<STRING>", got "{t.dtype.simpleString().upper()}"',
                "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
        return _apply(ctx, [t], one, T.StringType())
    e = col_expr(col)
    sql = f"array_join({e.sql()}, {delimiter}" + \
        ("" if null_replacement is None else f", {null_replacement}") + ")"
    return func("array_join", [e], impl, sql=sql)


def get(col: Any, index: Any) -> Column:
    """The element at 0-based ``index`` (null outside the array)."""
    def one(a: list | None, i: Any) -> Any:
        return None if a is None or i is None or not 0 <= i < len(a) else a[i]

    def impl(ctx: Ctx, t: Typed, i: Typed) -> Typed:
        _arr(t, "get")
        return _apply(ctx, [t, cast_to(i, T.IntegerType())], one, t.dtype.elementType)
    return func("get", [col_expr(col), _int_arg(index)], impl)


def try_element_at(col: Any, extraction: Any) -> Column:
    """``element_at`` that gives null (not an error) past the array's end; a map is looked up by
    key. Index 0 is still an error, as in Spark."""
    def from_array(a: list | None, i: Any) -> Any:
        if i == 0:
            raise ValueError("try_element_at: the index 0 is invalid; SQL array indices start at 1")
        if a is None or i is None or abs(i) > len(a):
            return None
        return a[i - 1] if i > 0 else a[i]

    def from_map(m: Any, k: Any) -> Any:
        if m is None or k is None:
            return None
        return next((v for key, v in (m.items() if isinstance(m, dict) else m) if key == k), None)

    def impl(ctx: Ctx, t: Typed, x: Typed) -> Typed:
        if isinstance(t.dtype, T.MapType):
            return _apply(ctx, [t, cast_to(x, t.dtype.keyType)], from_map, t.dtype.valueType)
        _arr(t, "try_element_at")
        return _apply(ctx, [t, cast_to(x, T.IntegerType())], from_array, t.dtype.elementType)
    return func("try_element_at", [col_expr(col), col_expr(extraction)], impl)


def array_insert(arr: Any, pos: Any, value: Any) -> Column:
    """The array with ``value`` inserted at 1-based ``pos`` (negative counts from the end, -1
    appending); positions past either end are padded with nulls."""
    def one(a: list | None, p: Any, v: Any) -> list | None:
        if a is None or p is None:
            return None
        if p == 0:
            raise ValueError("array_insert: the position 0 is invalid; SQL array indices start at 1")
        if p > 0:
            i = p - 1
            return a[:i] + [v] + a[i:] if i <= len(a) else a + [None] * (i - len(a)) + [v]
        i = len(a) + p + 1
        return a[:i] + [v] + a[i:] if i >= 0 else [v] + [None] * (-i) + a

    def impl(ctx: Ctx, t: Typed, p: Typed, v: Typed) -> Typed:
        _arr(t, "array_insert")
        et = wider_type([t.dtype.elementType, v.dtype], "array_insert")
        out = T.ArrayType(et, True)
        return _apply(ctx, [cast_to(t, out), cast_to(p, T.IntegerType()), cast_to(v, et)], one, out)
    return func("array_insert", [col_expr(arr), _int_arg(pos), lit_expr(value)], impl)
