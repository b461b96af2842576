"""``groupBy(...).pivot(col, values).agg(...)``: one column per pivot value and aggregate.

Spark aggregates by the grouping keys and the pivot column first, then spreads each pivot value's
results into its own columns, so a (group, value) pair that never occurs gives null, even for
``count``. dfml does the same with two aggregates: the first over the data (one pass), the
second over its small result, picking each value's row with ``first(when(p <=> v, a), true)``.
Without ``values`` the distinct values are collected first, sorted, as Spark does (one more pass,
at the ``pivot()`` call).
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import TYPE_CHECKING, Any

from . import functions as F
from .column import Alias, Column, Expr, to_expr
from .errors import AnalysisException
from .formatting import format_double
from .group import GroupedData

if TYPE_CHECKING:
    from .dataframe import DataFrame

MAX_VALUES = 10000  # spark.sql.pivotMaxValues


def value_name(v: Any) -> str:
    """A pivot value as Spark names its column (its string form; null as ``null``)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return format_double(v)
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    return str(v)


class PivotedData(GroupedData):
    """``groupBy(...).pivot(...)``: its ``agg`` and shortcuts give one column per value."""

    def __init__(self, df: "DataFrame", keys: list[Expr], pivot_col: Any, values: list[Any] | None):
        super().__init__(df, keys)
        self._pivot = to_expr(pivot_col)
        self._pivot.compile(df._ctx())  # an unknown column fails here, before any work
        self._values = list(values) if values is not None else self._distinct_values()

    def _distinct_values(self) -> list[Any]:
        col = Column(self._pivot)
        rows = self._df.select(col.alias("__pv")).distinct().orderBy("__pv").limit(MAX_VALUES + 1).collect()
        if len(rows) > MAX_VALUES:
            raise AnalysisException(
                f"[PIVOT_VALUE_DATA_TYPE_MISMATCH] The pivot column {self._pivot.sql()} has more "
                f"than {MAX_VALUES} distinct values; give the values to pivot().")
        return [r[0] for r in rows]

    def pivot(self, pivot_col: Any, values: list[Any] | None = None) -> "GroupedData":
        raise AnalysisException("[REPEATED_CLAUSE] pivot() can only be called once after groupBy().")

    def _aggregate(self, outputs: list[Expr]) -> "DataFrame":
        from .aggregates import AggFunc  # noqa: F401 - the node class agg() checks for
        if not all(o.contains_aggregate() for o in outputs):
            raise AnalysisException("pivot().agg() takes aggregate expressions only")
        key_cols = [Column(k) for k in self._keys]
        inner = [Column(o.children[0] if isinstance(o, Alias) else o).alias(f"__a{i}")
                 for i, o in enumerate(outputs)]
        first = self._df.groupBy(*key_cols, Column(self._pivot).alias("__pv")).agg(*inner)
        key_names = [c for c in first.columns if c != "__pv" and not c.startswith("__a")]
        single = len(outputs) == 1
        spread = []
        for v in self._values:
            # Spark's pivot never matches a NaN value: its column stays null
            hit = F.lit(False) if isinstance(v, float) and v != v else F.col("__pv").eqNullSafe(F.lit(v))
            for i, o in enumerate(outputs):
                name = value_name(v) if single else f"{value_name(v)}_{_agg_name(o)}"
                spread.append(F.first(F.when(hit, F.col(f"__a{i}")), True).alias(name))
        return first.groupBy(*key_names).agg(*spread)


def _agg_name(e: Expr) -> str:
    return e.name if isinstance(e, Alias) else e.output_name()
