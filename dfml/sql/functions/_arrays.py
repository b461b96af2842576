"""Array, map and struct functions, and the ``explode`` generators.

Arrays are Arrow ``large_list`` columns and structs Arrow ``struct`` columns; the kernels work
on whole Arrow arrays per partition where Arrow has a kernel, and row by row otherwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import types as T
from ..column import Alias, Column, Ctx, Expr, Typed, cast_to, common_type
from ..errors import AnalysisException
from ..kernels import element_of, map_value_series, rowwise
from ..nan_rules import distinct_values, order_key, same_key
from ..star_args import expands_star
from ._common import col_expr, func, lit_expr, per_partition, require

__all__ = ["array", "struct", "size", "array_contains", "sort_array", "element_at", "array_distinct",
           "explode", "explode_outer", "posexplode", "posexplode_outer", "array_max", "array_min"]


def _names(cols: tuple[Any, ...]) -> list[Any]:
    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        return list(cols[0])
    return list(cols)


def _empty_array(ctx: Ctx) -> Typed:
    """``array()``: an empty array per row, typed ``array<void>`` with no null elements as Spark
    types it (so it widens to any array type in a VALUES list or a ``coalesce``)."""
    out = T.ArrayType(T.NullType(), False)

    def k(part: Any) -> pa.Array:
        offsets = pa.array(np.zeros(len(part) + 1, dtype=np.int64))
        return pa.LargeListArray.from_arrays(offsets, pa.array([], pa.null()))
    return Typed(per_partition(ctx, [Typed(None, T.NullType())], k, out), out, False)


@expands_star
def array(*cols: Any) -> Column:
    """An array of the given columns' values, per row."""
    args = [col_expr(c) for c in _names(cols)]

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        if not ts:
            return _empty_array(ctx)
        et = common_type([t.dtype for t in ts], "array")
        if isinstance(et, T.NullType):
            et = T.StringType()
        out = T.ArrayType(et, any(t.nullable for t in ts))  # null elements only if a cell may be
        vals = [cast_to(t, et) for t in ts]

        def k(*parts: Any) -> pa.Array:
            n = next(len(p) for p in parts if isinstance(p, pa.ChunkedArray))
            arrays = [p.combine_chunks() if isinstance(p, pa.ChunkedArray) else
                      pa.array([p] * n, T.to_arrow(et)) for p in parts]
            width = len(arrays)
            flat = pa.concat_arrays([a.cast(T.to_arrow(et)) for a in arrays])
            order = np.arange(n * width).reshape(width, n).T.reshape(-1)
            values = flat.take(pa.array(order))
            offsets = pa.array(np.arange(0, n * width + 1, width, dtype=np.int64))
            return pa.LargeListArray.from_arrays(offsets, values)
        return Typed(per_partition(ctx, vals, k, out), out, False)
    return func("array", args, impl)


@expands_star
def struct(*cols: Any) -> Column:
    """A struct whose fields are the given columns (named by their output names)."""
    args = [col_expr(c) for c in _names(cols)]
    names = [a.name if isinstance(a, Alias) else a.output_name() for a in args]

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        out = T.StructType([T.StructField(n, t.dtype, t.nullable) for n, t in zip(names, ts)])

        def k(*parts: Any) -> pa.Array:
            n = next(len(p) for p in parts if isinstance(p, pa.ChunkedArray))
            arrays = [p.combine_chunks().cast(T.to_arrow(t.dtype)) if isinstance(p, pa.ChunkedArray)
                      else pa.array([p] * n, T.to_arrow(t.dtype)) for p, t in zip(parts, ts)]
            return pa.StructArray.from_arrays(arrays, fields=list(T.to_arrow(out)))
        return Typed(per_partition(ctx, list(ts), k, out), out, False)
    return func("struct", args, impl)


def _require_array(t: Typed, fname: str) -> None:
    require(t, (T.ArrayType,), fname, '"ARRAY"')


def size(col: Any) -> Column:
    def impl(ctx: Ctx, t: Typed) -> Typed:
        if not isinstance(t.dtype, (T.ArrayType, T.MapType, T.NullType)):
            require(t, (T.ArrayType,), "size", '"ARRAY" or "MAP"')

        def k(a: pa.ChunkedArray) -> pa.ChunkedArray:
            return pc.fill_null(pc.cast(pc.list_value_length(a), pa.int32()), -1)
        return Typed(per_partition(ctx, [t], k, T.IntegerType()), T.IntegerType(), False)
    return func("size", [col], impl)


def array_contains(col: Any, value: Any) -> Column:
    v_expr = lit_expr(value)

    def contains(arr: list | None, v: Any) -> bool | None:
        if arr is None or v is None:
            return None
        if any(same_key(x) == same_key(v) for x in arr if x is not None):  # NaN finds NaN
            return True
        return None if any(x is None for x in arr) else False

    def impl(ctx: Ctx, t: Typed, v: Typed) -> Typed:
        _require_array(t, "array_contains")
        v = cast_to(v, t.dtype.elementType)
        return Typed(per_partition(ctx, [t, v], rowwise(contains, pa.bool_()), T.BooleanType()),
                     T.BooleanType(), True)
    e = col_expr(col)
    return func("array_contains", [e, v_expr], impl)


def sort_array(col: Any, asc: bool = True) -> Column:
    def order(arr: list | None) -> list | None:
        if arr is None:
            return None
        present = sorted((x for x in arr if x is not None), key=order_key, reverse=not asc)
        nulls = [None] * (len(arr) - len(present))
        return nulls + present if asc else present + nulls

    def impl(ctx: Ctx, t: Typed) -> Typed:
        _require_array(t, "sort_array")
        return Typed(per_partition(ctx, [t], rowwise(order, T.to_arrow(t.dtype)), t.dtype),
                     t.dtype, t.nullable)
    e = col_expr(col)
    return func("sort_array", [e], impl, sql=f"sort_array({e.sql()}, {str(asc).lower()})")


def element_at(col: Any, extraction: Any) -> Column:
    x_expr = lit_expr(extraction)

    def impl(ctx: Ctx, t: Typed, x: Typed) -> Typed:
        if isinstance(t.dtype, T.MapType):
            if not x.is_scalar:
                raise NotImplementedError("element_at of a map with a column key is not supported yet")
            return Typed(map_value_series(ctx.broadcast(t), t.dtype, x.value), t.dtype.valueType, True)
        _require_array(t, "element_at")
        et = t.dtype.elementType
        return Typed(per_partition(ctx, [t, x], rowwise(lambda a, i: element_of(a, i, False),
                                                          T.to_arrow(et)), et), et, True)
    e = col_expr(col)
    return func("element_at", [e, x_expr], impl)


def _distinct_values(a: list | None) -> list | None:
    return None if a is None else distinct_values(a)


def array_distinct(col: Any) -> Column:
    def impl(ctx: Ctx, t: Typed) -> Typed:
        _require_array(t, "array_distinct")
        fn = rowwise(_distinct_values, T.to_arrow(t.dtype))
        return Typed(per_partition(ctx, [t], fn, t.dtype), t.dtype, t.nullable)
    return func("array_distinct", [col], impl)


def _extreme(name: str, pick: Any) -> Any:
    def f(col: Any) -> Column:
        def impl(ctx: Ctx, t: Typed) -> Typed:
            _require_array(t, name)
            et = t.dtype.elementType

            def one(a: list | None) -> Any:
                present = [x for x in (a or []) if x is not None]
                return pick(present, key=order_key) if present else None
            return Typed(per_partition(ctx, [t], rowwise(one, T.to_arrow(et)), et), et, True)
        return func(name, [col], impl)
    f.__name__ = name
    return f


array_max = _extreme("array_max", max)
array_min = _extreme("array_min", min)


# ---------------------------------------------------------------- generators

class Generator(Expr):
    """``explode``-like: one output row per array element; only valid directly in ``select``."""

    def __init__(self, kind: str, child: Expr):
        self.kind = kind
        self.children = (child,)

    def sql(self) -> str:
        return f"{self.kind}({self.children[0].sql()})"

    def output_names(self) -> list[str]:
        return ["pos", "col"] if self.kind.startswith("posexplode") else ["col"]

    def compile(self, ctx: Ctx) -> Typed:
        raise AnalysisException(f"{self.sql()} can only be used directly in select()")


def explode(col: Any) -> Column:
    return Column(Generator("explode", col_expr(col)))


def explode_outer(col: Any) -> Column:
    return Column(Generator("explode_outer", col_expr(col)))


def posexplode(col: Any) -> Column:
    return Column(Generator("posexplode", col_expr(col)))


def posexplode_outer(col: Any) -> Column:
    """``posexplode`` that keeps a row (null position and value) for a null or empty array."""
    return Column(Generator("posexplode_outer", col_expr(col)))
