"""``grouping(col)`` and ``grouping_id(...)`` as expression nodes.

They mean something only inside a grouping-sets aggregate (``dfml.sql.grouping_sets``), which
replaces them by its hidden per-set columns; compiled anywhere else they are Spark's error.
They live apart from ``grouping_sets`` so that ``dfml.sql.functions`` can build them without
importing the aggregate machinery.
"""

from __future__ import annotations

from .errors import AnalysisException
from .expressions import Expr
from .typed import Ctx, Typed


def _not_in_grouping_sets() -> AnalysisException:
    return AnalysisException(
        "[UNSUPPORTED_GROUPING_EXPRESSION] grouping()/grouping_id() can only be used with "
        "GroupingSets/Cube/Rollup.", "UNSUPPORTED_GROUPING_EXPRESSION")


class Grouping(Expr):
    """``grouping(col)``: 1 (tinyint) on the rows where ``col`` is rolled up, else 0. Only
    meaningful in a grouping-sets aggregate, which replaces it; anywhere else it is Spark's
    error."""

    def __init__(self, child: Expr):
        self.children = (child,)

    def sql(self) -> str:
        return f"grouping({self.children[0].sql()})"

    def compile(self, ctx: Ctx) -> Typed:
        raise _not_in_grouping_sets()


class GroupingId(Expr):
    """``grouping_id(cols...)``: the bigint whose bits say which keys are rolled up (no
    columns: all the grouping keys; otherwise they must be exactly the keys, in order)."""

    def __init__(self, cols: tuple[Expr, ...]):
        self.children = tuple(cols)

    def sql(self) -> str:
        return f"grouping_id({', '.join(c.sql() for c in self.children)})"

    def compile(self, ctx: Ctx) -> Typed:
        raise _not_in_grouping_sets()
