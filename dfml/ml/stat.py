"""Spark's ``pyspark.ml.stat``: Correlation, ChiSquareTest and Summarizer over vector columns.

Each is a small number of passes over the data (the partials and their merges live in
``dfml.ml.stats``): Pearson correlation is one pass of co-moments; Spearman one pass of
per-feature value counts (to rank) and one of co-moments of the ranks; the chi-squared test one
pass of (feature value, label) counts. ``Summarizer`` builds an aggregate Column, so it works in
``select`` and in ``groupBy().agg`` like any aggregate (one groupby, shared with the others).
"""

from __future__ import annotations

from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pyarrow as pa

from ..sql import Column
from ..sql import functions as F
from ..sql import types as T
from ..sql.aggregates import AggFunc
from ..sql.errors import AnalysisException, IllegalArgumentException, SparkException
from ..sql.typed import Typed
from .base import Aggregation, run_aggregations
from .linalg import DenseMatrix, DenseVector, MatrixUDT, VectorUDT, as_struct_array, to_matrix
from .stats import (comoments, comoments_merge, fold_partials, weighted_moments,
                    weighted_moments_merge)

__all__ = ["Correlation", "ChiSquareTest", "Summarizer", "SummaryBuilder", "ANOVATest",
           "FValueTest", "KolmogorovSmirnovTest", "MultivariateGaussian"]


def _vector_column(dataset: Any, column: str, who: str) -> None:
    if column not in dataset.schema.names:
        raise AnalysisException(f"{who}: column `{column}` does not exist. Available: "
                                f"{', '.join(dataset.schema.names)}.")
    if not isinstance(dataset.schema[column].dataType, VectorUDT):
        raise IllegalArgumentException(f"{who}: column `{column}` must be a vector, but it is "
                                       f"{dataset.schema[column].dataType.simpleString()}")


def _matrix_of(part: Any, column: str, who: str) -> Any:
    arr = as_struct_array(part[column])
    if arr.null_count:
        raise SparkException(f"{who}: column `{column}` holds a null vector")
    return to_matrix(arr) if len(arr) else None


# ------------------------------------------------------------------ Correlation

class Correlation:
    """The correlation matrix of a vector column: ``pearson`` (default) or ``spearman``."""

    @staticmethod
    def corr(dataset: Any, column: str, method: str = "pearson") -> Any:
        """A one-row DataFrame whose column ``<method>(<column>)`` holds the matrix. A feature
        with no variance correlates NaN with every other (1.0 with itself), as in Spark."""
        who = "Correlation.corr"
        if method not in ("pearson", "spearman"):
            raise IllegalArgumentException(f"{who}: method must be pearson or spearman, got "
                                           f"{method!r}")
        _vector_column(dataset, column, who)
        ranks = _rank_tables(dataset, column) if method == "spearman" else None

        def chunk(part: Any) -> Any:
            m = _matrix_of(part, column, who)
            if m is None:
                return None
            if ranks is not None:
                d = m.toarray() if hasattr(m, "toarray") else np.asarray(m)
                m = np.column_stack([r[np.searchsorted(u, d[:, j])]
                                     for j, (u, r) in enumerate(ranks)])
            return comoments(m)

        acc = run_aggregations(dataset, [Aggregation(
            [column], chunk, lambda ps: fold_partials(ps, comoments_merge),
            label=f"{method}({column})")])[0]
        if acc is None:
            raise SparkException(f"{who}: column `{column}` has no rows")
        matrix = _correlation_from_comoments(*acc)
        name = f"{method}({column})"
        schema = T.StructType([T.StructField(name, MatrixUDT(), False)])
        d = matrix.shape[0]
        return dataset.sparkSession.createDataFrame(
            [(DenseMatrix(d, d, matrix.reshape(-1, order="F")),)], schema)


def _correlation_from_comoments(n: int, mean: np.ndarray, c: np.ndarray) -> np.ndarray:
    cov = c / (n - 1) if n > 1 else np.zeros_like(c)
    var = np.diag(cov).copy()
    sd = np.where(np.abs(var) <= 1e-12, 0.0, np.sqrt(np.abs(var)))
    denom = np.outer(sd, sd)
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.where(denom == 0, np.nan, cov / np.where(denom == 0, 1.0, denom))
    np.fill_diagonal(corr, 1.0)
    return corr


def _rank_tables(dataset: Any, column: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per feature: its sorted distinct values and each one's rank (ties get their average
    rank), from one pass of value counts."""
    who = "Correlation.corr"

    def chunk(part: Any) -> Any:
        m = _matrix_of(part, column, who)
        if m is None:
            return None
        d = m.toarray() if hasattr(m, "toarray") else np.asarray(m)
        return [np.unique(d[:, j], return_counts=True) for j in range(d.shape[1])]

    def combine(parts: list) -> Any:
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        if len({len(p) for p in parts}) > 1:
            raise SparkException(f"{who}: vectors of different sizes in column `{column}`")
        out = []
        for j in range(len(parts[0])):
            vals = np.concatenate([p[j][0] for p in parts])
            cnts = np.concatenate([p[j][1] for p in parts])
            u, inv = np.unique(vals, return_inverse=True)
            out.append((u, np.bincount(inv.reshape(-1), weights=cnts).astype(np.int64)))
        return out

    tables = run_aggregations(dataset, [Aggregation([column], chunk, combine,
                                                    label=f"ranks({column})")])[0]
    if tables is None:
        raise SparkException(f"{who}: column `{column}` has no rows")
    out = []
    for u, cnt in tables:
        before = np.cumsum(cnt) - cnt
        out.append((u, before + (cnt + 1) / 2.0))
    return out


# ------------------------------------------------------------------ ChiSquareTest

MAX_CATEGORIES = 10000


class ChiSquareTest:
    """Pearson's chi-squared independence test of every feature against the label."""

    @staticmethod
    def test(dataset: Any, featuresCol: str, labelCol: str, flatten: bool = False) -> Any:
        """One row (pValues, degreesOfFreedom, statistics), or with ``flatten`` one row per
        feature (featureIndex, pValue, degreesOfFreedom, statistic). Features and labels are
        categories (their distinct values); at most 10000 distinct values each."""
        who = "ChiSquareTest.test"
        _vector_column(dataset, featuresCol, who)
        if labelCol not in dataset.schema.names or \
                not isinstance(dataset.schema[labelCol].dataType, T.NumericType):
            raise IllegalArgumentException(f"{who}: label column `{labelCol}` must exist and be "
                                           f"numeric")

        def chunk(part: Any) -> Any:
            m = _matrix_of(part, featuresCol, who)
            if m is None:
                return None
            y = np.asarray(part[labelCol].to_numpy(dtype=float, na_value=np.nan), dtype=float)
            if np.isnan(y).any():
                raise SparkException(f"{who}: column `{labelCol}` holds a null or NaN label")
            d = m.toarray() if hasattr(m, "toarray") else np.asarray(m)
            return [np.unique(np.column_stack([d[:, j], y]), axis=0, return_counts=True)
                    for j in range(d.shape[1])]

        def combine(parts: list) -> Any:
            parts = [p for p in parts if p is not None]
            if not parts:
                return None
            if len({len(p) for p in parts}) > 1:
                raise SparkException(f"{who}: vectors of different sizes in `{featuresCol}`")
            out = []
            for j in range(len(parts[0])):
                pairs = np.concatenate([p[j][0] for p in parts])
                u, inv = np.unique(pairs, axis=0, return_inverse=True)
                cnt = np.bincount(inv.reshape(-1),
                                  weights=np.concatenate([p[j][1] for p in parts]))
                out.append((u, cnt))
            return out

        tables = run_aggregations(dataset, [Aggregation(
            list(dict.fromkeys([featuresCol, labelCol])), chunk, combine,
            label=f"chi-squared counts({featuresCol}, {labelCol})")])[0]
        if tables is None:
            raise SparkException(f"{who}: the input has no rows")
        results = [chi_squared(u, cnt, j, who) for j, (u, cnt) in enumerate(tables)]
        spark = dataset.sparkSession
        if flatten:
            return spark.createDataFrame(
                [(j, p, dof, s) for j, (p, dof, s) in enumerate(results)],
                "featureIndex int, pValue double, degreesOfFreedom int, statistic double")
        schema = T.StructType([T.StructField("pValues", VectorUDT(), True),
                               T.StructField("degreesOfFreedom", T.ArrayType(T.IntegerType(),
                                                                             False), True),
                               T.StructField("statistics", VectorUDT(), True)])
        return spark.createDataFrame([(DenseVector([r[0] for r in results]),
                                       [r[1] for r in results],
                                       DenseVector([r[2] for r in results]))], schema)


def chi_squared(pairs: np.ndarray, counts: np.ndarray, j: int,
                 who: str) -> tuple[float, int, float]:
    """(pValue, degrees of freedom, statistic) of one feature's contingency counts."""
    from scipy.stats import chi2
    xs, xi = np.unique(pairs[:, 0], return_inverse=True)
    ys, yi = np.unique(pairs[:, 1], return_inverse=True)
    for what, vals in (("feature " + str(j), xs), ("label", ys)):
        if len(vals) > MAX_CATEGORIES:
            raise SparkException(f"{who}: the chi-squared test takes categorical values, but "
                                 f"the {what} has more than {MAX_CATEGORIES} distinct values")
    table = np.zeros((len(xs), len(ys)))
    np.add.at(table, (xi.reshape(-1), yi.reshape(-1)), counts)
    dof = (len(xs) - 1) * (len(ys) - 1)
    if dof == 0:  # one category: a constant is independent of anything
        return 1.0, 0, 0.0
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    stat = float(((table - expected) ** 2 / expected).sum())
    return float(1.0 - chi2.cdf(stat, dof)), int(dof), stat


# ------------------------------------------------------------------ Summarizer

METRICS = ("mean", "sum", "variance", "std", "count", "numNonZeros", "max", "min", "normL2",
           "normL1")


class _Partial:
    """A group's weighted moments (``stats.weighted_moments``), boxed so pandas keeps it whole."""

    __slots__ = ("m", "error")

    def __init__(self, m: dict | None, error: str | None = None):
        self.m, self.error = m, error

    def __reduce__(self) -> Any:
        return (_Partial, (self.m, self.error))


def _group_moments(x: Any) -> _Partial:
    """A group's partial; a null vector fails (as in Spark), a row with a null weight is
    skipped. Bad input is carried to the finish and raised there: dask also runs this step
    over made-up rows while it plans, where nothing must fail."""
    arr = x.array._pa_array if isinstance(x.dtype, pd.ArrowDtype) else pa.array(list(x))
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    v, w = arr.flatten()  # (field() would ignore a slice's offset)
    if v.null_count:
        return _Partial(None, "Summarizer: the features column holds a null vector")
    if w.null_count:
        v, w = v.filter(w.is_valid()), w.filter(w.is_valid())
    if len(v) == 0:
        return _Partial(None)
    wts = np.asarray(w.to_numpy(zero_copy_only=False), dtype=float)
    if (wts < 0).any() or np.isinf(wts).any():
        return _Partial(None, f"Summarizer: weights must be non-negative and finite, got "
                              f"{float(wts[(wts < 0) | np.isinf(wts)][0])!r}")
    return _Partial(weighted_moments(to_matrix(as_struct_array(v)), wts))


def _merge_group(parts: Any) -> _Partial:
    parts = [p for p in parts if isinstance(p, _Partial)]
    errors = [p.error for p in parts if p.error]
    if errors:
        return _Partial(None, errors[0])
    return _Partial(fold_partials([p.m for p in parts], weighted_moments_merge))


_SUMMARY = dd.Aggregation("ml_summarizer", lambda s: s.agg(_group_moments),
                          lambda s: s.agg(_merge_group))


def _metric(m: dict, name: str) -> Any:
    if name == "count":
        return int(m["n"])
    W, W2 = m["W"], m["W2"]
    denom = W - W2 / W
    var = np.maximum(m["m2"] / denom, 0.0) if denom > 0 else np.zeros_like(m["m2"])
    value = {"mean": lambda: m["mean"], "sum": lambda: m["mean"] * W, "variance": lambda: var,
             "std": lambda: np.sqrt(var), "numNonZeros": lambda: m["nnz"],
             "max": lambda: m["max"], "min": lambda: m["min"],
             "normL2": lambda: np.sqrt(m["l2"]), "normL1": lambda: m["l1"]}[name]()
    return VectorUDT().serialize(DenseVector(value))


def _metric_type(name: str) -> T.DataType:
    return T.LongType() if name == "count" else VectorUDT()


def _pack(v: Any, w: Any) -> pd.Series:
    """(vector, weight) per row as one Arrow struct column, the reduction's single input."""
    arr = pa.StructArray.from_arrays(
        [as_struct_array(pa.chunked_array([v.array._pa_array.combine_chunks()])
                         if isinstance(v.dtype, pd.ArrowDtype) else v),
         pa.array(np.asarray(w.to_numpy(dtype=float, na_value=np.nan)), pa.float64(),
                  mask=np.asarray(w.isna()))], names=["v", "w"])
    return pd.Series(pd.arrays.ArrowExtensionArray(arr), index=v.index)


class SummaryAggregate(AggFunc):
    """The aggregate behind ``Summarizer``: one reduction of weighted moments per group; the
    result is a struct of the requested metrics (``single``: the one metric's value itself)."""

    def declare(self, args: list[Typed], p: Any) -> Any:
        feats, weight = args
        if not isinstance(feats.dtype, VectorUDT):
            raise AnalysisException(f"Summarizer: {self.children[0].sql()} must be a vector "
                                    f"column, but it is {feats.dtype.simpleString()}")
        if not isinstance(weight.dtype, T.NumericType):
            raise AnalysisException(f"Summarizer: weight {self.children[1].sql()} must be "
                                    f"numeric, but it is {weight.dtype.simpleString()}")
        v, w = p.inputs[p.input(feats)], p.inputs[p.input(weight, T.DoubleType())]
        vt = pa.struct([pa.field("v", VectorUDT.arrowType()), pa.field("w", pa.float64())])
        meta = pd.Series(pd.arrays.ArrowExtensionArray(pa.array([], vt)))
        packed = dd.map_partitions(_pack, v, w, meta=meta)
        red = p.reduce(p.derived(packed), _SUMMARY)
        metrics, single = self.options["metrics"], self.options["single"]
        out = _metric_type(metrics[0]) if single else T.StructType(
            [T.StructField(m, _metric_type(m), True) for m in metrics])
        arrow_t = T.to_arrow(out)

        def conv(s: pd.Series) -> pd.Series:
            rows = []
            for part in s.tolist():
                m = part.m if isinstance(part, _Partial) else None
                if isinstance(part, _Partial) and part.error:
                    raise SparkException(part.error)
                if m is None:  # Spark's summarizer fails on an empty group too
                    raise SparkException("Summarizer: nothing has been added to this summarizer "
                                         "(no row with a vector and a positive weight)")
                vals = {k: _metric(m, k) for k in metrics}
                rows.append(vals[metrics[0]] if single else vals)
            return pd.Series(pd.arrays.ArrowExtensionArray(pa.array(rows, arrow_t)),
                             index=s.index, name=s.name)

        def finish(P: Any) -> Typed:
            col = P[red]
            meta_out = pd.Series(pd.arrays.ArrowExtensionArray(pa.array([], arrow_t)),
                                 name=col.name)
            return Typed(col.map_partitions(conv, meta=meta_out), out, True)
        return finish


def _as_column(c: Any) -> Column:
    return c if isinstance(c, Column) else F.col(c)


def _build(metrics: tuple[str, ...], featuresCol: Any, weightCol: Any, single: bool) -> Column:
    feats = _as_column(featuresCol)
    weight = _as_column(weightCol) if weightCol is not None else F.lit(1.0)
    fe, we = feats._expr, weight._expr
    sql = f"{metrics[0]}({fe.sql()})" if single else f"aggregate_metrics({fe.sql()}, {we.sql()})"
    return Column(SummaryAggregate("aggregate_metrics", [fe, we], sql=sql, metrics=metrics,
                                   single=single))


class SummaryBuilder:
    """The metrics chosen by ``Summarizer.metrics``; ``summary`` makes the aggregate column."""

    def __init__(self, metrics: tuple[str, ...]):
        self._metrics = metrics

    def summary(self, featuresCol: Any, weightCol: Any = None) -> Column:
        return _build(self._metrics, featuresCol, weightCol, single=False)


class Summarizer:
    """Vector column statistics as aggregate columns, weighted by an optional weight column
    (rows of weight 0 are left out; variance is the weighted unbiased one, as Spark's)."""

    @staticmethod
    def metrics(*metrics: str) -> SummaryBuilder:
        if not metrics:
            raise IllegalArgumentException("Summarizer.metrics: name at least one metric")
        for m in metrics:
            if m not in METRICS:
                raise IllegalArgumentException(f"Summarizer.metrics: unknown metric {m!r}; "
                                               f"known: {', '.join(METRICS)}")
        return SummaryBuilder(tuple(metrics))

    @staticmethod
    def _single(metric: str, col: Any, weightCol: Any) -> Column:
        return _build((metric,), col, weightCol, single=True)

    mean = staticmethod(lambda col, weightCol=None: Summarizer._single("mean", col, weightCol))
    sum = staticmethod(lambda col, weightCol=None: Summarizer._single("sum", col, weightCol))
    variance = staticmethod(lambda col, weightCol=None:
                            Summarizer._single("variance", col, weightCol))
    std = staticmethod(lambda col, weightCol=None: Summarizer._single("std", col, weightCol))
    count = staticmethod(lambda col, weightCol=None: Summarizer._single("count", col, weightCol))
    numNonZeros = staticmethod(lambda col, weightCol=None:
                               Summarizer._single("numNonZeros", col, weightCol))
    max = staticmethod(lambda col, weightCol=None: Summarizer._single("max", col, weightCol))
    min = staticmethod(lambda col, weightCol=None: Summarizer._single("min", col, weightCol))
    normL2 = staticmethod(lambda col, weightCol=None: Summarizer._single("normL2", col, weightCol))
    normL1 = staticmethod(lambda col, weightCol=None: Summarizer._single("normL1", col, weightCol))


# the tests that share the feature selectors' one-pass statistics, and the Gaussian that
# pyspark.ml.stat also exports (at the end: _stat_tests imports from this module's neighbours)
from ._stat_tests import ANOVATest, FValueTest, KolmogorovSmirnovTest  # noqa: E402
from .gaussian_mixture import MultivariateGaussian  # noqa: E402
