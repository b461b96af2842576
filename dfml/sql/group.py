"""``GroupedData`` and the lowering of aggregate expressions to dask groupby reductions.

An aggregate output such as ``round(sum(a) / count(b), 2)`` is split in two: each aggregate
node (``dfml.sql.aggregates``) declares one or more *partials* that a tree reduction computes
per group (sum, count, min, ...) and its finish, and the rest of the expression is compiled over
the reduced frame. Every aggregate of one ``agg`` call shares one groupby, so the whole call is
one pass over the input. Nothing here knows an aggregate by its name.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
from typing import TYPE_CHECKING, Any, Callable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import types as T
from .aggregates import Partials
from .column import (AggFunc, Alias, Column, ColumnRef, Ctx, Expr, Typed, Precompiled,
                     fix_dtype, to_expr)
from .errors import AnalysisException
from .formatting import format_double

if TYPE_CHECKING:
    from .dataframe import DataFrame


# partial -> (Arrow hash aggregate per chunk, Arrow hash aggregate that merges chunk results)
_ARROW_COMBINE = {"sum": ("sum", "sum"), "count": ("count", "sum"), "size": ("count_all", "sum"),
                  "min": ("min", "min"), "max": ("max", "max"), "first": ("first", "first"),
                  "last": ("last", "last"), "first_any": ("first_any", "first_any"),
                  "last_any": ("last_any", "last_any")}


def _nested(col: Any) -> bool:
    """A list, struct or map column: Arrow's hash first/last/min/max have no kernel for them."""
    t = getattr(col.dtype, "pyarrow_dtype", None)
    return t is not None and pa.types.is_nested(t)


@functools.lru_cache(maxsize=None)
def _pick_keeping_nulls(last: bool) -> Any:
    """``first``/``last`` where a null counts as a value (Spark's default), for the pandas path
    (pandas' own first/last skip nulls). Built once, at first use (not at import: it needs
    dask.dataframe)."""
    import dask.dataframe as dd
    pos = -1 if last else 0

    def pick(s: Any) -> Any:
        return s.agg(lambda x: x.iloc[pos] if len(x) else None)
    return dd.Aggregation("last_any" if last else "first_any", pick, pick)


_PANDAS_PICKS = {"first_any": False, "last_any": True}  # the partial's name -> last?


def _pandas_pick(how: str) -> Any:
    """The pandas-path reduction for a partial named ``how``."""
    return _pick_keeping_nulls(_PANDAS_PICKS[how]) if how in _PANDAS_PICKS else how


class _ArrowGroupReduce:
    """One step of a groupby tree reduction done by Arrow's hash aggregation.

    ``merge=False`` aggregates raw rows of a partition; ``merge=True`` merges partial results
    (sums of sums, sums of counts, ...). Null keys form their own group, as in Spark.
    """
    __name__ = "arrow_group_reduce"  # dask names its tasks after this (a repr would hold an address)


    def __init__(self, keys: list[str], partials: dict[str, tuple[str, str]], merge: bool):
        self.keys, self.partials, self.merge = keys, partials, merge

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-arrow-group", tuple(self.keys), tuple(sorted(self.partials.items())), self.merge)

    def __call__(self, part: pd.DataFrame) -> pd.DataFrame:
        from .functions._common import arrow_of
        from .struct_keys import join_struct_keys, row_aggregates, split_struct_keys
        if self.merge:
            cols = self.keys + list(self.partials)
        else:
            cols = self.keys + sorted({c for c, _ in self.partials.values()} - set(self.keys))
        table = pa.table({c: arrow_of(part[c]) for c in cols}) if len(part.columns) else pa.table({})
        aggs = []
        for out, (col, how) in self.partials.items():
            step = _ARROW_COMBINE[how][1 if self.merge else 0]
            source = out if self.merge else col
            if step == "count_all":
                aggs.append(([], "count_all"))
            elif step == "count":
                aggs.append((source, "count", pc.CountOptions(mode="only_valid")))
            elif step in ("first", "last"):
                aggs.append((source, step, pc.ScalarAggregateOptions(skip_nulls=True)))
            elif step in ("first_any", "last_any"):  # nulls count as values (Spark's default)
                aggs.append((source, step[:-4], pc.ScalarAggregateOptions(skip_nulls=False)))
            else:
                aggs.append((source, step, pc.ScalarAggregateOptions(skip_nulls=True, min_count=0)
                             if step == "sum" else None))
        aggs = [a if len(a) == 2 or a[2] is not None else a[:2] for a in aggs]
        key_types = [table.schema.field(k).type for k in self.keys]
        table, flat, structs = split_struct_keys(_narrow_keys(table, self.keys), self.keys)
        result = table.group_by(flat, use_threads=False).aggregate(aggs + row_aggregates(structs))
        # Arrow names each aggregate "<column>_<function>" ("count_all" alone)
        arrow_names = [a[1] if not a[0] else f"{a[0]}_{a[1]}" for a in aggs]
        rebuilt = join_struct_keys(result, structs)
        columns = [(rebuilt[k] if k in rebuilt else result.column(k)).cast(t)
                   for k, t in zip(self.keys, key_types)]
        columns += [result.column(n) for n in arrow_names]
        out = pa.table(dict(zip(self.keys + list(self.partials), columns)))
        return out.to_pandas(types_mapper=pd.ArrowDtype)


def _narrow_keys(table: pa.Table, keys: list[str]) -> pa.Table:
    """``large_string`` keys as ``string``: Arrow's hash group-by runs about 2.5x faster on
    32-bit offsets (pyarrow 26, TPC-H Q1). A chunk too big for 32-bit offsets stays large."""
    for k in keys:
        i = table.schema.get_field_index(k)
        t = table.schema.field(i).type
        narrow = pa.string() if pa.types.is_large_string(t) else (
            pa.binary() if pa.types.is_large_binary(t) else None)
        if narrow is not None:
            try:
                table = table.set_column(i, k, table.column(i).cast(narrow))
            except pa.ArrowInvalid:
                pass
    return table


def _arrow_group_reduce(work: Any, keys: list[str], partials: dict[str, tuple[str, Any]]) -> Any:
    chunk = _ArrowGroupReduce(keys, partials, merge=False)
    merge = _ArrowGroupReduce(keys, partials, merge=True)
    meta = merge(chunk(work._meta))
    return work.reduction(chunk, aggregate=merge, combine=merge, meta=meta, split_every=8)


def _one_row_if_empty(count_cols: set[str]) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """A global aggregate yields one row even over no input (counts 0, the rest null)."""
    def fix(part: pd.DataFrame) -> pd.DataFrame:
        if len(part):
            return part
        row = {c: pd.array([0 if c in count_cols else None], dtype=part.dtypes[c])
               for c in part.columns}
        return pd.DataFrame(row)
    return fix


def _output_name(e: Expr) -> str:
    return e.name if isinstance(e, Alias) else e.output_name()


def aggregate(df: "DataFrame", keys: list[Expr], outputs: list[Expr],
              keep_keys: bool = True) -> "DataFrame":
    """``groupBy(keys).agg(outputs)`` (``keys`` empty: a global aggregate with one result row),
    as an Aggregate plan node."""
    return df._derive("Aggregate", lambda d: aggregate_frame(d, keys, outputs, keep_keys))


def _check_pandas_placement(outputs: list[Expr]) -> None:
    """Spark refuses grouped-aggregate pandas UDFs beside other aggregates in one agg."""
    funcs = [n for out in outputs for n in out.walk() if isinstance(n, AggFunc)]
    pandas = [n for n in funcs if type(n).__name__ == "PandasAggregate"]
    if pandas and len(pandas) != len(funcs):
        names = ", ".join(f"`{n.name}`" for n in dict.fromkeys(pandas))
        raise AnalysisException(
            f"[INVALID_PANDAS_UDF_PLACEMENT] The group aggregate pandas UDF {names} cannot be "
            f"invoked together with as other, non-pandas aggregate functions. SQLSTATE: 0A000",
            "INVALID_PANDAS_UDF_PLACEMENT")


def aggregate_frame(df: "DataFrame", keys: list[Expr], outputs: list[Expr],
                    keep_keys: bool = True) -> "DataFrame":
    """The aggregate over ``df``'s own frame (a lowered input, or its empty stand-in)."""
    ctx = df._ctx()
    low = Partials(ctx)
    key_cols, key_names, key_typed = [], [], []
    for i, k in enumerate(keys):
        if k.contains_aggregate():
            raise AnalysisException(f"aggregate functions are not allowed in GROUP BY: {k.sql()}")
        t = k.compile(ctx)
        name = f"__k{i}"
        low.inputs[name] = ctx.broadcast(t)
        key_cols.append(name)
        key_names.append(_output_name(k))
        key_typed.append(t)
    is_global = not keys
    if is_global:
        low.inputs["__k0"] = ctx.broadcast(Typed(1, T.IntegerType(), False))
        key_cols = ["__k0"]

    _check_pandas_placement(outputs)
    finals: dict[int, Callable[[Any], Typed]] = {}
    for out in outputs:
        for node in out.walk():
            if isinstance(node, AggFunc) and id(node) not in finals:
                args = []
                for c in node.children:
                    if c.contains_aggregate():
                        raise AnalysisException(
                            f"[NESTED_AGGREGATE_FUNCTION] It is not allowed to use an aggregate "
                            f"function in the argument of another aggregate function: {node.sql()}",
                            "NESTED_AGGREGATE_FUNCTION")
                    args.append(c.compile(ctx))
                finals[id(node)] = node.declare(args, low)

    key_lookup = {n: i for i, n in enumerate(key_names)}
    # validate non-aggregate references before building anything
    for out in outputs:
        _check_grouped_refs(out, key_lookup, ctx)

    work = ctx.frame.assign(**low.inputs)[list(low.inputs)]
    partials = dict(low.partials) or {"__size": (key_cols[0], "size")}
    if all(isinstance(how, str) and how in _ARROW_COMBINE for _, how in partials.values()) \
            and not any(_nested(work._meta[c]) for c, _ in partials.values() if c in work._meta):
        reduced = _arrow_group_reduce(work, key_cols, partials)
    else:
        partials = {k: (c, _pandas_pick(how) if isinstance(how, str) else how)
                    for k, (c, how) in partials.items()}
        reduced = work.groupby(key_cols, dropna=False).agg(**partials, split_out=1).reset_index()
    for col, how, out_name in low.distinct:
        uniq = work[key_cols + [col]].drop_duplicates(split_out=1)
        spec = {out_name: (col, how)}
        if how == "sum":
            uniq = uniq.assign(**{col + "_c": uniq[col]})
            spec[out_name + "_n"] = (col + "_c", "count")
        red = uniq.groupby(key_cols, dropna=False).agg(**spec, split_out=1).reset_index()
        reduced = reduced.merge(red, on=key_cols, how="left")
    if is_global:
        reduced = reduced.map_partitions(_one_row_if_empty(low.count_cols),
                                         meta=reduced._meta)

    def swap(node: Expr) -> Expr | None:
        if isinstance(node, AggFunc):
            return Precompiled(finals[id(node)](reduced))
        if isinstance(node, ColumnRef) and node.sql() in key_lookup:
            i = key_lookup[node.sql()]
            return Precompiled(Typed(fix_dtype(reduced[key_cols[i]], key_typed[i].dtype),
                                      key_typed[i].dtype, key_typed[i].nullable))
        return None

    rctx = Ctx(reduced, T.StructType([]))
    columns: list[tuple[str, Typed]] = []
    if keep_keys:
        for i, name in enumerate(key_names):
            columns.append((name, Typed(fix_dtype(reduced[key_cols[i]], key_typed[i].dtype),
                                        key_typed[i].dtype, key_typed[i].nullable)))
    for out in outputs:
        inner = out.children[0] if isinstance(out, Alias) else out
        columns.append((_output_name(out), inner.replace(swap).compile(rctx)))
    return _frame_of_typed(df, reduced, rctx, columns)


def _frame_of_typed(df: "DataFrame", frame: Any, ctx: Ctx, columns: list[tuple[str, Typed]]) -> "DataFrame":
    from .lowering import frame_of_columns
    nullable = {n: t.nullable for n, t in columns}
    return df._new(frame_of_columns(frame, ctx, columns), nullable, keep_alias=False)


def _check_grouped_refs(e: Expr, keys: dict[str, int], ctx: Ctx) -> None:
    if isinstance(e, AggFunc):
        return
    if isinstance(e, ColumnRef) and e.sql() not in keys:
        ctx.resolve(e.name)  # an unknown name gets the usual suggestion
        raise AnalysisException(
            f"[MISSING_AGGREGATION] The non-aggregating expression \"{e.sql()}\" is based on "
            f"columns which are not participating in the GROUP BY clause. Add the columns or the "
            f"expression to the GROUP BY, aggregate the expression, or use \"any_value({e.sql()})\".",
            "MISSING_AGGREGATION")
    for c in e.children:
        _check_grouped_refs(c, keys, ctx)


_SHORTCUT_NUMERIC = (T.NumericType,)


class GroupedData:
    """The result of ``df.groupBy(...)``: aggregate it with ``agg`` or a shortcut (``count``, ...)."""

    _kind = "GroupBy"  # as Spark's repr names the grouping

    def __init__(self, df: "DataFrame", keys: list[Expr]):
        self._df = df
        self._keys = keys

    def __repr__(self) -> str:
        """Spark's text: the grouping expressions (a column taken from the frame with its type,
        a name not yet resolved as given), the frame's columns and the kind of grouping."""
        from .expressions import Alias, ColumnRef
        shown = []
        for k in self._keys:
            inner = k.children[0] if isinstance(k, Alias) else k
            if isinstance(inner, ColumnRef) and (inner.literal or inner.plan_id is not None):
                dtype = k.compile(self._df._ctx_for([k])).dtype
                shown.append(f"{k.name if isinstance(k, Alias) else inner.name}: {dtype.simpleString()}")
            else:
                shown.append(k.sql())
        value = ", ".join(f"{n}: {t}" for n, t in self._df.dtypes)
        return f"GroupedData[grouping expressions: [{', '.join(shown)}], value: [{value}], type: {self._kind}]"

    def agg(self, *exprs: Any) -> "DataFrame":
        from . import functions as F
        if len(exprs) == 1 and isinstance(exprs[0], dict):
            outputs = []
            for colname, fname in exprs[0].items():
                fname = {"mean": "avg", "std": "stddev", "var": "variance"}.get(fname, fname)
                if not hasattr(F, fname):
                    raise ValueError(f"unknown aggregate function {fname!r} for column {colname!r}")
                c = getattr(F, fname)(colname)
                outputs.append(c._expr)
            return self._aggregate(outputs)
        if not exprs:
            raise ValueError("agg() needs at least one aggregate expression")
        outputs = []
        for e in exprs:
            if not isinstance(e, Column):
                raise TypeError(f"agg() takes Columns or one dict, got {type(e).__name__}: {e!r}")
            outputs.append(e._expr)
        return self._aggregate(outputs)

    def _aggregate(self, outputs: list[Expr]) -> "DataFrame":
        return self._df._aggregate(self._keys, outputs)

    def pivot(self, pivot_col: Any, values: list[Any] | None = None) -> "GroupedData":
        """Each distinct value of ``pivot_col`` (or each of ``values``) becomes a column group
        of the aggregates (``PivotedData`` below)."""
        return PivotedData(self._df, self._keys, pivot_col, values)

    def applyInPandas(self, func: Any, schema: Any) -> "DataFrame":
        """``func`` over each group as a pandas frame (the data shuffled by the keys first)."""
        from .pandas_api import apply_in_pandas
        return apply_in_pandas(self._df, self._keys, func, schema)

    def cogroup(self, other: "GroupedData") -> Any:
        """This grouping beside ``other``'s, for ``applyInPandas(func(left, right), schema)``."""
        from .cogroup import PandasCogroupedOps
        return PandasCogroupedOps(self, other)

    def count(self) -> "DataFrame":
        from . import functions as F
        return self.agg(F.count("*").alias("count"))

    def _numeric_agg(self, fname: str, cols: tuple[str, ...]) -> "DataFrame":
        from . import functions as F
        schema = self._df.schema
        if not cols:
            key_names = {_output_name(k) for k in self._keys}
            cols = tuple(f.name for f in schema.fields
                         if isinstance(f.dataType, T.NumericType) and f.name not in key_names)
        for c in cols:
            dt = self._df._resolve_field(c).dataType
            if not isinstance(dt, T.NumericType):
                raise AnalysisException(f'"{c}" is not a numeric column. Aggregation function can '
                                        f'only be applied on a numeric column.')
        return self.agg(*[getattr(F, fname)(c) for c in cols])

    def sum(self, *cols: str) -> "DataFrame":
        return self._numeric_agg("sum", cols)

    def avg(self, *cols: str) -> "DataFrame":
        return self._numeric_agg("avg", cols)

    def mean(self, *cols: str) -> "DataFrame":
        return self._numeric_agg("avg", cols)

    def min(self, *cols: str) -> "DataFrame":
        return self._numeric_agg("min", cols)

    def max(self, *cols: str) -> "DataFrame":
        return self._numeric_agg("max", cols)


def group_keys(cols: tuple[Any, ...], columns: list[str] | None = None) -> list[Expr]:
    """Grouping expressions; an int is a 1-based column position, as in PySpark."""
    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        cols = tuple(cols[0])
    out = []
    for c in cols:
        if columns is not None and isinstance(c, int) and not isinstance(c, bool):
            if not 1 <= c <= len(columns):
                raise IndexError(f"[INDEX_NOT_POSITIVE] groupBy: column ordinal {c} is not "
                                 f"between 1 and {len(columns)}")
            c = Column(ColumnRef.of(columns[c - 1]))
        out.append(to_expr(c))
    return out


# ---------------------------------------------------------------- pivot
# ``groupBy(...).pivot(col, values).agg(...)``: one column per pivot value and aggregate.
# 
# Spark aggregates by the grouping keys and the pivot column first, then spreads each pivot value's
# results into its own columns, so a (group, value) pair that never occurs gives null, even for
# ``count``. dfml does the same with two aggregates: the first over the data (one pass), the
# second over its small result, picking each value's row with ``first(when(p <=> v, a), true)``.
# Without ``values`` the distinct values are collected first, sorted, as Spark does (one more pass,
# at the ``pivot()`` call).

MAX_VALUES = 10000  # spark.sql.pivotMaxValues


def value_name(v: Any) -> str:
    """A pivot value as Spark names its column (its string form; null as ``null``)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return format_double(v)
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    return str(v)


class PivotedData(GroupedData):
    """``groupBy(...).pivot(...)``: its ``agg`` and shortcuts give one column per value."""

    def __init__(self, df: "DataFrame", keys: list[Expr], pivot_col: Any, values: list[Any] | None):
        super().__init__(df, keys)
        self._pivot = to_expr(pivot_col)
        self._pivot.compile(df._ctx())  # an unknown column fails here, before any work
        self._values = list(values) if values is not None else self._distinct_values()

    def _distinct_values(self) -> list[Any]:
        col = Column(self._pivot)
        rows = self._df.select(col.alias("__pv")).distinct().orderBy("__pv").limit(MAX_VALUES + 1).collect()
        if len(rows) > MAX_VALUES:
            raise AnalysisException(
                f"[PIVOT_VALUE_DATA_TYPE_MISMATCH] The pivot column {self._pivot.sql()} has more "
                f"than {MAX_VALUES} distinct values; give the values to pivot().")
        return [r[0] for r in rows]

    def pivot(self, pivot_col: Any, values: list[Any] | None = None) -> "GroupedData":
        raise AnalysisException("[REPEATED_CLAUSE] pivot() can only be called once after groupBy().")

    def _aggregate(self, outputs: list[Expr]) -> "DataFrame":
        from . import functions as F
        if not all(o.contains_aggregate() for o in outputs):
            raise AnalysisException("pivot().agg() takes aggregate expressions only")
        key_cols = [Column(k) for k in self._keys]
        inner = [Column(o.children[0] if isinstance(o, Alias) else o).alias(f"__a{i}")
                 for i, o in enumerate(outputs)]
        first = self._df.groupBy(*key_cols, Column(self._pivot).alias("__pv")).agg(*inner)
        key_names = [c for c in first.columns if c != "__pv" and not c.startswith("__a")]
        single = len(outputs) == 1
        spread = []
        for v in self._values:
            # Spark's pivot never matches a NaN value: its column stays null
            hit = F.lit(False) if isinstance(v, float) and v != v else F.col("__pv").eqNullSafe(F.lit(v))
            for i, o in enumerate(outputs):
                name = value_name(v) if single else f"{value_name(v)}_{_agg_name(o)}"
                spread.append(F.first(F.when(hit, F.col(f"__a{i}")), True).alias(name))
        return first.groupBy(*key_names).agg(*spread)


def _agg_name(e: Expr) -> str:
    return e.name if isinstance(e, Alias) else e.output_name()
