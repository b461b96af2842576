"""Spark's ANOVATest, FValueTest and KolmogorovSmirnovTest (``dfml.ml.stat`` exports them).

ANOVATest and FValueTest share the one-pass statistics of the univariate feature selector
(``feature._selector_scores``): per-class count, sum and sum of squares for the ANOVA F-test;
co-moments of each feature with the label for the F-regression test (Spark reads the data twice
there, once for the means; co-moments merged pairwise give the same correlation in one pass).
The Kolmogorov-Smirnov test needs the empirical CDF at every sample value, so its one pass
collects each partition's distinct values with their counts (ties merged, the way the Spearman
rank tables in ``stat`` do) and the statistic is read off the merged table.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException, UnsupportedOperationException
from .base import Aggregation, run_aggregations
from .feature._selector_scores import p_values, score_aggregation
from .linalg import DenseVector, VectorUDT

__all__ = ["ANOVATest", "FValueTest", "KolmogorovSmirnovTest"]


def _check_columns(dataset: Any, columns: dict[str, tuple[type, str]], who: str) -> None:
    """Spark checks the input schema before reading any row: a missing column or one of the
    wrong type is an IllegalArgumentException naming it."""
    schema = dataset.schema
    for name, (kind, what) in columns.items():
        if name not in schema.names:
            raise IllegalArgumentException(f"{who}: column `{name}` does not exist. Available: "
                                           f"{', '.join(schema.names)}.")
        dtype = schema[name].dataType
        if not isinstance(dtype, kind):
            raise IllegalArgumentException(f"{who}: column `{name}` must be of type {what}, but "
                                           f"it is {dtype.simpleString()}.")


def _f_test(kind: str, dataset: Any, featuresCol: str, labelCol: str, flatten: bool,
            who: str) -> Any:
    """The shared body of ANOVATest and FValueTest: one aggregation pass, then per feature
    (pValue, degrees of freedom, F value) in Spark's nested or flattened form."""
    _check_columns(dataset, {featuresCol: (VectorUDT, "vector"),
                             labelCol: (T.NumericType, "numeric")}, who)
    stats = run_aggregations(dataset, [score_aggregation(kind, featuresCol, labelCol, who)])[0]
    if stats is None:
        raise SparkException(f"{who}: the input has no rows")
    if kind == "anova":
        n, k = sum(c[0] for c in stats["c"].values()), len(stats["c"])
        df1, df2, dof = k - 1, n - k, n - 1  # Spark reports between + within
    else:
        n = stats["n"]
        df1, df2, dof = 1, n - 2, n - 2
    if df1 <= 0 or df2 <= 0:  # the F distribution needs positive degrees of freedom
        raise SparkException(f"{who}: the F distribution needs positive degrees of freedom, "
                             f"got ({df1}, {df2}) from {n} rows"
                             + (f" in {k} classes of `{labelCol}`" if kind == "anova" else ""))
    p, fv = p_values(kind, stats, who)
    name = "fValue"
    spark = dataset.sparkSession
    if flatten:
        return spark.createDataFrame(
            [(j, float(p[j]), int(dof), float(fv[j])) for j in range(len(p))],
            f"featureIndex int, pValue double, degreesOfFreedom bigint, {name} double")
    schema = T.StructType([T.StructField("pValues", VectorUDT(), True),
                           T.StructField("degreesOfFreedom",
                                         T.ArrayType(T.LongType(), False), True),
                           T.StructField(name + "s", VectorUDT(), True)])
    return spark.createDataFrame([(DenseVector(p), [int(dof)] * len(p), DenseVector(fv))],
                                 schema)


class ANOVATest:
    """One-way ANOVA F-test of every (continuous) feature against a categorical label."""

    @staticmethod
    def test(dataset: Any, featuresCol: str, labelCol: str, flatten: bool = False) -> Any:
        """One row (pValues, degreesOfFreedom, fValues), or with ``flatten`` one row per
        feature (featureIndex, pValue, degreesOfFreedom, fValue). Degrees of freedom are
        reported as Spark does: the rows minus one (between-class plus within-class)."""
        return _f_test("anova", dataset, featuresCol, labelCol, flatten, "ANOVATest.test")


class FValueTest:
    """The F-test of a univariate linear regression of a continuous label on each feature."""

    @staticmethod
    def test(dataset: Any, featuresCol: str, labelCol: str, flatten: bool = False) -> Any:
        """One row (pValues, degreesOfFreedom, fValues), or with ``flatten`` one row per
        feature; degrees of freedom are the rows minus two. A constant feature has no
        correlation, so its F value and p-value are NaN."""
        return _f_test("fregression", dataset, featuresCol, labelCol, flatten,
                       "FValueTest.test")


# ------------------------------------------------------------------ Kolmogorov-Smirnov

def _normal_cdf(params: tuple[float, ...], who: str) -> Any:
    from scipy.stats import norm
    if params and len(params) != 2:
        raise IllegalArgumentException(f"{who}: the normal distribution takes two parameters, "
                                       f"mean and standard deviation; got {len(params)}")
    mean, sd = (float(params[0]), float(params[1])) if params else (0.0, 1.0)
    if not sd > 0:
        raise IllegalArgumentException(f"{who}: standard deviation must be positive, got "
                                       f"{sd!r}")
    return lambda x: norm.cdf(x, loc=mean, scale=sd)


_DISTRIBUTIONS = {"norm": _normal_cdf}


def _value_counts(column: str, who: str) -> Aggregation:
    def chunk(part: Any) -> Any:
        x = np.asarray(part[column].to_numpy(dtype=float, na_value=np.nan), dtype=float)
        if np.isnan(x).any():  # Spark fails on both (a null, or a NaN statistic)
            raise SparkException(f"{who}: column `{column}` holds a null or NaN sample")
        return np.unique(x, return_counts=True) if len(x) else None

    def combine(parts: list) -> Any:
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        u, inv = np.unique(np.concatenate([p[0] for p in parts]), return_inverse=True)
        cnt = np.bincount(inv.reshape(-1), weights=np.concatenate([p[1] for p in parts]))
        return u, cnt.astype(np.int64)

    return Aggregation([column], chunk, combine, label=f"value counts({column})")


def ks_statistic(values: np.ndarray, counts: np.ndarray, cdf: Any) -> tuple[float, int]:
    """(D, n): the largest gap between the empirical CDF of the sorted distinct ``values``
    (with their ``counts``) and ``cdf``, on either side of each step."""
    n = int(counts.sum())
    above = np.cumsum(counts) / n
    below = above - counts / n
    f = cdf(values)
    return float(max((above - f).max(), (f - below).max())), n


class KolmogorovSmirnovTest:
    """The one-sample, two-sided Kolmogorov-Smirnov test of a numeric column against a
    theoretical distribution (``norm``, with mean and standard deviation; N(0, 1) when no
    parameters are given)."""

    @staticmethod
    def test(dataset: Any, sampleCol: str, distName: str, *params: float) -> Any:
        """One row (pValue, statistic). The p-value is the two-sided tail of the KS
        statistic's exact distribution for the sample size, computed as a tail: where Spark
        subtracts a CDF from 1, its p-values below about 1e-11 are that subtraction's
        rounding (1.2e-12 where the tail is 1e-70), and dfml's are the tail itself."""
        who = "KolmogorovSmirnovTest.test"
        if distName not in _DISTRIBUTIONS:
            raise UnsupportedOperationException(
                f"{who}: distribution {distName!r} is not supported; "
                f"the supported ones are {sorted(_DISTRIBUTIONS)}")
        _check_columns(dataset, {sampleCol: (T.NumericType, "numeric")}, who)
        cdf = _DISTRIBUTIONS[distName](params, who)
        table = run_aggregations(dataset, [_value_counts(sampleCol, who)])[0]
        if table is None:
            raise SparkException(f"{who}: column `{sampleCol}` has no rows")
        stat, n = ks_statistic(table[0], table[1], cdf)
        from scipy.stats import kstwo
        p = float(kstwo.sf(stat, n))
        return dataset.sparkSession.createDataFrame([(p, stat)],
                                                    "pValue double, statistic double")
