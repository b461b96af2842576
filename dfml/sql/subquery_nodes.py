"""The expression nodes of subqueries on the DataFrame API (``col.outer()``, ``df.scalar()``,
``df.exists()``, ``col.isin(df)``) and the record of aggregates a correlated scalar subquery
redoes per key. Kept apart from ``dfml.sql.subqueries`` (which rewrites them into joins with
the functions module) so ``column`` can build them without importing the functions.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from .errors import AnalysisException
from .expressions import Expr
from .typed import Ctx, Typed

if TYPE_CHECKING:
    from .dataframe import DataFrame

# aggregate results (plan -> (input frame, keys, outputs)), so a correlated scalar subquery's
# aggregate can be redone per correlation key; weak, so recording keeps no plan alive
_AGGREGATES: Any = weakref.WeakKeyDictionary()


def record_aggregate(result: "DataFrame", source: "DataFrame", keys: list[Expr],
                     outputs: list[Expr]) -> "DataFrame":
    _AGGREGATES[result._plan] = (source, list(keys), list(outputs))
    return result


def recorded_aggregate(plan: Any) -> tuple["DataFrame", list[Expr], list[Expr]] | None:
    """(input frame, keys, outputs) of the aggregate that made ``plan``, if one did."""
    return _AGGREGATES.get(plan)


class OuterRef(Expr):
    """``col.outer()``: a column of the enclosing query's row, read inside a subquery."""

    def __init__(self, ref: Expr):
        self.children = (ref,)

    def sql(self) -> str:
        return f"outer({self.children[0].sql()})"

    def compile(self, ctx: Ctx) -> Typed:
        raise AnalysisException(
            f"[UNRESOLVED_COLUMN] {self.sql()}: an outer() reference is read only inside a "
            f"subquery's where condition (as inner = outer), turned into a subquery by "
            f".scalar() or .exists() and used in another DataFrame's where or select.",
            "UNRESOLVED_COLUMN")


class Subquery(Expr):
    """``df.scalar()`` (``kind="scalar"``), ``df.exists()`` or ``value.isin(df)`` (``"in"``)."""

    def __init__(self, kind: str, df: "DataFrame", value: Expr | None = None):
        self.kind = kind
        self.df = df
        self.children = (value,) if value is not None else ()

    def sql(self) -> str:
        if self.kind == "in":
            return f"({self.children[0].sql()} IN (listquery()))"
        return "scalarsubquery()" if self.kind == "scalar" else "exists()"

    def compile(self, ctx: Ctx) -> Typed:
        raise AnalysisException(
            f"[UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY] {self.sql()} is supported in a "
            f"DataFrame's where/filter or select only.", "UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY")


class SqlNamed(Expr):
    """``child`` printed as ``text``: compiles as ``child``. A joined column standing where a
    subquery was keeps the subquery's text (so an unaliased select item gets Spark's name), and
    a SQL form whose Spark name differs from its Python twin's keeps the SQL name."""

    def __init__(self, child: Expr, text: str):
        self.children = (child,)
        self.text = text

    def sql(self) -> str:
        return self.text

    def compile(self, ctx: Ctx) -> Typed:
        return self.children[0].compile(ctx)


def has_outer(e: Expr) -> bool:
    return any(isinstance(n, OuterRef) for n in e.walk())


def has_subquery(exprs: list[Expr]) -> bool:
    return any(isinstance(n, Subquery) for e in exprs for n in e.walk())


def shown(child: Expr, text: str) -> Expr:
    return SqlNamed(child, text)
