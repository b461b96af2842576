"""dfml's Spark-level logical plan: one small frozen node per DataFrame operation.

A node carries the Spark schema of its output (types, nullability, metadata, TimestampNTZ:
what dask's ``_meta`` cannot hold) and a plan id (what ``df["a"]`` points at). Nodes are built
by transformations, which resolve names and types right there from the input's schema alone;
nothing touches the source or a cluster until an action lowers the plan (``dfml.sql.lowering``)
to native dask-expr operations, which dask's optimizer then prunes and pushes down as usual.

The node set is small on purpose: ``Project``, ``Filter``, ``Sort`` and ``Limit`` are the
nodes lowering rewrites (projections collapse, a limit over a sort is a top-n); ``Derived``
is any other operation, lowered by running its ``build`` function on the DataFrames of its
inputs (joins, aggregates, set operations, sampling...), which keeps their code in one place
for both resolution and lowering.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from . import types as T
from .column import ColumnRef, Expr, SortOrder

_plan_ids = itertools.count(1)


def new_plan_id() -> int:
    return next(_plan_ids)


@dataclass(frozen=True, eq=False, kw_only=True)
class Plan:
    """A node of the logical plan: its output schema and its id."""

    schema: T.StructType
    plan_id: int = field(default_factory=new_plan_id)

    @property
    def children(self) -> tuple["Plan", ...]:
        return ()

    def label(self) -> str:
        return type(self).__name__

    def walk(self) -> Iterator["Plan"]:
        """This node and everything below it, parents first (iterative: plans of a thousand
        steps are ordinary)."""
        stack: list[Plan] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def lineage(self) -> frozenset[int]:
        """The plan ids of this node and everything below it: what ``df[name]`` may point at."""
        memo = self.__dict__.get("_lineage")
        if memo is None:
            memo = frozenset({self.plan_id}).union(*(c.lineage() for c in self.children))
            object.__setattr__(self, "_lineage", memo)
        return memo

    def sources(self) -> tuple[str, ...]:
        """Paths this plan reads (a write refuses to overwrite them)."""
        out: list[str] = []
        for node in self.walk():
            if isinstance(node, Source):
                out.extend(p for p in node.paths if p not in out)
        return tuple(out)


@dataclass(frozen=True, eq=False, kw_only=True)
class Source(Plan):
    """A dask frame made by a reader, ``createDataFrame`` or an eager operation. ``lineage_ids``
    keeps the ids of the plan it stands for when it replaces one (so ``df["a"]`` still resolves)."""

    frame: Any
    paths: tuple[str, ...] = ()
    lineage_ids: frozenset[int] = frozenset()
    join_aliases: tuple[str, ...] = ()  # those of the plan it stands for (see join_aliases)

    def lineage(self) -> frozenset[int]:
        return self.lineage_ids | {self.plan_id}

    def label(self) -> str:
        where = f" {', '.join(self.paths)}" if self.paths else ""
        return f"Source{where}"


@dataclass(frozen=True, eq=False, kw_only=True)
class Project(Plan):
    """``select``/``withColumn``: output columns as (name, expression) over the child."""

    child: Plan
    columns: tuple[tuple[str, Expr], ...]
    aliases: tuple[str, ...] = ()

    @property
    def children(self) -> tuple[Plan, ...]:
        return (self.child,)

    def label(self) -> str:
        items = [n if isinstance(e, ColumnRef) and e.sql() == n else f"{e.sql()} AS {n}"
                 for n, e in self.columns]
        return f"Project [{', '.join(items)}]"


@dataclass(frozen=True, eq=False, kw_only=True)
class Filter(Plan):
    child: Plan
    condition: Expr
    aliases: tuple[str, ...] = ()

    @property
    def children(self) -> tuple[Plan, ...]:
        return (self.child,)

    def label(self) -> str:
        return f"Filter {self.condition.sql()}"


@dataclass(frozen=True, eq=False, kw_only=True)
class Sort(Plan):
    """A global sort (or one within partitions); a ``Limit`` above it lowers to a top-n."""

    child: Plan
    keys: tuple[SortOrder, ...]
    within_partitions: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def children(self) -> tuple[Plan, ...]:
        return (self.child,)

    def label(self) -> str:
        kind = "SortWithinPartitions" if self.within_partitions else "Sort"
        return f"{kind} [{', '.join(k.sql() for k in self.keys)}]"


@dataclass(frozen=True, eq=False, kw_only=True)
class Limit(Plan):
    child: Plan
    n: int

    @property
    def children(self) -> tuple[Plan, ...]:
        return (self.child,)

    def label(self) -> str:
        return f"Limit {self.n}"


@dataclass(frozen=True, eq=False, kw_only=True)
class Derived(Plan):
    """Any other operation: ``build(*input DataFrames) -> DataFrame`` runs once over empty
    stand-ins of the inputs when the node is made (resolution) and again over the lowered
    inputs at an action; ``stand_in(plan, frame, alias)`` makes those input DataFrames.
    ``aliases`` are the inputs' DataFrame aliases; ``hint`` marks a broadcast hint."""

    inputs: tuple[Plan, ...]
    build: Callable[..., Any]
    stand_in: Callable[[Plan, Any, str | None], Any]
    name: str
    aliases: tuple[str | None, ...] = ()
    hint: str | None = None

    @property
    def children(self) -> tuple[Plan, ...]:
        return self.inputs

    def label(self) -> str:
        return self.name


def join_aliases(plan: Plan) -> tuple[str, ...]:
    """The DataFrame aliases of the join inputs below ``plan`` (through projections, filters,
    sorts and limits): ``F.col("x.k")`` still reaches side ``x`` after ``x.join(y, ...)``."""
    memo = plan.__dict__.get("_join_aliases")
    if memo is not None:
        return memo
    found: list[str] = []
    node: Plan | None = plan
    while isinstance(node, (Project, Filter, Sort, Limit)):
        node = node.child
    if isinstance(node, Source):
        found.extend(node.join_aliases)
    if isinstance(node, Derived) and node.name.startswith("Join"):
        for alias, child in zip(node.aliases, node.inputs):
            found.extend(a for a in (alias,) + join_aliases(child) if a and a not in found)
    memo = tuple(found)
    object.__setattr__(plan, "_join_aliases", memo)
    return memo


def tree_string(plan: Plan) -> str:
    """The plan as an indented tree, each node with its output columns (for ``explain()``)."""
    lines: list[str] = []

    def visit(node: Plan, depth: int) -> None:
        cols = ", ".join(f.name for f in node.schema.fields)
        pad = "   " * depth + ("+- " if depth else "")
        lines.append(f"{pad}{node.label()}  [{cols}]")
        for c in node.children:
            visit(c, depth + 1)

    visit(plan, 0)
    return "\n".join(lines)
