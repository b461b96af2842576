"""The Generate step of a select: ``explode``, ``explode_outer``, ``posexplode`` and
``inline``/``inline_outer`` (an array of structs exploded, each field its own column).

``select(a, explode(xs).alias("x"))`` stages the other items and the array, then repeats the
other columns once per element of the array in one native-free per-partition step (dask has no
explode that keeps Arrow types); the result's schema is declared, never inferred by running it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import types as T
from .coercion import require
from .column import Column
from .expressions import Alias, Expr
from .multi_alias import MultiAlias, check_alias_count
from .functions._arrays import Generator
from .lowering import frame_of_columns
from .errors import AnalysisException


def name_of(e: Expr) -> str:
    """The output name Spark gives a select item."""
    return e.name if isinstance(e, Alias) else e.output_name()


class _Explode:
    """Per partition: repeat the other columns once per element of the array column."""
    __name__ = "explode"  # dask names its tasks after this (a repr would hold an address)


    def __init__(self, array_col: str, out: list[str], kind: str, elem_t: pa.DataType):
        self.array_col, self.out, self.kind, self.elem_t = array_col, out, kind, elem_t

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-explode", self.array_col, tuple(self.out), self.kind, str(self.elem_t))

    def __call__(self, part: pd.DataFrame) -> pd.DataFrame:
        arr = pa.chunked_array(part[self.array_col].array._pa_array, type=part[self.array_col].dtype.pyarrow_dtype).combine_chunks()
        empty = None
        if self.kind in ("explode_outer", "posexplode_outer"):
            lengths = pc.fill_null(pc.list_value_length(arr), 0).to_numpy(zero_copy_only=False)
            empty = lengths == 0
            if empty.any():
                fixed = [v if not e else [None] for v, e in zip(arr.to_pylist(), empty)]
                arr = pa.array(fixed, arr.type)
        parents = pc.list_parent_indices(arr)
        values = pc.list_flatten(arr)
        positions = None
        if self.kind.startswith("posexplode"):
            starts = np.asarray(arr.offsets)[:-1]
            pos = np.arange(len(values)) - starts[np.asarray(parents)]
            null_pos = None if empty is None else empty[np.asarray(parents)]  # outer's filler row
            positions = pa.array(pos, pa.int32(), mask=null_pos)
        rest = part.drop(columns=[self.array_col]).iloc[np.asarray(parents)]
        rest = rest.reset_index(drop=True)
        cols = {}
        for name in self.out:
            if name.startswith("__gen_f"):  # inline: one column per field of the struct element
                field = values.field(int(name[len("__gen_f"):]))
                if values.null_count:  # a null struct (outer's filler row) has null fields
                    field = pc.if_else(values.is_null(), pa.scalar(None, field.type), field)
                cols[name] = pd.Series(pd.arrays.ArrowExtensionArray(field))
            elif name == "__gen_col":
                cols[name] = pd.Series(values.cast(self.elem_t), dtype=pd.ArrowDtype(self.elem_t))
            elif name == "__gen_pos":
                cols[name] = pd.Series(positions, dtype=pd.ArrowDtype(pa.int32()))
            else:
                cols[name] = rest[name]
        return pd.DataFrame(cols, columns=self.out)


def explode_select(df: Any, exprs: list[Expr], names_memo: dict | None = None) -> Any:
    """``select`` with one generator among ``exprs``. ``names_memo`` keeps the internal names
    given to repeated output names the same across the build's runs (resolution, then the
    action)."""
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
    over_map = isinstance(arr.dtype, T.MapType) and not gen.kind.startswith("inline")
    if over_map:  # a map explodes as its entries: one (key, value) row each
        from .functions._maps import map_entries
        arr = map_entries(Column(gen.children[0]))._expr.compile(ctx)
    if not isinstance(arr.dtype, T.ArrayType):
        require(arr, (T.ArrayType,), gen.sql(), '"ARRAY"')
    inline = gen.kind.startswith("inline")
    if inline and not isinstance(arr.dtype.elementType, T.StructType):
        raise AnalysisException(
            f'[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "{gen.sql()}" due to data '
            f'type mismatch: the parameter requires "ARRAY<STRUCT>" type, however the input has '
            f'type "{arr.dtype.simpleString().upper()}".', "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE")
    columns = []
    for i, e in enumerate(exprs):
        if i == gi:
            columns.append(("__gen_arr", arr))
        else:
            columns.append((name_of(e), e.compile(ctx)))
    staged = df._new(frame_of_columns(df._frame, ctx, columns), {n: t.nullable for n, t in columns},
                     keep_alias=False)
    names = [n for n, _ in columns]
    out_names: list[str] = []
    final_names: list[str] = []
    gen_names = gen.output_names()
    if inline:
        gen_names = [f.name for f in arr.dtype.elementType.fields]
    elif over_map:
        gen_names = gen_names[:-1] + ["key", "value"]
    if isinstance(g_expr, MultiAlias):
        gen_names = g_expr.check_count(gen_names)
    elif alias is not None:
        gen_names = check_alias_count((alias,), gen_names)
    for n in names:
        if n == "__gen_arr":
            if inline:
                out_names += [f"__gen_f{i}" for i in range(len(gen_names))]
            elif over_map:
                pos = ["__gen_pos"] if gen.kind.startswith("posexplode") else []
                out_names += pos + ["__gen_f0", "__gen_f1"]
            elif gen.kind.startswith("posexplode"):
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
        if n.startswith("__gen_f"):
            meta_cols[n] = pd.Series([], dtype=pd.ArrowDtype(elem_t.field(int(n[len("__gen_f"):])).type))
        elif n == "__gen_col":
            meta_cols[n] = pd.Series([], dtype=pd.ArrowDtype(elem_t))
        elif n == "__gen_pos":
            meta_cols[n] = pd.Series([], dtype=pd.ArrowDtype(pa.int32()))
        else:
            meta_cols[n] = staged._frame._meta[n]
    meta = pd.DataFrame(meta_cols, columns=out_names)
    kind = {"inline": "explode", "inline_outer": "explode_outer"}.get(gen.kind, gen.kind)
    exploded = staged._frame.map_partitions(_Explode("__gen_arr", out_names, kind, elem_t),
                                            meta=meta, enforce_metadata=False)
    final_names = _kept_apart(final_names, {} if names_memo is None else names_memo)
    exploded = exploded.rename(columns=dict(zip(out_names, final_names)))
    nullable = {n: True for n in final_names}
    return df._new(exploded, nullable, keep_alias=False)


def _kept_apart(names: list[str], memo: dict) -> list[str]:
    """Output names with repeats under internal names (``join_names``): ``select('*',
    inline('a'))`` over a column ``a`` of structs with a field ``a`` shows two columns ``a``, as
    Spark does, while the frame needs unique names."""
    from collections import Counter

    from . import join_names
    counts = Counter(names)
    return [memo.setdefault((i, n), join_names.fresh(n, n)) if counts[n] > 1 else n
            for i, n in enumerate(names)]
