"""Analysis of a select list: which plan nodes it becomes, in order, as Spark's analyzer does.

``select`` and ``withColumns`` (and, next, the SQL translator) build their plans here. A select
list is split into ordered steps: a generator (``explode``) becomes a Generate step, aggregates
an Aggregate step (a select of aggregates only is a global aggregate), window expressions one
Window step per partitioning and ordering below the final projection (``dfml.sql.window_exec``);
Python UDFs will be extracted the same way (not supported yet), and what remains is one
``Project``.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from . import types as T
from .column import Alias, Column, ColumnRef, Ctx, Expr
from .expressions import Func, GetField, resolve_extracts
from .errors import AnalysisException
from .functions._arrays import Generator
from .generate import explode_select, name_of
from .lowering import narrow_meta_frame
from .plan import Project

if TYPE_CHECKING:
    from .dataframe import DataFrame


def plan_projection(df: "DataFrame", exprs: list[Expr]) -> "DataFrame":
    """``df.select(*exprs)`` as plan nodes."""
    df = drop_null_event_times(df, exprs)
    if any(isinstance(x, Generator) for e in exprs for x in e.walk()):
        memo: dict = {}
        return df._derive("Generate", lambda d: explode_select(d, exprs, memo))
    if _has_window(exprs):
        from .window_aggregate import has_group_aggregate
        if has_group_aggregate(exprs):  # a global aggregate, then windows over its row
            return aggregate_then_windows(df, [], exprs, keep_keys=False)
        from .window_exec import plan_windows
        return project(*plan_windows(df, [(name_of(e), e) for e in exprs]))
    if any(e.contains_aggregate() for e in exprs):
        from .group import aggregate
        from .subquery_nodes import record_aggregate  # a correlated scalar subquery redoes it per key
        return record_aggregate(aggregate(df, [], exprs, keep_keys=False), df, [], exprs)
    if any(isinstance(x, GetField) and isinstance(x.key, str) for e in exprs for x in e.walk()):
        ctx = df._ctx()
        exprs = [resolve_extracts(e, ctx) for e in exprs]
    return project(df, [(name_of(e), e) for e in exprs])


def plan_with_columns(df: "DataFrame", new: dict[str, Expr]) -> "DataFrame":
    """``df.withColumns(new)``: every column of ``df`` (replaced where ``new`` names it, case
    insensitively) and then the new ones, as one projection."""
    for e in new.values():
        if e.contains_aggregate():
            raise AnalysisException(f"aggregate {e.sql()} is not allowed in withColumn; "
                                    f"use groupBy().agg() or a window")
    df = drop_null_event_times(df, list(new.values()))
    lower_new = {k.lower(): k for k in new}
    named: list[tuple[str, Expr]] = []
    from .join_names import display, renamed
    replaced: set[str] = set()
    for f in df._schema.fields:
        shown = display(f.name)
        if shown.lower() in lower_new:  # every column of that name, as Spark replaces them
            k = lower_new[shown.lower()]
            replaced.add(shown.lower())
            named.append((f.name if shown == k else renamed(f.name, k), new[k]))
        else:
            named.append((f.name, ColumnRef.of(f.name)))
    for low in replaced:
        lower_new.pop(low)
    named.extend((k, new[k]) for k in lower_new.values())
    if _has_window(list(new.values())):
        from .window_exec import plan_windows
        return project(*plan_windows(df, named))
    return project(df, named)


def drop_null_event_times(df: "DataFrame", exprs: list[Expr]) -> "DataFrame":
    """``df`` without the rows whose event time is null when ``exprs`` compute an event-time
    ``window()``: Spark rewrites an operator that computes one to read its input through a
    filter on the time column being non-null, so ``groupBy(window(t, ...))`` has no null
    window group and ``select(window(t, ...), x)`` no row for a null ``t``."""
    times: list[Expr] = []
    for e in exprs:
        for x in e.walk():
            if isinstance(x, Func) and getattr(x, "drops_null_input", False) and \
                    x.children[0] not in times:
                times.append(x.children[0])
    if not times:
        return df
    keep = Column(times[0]).isNotNull()
    for t in times[1:]:
        keep = keep & Column(t).isNotNull()
    return df.filter(keep)


def _has_window(exprs: list[Expr]) -> bool:
    """Whether a window expression is among ``exprs``: those become Window steps first."""
    from .window_nodes import WindowExpr
    return any(isinstance(x, WindowExpr) for e in exprs for x in e.walk())


def project(df: "DataFrame", named: list[tuple[str, Expr]]) -> "DataFrame":
    """A ``Project`` node of (name, expression) pairs, resolved now against ``df``'s schema."""
    if len({n for n, _ in named}) < len(named):
        named = _distinct_names(df, named)
    schema = df._schema
    by_name = {f.name: f for f in schema.fields}
    # a plain name (no qualifier, no backticks) of an input column passes through as it is
    # (and no other column of the same name ignoring case: that is ambiguous, as in Spark)
    lowered = Counter(n.lower() for n in by_name)
    passed = [type(e) is ColumnRef and e.plan_id is None and e.name in by_name
              and "." not in e.name and "`" not in e.name and lowered[e.name.lower()] == 1
              for _, e in named]
    ctx = narrow_ctx(df, [e for (_, e), p in zip(named, passed) if not p])
    fields = []
    for (name, e), kept in zip(named, passed):
        if kept:  # a column passed through: its field as it is, nothing to compile
            kept = by_name[e.name]
            fields.append(T.StructField(name, kept.dataType, kept.nullable,
                                        dict(kept.metadata or {})))
            continue
        t = e.compile(ctx)
        fields.append(T.StructField(name, t.dtype, t.nullable, _metadata(e, ctx)))
    plan = Project(schema=T.StructType(fields), child=df._plan, columns=tuple(named),
                   aliases=df._aliases())
    return df._with_plan(plan)


def _distinct_names(df: "DataFrame", named: list[tuple[str, Expr]]) -> list[tuple[str, Expr]]:
    """Spark lets a select hold two columns of one name (``select(a.k, b.k)``); the frame
    keeps them apart under internal names (``dfml.sql.join_names``): a reference to a join's
    column keeps that column's internal name, any other repeat gets a fresh one."""
    from . import join_names
    counts = Counter(n for n, _ in named)
    ctx = df._ctx()
    used: set[str] = set()
    out = []
    for n, e in named:
        if counts[n] > 1:
            source = None
            if type(e) is ColumnRef:
                try:
                    source = ctx.resolve(e.name, e.plan_id) if e.literal \
                        else ctx.resolve_path(e.name, e.plan_id)[0]
                except AnalysisException:
                    source = None
            keep = source is not None and join_names.is_internal(source) \
                and join_names.display(source) == n and source not in used
            n = source if keep else join_names.fresh(n, source)
        used.add(n)
        out.append((n, e))
    return out


def narrow_ctx(df: "DataFrame", exprs: list[Expr]) -> Ctx:
    """``df``'s context for compiling ``exprs``, over an empty frame of just the columns they
    read (the whole plan's meta when a reference cannot be named for sure)."""
    ctx = df._ctx()
    read = _columns_read(exprs, ctx)
    if read is None:
        return ctx
    plan = df._plan
    return Ctx(lambda: narrow_meta_frame(plan, read), ctx.schema, ctx.aliases, ctx.plan_ids)


def _columns_read(exprs: list[Expr], ctx: Ctx) -> list[str] | None:
    """The input columns ``exprs`` reference, or None when one cannot be named for sure (a
    struct path, an unknown name: those compile against the whole frame, with its errors)."""
    out: list[str] = []
    for e in exprs:
        for node in e.walk():
            if isinstance(node, ColumnRef):
                try:
                    out.append(ctx.resolve(node.name))
                except AnalysisException:
                    return None
    return out


def _metadata(e: Expr, ctx: Ctx) -> dict:
    """Spark's rule: a column reference, aliased or not, keeps its field's metadata; any
    computed expression starts with none."""
    while isinstance(e, Alias):
        if e.metadata is not None:
            return dict(e.metadata)
        e = e.children[0]
    if isinstance(e, ColumnRef):
        try:
            name, path = (ctx.resolve(e.name), []) if e.literal else ctx.resolve_path(e.name)
            return {} if path else dict(ctx.schema[name].metadata or {})
        except AnalysisException:
            return {}
    return {}


def plan_aggregate(df: "DataFrame", keys: list[Expr], outputs: list[Expr]) -> "DataFrame":
    """``groupBy(keys).agg(outputs)``: an Aggregate step, and Window steps over its rows for
    window functions among ``outputs``."""
    from .subquery_nodes import record_aggregate  # a correlated scalar subquery redoes it per key
    df = drop_null_event_times(df, keys + outputs)
    if _has_window(outputs):
        return aggregate_then_windows(df, keys, outputs, keep_keys=True)
    from .group import aggregate
    return record_aggregate(aggregate(df, keys, outputs), df, keys, outputs)


def aggregate_then_windows(df: "DataFrame", keys: list[Expr], outputs: list[Expr],
                           keep_keys: bool) -> "DataFrame":
    """The aggregate step with the group aggregates as hidden columns, then the windows and
    the projection of ``outputs`` (after the keys when ``keep_keys``)."""
    from .group import aggregate
    from .window_aggregate import group_aggregates
    from .window_exec import plan_windows
    from .window_nodes import WindowExpr
    found: list[Expr] = []
    for e in outputs:
        for a in group_aggregates(e):
            if a not in found:
                found.append(a)
    hidden = {a: f"__agg{i}" for i, a in enumerate(found)}
    key_names = [name_of(k) for k in keys]
    by_key = {k: ColumnRef.of(n) for k, n in zip(keys, key_names)}
    aggregated = aggregate(df, keys, [Alias(a, hidden[a]) for a in found], keep_keys=True)

    def swap(node: Expr) -> Expr | None:
        if node in hidden:
            return ColumnRef.of(hidden[node])
        if node in by_key:
            return by_key[node]
        if isinstance(node, WindowExpr):  # keep its own function node, swap inside it
            f = node.function
            kids = (f.replace(lambda n: None if n is f else swap(n)),)
            kids += tuple(c.replace(swap) for c in node.children[1:])
            clone = object.__new__(WindowExpr)
            clone.__dict__.update(node.__dict__)
            clone.children = kids
            return clone
        return None

    named = [(n, ColumnRef.of(n)) for n in key_names] if keep_keys else []
    named += [(name_of(e), e.replace(swap)) for e in outputs]
    windowed, named = plan_windows(aggregated, named)
    return project(windowed, named)
