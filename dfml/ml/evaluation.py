"""Evaluators (``pyspark.ml.evaluation``): one metric of a scored data set, in one pass.

Each ``evaluate`` checks its params and columns, then runs a single ``Aggregation`` where the
data lives (one dask graph) and finishes the metric on the client from a small summary:

- ``BinaryClassificationEvaluator``: weighted positive/negative counts per distinct score
  (partials merged by summing); the curves are built from the sorted distinct scores, grouped
  into ``count // numBins`` consecutive scores when there are more than ``2 * numBins``.
- ``MulticlassClassificationEvaluator``: the weighted confusion table (label, prediction) ->
  weight, or for ``logLoss`` the weighted loss sum.
- ``RegressionEvaluator``: weighted moments of label and prediction (merged pairwise, so the
  variances stay accurate) and sums of squared and absolute errors.
- ``ClusteringEvaluator``: the silhouette from per-cluster sums, in two passes (``silhouette``).

Spark groups scores into bins within each partition of its sorted score table, so its binned
areas depend on how that table is partitioned; dfml bins the whole sorted table at once, which
is what Spark computes when the table has one partition.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from .base import Aggregation, Persistable, require_column, run_aggregations
from .stats import chan_merge, fold_partials
from .linalg import VectorUDT, as_struct_array, to_matrix
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import (HasFeaturesCol, HasLabelCol, HasPredictionCol, HasProbabilityCol,
                           HasRawPredictionCol, HasWeightCol)
from .silhouette import silhouette, silhouette_columns

__all__ = ["score_curves", "Evaluator", "BinaryClassificationEvaluator", "MulticlassClassificationEvaluator",
           "ClusteringEvaluator",
           "RegressionEvaluator"]


# ------------------------------------------------------------------------------ helpers

def _div(a: float, b: float) -> float:
    """``a / b`` with IEEE results for a zero divisor (inf or NaN), as the JVM divides."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(a) / np.float64(b))


def _doubles(part: pd.DataFrame, col: str, what: str) -> np.ndarray:
    """A numeric column of a partition as float64; a SparkException if it holds nulls."""
    from ..sql._engine import arrow_of
    arr = arrow_of(part[col])
    if arr.null_count:
        raise SparkException(f"{what} column `{col}` holds a null value; the evaluator needs a "
                             f"value in every row")
    return np.asarray(arr.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def _weights(part: pd.DataFrame, col: str | None) -> np.ndarray:
    """Row weights (1.0 without a weight column); Spark's checks on each weight."""
    if col is None:
        return np.ones(len(part), dtype=np.float64)
    from ..sql._engine import arrow_of
    arr = arrow_of(part[col])
    w = np.asarray(arr.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    if arr.null_count or np.isnan(w).any():
        raise SparkException("Weights MUST NOT be Null or NaN")
    bad = (w < 0) | np.isposinf(w)
    if bad.any():
        first = float(w[bad][0])
        raise SparkException(f"Weights MUST NOT be Negative or Infinity, but got {first!r}")
    return w


def _vector_matrix(part: pd.DataFrame, col: str) -> Any:
    vals = part[col]
    first = next((v for v in vals if v is not None), None)
    if first is not None and not hasattr(first, "toArray") and not isinstance(first, dict):
        return _array_matrix(vals, col)
    arr = as_struct_array(vals)
    if arr.null_count:
        raise SparkException(f"vector column `{col}` holds a null value; the evaluator needs a "
                             f"vector in every row")
    return to_matrix(arr)


def _column_of(m: Any, j: int, col: str) -> np.ndarray:
    """Entry ``j`` of every row of a dense or CSR matrix."""
    if m.shape[1] <= j:
        raise SparkException(f"vector column `{col}` holds vectors of size {m.shape[1]}; entry "
                             f"{j} does not exist")
    if isinstance(m, np.ndarray):
        return np.ascontiguousarray(m[:, j], dtype=np.float64)
    return np.asarray(m[:, j].toarray(), dtype=np.float64).reshape(-1)


def _array_matrix(vals: Any, col: str) -> np.ndarray:
    """Rows of an array<double>/array<float> column as a matrix (Spark reads such a
    probability column as dense vectors); every row must be present and of one length."""
    rows = list(vals)
    if any(r is None for r in rows):
        raise SparkException(f"array column `{col}` holds a null value; the evaluator needs "
                             f"an array in every row")
    lengths = {len(r) for r in rows}
    if len(lengths) > 1:
        raise SparkException(f"array column `{col}` holds arrays of different lengths "
                             f"{sorted(lengths)}")
    return np.array([np.asarray(r, dtype=np.float64) for r in rows]).reshape(len(rows), -1)


def _check_type(schema: T.StructType, name: str, kinds: tuple[type, ...], stage: Any,
                what: str) -> T.DataType:
    """The column's type; AnalysisException if it is missing, IllegalArgumentException (Spark's
    wording) if its type is not one of ``kinds``."""
    dt = require_column(schema, name, (), stage, what)
    if not isinstance(dt, kinds) or isinstance(dt, T.BooleanType):
        raise IllegalArgumentException(
            f"requirement failed: Column {name} must be of type {what} but was actually of type "
            f"{dt.simpleString()}.")
    return dt


# ------------------------------------------------------------------------------ base

class Evaluator(Persistable):
    """Computes one metric of a data set; ``isLargerBetter`` says which direction is better.
    Saved and loaded like a stage (params only)."""

    def evaluate(self, dataset: Any, params: dict | None = None) -> float:
        """The metric of ``dataset`` (``params``: a param map applied to a copy first)."""
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise TypeError(f"Params must be a param map but got {type(params)}.")
        if params:
            return self.copy(params).evaluate(dataset)
        self._validate_params()
        agg = self._aggregation(dataset.schema)
        return self._metric(run_aggregations(dataset, [agg])[0])

    def isLargerBetter(self) -> bool:
        return True

    def _validate_params(self) -> None:
        pass

    def _invalid(self, name: str) -> IllegalArgumentException:
        return IllegalArgumentException(
            f"{self.uid} parameter {name} given invalid value {self.getOrDefault(name)!r}.")

    def _weight_col(self, schema: T.StructType) -> str | None:
        if not self.isDefined("weightCol"):
            return None
        w = self.getOrDefault("weightCol")
        if not w:
            return None
        _check_type(schema, w, (T.NumericType,), self, "numeric")
        return w

    def _aggregation(self, schema: T.StructType) -> Aggregation:
        raise NotImplementedError

    def _metric(self, state: Any) -> float:
        raise NotImplementedError


# ------------------------------------------------------------------------------ binary

def _score_keys(v: np.ndarray) -> np.ndarray:
    """int64 keys ordered as the JVM orders doubles (-0.0 before 0.0, every NaN equal and
    greater than +inf), so that distinct scores are the JVM's distinct boxed doubles."""
    v = np.where(np.isnan(v), np.nan, v)  # one NaN bit pattern
    bits = v.view(np.int64)
    return bits ^ ((bits >> 63) & np.int64(0x7FFFFFFFFFFFFFFF))


def _keys_to_scores(k: np.ndarray) -> np.ndarray:
    bits = k ^ ((k >> 63) & np.int64(0x7FFFFFFFFFFFFFFF))
    return bits.view(np.float64)


def _merge_score_counts(keys: np.ndarray, pos: np.ndarray, neg: np.ndarray) -> tuple:
    uniq, inv = np.unique(keys, return_inverse=True)
    return (uniq, np.bincount(inv, pos, minlength=len(uniq)),
            np.bincount(inv, neg, minlength=len(uniq)))


def _trapezoid(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2:
        return 0.0
    return float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2.0))


def binary_curves(keys: np.ndarray, pos: np.ndarray, neg: np.ndarray,
                  num_bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(thresholds, cumulative true positives, cumulative false positives), thresholds in
    descending order, after grouping into bins of ``count // num_bins`` distinct scores."""
    order = slice(None, None, -1)  # keys ascend; the curves walk scores from the top
    scores, pos, neg = _keys_to_scores(keys[order]), pos[order], neg[order]
    n = len(scores)
    if num_bins > 0 and n // num_bins >= 2:
        g = n // num_bins
        starts = np.arange(0, n, g)
        ends = np.minimum(starts + g, n) - 1
        scores = scores[ends]  # a bin's threshold is its lowest score
        pos, neg = np.add.reduceat(pos, starts), np.add.reduceat(neg, starts)
    return scores, np.cumsum(pos), np.cumsum(neg)


def score_curves(dataset: Any, score_col: str, label_col: str, weight_col: str | None,
                 num_bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(thresholds, cumulative weighted true positives, false positives) of ``dataset``'s
    scores (entry 1 of a vector column) in one pass, as Spark's binary metrics bin them: what
    a logistic regression summary's ``roc``, ``pr`` and by-threshold curves are built from."""
    ev = BinaryClassificationEvaluator(rawPredictionCol=score_col, labelCol=label_col,
                                       numBins=num_bins)
    if weight_col:
        ev.setWeightCol(weight_col)
    state = run_aggregations(dataset, [ev._aggregation(dataset.schema)])[0]
    if state is None:
        state = (np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    return binary_curves(*state, num_bins)


class BinaryClassificationEvaluator(Evaluator, HasRawPredictionCol, HasLabelCol, HasWeightCol):
    """Area under the ROC or precision-recall curve of scores against 0/1 labels (a label
    above 0.5 counts as positive). The score is the double column ``rawPredictionCol``, or
    entry 1 of it when it is a vector (a classifier's raw prediction or probability)."""

    metricName = Param(Params._dummy(), "metricName",
                       "which area to compute: areaUnderROC or areaUnderPR", TC.toString)
    numBins = Param(Params._dummy(), "numBins",
                    "about how many points the curves are reduced to before the area is "
                    "computed (0: one point per distinct score); >= 0", TC.toInt)

    _METRICS = ("areaUnderROC", "areaUnderPR")

    @keyword_only
    def __init__(self, *, rawPredictionCol: str = "rawPrediction", labelCol: str = "label",
                 metricName: str = "areaUnderROC", weightCol: str | None = None,
                 numBins: int = 1000):
        super().__init__()
        self._setDefault(metricName="areaUnderROC", numBins=1000)
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, rawPredictionCol: str = "rawPrediction", labelCol: str = "label",
                  metricName: str = "areaUnderROC", weightCol: str | None = None,
                  numBins: int = 1000) -> "BinaryClassificationEvaluator":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        if self.getMetricName() not in self._METRICS:
            raise self._invalid("metricName")
        if self.getNumBins() < 0:
            raise self._invalid("numBins")

    def _aggregation(self, schema: T.StructType) -> Aggregation:
        raw = self.getRawPredictionCol()
        dt = require_column(schema, raw, (), self, "double or vector")
        if not isinstance(dt, (T.DoubleType, VectorUDT)):
            raise IllegalArgumentException(
                f"requirement failed: Column {raw} must be of type equal to one of the "
                f"following types: [double, vector] but was actually of type "
                f"{dt.simpleString()}.")
        label = self.getLabelCol()
        _check_type(schema, label, (T.NumericType,), self, "numeric")
        weight = self._weight_col(schema)
        is_vector = isinstance(dt, VectorUDT)

        def chunk(part: pd.DataFrame) -> Any:
            if len(part) == 0:
                return None
            if is_vector:
                score = _column_of(_vector_matrix(part, raw), 1, raw)
            else:
                score = _doubles(part, raw, "raw prediction")
            positive = _doubles(part, label, "label") > 0.5
            w = _weights(part, weight)
            return _merge_score_counts(_score_keys(score), np.where(positive, w, 0.0),
                                       np.where(positive, 0.0, w))

        def combine(parts: list[Any]) -> Any:
            parts = [p for p in parts if p is not None]
            if len(parts) <= 1:
                return parts[0] if parts else None
            return _merge_score_counts(*(np.concatenate([p[i] for p in parts]) for i in range(3)))

        cols = [raw, label] + ([weight] if weight else [])
        return Aggregation(list(dict.fromkeys(cols)), chunk, combine,
                           label=f"score counts({raw}, {label})")

    def _metric(self, state: Any) -> float:
        if state is None:
            state = (np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
        _, tp, fp = binary_curves(*state, self.getNumBins())
        p = tp[-1] if len(tp) else 0.0
        n = fp[-1] if len(fp) else 0.0
        recall = tp / p if p != 0 else np.zeros_like(tp)
        if self.getMetricName() == "areaUnderROC":
            fpr = fp / n if n != 0 else np.zeros_like(fp)
            return _trapezoid(np.r_[0.0, fpr, 1.0], np.r_[0.0, recall, 1.0])
        if len(tp) == 0:
            raise SparkException("empty collection: the data set has no rows, so the "
                                 "precision-recall curve has no points")
        called = tp + fp
        with np.errstate(divide="ignore", invalid="ignore"):
            precision = np.where(called == 0, 1.0, tp / np.where(called == 0, 1.0, called))
        return _trapezoid(np.r_[0.0, recall], np.r_[precision[0], precision])


# ------------------------------------------------------------------------------ multiclass

def _merge_confusion(frames: list[pd.DataFrame]) -> pd.DataFrame:
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return df.groupby(["label", "prediction"], sort=False, dropna=False, as_index=False)["weight"] \
        .sum()


class _Confusion:
    """The per-class tallies Spark's multiclass metrics are made of (weights, not counts)."""

    def __init__(self, table: pd.DataFrame | None):
        self.by_label: dict[float, float] = {}
        self.tp: dict[float, float] = {}
        self.fp: dict[float, float] = {}
        self.wrong = 0.0
        self.total = 0.0
        if table is None:
            return
        for lab, pred, w in zip(table["label"].tolist(), table["prediction"].tolist(),
                                table["weight"].tolist()):
            self.by_label[lab] = self.by_label.get(lab, 0.0) + w
            self.tp.setdefault(lab, 0.0)
            if lab == pred:
                self.tp[lab] += w
            else:
                self.fp[pred] = self.fp.get(pred, 0.0) + w
                self.wrong += w
        self.total = math.fsum(self.by_label.values())

    def _known(self, label: float) -> None:
        if label not in self.by_label:
            raise SparkException(f"label {label!r} does not occur in the label column (labels: "
                                 f"{sorted(self.by_label)})")

    def recall(self, label: float) -> float:
        self._known(label)
        return _div(self.tp[label], self.by_label[label])

    def precision(self, label: float) -> float:
        self._known(label)
        tp, fp = self.tp[label], self.fp.get(label, 0.0)
        return 0.0 if tp + fp == 0 else _div(tp, tp + fp)

    def false_positive_rate(self, label: float) -> float:
        self._known(label)
        return _div(self.fp.get(label, 0.0), self.total - self.by_label[label])

    def f_measure(self, label: float, beta: float) -> float:
        p, r = self.precision(label), self.recall(label)
        b2 = beta * beta
        return 0.0 if p + r == 0 else _div((1 + b2) * p * r, b2 * p + r)

    def weighted(self, fn: Any) -> float:
        return math.fsum(fn(c) * _div(n, self.total) for c, n in self.by_label.items())


class MulticlassClassificationEvaluator(Evaluator, HasLabelCol, HasPredictionCol, HasWeightCol,
                                        HasProbabilityCol):
    """Metrics of predicted class labels against true labels (weighted averages over classes,
    one class's metric, hamming loss), or the log loss of the predicted class probabilities."""

    metricName = Param(Params._dummy(), "metricName",
                       "the metric: f1, accuracy, weightedPrecision, weightedRecall, "
                       "weightedTruePositiveRate, weightedFalsePositiveRate, weightedFMeasure, "
                       "truePositiveRateByLabel, falsePositiveRateByLabel, precisionByLabel, "
                       "recallByLabel, fMeasureByLabel, logLoss or hammingLoss", TC.toString)
    metricLabel = Param(Params._dummy(), "metricLabel",
                        "the class the ...ByLabel metrics are computed for (>= 0)", TC.toFloat)
    beta = Param(Params._dummy(), "beta",
                 "weight of recall against precision in the F-measures (> 0)", TC.toFloat)
    eps = Param(Params._dummy(), "eps",
                "probabilities are clipped to [eps, 1 - eps] for the log loss; in (0, 0.5)",
                TC.toFloat)

    _METRICS = ("f1", "accuracy", "weightedPrecision", "weightedRecall",
                "weightedTruePositiveRate", "weightedFalsePositiveRate", "weightedFMeasure",
                "truePositiveRateByLabel", "falsePositiveRateByLabel", "precisionByLabel",
                "recallByLabel", "fMeasureByLabel", "logLoss", "hammingLoss")
    _SMALLER_IS_BETTER = ("weightedFalsePositiveRate", "falsePositiveRateByLabel", "logLoss",
                          "hammingLoss")

    @keyword_only
    def __init__(self, *, predictionCol: str = "prediction", labelCol: str = "label",
                 metricName: str = "f1", weightCol: str | None = None, metricLabel: float = 0.0,
                 beta: float = 1.0, probabilityCol: str = "probability", eps: float = 1e-15):
        super().__init__()
        self._setDefault(metricName="f1", metricLabel=0.0, beta=1.0, eps=1e-15)
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, predictionCol: str = "prediction", labelCol: str = "label",
                  metricName: str = "f1", weightCol: str | None = None, metricLabel: float = 0.0,
                  beta: float = 1.0, probabilityCol: str = "probability",
                  eps: float = 1e-15) -> "MulticlassClassificationEvaluator":
        return self._set(**self._input_kwargs)

    def isLargerBetter(self) -> bool:
        return self.getMetricName() not in self._SMALLER_IS_BETTER

    def _validate_params(self) -> None:
        if self.getMetricName() not in self._METRICS:
            raise self._invalid("metricName")
        if not self.getMetricLabel() >= 0:
            raise self._invalid("metricLabel")
        if not self.getBeta() > 0:
            raise self._invalid("beta")
        if not 0 < self.getEps() < 0.5:
            raise self._invalid("eps")

    def _aggregation(self, schema: T.StructType) -> Aggregation:
        pred, label = self.getPredictionCol(), self.getLabelCol()
        _check_type(schema, pred, (T.DoubleType,), self, "double")
        _check_type(schema, label, (T.NumericType,), self, "numeric")
        weight = self._weight_col(schema)
        wcols = [weight] if weight else []
        if self.getMetricName() == "logLoss":
            prob = self.getProbabilityCol()
            if prob not in schema.names:
                raise IllegalArgumentException("requirement failed: probabilityCol is needed to "
                                               "compute logloss")
            dt = require_column(schema, prob, (), self, "vector")
            if not (isinstance(dt, VectorUDT) or (isinstance(dt, T.ArrayType) and isinstance(
                    dt.elementType, (T.DoubleType, T.FloatType)))):
                # Spark reads the probabilities as vectors, or as arrays of double or float
                raise IllegalArgumentException(
                    f"requirement failed: Column {prob} must be of type equal to one of the "
                    f"following types: [vector, array<double>, array<float>] but was actually "
                    f"of type {dt.simpleString()}.")
            return self._log_loss_aggregation(pred, label, prob, weight)

        def chunk(part: pd.DataFrame) -> Any:
            if len(part) == 0:
                return None
            frame = pd.DataFrame({"label": _doubles(part, label, "label"),
                                  "prediction": _doubles(part, pred, "prediction"),
                                  "weight": _weights(part, weight)})
            return _merge_confusion([frame])

        def combine(parts: list[Any]) -> Any:
            parts = [p for p in parts if p is not None]
            return _merge_confusion(parts) if parts else None

        return Aggregation(list(dict.fromkeys([pred, label] + wcols)), chunk, combine,
                           label=f"confusion({label}, {pred})")

    def _log_loss_aggregation(self, pred: str, label: str, prob: str,
                              weight: str | None) -> Aggregation:
        eps = self.getEps()
        clip_low, clip_high = -math.log(eps), -math.log1p(-eps)

        def chunk(part: pd.DataFrame) -> Any:
            if len(part) == 0:
                return None
            y = _doubles(part, label, "label")
            _doubles(part, pred, "prediction")
            w = _weights(part, weight)
            bad = (y != np.floor(y)) | (y < 0) | ~np.isfinite(y)
            if bad.any():
                raise SparkException(f"requirement failed: Invalid label {float(y[bad][0])!r}")
            m = _vector_matrix(part, prob)
            idx = y.astype(np.int64)
            if len(idx) and idx.max() >= m.shape[1]:
                raise SparkException(f"label {float(idx.max())!r} has no entry in probability "
                                     f"vectors of size {m.shape[1]}")
            rows = np.arange(len(idx))
            p = m[rows, idx] if isinstance(m, np.ndarray) else \
                np.asarray(m[rows, idx], dtype=np.float64).reshape(-1)
            with np.errstate(divide="ignore", invalid="ignore"):
                loss = np.where(p < eps, clip_low, np.where(p > 1 - eps, clip_high, -np.log(p)))
            return math.fsum(loss * w), math.fsum(w), len(y)

        def combine(parts: list[Any]) -> Any:
            parts = [p for p in parts if p is not None]
            if not parts:
                return None
            return (math.fsum(p[0] for p in parts), math.fsum(p[1] for p in parts),
                    sum(p[2] for p in parts))

        cols = [pred, label, prob] + ([weight] if weight else [])
        return Aggregation(list(dict.fromkeys(cols)), chunk, combine,
                           label=f"log loss({label}, {prob})")

    def _metric(self, state: Any) -> float:
        name = self.getMetricName()
        if name == "logLoss":
            if state is None:
                raise SparkException("empty collection: the data set has no rows to compute "
                                     "the log loss of")
            return _div(state[0], state[1])
        c = _Confusion(state)
        beta, label = self.getBeta(), self.getMetricLabel()
        if name in ("f1", "weightedFMeasure"):
            b = 1.0 if name == "f1" else beta
            return c.weighted(lambda k: c.f_measure(k, b))
        if name == "accuracy":
            return _div(math.fsum(c.tp.values()), c.total)
        if name in ("weightedRecall", "weightedTruePositiveRate"):
            return c.weighted(c.recall)
        if name == "weightedPrecision":
            return c.weighted(c.precision)
        if name == "weightedFalsePositiveRate":
            return c.weighted(c.false_positive_rate)
        if name in ("truePositiveRateByLabel", "recallByLabel"):
            return c.recall(label)
        if name == "falsePositiveRateByLabel":
            return c.false_positive_rate(label)
        if name == "precisionByLabel":
            return c.precision(label)
        if name == "fMeasureByLabel":
            return c.f_measure(label, beta)
        return _div(c.wrong, c.total)  # hammingLoss


# ------------------------------------------------------------------------------ regression

def _regression_sums_merge(a: dict, b: dict) -> dict:
    """Pairwise merge of weighted summaries (Chan et al.: means and M2s stay accurate)."""
    out = {k: a[k] + b[k] for k in ("n", "w", "w2", "sse", "sae", "ssy")}
    for v in ("y", "p"):
        _, out["mean_" + v], out["m2_" + v] = chan_merge(
            a["w"], a["mean_" + v], a["m2_" + v], b["w"], b["mean_" + v], b["m2_" + v])
    return out


class RegressionEvaluator(Evaluator, HasPredictionCol, HasLabelCol, HasWeightCol):
    """Error metrics of a regression: rmse, mse, mae, r2 and explained variance (``var``).
    Rows of weight 0 do not count (as in Spark's summarizer)."""

    metricName = Param(Params._dummy(), "metricName",
                       "the metric: rmse (root mean squared error), mse, r2, mae (mean absolute "
                       "error) or var (explained variance)", TC.toString)
    throughOrigin = Param(Params._dummy(), "throughOrigin",
                          "whether r2 compares with a model through the origin (uncentered "
                          "total sum of squares)", TC.toBoolean)

    _METRICS = ("mse", "rmse", "r2", "mae", "var")

    @keyword_only
    def __init__(self, *, predictionCol: str = "prediction", labelCol: str = "label",
                 metricName: str = "rmse", weightCol: str | None = None,
                 throughOrigin: bool = False):
        super().__init__()
        self._setDefault(metricName="rmse", throughOrigin=False)
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, predictionCol: str = "prediction", labelCol: str = "label",
                  metricName: str = "rmse", weightCol: str | None = None,
                  throughOrigin: bool = False) -> "RegressionEvaluator":
        return self._set(**self._input_kwargs)

    def isLargerBetter(self) -> bool:
        return self.getMetricName() in ("r2", "var")

    def _validate_params(self) -> None:
        if self.getMetricName() not in self._METRICS:
            raise self._invalid("metricName")

    def _aggregation(self, schema: T.StructType) -> Aggregation:
        pred, label = self.getPredictionCol(), self.getLabelCol()
        dt = require_column(schema, pred, (), self, "double or float")
        if not isinstance(dt, (T.DoubleType, T.FloatType)):
            raise IllegalArgumentException(
                f"requirement failed: Column {pred} must be of type equal to one of the "
                f"following types: [double, float] but was actually of type "
                f"{dt.simpleString()}.")
        _check_type(schema, label, (T.NumericType,), self, "numeric")
        weight = self._weight_col(schema)

        def chunk(part: pd.DataFrame) -> Any:
            if len(part) == 0:
                return None
            p = _doubles(part, pred, "prediction")
            y = _doubles(part, label, "label")
            w = _weights(part, weight)
            keep = w != 0
            if not keep.all():
                p, y, w = p[keep], y[keep], w[keep]
            if len(w) == 0:
                return None
            sw = math.fsum(w)
            err = y - p
            mean_y, mean_p = float(np.dot(w, y) / sw), float(np.dot(w, p) / sw)
            return {"n": len(w), "w": sw, "w2": float(np.dot(w, w)),
                    "mean_y": mean_y, "m2_y": float(np.dot(w, (y - mean_y) ** 2)),
                    "mean_p": mean_p, "m2_p": float(np.dot(w, (p - mean_p) ** 2)),
                    "sse": float(np.dot(w, err * err)), "sae": float(np.dot(w, np.abs(err))),
                    "ssy": float(np.dot(w, y * y))}

        def combine(parts: list[Any]) -> Any:
            return fold_partials(parts, _regression_sums_merge)

        cols = [pred, label] + ([weight] if weight else [])
        return Aggregation(list(dict.fromkeys(cols)), chunk, combine,
                           label=f"regression moments({label}, {pred})")

    def _metric(self, s: Any) -> float:
        if s is None:
            raise IllegalArgumentException("requirement failed: Nothing has been added to this "
                                           "summarizer.")
        name, w = self.getMetricName(), s["w"]
        if name in ("mse", "rmse"):
            mse = _div(s["sse"], w)
            return mse if name == "mse" else math.sqrt(mse)
        if name == "mae":
            return _div(s["sae"], w)
        if name == "var":  # sum of w * (prediction - mean label)^2, over the weight
            return _div(s["m2_p"] + w * (s["mean_p"] - s["mean_y"]) ** 2, w)
        if self.getThroughOrigin():
            return 1.0 - _div(s["sse"], s["ssy"])
        # Spark's total sum of squares: the unbiased weighted variance times (weight sum - 1)
        denom = w - s["w2"] / w
        variance = max(s["m2_y"] / denom, 0.0) if denom > 0 else 0.0
        return 1.0 - _div(s["sse"], variance * (w - 1))


class ClusteringEvaluator(Evaluator, HasPredictionCol, HasFeaturesCol, HasWeightCol):
    """The silhouette of clustered rows, as Spark computes it from per-cluster sums (see
    ``silhouette``), with squared euclidean or cosine distance and optional row weights."""

    metricName = Param(Params._dummy(), "metricName", "the metric: silhouette", TC.toString)
    distanceMeasure = Param(Params._dummy(), "distanceMeasure",
                            "'squaredEuclidean' or 'cosine'", TC.toString)

    @keyword_only
    def __init__(self, *, predictionCol: str = "prediction", featuresCol: str = "features",
                 metricName: str = "silhouette", distanceMeasure: str = "squaredEuclidean",
                 weightCol: str | None = None):
        super().__init__()
        self._setDefault(metricName="silhouette", distanceMeasure="squaredEuclidean")
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, predictionCol: str = "prediction", featuresCol: str = "features",
                  metricName: str = "silhouette", distanceMeasure: str = "squaredEuclidean",
                  weightCol: str | None = None) -> "ClusteringEvaluator":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        if self.getMetricName() != "silhouette":
            raise self._invalid("metricName")
        if self.getDistanceMeasure() not in ("squaredEuclidean", "cosine"):
            raise self._invalid("distanceMeasure")

    def evaluate(self, dataset: Any, params: dict | None = None) -> float:
        """Two passes (per-cluster sums, then the scores), where the base class runs one."""
        if params:
            return super().evaluate(dataset, params)
        self._validate_params()
        cols = silhouette_columns(self, dataset.schema)
        return silhouette(dataset, *cols, self.getDistanceMeasure() == "cosine")
