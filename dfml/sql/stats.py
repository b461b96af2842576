"""``describe``, ``summary`` and ``df.stat``: statistics in Spark's output shape.

All statistics of one call are computed by one aggregate (one graph); the result is a small
DataFrame with a ``summary`` column and one string column per input column, as in Spark.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import types as T
from .formatting import format_double

if TYPE_CHECKING:
    from .dataframe import DataFrame

_DEFAULT_SUMMARY = ["count", "mean", "stddev", "min", "25%", "50%", "75%", "max"]


def _fmt(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return format_double(v)
    return str(v)


def _statistics(df: "DataFrame", cols: list[str], stats: list[str]) -> "DataFrame":
    from . import functions as F
    schema = df.schema
    if not cols:
        cols = [f.name for f in schema.fields
                if isinstance(f.dataType, (T.NumericType, T.StringType))]
    ctx = df._ctx()
    cols = [ctx.resolve(c) for c in cols]
    exprs, slots = [], []
    for c in cols:
        dt = schema[c].dataType
        numeric = isinstance(dt, T.NumericType)
        for s in stats:
            if s == "count":
                e = F.count(c)
            elif s == "mean":
                e = F.avg(c) if numeric else None
            elif s == "stddev":
                e = F.stddev(c) if numeric else None
            elif s == "min":
                e = F.min(c)
            elif s == "max":
                e = F.max(c)
            elif s == "count_distinct":
                e = F.count_distinct(c)
            elif s.endswith("%"):
                p = float(s[:-1]) / 100
                if not 0 <= p <= 1:
                    raise ValueError(f"summary(): percentile {s!r} is not between 0% and 100%")
                e = F.percentile_approx(c, p) if numeric else None
            else:
                raise ValueError(f"summary(): unknown statistic {s!r}; use count, mean, stddev, "
                                 f"min, max, count_distinct or a percentile such as 75%")
            if e is not None:
                slots.append((c, s, len(exprs)))
                exprs.append(e.alias(f"__s{len(exprs)}"))
            else:
                slots.append((c, s, None))
    if not exprs:
        exprs = [F.count("*").alias("__s0")]
    row = df.agg(*exprs).collect()[0]
    table = {c: {} for c in cols}
    for c, s, i in slots:
        table[c][s] = _fmt(row[i]) if i is not None else None
    data = [tuple([s] + [table[c][s] for c in cols]) for s in stats]
    schema_out = T.StructType([T.StructField("summary", T.StringType())] +
                              [T.StructField(c, T.StringType()) for c in cols])
    return df._session.createDataFrame(data, schema_out)


def describe(df: "DataFrame", cols: list[str]) -> "DataFrame":
    return _statistics(df, cols, ["count", "mean", "stddev", "min", "max"])


def summary(df: "DataFrame", statistics: list[str]) -> "DataFrame":
    return _statistics(df, [], statistics or _DEFAULT_SUMMARY)


class DataFrameStatFunctions:
    """``df.stat``: correlation, covariance, quantiles, cross tabulation, stratified samples."""

    __module__ = "dfml.sql.dataframe"  # where PySpark has it, and where dfml re-exports it

    def __init__(self, df: "DataFrame"):
        self.df = df

    def corr(self, col1: str, col2: str, method: str | None = None) -> float:
        return self.df.corr(col1, col2, method)

    def crosstab(self, col1: str, col2: str) -> "DataFrame":
        return self.df.crosstab(col1, col2)

    def sampleBy(self, col: Any, fractions: dict, seed: int | None = None) -> "DataFrame":
        return self.df.sampleBy(col, fractions, seed)

    def cov(self, col1: str, col2: str) -> float:
        return self.df.cov(col1, col2)

    def approxQuantile(self, col: Any, probabilities: list[float], relativeError: float) -> Any:
        from . import functions as F
        if relativeError < 0:
            raise ValueError(f"approxQuantile(): relativeError must be >= 0, got {relativeError}")
        cols = [col] if isinstance(col, str) else list(col)
        def values(c: str) -> Any:  # Spark leaves out NaN here (percentile_approx counts it)
            floating = isinstance(self.df._resolve_field(c).dataType, (T.FloatType, T.DoubleType))
            return F.when(~F.isnan(c), F.col(c)) if floating else F.col(c)
        row = self.df.agg(*[F.percentile_approx(values(c), list(probabilities)).alias(f"q{i}")
                            for i, c in enumerate(cols)]).collect()[0]
        out = [[float(v) for v in (row[i] or [])] for i in range(len(cols))]
        return out[0] if isinstance(col, str) else out
