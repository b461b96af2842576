"""Window steps: window expressions of a select list, extracted below its final projection.

Window expressions sharing a partitioning share one step: the input's rows move to the
partition of their keys (one dask shuffle; no keys: all rows to one partition, with a warning,
as Spark does), then one function per partition sorts the rows once per distinct ordering
(``SortedPartition``) and evaluates each expression of the step over its own frame. A window
function evaluates itself (``dfml.sql.window_funcs``); an aggregate over a window runs the
partials it declares for ``groupBy`` (sum, count, min, ...) over every row's frame
(``frame_reduce``) and then its own finish, so each aggregate needs no window code of its own.
The step's output types are declared from the nodes' type rules; nothing runs to infer them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import pandas as pd
import pyarrow as pa

from . import types as T
from .aggregates import (CollectList, CollectSet, CountDistinct, First, Last, Partials, Sum,
                         SumDistinct)
from .column import ColumnRef, Expr
from .errors import AnalysisException
from .window_nodes import WindowExpr, WindowFunction, frame_sql
from .window_frames import (SortedPartition, distinct_lists, first_value, frame_lists,
                            frame_reduce, last_value, partition_groups)
from .window_funcs import last_valid, nth_valid

if TYPE_CHECKING:
    from .dataframe import DataFrame

_PARTIALS = ("sum", "count", "size", "min", "max", "first", "last")


def plan_windows(df: "DataFrame", named: list[tuple[str, Expr]]
                 ) -> tuple["DataFrame", list[tuple[str, Expr]]]:
    """``df`` with one Window step per distinct partitioning of the window expressions in
    ``named``, and ``named`` reading their results from the steps' columns."""
    found: list[WindowExpr] = []
    for _, e in named:
        for node in e.walk():
            if isinstance(node, WindowExpr) and node not in found:
                found.append(node)
    df = _only_needed_columns(df, named)
    steps: dict[tuple, list[WindowExpr]] = {}
    for w in found:  # one step (one shuffle) per partitioning; each ordering sorts once in it
        steps.setdefault(w.partition, []).append(w)
    taken = set(df.columns)
    columns: dict[WindowExpr, str] = {}
    for w in found:
        name, i = f"__window{len(columns)}", len(columns)
        while name in taken:
            i += 1
            name = f"__window{i}"
        taken.add(name)
        columns[w] = name

    def swap(node: Expr) -> Expr | None:
        return ColumnRef.of(columns[node]) if isinstance(node, WindowExpr) else None
    out = [(n, e.replace(swap)) for n, e in named]
    made = set(columns.values())
    # each step passes on only what the projection and the later steps read: a Window step is
    # opaque to dask, whose projection pushdown stops at it (it would sort every input column)
    later: list[Expr] = [e for _, e in out]
    keeps: list[set[str] | None] = []
    for ws in reversed(list(steps.values())):
        refs = _referenced(df, later, made)
        keeps.append(None if refs is None else refs | made)
        later = later + list(ws)
    for (partition, ws), keep in zip(steps.items(), reversed(keeps)):
        outs = [(columns[w], w) for w in ws]
        label = f"Window [{', '.join(w.sql() for w in ws)}]"
        df = df._derive(label, lambda d, outs=outs, p=partition, k=keep:
                        window_frame(d, list(p), outs, k), keep_alias=True)
    for _, e in out:
        if e.contains_aggregate():
            raise AnalysisException(f"aggregate {e.sql()} beside window functions: aggregate "
                                    f"first (groupBy().agg() or select), then add the windows")
    return df, out


def _only_needed_columns(df: "DataFrame", named: list[tuple[str, Expr]]) -> "DataFrame":
    """``df`` cut to the columns the select list reads. A Window step is opaque to dask's
    optimizer (a shuffle, then a function of whole partitions), so columns it does not need
    would be read from the files and moved through the shuffle; Spark prunes them first."""
    needed = _referenced(df, [e for _, e in named], set())
    if needed is None:
        return df  # the step itself reports it
    keep = [c for c in df.columns if c in needed]
    if len(keep) == len(df.columns) or not keep:
        return df
    return df._keep([(c, c) for c in keep])


def _referenced(df: "DataFrame", exprs: list[Expr], made: set[str]) -> set[str] | None:
    """The columns of ``df`` that ``exprs`` read (names in ``made``, the steps' own window
    columns, left out), or None when a name does not resolve (then nothing is pruned)."""
    ctx = df._ctx()
    needed: set[str] = set()
    for e in exprs:
        for node in e.walk():
            if isinstance(node, ColumnRef) and node.name not in made:
                try:
                    needed.add(ctx.resolve(node.name) if node.literal else ctx.resolve_path(node.name)[0])
                except AnalysisException:
                    return None
    return needed


@dataclass
class _Task:
    """One window expression of a step: its output column and how to compute it."""

    out: str
    sql: str
    ordering: int
    frame: tuple
    dtype: Any
    nullable: bool
    function: WindowFunction | None = None
    args: list[str] = field(default_factory=list)
    pick: str = ""  # "first"/"last" value, or the "list"/"set" of the frame's values
    ignore_nulls: bool = False
    partials: list[tuple[str, str, str, Any]] = field(default_factory=list)
    finish: Callable[[Any], Any] | None = None


def window_frame(df: "DataFrame", partition: list[Expr], outs: list[tuple[str, WindowExpr]],
                 keep: set[str] | None = None) -> "DataFrame":
    """One Window step over ``df``'s own frame (a lowered input, or its empty stand-in), passing
    on the input columns in ``keep`` (all when None) beside the window columns."""
    ctx = df._ctx()
    frame = ctx.frame
    work: dict[str, Any] = {}
    keys = []
    for i, e in enumerate(partition):
        t = e.compile(ctx)
        value = ctx.broadcast(t)
        if isinstance(t.dtype, (T.FloatType, T.DoubleType)):
            # -0.0 is 0.0 as a partition key (one hash, one group), as Spark normalizes it
            value = value.map_partitions(_unsigned_zero, meta=value._meta)
        work[f"__wp{i}"] = _comparable(value, t.dtype)
        keys.append(f"__wp{i}")
    orderings: list[tuple] = []
    order_cols: list[list[tuple[str, bool, bool]]] = []
    for _, w in outs:
        if w.order in orderings:
            continue
        orderings.append(w.order)
        cols = []
        for o in w.order:
            name = f"__wo{len(work)}"
            t = o.children[0].compile(ctx)
            work[name] = _comparable(ctx.broadcast(t), t.dtype)
            cols.append((name, o.ascending, o.nulls_first))
        order_cols.append(cols)
    tasks = [_task(ctx, out, w, work, i, orderings.index(w.order))
             for i, (out, w) in enumerate(outs)]
    work, same = _reuse_columns(frame, work)
    keys = [same.get(k, k) for k in keys]
    order_cols = [[(same.get(c, c), a, nf) for c, a, nf in cols] for cols in order_cols]
    for t in tasks:
        t.args = [same.get(a, a) for a in t.args]
        t.partials = [(pn, same.get(src, src), how, dt) for pn, src, how, dt in t.partials]
    original = [c for c in frame.columns if keep is None or c in keep]
    staged = frame.assign(**work) if work else frame
    if keys:
        staged = staged.shuffle(on=keys, shuffle_method=_shuffle_method(staged.npartitions))
    elif staged.npartitions > 1:
        warnings.warn("No partition defined for a window operation: all rows move to a single "
                      "partition, which can be slow on large data", UserWarning, stacklevel=2)
        staged = staged.repartition(npartitions=1)
    meta = frame._meta[original].assign(**{t.out: pd.Series([], dtype=t.dtype) for t in tasks})
    kernel = _WindowKernel(keys, order_cols, tasks, original)
    result = staged.map_partitions(kernel, meta=meta)
    nullable = dict(df._nullable)
    nullable.update({t.out: t.nullable for t in tasks})
    return df._new(result, nullable)


def _shuffle_method(npartitions: int) -> str | None:
    """dask's task-based shuffle for a frame of few partitions, else dask's default (P2P on a
    cluster). With at most ``_TASK_SHUFFLE_MAX`` inputs the task shuffle is one stage of
    in-memory splits and concatenations; P2P's barrier, disk buffers and Arrow round trip are
    fixed costs that cost the TPC-H window query about an eighth of its time at SF1. Beyond
    that, P2P keeps memory bounded where the task shuffle's stages multiply."""
    return "tasks" if npartitions <= _TASK_SHUFFLE_MAX else None


_TASK_SHUFFLE_MAX = 32


def _reuse_columns(frame: Any, work: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """``work`` without the columns that are already there: a partition key, order key or
    argument that is a plain input column (or the same expression as an earlier work column)
    is read from that column, so the shuffle moves each column once (the TPC-H window query
    moved ten columns for four before). Returns the remaining work and the renames."""
    seen = {frame[c]._name: c for c in frame.columns}
    left: dict[str, Any] = {}
    same: dict[str, str] = {}
    for name, value in work.items():
        token = getattr(value, "_name", None)
        if token is not None and token in seen:
            same[name] = seen[token]
            continue
        left[name] = value
        if token is not None:
            seen[token] = name
    return left, same


def _comparable(value: Any, dtype: T.DataType) -> Any:
    """Arrays and structs as their order-preserving byte keys: Arrow neither sorts nor hashes
    nested values, and equal values have equal keys (ties and partitions stay as Spark's)."""
    if not isinstance(dtype, (T.ArrayType, T.StructType)):
        return value
    from .order_keys import order_key_column
    return order_key_column(value)


def _task(ctx: Any, out: str, w: WindowExpr, work: dict[str, Any], i: int, ordering: int) -> _Task:
    f = w.function
    frame = _checked_frame(w, ctx)
    args = []
    for j, c in enumerate(f.children):
        if c.contains_aggregate() or any(isinstance(x, WindowExpr) for x in c.walk()):
            raise AnalysisException(f"a window function argument cannot hold an aggregate or "
                                    f"another window function: {w.sql()}")
        args.append((f"__wa{i}_{j}", c.compile(ctx)))
    if isinstance(f, (WindowFunction, First, Last, CollectList, CollectSet)):
        work.update({name: ctx.broadcast(t) for name, t in args})
    if isinstance(f, WindowFunction):
        dtype, nullable = f.result([t for _, t in args])
        return _Task(out, w.sql(), ordering, frame, T.to_dtype(dtype), nullable, function=f,
                     args=[n for n, _ in args])
    if isinstance(f, (CollectList, CollectSet)):
        dtype = T.ArrayType(args[0][1].dtype, False)
        return _Task(out, w.sql(), ordering, frame, T.to_dtype(dtype), False,
                     pick="set" if isinstance(f, CollectSet) else "list", args=[args[0][0]])
    if isinstance(f, (First, Last)):
        dtype = args[0][1].dtype
        return _Task(out, w.sql(), ordering, frame, T.to_dtype(dtype), True,
                     pick="first" if isinstance(f, First) else "last",
                     ignore_nulls=bool(f.options.get("ignorenulls")), args=[args[0][0]])
    return _aggregate_task(ctx, out, w, frame, [t for _, t in args], work, i, ordering)


def _aggregate_task(ctx: Any, out: str, w: WindowExpr, frame: tuple, args: list[Any],
                    work: dict[str, Any], i: int, ordering: int) -> _Task:
    f = w.function
    if isinstance(f, (CountDistinct, SumDistinct)):
        raise AnalysisException(
            f'[DISTINCT_WINDOW_FUNCTION_UNSUPPORTED] Distinct window functions are not '
            f'supported: "{w.sql()}".', "DISTINCT_WINDOW_FUNCTION_UNSUPPORTED")
    p = Partials(ctx)
    p.over_window = True  # frames reduce by prefix sums: aggregates declare those partials
    finish = f.declare(args, p)
    unsupported = AnalysisException(f"{f.sql()} over a window is not supported yet ({w.sql()})")
    if p.distinct:
        raise unsupported
    partials = []
    # frame sums of decimals are exact and come back as decimal256 whatever the input's
    # precision (``frame_reduce``), so the widening cast a decimal sum declares for groupBy
    # changes no value here: the shuffle moves the argument as it is (often an input column,
    # then moved once) rather than a 16-byte cast copy
    as_is = isinstance(f, Sum) and len(args) == 1 and isinstance(args[0].dtype, T.DecimalType)
    for pname, (col, how) in p.partials.items():
        if not isinstance(how, str) or how not in _PARTIALS:
            raise unsupported
        src = f"__wi{i}_{col}"
        work[src] = ctx.broadcast(args[0]) if as_is else p.inputs[col]
        dtype = (T.to_dtype(T.LongType()) if how in ("count", "size")
                 else _wide_sum(p.inputs[col].dtype) if how == "sum" else p.inputs[col].dtype)
        partials.append((pname, src, how, dtype))
    empty = _PartFrame({pn: pd.Series([], dtype=dt) for pn, _, _, dt in partials})
    try:
        typed = finish(empty)
    except Exception as e:  # a finish that needs more of dask than map_partitions
        raise unsupported from e
    return _Task(out, w.sql(), ordering, frame, T.to_dtype(typed.dtype), typed.nullable,
                 partials=partials, finish=finish)


def _unsigned_zero(s: pd.Series) -> pd.Series:
    """Floats with -0.0 as 0.0, NaN and nulls kept apart (pandas arithmetic would merge them)."""
    import pyarrow.compute as pc
    from .functions._common import arrow_of
    a = arrow_of(s)
    zero = pc.fill_null(pc.equal(a, pa.scalar(0.0, a.type)), False)
    out = pc.if_else(zero, pa.scalar(0.0, a.type), a)
    return pd.Series(pd.arrays.ArrowExtensionArray(out), index=s.index, name=s.name)


def _wide_sum(dtype: Any) -> Any:
    """The dtype of a frame sum: decimals come back as decimal256 (``frame_reduce``)."""
    at = getattr(dtype, "pyarrow_dtype", None)
    if at is not None and pa.types.is_decimal(at):
        return pd.ArrowDtype(pa.decimal256(76, at.scale))
    return dtype


def _checked_frame(w: WindowExpr, ctx: Any) -> tuple:
    """``w``'s frame, after Spark's checks of functions against orders and frames."""
    f, order = w.function, w.order
    if isinstance(f, WindowFunction) and f.kind != "frame":
        if not order:
            raise AnalysisException(
                f"[WINDOW_FUNCTION_FRAME_NOT_ORDERED] Window function {f.sql()} needs an ordered "
                f"window: add orderBy() to its WindowSpec.", "WINDOW_FUNCTION_FRAME_NOT_ORDERED")
        if f.kind == "offset" and w.frame is not None:
            raise AnalysisException(f"Cannot specify window frame for {f.name} function.")
        if w.frame is not None and w.frame != f.fixed_frame():
            raise AnalysisException(
                f"Window Frame {frame_sql(w.frame)} must match the required frame "
                f"{frame_sql(f.fixed_frame())} of {f.sql()}.")
    frame = w.effective_frame()
    kind, a, b = frame
    if kind == "RANGE" and any(v not in (None, 0) for v in (a, b)):
        where = f'"{frame_sql(frame)}"'
        if not order:
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.RANGE_FRAME_WITHOUT_ORDER] Cannot resolve {where}: a range '
                f'frame with offsets needs an ordered window.',
                "DATATYPE_MISMATCH.RANGE_FRAME_WITHOUT_ORDER")
        if len(order) > 1:
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.RANGE_FRAME_MULTI_ORDER] Cannot resolve {where}: a range '
                f'frame with offsets needs exactly one order key, got {len(order)}.',
                "DATATYPE_MISMATCH.RANGE_FRAME_MULTI_ORDER")
        dt = order[0].children[0].compile(ctx).dtype
        if not isinstance(dt, T.NumericType) or isinstance(dt, T.DecimalType):
            raise AnalysisException(
                f'[DATATYPE_MISMATCH.SPECIFIED_WINDOW_FRAME_UNACCEPTED_TYPE] Cannot resolve '
                f'{where}: its order key {order[0].sql()} has type '
                f'"{dt.simpleString().upper()}"; range offsets need a numeric key.',
                "DATATYPE_MISMATCH.SPECIFIED_WINDOW_FRAME_UNACCEPTED_TYPE")
    return frame


class _PartSeries(pd.Series):
    """A partition's Series with dask's ``map_partitions`` (one partition: itself), so an
    aggregate's finish, written for the reduced dask frame, runs as is on frame results."""

    @property
    def _constructor(self) -> type:
        return _PartSeries

    def map_partitions(self, func: Callable, *args: Any, meta: Any = None, **kwargs: Any) -> Any:
        return func(self, *args, **kwargs)


class _PartFrame(pd.DataFrame):
    @property
    def _constructor(self) -> type:
        return _PartFrame

    @property
    def _constructor_sliced(self) -> type:
        return _PartSeries


def _one_chunk_each(part: pd.DataFrame) -> pd.DataFrame:
    """``part`` with each Arrow column in one chunk. The task shuffle concatenates its pieces
    column by column into several chunks, and pandas' groupby over a chunked column with nulls
    fails in Arrow ("Cannot yet unify dictionaries with nulls")."""
    from .kernels import arrow_of
    chunked = {c: arrow_of(part[c]) for c in part.columns
               if isinstance(part[c].dtype, pd.ArrowDtype) and part[c].array._pa_array.num_chunks > 1}
    if not chunked:
        return part
    part = part.copy(deep=False)
    for c, a in chunked.items():
        part[c] = pd.Series(pd.arrays.ArrowExtensionArray(a.combine_chunks()), index=part.index)
    return part


class _WindowKernel:
    """The per-partition function of a Window step: sort once, evaluate every task."""

    __name__ = "window_partition"  # dask names its tasks after this

    def __init__(self, keys: list[str], order: list[list[tuple[str, bool, bool]]],
                 tasks: list[_Task], original: list[str]):
        self.keys, self.order, self.tasks, self.original = keys, order, tasks, original

    def __dask_tokenize__(self) -> tuple:
        return ("dfml-window", tuple(self.keys), tuple(tuple(o) for o in self.order),
                tuple((t.out, t.sql) for t in self.tasks), tuple(self.original))

    def __call__(self, part: pd.DataFrame) -> pd.DataFrame:
        part = _one_chunk_each(part)
        out = part[self.original]
        if not len(part):
            return out.assign(**{t.out: pd.Series([], dtype=t.dtype, index=part.index)
                                 for t in self.tasks})
        sorts: dict[int, SortedPartition] = {}
        group = partition_groups(part, self.keys)  # once, whatever the number of orderings
        new = {}
        for t in self.tasks:
            sp = sorts.get(t.ordering)
            if sp is None:
                sp = sorts[t.ordering] = SortedPartition(part, self.keys, self.order[t.ordering],
                                                         group)
            lo, hi = sp.frame(t.frame)
            if t.function is not None:
                sp.bounds = (lo, hi)
                arr = t.function.evaluate(sp, [sp.take(part[c]) for c in t.args])
                new[t.out] = sp.restore(arr, part.index, t.dtype)
            elif t.pick:
                x = sp.take(part[t.args[0]])
                if t.pick in ("list", "set"):
                    arr = frame_lists(x, lo, hi)
                    arr = distinct_lists(arr) if t.pick == "set" else arr
                elif t.pick == "first":
                    arr = nth_valid(x, lo, hi, 1) if t.ignore_nulls else first_value(x, lo, hi)
                else:
                    arr = last_valid(x, lo, hi) if t.ignore_nulls else last_value(x, lo, hi)
                new[t.out] = sp.restore(arr, part.index, t.dtype)
            else:
                P = _PartFrame({pn: sp.restore(frame_reduce(sp.take(part[src]), how, lo, hi),
                                                 part.index, dt)
                                  for pn, src, how, dt in t.partials}, index=part.index)
                typed = t.finish(P)
                value = typed.value
                if not hasattr(value, "dtype"):
                    value = pd.Series([value] * len(part), index=part.index)
                new[t.out] = pd.Series(value, index=part.index).astype(t.dtype)
        # rows leave in window order (partition keys, then the ordering), as Spark's do
        return out.assign(**new).iloc[sp.perm]
