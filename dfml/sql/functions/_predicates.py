"""Null and membership predicates: ``isin``, ``isnull``, ``isnan``, ``coalesce`` and friends."""

from __future__ import annotations

from typing import Any

import pyarrow.compute as pc

from .. import types as T
from .. import column_ops as ops
from ..column import CaseWhen, Column, Ctx, Literal, Typed, cast_to, common_type, fix_dtype
from ..star_args import expands_star
from ._common import col_expr, func, lit_expr, per_partition

__all__ = ["isnull", "isnotnull", "isnan", "nanvl", "coalesce", "greatest", "least", "nullif",
           "ifnull", "nvl", "nvl2", "equal_null", "nullifzero", "zeroifnull"]


def isin(c: Column, values: list[Any]) -> Column:
    """``c IN (values)``: true if equal to one, null if not and a value (or ``c``) is null."""
    return Column(ops.isin(c._expr, [lit_expr(v) for v in values]))


def isnull(col: Any) -> Column:
    return Column(col_expr(col)).isNull().alias(f"({col_expr(col).sql()} IS NULL)")


def isnotnull(col: Any) -> Column:
    return Column(col_expr(col)).isNotNull()


def isnan(col: Any) -> Column:
    return Column(ops.isnan(col_expr(col)))


def nanvl(col1: Any, col2: Any) -> Column:
    def impl(ctx: Ctx, a: Typed, b: Typed) -> Typed:
        a, b = cast_to(a, T.DoubleType()), cast_to(b, T.DoubleType())
        av = ctx.broadcast(a)
        nan = per_partition(ctx, [Typed(av, T.DoubleType())],
                            lambda x: pc.fill_null(pc.is_nan(x), False), T.BooleanType())
        return Typed(fix_dtype(av.mask(nan, b.value), T.DoubleType()), T.DoubleType(), True)
    return func("nanvl", [col1, col2], impl)


@expands_star
def coalesce(*cols: Any) -> Column:
    """The first non-null argument."""
    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        dt = common_type([t.dtype for t in ts], "coalesce")
        out = None
        for t in ts:
            c = cast_to(t, dt)
            if out is None:
                out = ctx.broadcast(c) if not (c.is_scalar and c.value is None) else \
                    ctx.broadcast(Typed(None, dt))
            elif c.is_scalar:
                if c.value is not None:
                    out = out.fillna(c.value)
            else:
                out = out.mask(out.isna(), c.value)
        return Typed(fix_dtype(out, dt), dt, all(t.nullable for t in ts))
    if not cols:
        raise ValueError("coalesce() needs at least one column")
    return func("coalesce", list(cols), impl)


def ifnull(col1: Any, col2: Any) -> Column:
    c = coalesce(col1, col2)
    c._expr._sql = f"ifnull({col_expr(col1).sql()}, {col_expr(col2).sql()})"
    return c


def nvl(col1: Any, col2: Any) -> Column:
    """``ifnull`` under its other name, which Spark keeps in the generated column name."""
    c = coalesce(col1, col2)
    c._expr._sql = f"nvl({col_expr(col1).sql()}, {col_expr(col2).sql()})"
    return c


def nullif(col1: Any, col2: Any) -> Column:
    a, b = Column(col_expr(col1)), Column(col_expr(col2))
    case = Column(CaseWhen([((a == b)._expr, Literal(None))], a._expr))
    return case.alias(f"nullif({a._expr.sql()}, {b._expr.sql()})")


def nvl2(col1: Any, col2: Any, col3: Any) -> Column:
    """``col2`` where ``col1`` is not null, else ``col3``."""
    a, b, c = (Column(col_expr(x)) for x in (col1, col2, col3))
    case = Column(CaseWhen([(a.isNotNull()._expr, b._expr)], c._expr))
    return case.alias(f"nvl2({a._expr.sql()}, {b._expr.sql()}, {c._expr.sql()})")


def equal_null(col1: Any, col2: Any) -> Column:
    """Null-safe equality (``<=>``): two nulls are equal, a null and a value are not."""
    a, b = Column(col_expr(col1)), Column(col_expr(col2))
    return a.eqNullSafe(b).alias(f"equal_null({a._expr.sql()}, {b._expr.sql()})")


def nullifzero(col: Any) -> Column:
    """Null where the value is 0."""
    a = Column(col_expr(col))
    return Column(CaseWhen([((a == 0)._expr, Literal(None))], a._expr)).alias(
        f"nullifzero({a._expr.sql()})")


def zeroifnull(col: Any) -> Column:
    """0 where the value is null."""
    c = coalesce(col, Column(Literal(0)))
    c._expr._sql = f"zeroifnull({col_expr(col).sql()})"
    return c


def _extreme(name: str, pick_greater: bool) -> Any:
    def f(*cols: Any) -> Column:
        if len(cols) < 2:
            raise ValueError(f"{name}() needs at least two columns")

        def impl(ctx: Ctx, *ts: Typed) -> Typed:
            dt = common_type([t.dtype for t in ts], name)
            vals = [ctx.broadcast(cast_to(t, dt)) if not (t.is_scalar and t.value is None)
                    else ctx.broadcast(Typed(None, dt)) for t in ts]
            out = vals[0]
            for v in vals[1:]:
                better = (v > out) if pick_greater else (v < out)
                if isinstance(dt, (T.DoubleType, T.FloatType)):  # NaN is above every number
                    better = better | (((v != v) & (out == out)) if pick_greater
                                       else ((out != out) & (v == v)))
                out = out.mask(better.fillna(False) | out.isna(), v)
            return Typed(fix_dtype(out, dt), dt, all(t.nullable for t in ts))
        return func(name, list(cols), impl)
    f.__name__ = name
    return f


greatest = expands_star(_extreme("greatest", True))
least = expands_star(_extreme("least", False))
