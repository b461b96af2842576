"""Array, map and struct functions, and the ``explode`` generators.

Arrays are Arrow ``large_list`` columns and structs Arrow ``struct`` columns; the kernels work
on whole Arrow arrays per partition where Arrow has a kernel, and row by row otherwise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import types as T
from ..column import Alias, Column, Ctx, Expr, Typed, cast_to, common_type
from ..errors import AnalysisException
from ._common import _ArrowKernel, col_expr, func, lit_expr, per_partition, require

__all__ = ["array", "struct", "size", "array_contains", "sort_array", "element_at", "array_distinct",
           "explode", "explode_outer", "posexplode", "array_max", "array_min"]


def _names(cols: tuple[Any, ...]) -> list[Any]:
    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        return list(cols[0])
    return list(cols)


def array(*cols: Any) -> Column:
    """An array of the given columns' values, per row."""
    args = [col_expr(c) for c in _names(cols)]

    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        et = common_type([t.dtype for t in ts], "array")
        if isinstance(et, T.NullType):
            et = T.StringType()
        out = T.ArrayType(et, True)
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


def _rowwise(fn: Any, out_t: pa.DataType) -> Any:
    def k(a: pa.ChunkedArray, *rest: Any) -> pa.Array:
        vals = a.to_pylist()
        extra = [r.to_pylist() if isinstance(r, pa.ChunkedArray) else [r] * len(vals) for r in rest]
        return pa.array([fn(v, *[e[i] for e in extra]) for i, v in enumerate(vals)], out_t)
    return k


def array_contains(col: Any, value: Any) -> Column:
    v_expr = lit_expr(value)

    def contains(arr: list | None, v: Any) -> bool | None:
        if arr is None or v is None:
            return None
        if v in arr:
            return True
        return None if any(x is None for x in arr) else False

    def impl(ctx: Ctx, t: Typed, v: Typed) -> Typed:
        _require_array(t, "array_contains")
        v = cast_to(v, t.dtype.elementType)
        return Typed(per_partition(ctx, [t, v], _rowwise(contains, pa.bool_()), T.BooleanType()),
                     T.BooleanType(), True)
    e = col_expr(col)
    return func("array_contains", [e, v_expr], impl)


def sort_array(col: Any, asc: bool = True) -> Column:
    def order(arr: list | None) -> list | None:
        if arr is None:
            return None
        present = sorted((x for x in arr if x is not None), reverse=not asc)
        nulls = [None] * (len(arr) - len(present))
        return nulls + present if asc else present + nulls

    def impl(ctx: Ctx, t: Typed) -> Typed:
        _require_array(t, "sort_array")
        return Typed(per_partition(ctx, [t], _rowwise(order, T.to_arrow(t.dtype)), t.dtype),
                     t.dtype, t.nullable)
    e = col_expr(col)
    return func("sort_array", [e], impl, sql=f"sort_array({e.sql()}, {str(asc).lower()})")


def _element(arr: list | None, i: Any, zero_based: bool) -> Any:
    if arr is None or i is None:
        return None
    i = int(i)
    if zero_based:
        return arr[i] if 0 <= i < len(arr) else None
    if i == 0:
        raise ValueError("element_at: the index 0 is invalid; SQL array indices start at 1")
    if abs(i) > len(arr):
        return None
    return arr[i - 1] if i > 0 else arr[i]


def element_at_series(s: Any, dtype: T.ArrayType, index: int, spark_getitem: bool = False) -> Any:
    """The element at 1-based ``index`` of each array in ``s`` (``getItem`` passes index + 1)."""
    arrow_t = T.to_arrow(dtype.elementType)
    pos = index - 1 if spark_getitem else index
    fn = _ArrowKernel(_rowwise(lambda a: _element(a, pos, spark_getitem), arrow_t), [None], [0], arrow_t)
    return s.map_partitions(fn, meta=pd.Series([], dtype=pd.ArrowDtype(arrow_t)))


def map_value_series(s: Any, dtype: T.MapType, key: Any) -> Any:
    arrow_t = T.to_arrow(dtype.valueType)

    def lookup(m: Any) -> Any:
        items = m.items() if isinstance(m, dict) else m
        for k, v in items:
            if k == key:
                return v
        return None
    fn = _ArrowKernel(_rowwise(lookup, arrow_t), [None], [0], arrow_t)
    return s.map_partitions(fn, meta=pd.Series([], dtype=pd.ArrowDtype(arrow_t)))


def element_at(col: Any, extraction: Any) -> Column:
    x_expr = lit_expr(extraction)

    def impl(ctx: Ctx, t: Typed, x: Typed) -> Typed:
        if isinstance(t.dtype, T.MapType):
            if not x.is_scalar:
                raise NotImplementedError("element_at of a map with a column key is not supported yet")
            return Typed(map_value_series(ctx.broadcast(t), t.dtype, x.value), t.dtype.valueType, True)
        _require_array(t, "element_at")
        et = t.dtype.elementType
        return Typed(per_partition(ctx, [t, x], _rowwise(lambda a, i: _element(a, i, False),
                                                          T.to_arrow(et)), et), et, True)
    e = col_expr(col)
    return func("element_at", [e, x_expr], impl)


def array_distinct(col: Any) -> Column:
    def impl(ctx: Ctx, t: Typed) -> Typed:
        _require_array(t, "array_distinct")
        fn = _rowwise(lambda a: None if a is None else list(dict.fromkeys(a)), T.to_arrow(t.dtype))
        return Typed(per_partition(ctx, [t], fn, t.dtype), t.dtype, t.nullable)
    return func("array_distinct", [col], impl)


def _extreme(name: str, pick: Any) -> Any:
    def f(col: Any) -> Column:
        def impl(ctx: Ctx, t: Typed) -> Typed:
            _require_array(t, name)
            et = t.dtype.elementType

            def one(a: list | None) -> Any:
                present = [x for x in (a or []) if x is not None]
                return pick(present) if present else None
            return Typed(per_partition(ctx, [t], _rowwise(one, T.to_arrow(et)), et), et, True)
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
        return ["pos", "col"] if self.kind == "posexplode" else ["col"]

    def compile(self, ctx: Ctx) -> Typed:
        raise AnalysisException(f"{self.sql()} can only be used directly in select()")


def explode(col: Any) -> Column:
    return Column(Generator("explode", col_expr(col)))


def explode_outer(col: Any) -> Column:
    return Column(Generator("explode_outer", col_expr(col)))


def posexplode(col: Any) -> Column:
    return Column(Generator("posexplode", col_expr(col)))


class _Explode:
    """Per partition: repeat the other columns once per element of the array column."""

    def __init__(self, array_col: str, out: list[str], kind: str, elem_t: pa.DataType):
        self.array_col, self.out, self.kind, self.elem_t = array_col, out, kind, elem_t

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-explode", self.array_col, tuple(self.out), self.kind, str(self.elem_t))

    def __call__(self, part: pd.DataFrame) -> pd.DataFrame:
        arr = pa.chunked_array(part[self.array_col].array._pa_array, type=part[self.array_col].dtype.pyarrow_dtype).combine_chunks()
        if self.kind == "explode_outer":
            lengths = pc.fill_null(pc.list_value_length(arr), 0).to_numpy(zero_copy_only=False)
            empty = lengths == 0
            if empty.any():
                fixed = [v if not e else [None] for v, e in zip(arr.to_pylist(), empty)]
                arr = pa.array(fixed, arr.type)
        parents = pc.list_parent_indices(arr)
        values = pc.list_flatten(arr)
        positions = None
        if self.kind == "posexplode":
            starts = np.asarray(arr.offsets)[:-1]
            positions = pa.array(np.arange(len(values)) - starts[np.asarray(parents)], pa.int32())
        rest = part.drop(columns=[self.array_col]).iloc[np.asarray(parents)]
        rest = rest.reset_index(drop=True)
        cols = {}
        for name in self.out:
            if name == "__gen_col":
                cols[name] = pd.Series(values.cast(self.elem_t), dtype=pd.ArrowDtype(self.elem_t))
            elif name == "__gen_pos":
                cols[name] = pd.Series(positions, dtype=pd.ArrowDtype(pa.int32()))
            else:
                cols[name] = rest[name]
        return pd.DataFrame(cols, columns=self.out)


def explode_select(df: Any, exprs: list[Expr]) -> Any:
    """``select`` with one generator among ``exprs``."""
    gens = [i for i, e in enumerate(exprs) if isinstance(e, Generator)
            or isinstance(e, Alias) and isinstance(e.children[0], Generator)]
    if len(gens) > 1:
        raise AnalysisException("[UNSUPPORTED_GENERATOR.MULTI_GENERATOR] only one generator "
                                "(explode) is allowed per select")
    gi = gens[0]
    g_expr = exprs[gi]
    alias = g_expr.name if isinstance(g_expr, Alias) else None
    gen = g_expr.children[0] if isinstance(g_expr, Alias) else g_expr
    ctx = df._ctx()
    arr = gen.children[0].compile(ctx)
    if not isinstance(arr.dtype, T.ArrayType):
        require(arr, (T.ArrayType,), gen.sql(), '"ARRAY"')
    from ..analysis import name_of as _name_of
    from ..lowering import frame_of_columns
    columns = []
    for i, e in enumerate(exprs):
        if i == gi:
            columns.append(("__gen_arr", arr))
        else:
            columns.append((_name_of(e), e.compile(ctx)))
    staged = df._new(frame_of_columns(df._frame, ctx, columns), {n: t.nullable for n, t in columns},
                     keep_alias=False)
    names = [n for n, _ in columns]
    out_names: list[str] = []
    final_names: list[str] = []
    gen_names = gen.output_names()
    if alias is not None:
        gen_names = [alias] if len(gen_names) == 1 else gen_names
    for n in names:
        if n == "__gen_arr":
            if gen.kind == "posexplode":
                out_names += ["__gen_pos", "__gen_col"]
            else:
                out_names.append("__gen_col")
            final_names += gen_names
        else:
            out_names.append(n)
            final_names.append(n)
    elem_t = T.to_arrow(arr.dtype.elementType)
    meta_cols = {}
    for n in out_names:
        if n == "__gen_col":
            meta_cols[n] = pd.Series([], dtype=pd.ArrowDtype(elem_t))
        elif n == "__gen_pos":
            meta_cols[n] = pd.Series([], dtype=pd.ArrowDtype(pa.int32()))
        else:
            meta_cols[n] = staged._frame._meta[n]
    meta = pd.DataFrame(meta_cols, columns=out_names)
    exploded = staged._frame.map_partitions(_Explode("__gen_arr", out_names, gen.kind, elem_t),
                                            meta=meta, enforce_metadata=False)
    exploded = exploded.rename(columns=dict(zip(out_names, final_names)))
    nullable = {n: True for n in final_names}
    return df._new(exploded, nullable, keep_alias=False)
