"""Helpers shared by the function modules: argument conversion, and the kernels and type checks
they build functions from (defined below dfml.sql.column, re-exported for the families)."""

from __future__ import annotations

from typing import Any, Callable

from ..coercion import require
from ..column import Column, Expr, Func, Literal, Typed, to_expr
from ..kernels import ArrowKernel, arrow_of, per_partition

__all__ = ["col_expr", "lit_expr", "func", "require", "ArrowKernel", "arrow_of", "per_partition",
           "wider_type", "renamed"]


def col_expr(c: Any) -> Expr:
    """A function argument that names a column (a str is a column name, as in Spark)."""
    if isinstance(c, Column):
        return c._expr
    if isinstance(c, str):
        return to_expr(c)
    raise TypeError(f"expected a Column or a column name, got {type(c).__name__}: {c!r}")


def lit_expr(v: Any) -> Expr:
    """A function argument that is a value (a str is a literal string)."""
    return v._expr if isinstance(v, Column) else Literal(v)


def func(name: str, args: list[Any], impl: Callable[..., Typed], sql: str | None = None,
         **options: Any) -> Column:
    return Column(Func(name, [a if isinstance(a, Expr) else col_expr(a) for a in args], impl,
                       sql=sql, **options))


def wider_type(types: list[Any], what: str) -> Any:
    """Spark's wider type for collection builders (``map``, ``array_append``...): numeric
    widening, and otherwise a string when strings meet other atomic types (non-ANSI coercion)."""
    from .. import types as T
    from ..coercion import common_type
    from ..errors import AnalysisException
    try:
        return common_type(types, what)
    except AnalysisException:
        atomic = (T.StringType, T.NumericType, T.BooleanType, T.DateType, T.TimestampType)
        if any(isinstance(t, T.StringType) for t in types) and all(isinstance(t, atomic + (T.NullType,))
                                                                    for t in types):
            return T.StringType()
        raise


def renamed(inner: Column, sql: str) -> Column:
    """``inner`` under another of Spark's names for it (``sql`` is the generated column name; the
    value passes through unchanged)."""
    return func(sql[:sql.index("(")], [inner._expr], lambda ctx, t: t, sql=sql)
