"""Aggregate functions: each builds its node class of ``dfml.sql.aggregates`` (which declares its
result type, partials and finish)."""

from __future__ import annotations

from typing import Any

from .. import aggregates as A
from ..grouping_nodes import Grouping, GroupingId
from ..column import Column, Literal, Star
from ._common import col_expr


def _agg(cls: type, name: str, c: Any, sql: str | None = None, **options: Any) -> Column:
    e = col_expr(c)
    return Column(cls(name, [e], sql=sql or f"{name}({e.sql()})", **options))


def _moment(name: str, c: Any, sql: str | None = None) -> Column:
    return _agg(A.CentralMoment, name, c, sql, statistic=name)


def count(col: Any) -> Column:
    """Rows where ``col`` is not null; ``count("*")`` (or ``count(lit(1))``) counts all rows."""
    if isinstance(col, str) and col == "*" or isinstance(col, Column) and isinstance(col._expr, (Star,)):
        return Column(A.CountStar("count_star", [], sql="count(1)"))
    if isinstance(col, Column) and isinstance(col._expr, Literal) and col._expr.value is not None:
        return Column(A.CountStar("count_star", [], sql=f"count({col._expr.sql()})"))
    return _agg(A.Count, "count", col)


def sum(col: Any) -> Column:  # noqa: A001 - Spark's name
    return _agg(A.Sum, "sum", col)


def sum_distinct(col: Any) -> Column:
    e = col_expr(col)
    return Column(A.SumDistinct("sum_distinct", [e], sql=f"sum(DISTINCT {e.sql()})"))


sumDistinct = sum_distinct


def avg(col: Any) -> Column:
    return _agg(A.Avg, "avg", col)


def mean(col: Any) -> Column:
    return _agg(A.Avg, "avg", col)


def min(col: Any) -> Column:  # noqa: A001
    return _agg(A.Min, "min", col)


def max(col: Any) -> Column:  # noqa: A001
    return _agg(A.Max, "max", col)


def count_distinct(col: Any, *cols: Any) -> Column:
    exprs = [col_expr(c) for c in (col, *cols)]
    return Column(A.CountDistinct("count_distinct", exprs,
                          sql=f"count(DISTINCT {', '.join(e.sql() for e in exprs)})"))


countDistinct = count_distinct


def approx_count_distinct(col: Any, rsd: float | None = None) -> Column:
    """Distinct count; dfml counts exactly (within any ``rsd`` Spark would allow)."""
    e = col_expr(col)
    return Column(A.CountDistinct("count_distinct", [e], sql=f"approx_count_distinct({e.sql()})"))


approxCountDistinct = approx_count_distinct


def stddev(col: Any) -> Column:
    return _moment("stddev_samp", col, sql=f"stddev({col_expr(col).sql()})")


def stddev_samp(col: Any) -> Column:
    return _moment("stddev_samp", col)


def stddev_pop(col: Any) -> Column:
    return _moment("stddev_pop", col)


def std(col: Any) -> Column:
    return _moment("stddev_samp", col, sql=f"std({col_expr(col).sql()})")


def variance(col: Any) -> Column:
    return _moment("var_samp", col, sql=f"variance({col_expr(col).sql()})")


def var_samp(col: Any) -> Column:
    return _moment("var_samp", col)


def var_pop(col: Any) -> Column:
    return _moment("var_pop", col)


def skewness(col: Any) -> Column:
    return _moment("skewness", col)


def kurtosis(col: Any) -> Column:
    return _moment("kurtosis", col)


def first(col: Any, ignorenulls: bool = False) -> Column:
    return _agg(A.First, "first", col, ignorenulls=ignorenulls)


def last(col: Any, ignorenulls: bool = False) -> Column:
    return _agg(A.Last, "last", col, ignorenulls=ignorenulls)


def collect_list(col: Any) -> Column:
    return _agg(A.CollectList, "collect_list", col)


def collect_set(col: Any) -> Column:
    return _agg(A.CollectSet, "collect_set", col)


def corr(col1: Any, col2: Any) -> Column:
    a, b = col_expr(col1), col_expr(col2)
    return Column(A.Comoment("corr", [a, b], sql=f"corr({a.sql()}, {b.sql()})", statistic="corr"))


def covar_samp(col1: Any, col2: Any) -> Column:
    a, b = col_expr(col1), col_expr(col2)
    return Column(A.Comoment("covar_samp", [a, b], sql=f"covar_samp({a.sql()}, {b.sql()})",
                             statistic="covar_samp"))


def covar_pop(col1: Any, col2: Any) -> Column:
    a, b = col_expr(col1), col_expr(col2)
    return Column(A.Comoment("covar_pop", [a, b], sql=f"covar_pop({a.sql()}, {b.sql()})",
                             statistic="covar_pop"))


def percentile_approx(col: Any, percentage: Any, accuracy: int = 10000) -> Column:
    e = col_expr(col)
    # Spark takes both as columns too (``sf.lit(0.5)``): their constant values are what count
    percentage, accuracy = (a._expr.value if isinstance(a, Column) and isinstance(a._expr, Literal)
                            else a for a in (percentage, accuracy))
    for a, what in ((percentage, "percentage"), (accuracy, "accuracy")):
        if isinstance(a, Column):
            raise TypeError(f"percentile_approx: {what} must be a constant, got {a._expr.sql()}")
    many = isinstance(percentage, (list, tuple))
    pcts = [float(p) for p in (percentage if many else [percentage])]
    for p in pcts:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"percentile_approx: percentage {p} must be between 0.0 and 1.0")
    if accuracy <= 0:
        raise ValueError(f"percentile_approx: accuracy {accuracy} must be positive")
    shown = ("array(" + ", ".join(str(p) for p in pcts) + ")") if many else str(percentage)
    return Column(A.PercentileApprox("percentile_approx", [e], sql=f"percentile_approx({e.sql()}, {shown}, {accuracy})",
                          percentages=tuple(pcts), many=many, accuracy=accuracy))


approxPercentile = percentile_approx


def any_value(col: Any, ignoreNulls: bool = False) -> Column:
    return _agg(A.First, "first", col, sql=f"any_value({col_expr(col).sql()})", ignorenulls=ignoreNulls)


def grouping(col: Any) -> Column:
    """1 on the rows of a ``rollup``/``cube``/``groupingSets`` aggregate where ``col`` is rolled
    up (its null stands for "all"), 0 where it is grouped (a null there is the data's)."""
    return Column(Grouping(col_expr(col)))


def grouping_id(*cols: Any) -> Column:
    """The grouping level as bits, one per key (the first key the highest), set where the key
    is rolled up; with columns, they must be the grouping keys in order."""
    return Column(GroupingId(tuple(col_expr(c) for c in cols)))


def count_if(col: Any) -> Column:
    """How many rows have ``col`` true (a bigint; 0 when none are)."""
    from ..column import CaseWhen
    e = col_expr(col)
    ones = Column(CaseWhen([(e, Literal(1))], Literal(None)))
    return count(ones).alias(f"count_if({e.sql()})")


def _bool_agg(name: str, pick: Any) -> Any:
    def f(col: Any) -> Column:
        e = col_expr(col)
        return pick(Column(e)).alias(f"{name}({e.sql()})")
    f.__name__ = name
    f.__doc__ = f"Spark's ``{name}``: whether {'all' if pick is min else 'any'} of the values are true."
    return f


bool_and = _bool_agg("bool_and", min)
every = _bool_agg("every", min)
bool_or = _bool_agg("bool_or", max)
some = _bool_agg("some", max)


def _agg_alias(name: str, inner: Any) -> Any:
    def f(col: Any) -> Column:
        from ._common import renamed
        return renamed(inner(col), f"{name}({col_expr(col).sql()})")
    f.__name__ = name
    f.__doc__ = f"Spark's ``{name}``, another name for ``{inner.__name__}``."
    return f


array_agg = collect_list  # Spark names its column collect_list(...) too
try_sum = _agg_alias("try_sum", sum)
try_avg = _agg_alias("try_avg", avg)


def first_value(col: Any, ignoreNulls: Any = None) -> Column:  # noqa: N803 - Spark's name
    from ._common import renamed
    ign = bool(getattr(ignoreNulls, "_expr", None) and ignoreNulls._expr.value) \
        if isinstance(ignoreNulls, Column) else bool(ignoreNulls)
    return renamed(first(col, ign), f"first_value({col_expr(col).sql()})")


def last_value(col: Any, ignoreNulls: Any = None) -> Column:  # noqa: N803 - Spark's name
    from ._common import renamed
    ign = bool(getattr(ignoreNulls, "_expr", None) and ignoreNulls._expr.value) \
        if isinstance(ignoreNulls, Column) else bool(ignoreNulls)
    return renamed(last(col, ign), f"last_value({col_expr(col).sql()})")
