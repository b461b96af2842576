"""Window functions over aggregates: ``groupBy(k).agg(sum(x), rank().over(orderBy(sum(x))))``.

Spark's analyzer aggregates first and then runs the windows over the aggregated rows. The
group aggregates of such a select list are every aggregate that is not itself the function of
a window, wherever it sits: in the list, in a window function's argument, in a window's
partitioning or ordering (``dfml.sql.analysis.aggregate_then_windows`` plans them).
"""

from __future__ import annotations

from .column import Expr
from .window_nodes import WindowExpr


def group_aggregates(e: Expr) -> list[Expr]:
    """The group aggregates in ``e`` (a windowed aggregate is a window function, not one)."""
    if isinstance(e, WindowExpr):
        inner = list(e.function.children) + list(e.partition) + list(e.order)
        return [a for c in inner for a in group_aggregates(c)]
    if e.is_aggregate:
        return [e]
    return [a for c in e.children for a in group_aggregates(c)]


def has_group_aggregate(exprs: list[Expr]) -> bool:
    return any(group_aggregates(e) for e in exprs)


def has_window(exprs: list[Expr]) -> bool:
    return any(isinstance(x, WindowExpr) for e in exprs for x in e.walk())
