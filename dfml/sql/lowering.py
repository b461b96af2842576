"""Lowering: a logical plan (``dfml.sql.plan``) to native dask-expr operations, at an action.

Expressions compile to ordinary dask operations on the lowered input (``frame["a"] + 1``,
``frame[mask]``), so dask's optimizer still prunes columns and pushes filters into the parquet
read. Lowering also makes the Spark-level rewrites dask cannot see:
- consecutive projections collapse into one (the outer expressions are rewritten over the
  inner ones), so a long ``withColumn`` chain is one assign + projection, not three dask
  nodes per step (deep dask trees hit Python's recursion limit in dask's optimizer);
- a limit over a sort (through projections) is a top-n reduction, never a one-partition sort;
- a cached plan lowers to its persisted partitions (``SparkSession._cached``).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import types as T
from .column import Alias, ColumnRef, Ctx, Expr, Typed
from .expressions import Logical
from .plan import Derived, Filter, Limit, Plan, Project, Sort, Source, join_aliases
from .errors import AnalysisException
from .typed import find_name

if TYPE_CHECKING:
    from .session import SparkSession


def lower(plan: Plan, session: "SparkSession") -> Any:
    """The dask frame of ``plan`` (memoized per node until the session's cache changes)."""
    hit = session._cached.get(plan.plan_id)
    if hit is not None and hit[0] is plan:
        return hit[1]
    generation = session._cache_generation
    memo = plan.__dict__.get("_lowered")
    if memo is not None and memo[0] is session and memo[1] == generation:
        return memo[2]
    from ..cluster.worker import import_deferred
    import_deferred()  # threads-mode workers' converters are in place before any graph exists
    frame = _LOWER[type(plan)](plan, session)
    object.__setattr__(plan, "_lowered", (session, generation, frame))
    return frame


def meta_frame(plan: Plan) -> Any:
    """An empty one-partition dask frame with ``plan``'s columns, for resolving names and types
    at a transformation: the expressions compile against it exactly as they will against the
    lowered input, without the input's dask tree, its source or a cluster."""
    memo = plan.__dict__.get("_meta_frame")
    if memo is None:
        if isinstance(plan, Source):
            memo = plan.frame
        else:
            pdf = pd.DataFrame({f.name: pd.Series([], dtype=T.to_dtype(f.dataType))
                                for f in plan.schema.fields})
            memo = _from_pandas(pdf)
        object.__setattr__(plan, "_meta_frame", memo)
    return memo


def narrow_meta_frame(plan: Plan, names: list[str]) -> Any:
    """An empty frame of only ``names`` (plus the first column, so a frame is never empty),
    for compiling expressions that read a few columns of a wide plan: building the whole
    plan's meta per transformation is what made each step of a chain on a 500-column frame
    cost a tenth of a second."""
    if isinstance(plan, Source) or "_meta_frame" in plan.__dict__:
        return meta_frame(plan)
    wanted = set(names)
    fields = [f for i, f in enumerate(plan.schema.fields) if f.name in wanted or i == 0]
    pdf = pd.DataFrame({f.name: pd.Series([], dtype=T.to_dtype(f.dataType)) for f in fields})
    return _from_pandas(pdf)


def _from_pandas(pdf: pd.DataFrame) -> Any:
    """One dask partition of ``pdf``; dask.dataframe is imported here, at the first frame a
    session builds, so that importing dfml.sql does not pay for it (half a second)."""
    import dask.dataframe as dd
    return dd.from_pandas(pdf, npartitions=1, sort=False)


def _is_cached(plan: Plan, session: "SparkSession") -> bool:
    hit = session._cached.get(plan.plan_id)
    return hit is not None and hit[0] is plan


# ---------------------------------------------------------------- Source, Filter
def _lower_source(node: Source, session: "SparkSession") -> Any:
    return node.frame


def _lower_filter(node: Filter, session: "SparkSession") -> Any:
    return _lower_chain(node, session)


# ---------------------------------------------------------------- Project / Filter chains
# Functions whose value depends on how often or where they run: an expression using one is
# never copied into a filter below its projection (it would be evaluated twice, or on other
# partitions' rows), as Spark keeps non-deterministic projections in place.
NONDETERMINISTIC = frozenset({"rand", "randn", "monotonically_increasing_id",
                              "spark_partition_id", "uuid", "shuffle", "input_file_name"})


def _deterministic(e: Expr) -> bool:
    return not any((getattr(n, "name", None) in NONDETERMINISTIC and not isinstance(n, ColumnRef))
                   or getattr(n, "deterministic", True) is False for n in e.walk())


def _lower_project(node: Project, session: "SparkSession") -> Any:
    return _lower_chain(node, session)


def _all_of(conditions: list[Expr]) -> Expr:
    """The conjunction of ``conditions`` as a balanced tree (compiling recurses by depth)."""
    while len(conditions) > 1:
        pairs = [Logical("AND", a, b) for a, b in zip(conditions[::2], conditions[1::2])]
        conditions = pairs + ([conditions[-1]] if len(conditions) % 2 else [])
    return conditions[0]


def _lower_chain(node: Plan, session: "SparkSession") -> Any:
    """A run of Project and Filter nodes as one filter and one projection over the run's
    input, walking down without recursion: consecutive projections collapse (outer expressions
    rewritten over inner ones) and a filter moves below a projection by the same rewrite (as
    Spark's optimizer collapses projects and pushes predicates through them). A chain of a
    thousand withColumn/filter steps is then two dask operations, not a thousand levels that
    dask's optimizer would walk recursively."""
    columns: list[tuple[str, Expr]] | None = None   # the final projection, over ``child``
    conditions: list[Expr] = []                     # filters, over ``child``
    aliases: set[str] = set()                       # qualifiers valid at ``child``'s level
    filters: set[int] = set()  # ids of filters walked through: ``df[c]`` of one means ``child``'s c
    child = node
    while isinstance(child, (Project, Filter)) and not _is_cached(child, session):
        if isinstance(child, Filter):
            conditions.append(child.condition)
            aliases |= set(child.aliases)
            filters.add(child.plan_id)
            child = child.child
            continue
        merged = list(child.columns) if columns is None else _substitute(columns, child)
        moved = _substitute([(str(i), c) for i, c in enumerate(conditions)], child)
        if merged is None or moved is None or \
                (conditions and not all(_deterministic(e) for _, e in child.columns)):
            break
        columns, conditions = merged, [c for _, c in moved]
        aliases, child = set(child.aliases), child.child
    frame = lower(child, session)
    lineage = child.lineage() | filters
    ctx = Ctx(frame, child.schema, aliases, lineage)
    if conditions:
        from .. import _dask_compat
        frame = frame[_dask_compat.without_astype(_all_of(conditions).compile(ctx).value)]
        ctx = Ctx(frame, child.schema, aliases, lineage)
    if columns is None:
        return frame
    return frame_of_columns(frame, ctx, [(n, e.compile(ctx)) for n, e in columns])


def _substitute(columns: list[tuple[str, Expr]], inner: Project) -> list[tuple[str, Expr]] | None:
    """``columns`` rewritten over ``inner``'s input (each reference to an inner output replaced
    by its expression); None when a reference is not a plain inner column (a struct path)."""
    names = [n for n, _ in inner.columns]
    defs = dict(inner.columns)
    ctx = _NameResolver(names, inner.aliases)
    failed = False

    def swap(e: Expr) -> Expr | None:
        nonlocal failed
        if isinstance(e, ColumnRef):
            name = ctx.resolve_ref(e)
            if name is None:
                failed = True
                return e
            inner_e = defs[name]
            return inner_e.children[0] if isinstance(inner_e, Alias) else inner_e
        return None

    out = [(n, e.replace(swap)) for n, e in columns]
    return None if failed else out


class _NameResolver:
    """Ctx.resolve's rules over a list of names, without a frame."""

    def __init__(self, names: list[str], aliases: tuple[str, ...]):
        self.names, self.aliases = names, set(aliases)

    def resolve_ref(self, ref: ColumnRef) -> str | None:
        """The inner column ``ref`` names whole (None for a struct path or a bad name)."""
        if ref.literal:
            return self.resolve(ref.name)
        try:
            parts = ref.parts()
        except AnalysisException:
            return None
        if len(parts) == 2 and parts[0] in self.aliases:
            parts = parts[1:]
        return find_name(self.names, parts[0]) if len(parts) == 1 else None

    def resolve(self, name: str) -> str | None:
        if name in self.names:
            return name
        if name.startswith("`") and name.endswith("`") and name[1:-1] in self.names:
            return name[1:-1]
        if "." in name:
            qual, rest = name.split(".", 1)
            if qual in self.aliases and rest in self.names:
                return rest
        lowered = [c for c in self.names if c.lower() == name.lower()]
        return lowered[0] if len(lowered) == 1 else None


def frame_of_columns(frame: Any, ctx: Ctx, columns: list[tuple[str, Typed]]) -> Any:
    """``frame`` projected to ``columns`` (name, compiled value), in order: one assign for the
    computed columns, one projection, one rename; a column that is an input column unchanged
    is projected (and renamed), never copied."""
    assigns: dict[str, Any] = {}
    renames: dict[str, str] = {}
    existing = set(frame.columns)
    picked: list[str] = []
    for i, (name, t) in enumerate(columns):
        value = ctx.broadcast(t)
        source = _source_column(value, frame)
        if source is not None and source == name and source not in picked:
            picked.append(name)
            continue
        if source is not None and source not in picked and name not in existing:
            renames[source] = name
            picked.append(source)
            continue
        tmp = f"__c{i}"
        assigns[tmp] = value
        picked.append(tmp)
        renames[tmp] = name
    out = frame.assign(**assigns) if assigns else frame
    out = out[picked]
    return out.rename(columns=renames) if renames else out


def _source_column(value: Any, frame: Any) -> str | None:
    """The name of the frame column ``value`` is, unchanged (so a select can just project it)."""
    name = getattr(value, "name", None)
    if not isinstance(name, str) or name not in frame.columns:
        return None
    try:
        return name if value._name == frame[name]._name else None
    except Exception:  # pragma: no cover - non-dask values
        return None


# ---------------------------------------------------------------- Sort, Limit
def _lower_sort(node: Sort, session: "SparkSession") -> Any:
    from .ordering import sort_frame_keys, sorted_frame
    frame = lower(node.child, session)
    ctx = Ctx(frame, node.child.schema, node.aliases, node.child.lineage())
    work, by, asc = sort_frame_keys(frame, ctx, node.keys)
    return sorted_frame(frame, work, by, asc, node.within_partitions)


def _lower_limit(node: Limit, session: "SparkSession") -> Any:
    projects: list[Project] = []
    child = node.child
    while isinstance(child, Project) and not _is_cached(child, session):
        projects.append(child)
        child = child.child
    if isinstance(child, Sort) and not child.within_partitions and node.n > 0 \
            and not _is_cached(child, session):
        from .ordering import sort_frame_keys, top_rows_frame
        frame = lower(child.child, session)
        ctx = Ctx(frame, child.child.schema, child.aliases, child.child.lineage())
        work, by, asc = sort_frame_keys(frame, ctx, child.keys)
        top: Plan = Source(schema=child.schema, frame=top_rows_frame(frame, work, by, asc, node.n),
                           plan_id=child.plan_id, lineage_ids=child.lineage())
        for p in reversed(projects):
            top = dataclasses.replace(p, child=top)
        return lower(top, session)
    frame = lower(node.child, session)
    if node.n == 0:
        return frame.map_partitions(_no_rows, meta=frame._meta)
    return frame.head(node.n, npartitions=-1, compute=False)


def _no_rows(part: pd.DataFrame) -> pd.DataFrame:
    return part.iloc[:0]


# ---------------------------------------------------------------- Derived
def _lower_derived(node: Derived, session: "SparkSession") -> Any:
    inputs = [node.stand_in(p, lower(p, session), alias)
              for p, alias in zip(node.inputs, node.aliases or (None,) * len(node.inputs))]
    return node.build(*inputs)._frame


def stand_in_source(plan: Plan, frame: Any) -> Source:
    """A source over ``frame`` that stands for ``plan``: same schema, id and lineage."""
    return Source(schema=plan.schema, frame=frame, paths=plan.sources(), plan_id=plan.plan_id,
                  lineage_ids=plan.lineage(), join_aliases=join_aliases(plan))


_LOWER = {Source: _lower_source, Filter: _lower_filter, Project: _lower_project,
          Sort: _lower_sort, Limit: _lower_limit, Derived: _lower_derived}

