"""IsotonicRegression: a monotone step-and-ramp fit by pool adjacent violators, as Spark's.

The fit is an aggregation, so a Pipeline fuses it with other aggregation fits: each partition
sorts its (label, feature, weight) rows and pools them (``_pool``), which leaves a short list of
block endpoints; partials are merged by pooling their union again, and the finish reads off the
boundaries and predictions. Pooling pooled blocks gives the same fit as pooling all rows at
once, because a pooled block keeps its total weight and mean. Spark's details kept: rows with
zero weight are dropped, rows with equal features are first averaged into one point, adjacent
blocks with equal means are merged (ties pooled), a block over several feature values is
reported by its two end points, and ``isotonic=False`` fits the negated labels.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from .base import Aggregation, Estimator, Model, model_string, partition_column, require_absent
from .base import require_column
from .linalg import DenseVector, VectorUDT, as_struct_array, to_matrix
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import HasFeaturesCol, HasLabelCol, HasPredictionCol, HasWeightCol

__all__ = ["IsotonicRegression", "IsotonicRegressionModel"]


class _IsotonicParams(HasFeaturesCol, HasLabelCol, HasPredictionCol, HasWeightCol):
    isotonic = Param(Params._dummy(), "isotonic", "whether the output sequence should be "
                     "isotonic/increasing (true) or antitonic/decreasing (false)", TC.toBoolean)
    featureIndex = Param(Params._dummy(), "featureIndex", "the index of the feature if "
                         "featuresCol is a vector column (>= 0)", TC.toInt)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(isotonic=True, featureIndex=0)

    def _weight_col(self) -> str | None:
        return (self.getOrDefault("weightCol") or None) if self.isDefined("weightCol") else None

    def _check_params(self) -> None:
        if self.getOrDefault("featureIndex") < 0:
            raise IllegalArgumentException(
                f"{type(self).__name__} ({self.uid}): featureIndex must be >= 0, got "
                f"{self.getOrDefault('featureIndex')}")

    def _output_schema(self, schema: T.StructType, fitting: bool) -> T.StructType:
        require_column(schema, self.getFeaturesCol(), (VectorUDT, T.NumericType), self,
                       "a vector or a number")
        if fitting:
            require_column(schema, self.getLabelCol(), (T.NumericType,), self, "numeric")
            if self._weight_col():
                require_column(schema, self._weight_col(), (T.NumericType,), self, "numeric")
        require_absent(schema, self.getPredictionCol(), self)
        return T.StructType(schema.fields + [T.StructField(self.getPredictionCol(),
                                                           T.DoubleType(), True)])


def _feature_values(values: Any, index: int, stage: str, col: str) -> np.ndarray:
    """The feature of each row: the number itself, or slot ``index`` of a vector (NaN where
    the row is null)."""
    if isinstance(values, pd.Series):
        from ..sql._engine import arrow_of
        values = arrow_of(values)
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if pa.types.is_struct(arr.type):
        arr = as_struct_array(arr)
        out = np.full(len(arr), np.nan)
        valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False))
        if valid.any():
            X = to_matrix(arr.filter(arr.is_valid()))
            if index >= X.shape[1]:
                raise IllegalArgumentException(f"{stage}: featureIndex {index} is out of range "
                                               f"for column `{col}` of size {X.shape[1]}")
            out[valid] = np.asarray(X[:, index].todense() if hasattr(X, "todense")
                                    else X[:, index]).reshape(-1)
        return out
    return np.asarray(arr.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=float)


# ------------------------------------------------------------------ pool adjacent violators

def _pool(y: np.ndarray, x: np.ndarray, w: np.ndarray) -> tuple:
    """Spark's pooling of (label, feature, weight) points: ``(labels, features, weights)`` of
    the block end points, sorted by feature."""
    keep = w > 0
    y, x, w = y[keep], x[keep], w[keep]
    if len(y) == 0:
        return np.empty(0), np.empty(0), np.empty(0)
    order = np.lexsort((y, x))
    y, x, w = y[order], x[order], w[order]
    # one point per distinct feature value: the weighted mean label, the total weight
    ux, start = np.unique(x, return_index=True)
    ws = np.add.reduceat(w, start)
    wy = np.add.reduceat(w * y, start)
    n = len(ux)
    # blocks as a stack of [total weight, weighted label sum, first index, last index]
    bw, bs, lo, hi = [], [], [], []
    for i in range(n):
        bw.append(ws[i]); bs.append(wy[i]); lo.append(i); hi.append(i)
        while len(bw) > 1 and bs[-2] / bw[-2] >= bs[-1] / bw[-1]:
            w2, s2, h2 = bw.pop(), bs.pop(), hi.pop()
            lo.pop()
            bw[-1] += w2; bs[-1] += s2; hi[-1] = h2
    ys, xs, wts = [], [], []
    for W, S, a, b in zip(bw, bs, lo, hi):
        if ux[b] > ux[a]:  # a block over several features: both ends, half the weight each
            ys += [S / W, S / W]; xs += [ux[a], ux[b]]; wts += [W / 2, W / 2]
        else:
            ys.append(S / W); xs.append(ux[a]); wts.append(W)
    return np.array(ys), np.array(xs), np.array(wts)


class _Chunk:
    """A partition's rows, checked and pooled."""

    def __init__(self, label: str, features: str, weight: str | None, index: int, sign: float,
                 stage: str):
        self.label, self.features, self.weight = label, features, weight
        self.index, self.sign, self.stage = index, sign, stage

    def __call__(self, part: pd.DataFrame) -> tuple:
        y = pd.to_numeric(part[self.label]).to_numpy(dtype=np.float64, na_value=np.nan)
        x = _feature_values(part[self.features], self.index, self.stage, self.features)
        w = (pd.to_numeric(part[self.weight]).to_numpy(dtype=np.float64, na_value=np.nan)
             if self.weight else np.ones(len(y)))
        if np.isnan(y).any() or np.isnan(x).any():
            raise SparkException(f"{self.stage}: columns `{self.label}` and `{self.features}` "
                                 f"must not hold null or NaN values")
        bad = ~np.isfinite(w) | (w < 0)
        if bad.any():
            raise SparkException(f"{self.stage}: weight column `{self.weight}` must hold "
                                 f"finite values >= 0, found {float(w[bad][0])!r}")
        return _pool(self.sign * y, x, w)


def _combine(parts: list) -> tuple:
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return np.empty(0), np.empty(0), np.empty(0)
    return _pool(*(np.concatenate([p[i] for p in parts]) for i in range(3)))


# ------------------------------------------------------------------ estimator and model

class IsotonicRegression(Estimator, _IsotonicParams):
    """Isotonic (or antitonic) regression on one feature, fitted in one aggregation pass."""

    @keyword_only
    def __init__(self, *, featuresCol: str = "features", labelCol: str = "label",
                 predictionCol: str = "prediction", weightCol: str | None = None,
                 isotonic: bool = True, featureIndex: int = 0):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, featuresCol: str = "features", labelCol: str = "label",
                  predictionCol: str = "prediction", weightCol: str | None = None,
                  isotonic: bool = True, featureIndex: int = 0) -> "IsotonicRegression":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        self._check_params()

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=True)

    def _fit_aggregations(self, schema: T.StructType) -> list[Aggregation]:
        self._check_params()
        weight = self._weight_col()
        cols = [self.getLabelCol(), self.getFeaturesCol()] + ([weight] if weight else [])
        sign = 1.0 if self.getOrDefault("isotonic") else -1.0
        chunk = _Chunk(self.getLabelCol(), self.getFeaturesCol(), weight,
                       self.getOrDefault("featureIndex"), sign,
                       f"IsotonicRegression ({self.uid})")
        return [Aggregation(list(dict.fromkeys(cols)), chunk, _combine,
                            label="isotonic pooling")]

    def _model_from(self, results: list[Any], schema: T.StructType) -> "IsotonicRegressionModel":
        ys, xs, _ = results[0]
        sign = 1.0 if self.getOrDefault("isotonic") else -1.0
        return self._copyValues(IsotonicRegressionModel(DenseVector(xs), DenseVector(sign * ys)))


class _Predict:
    def __init__(self, boundaries: np.ndarray, predictions: np.ndarray, index: int, col: str):
        self.b, self.p, self.index, self.col = boundaries, predictions, index, col

    def __call__(self, features: Any) -> pa.Array:
        x = _feature_values(features, self.index, "IsotonicRegressionModel", self.col)
        return pa.array(interpolate(self.b, self.p, x), type=pa.float64(), mask=np.isnan(x))


def interpolate(b: np.ndarray, p: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Spark's prediction: the prediction at an exact boundary, the end values outside the
    boundaries, linear interpolation between neighbouring boundaries."""
    if len(b) == 0:
        raise SparkException("IsotonicRegressionModel: the model has no boundaries (every "
                             "training row had zero weight)")
    idx = np.searchsorted(b, x, side="left")
    out = np.empty(len(x))
    inside = (idx > 0) & (idx < len(b))
    exact = (idx < len(b)) & (b[np.minimum(idx, len(b) - 1)] == x)
    out[idx == 0] = p[0]
    out[idx >= len(b)] = p[-1]
    i = idx[inside & ~exact]
    xi = x[inside & ~exact]
    out[inside & ~exact] = p[i - 1] + (p[i] - p[i - 1]) * (xi - b[i - 1]) / (b[i] - b[i - 1])
    out[exact] = p[idx[exact]]
    return out


class IsotonicRegressionModel(Model, _IsotonicParams):
    """A fitted isotonic regression: increasing ``boundaries`` and their ``predictions``."""

    def __init__(self, boundaries: DenseVector | None = None,
                 predictions: DenseVector | None = None):
        super().__init__()
        self.boundaries = boundaries
        self.predictions = predictions

    def _init_loaded(self) -> None:
        self.boundaries = self.predictions = None

    @property
    def numFeatures(self) -> int:
        return 1

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=False)

    def _transform(self, dataset: Any) -> Any:
        kernel = _Predict(self.boundaries.toArray(), self.predictions.toArray(),
                          self.getOrDefault("featureIndex"), self.getFeaturesCol())
        col = partition_column("IsotonicRegressionModel.prediction", [self.getFeaturesCol()],
                               kernel, T.DoubleType())
        return dataset.withColumn(self.getPredictionCol(), col)

    def predict(self, value: float) -> float:
        return float(interpolate(self.boundaries.toArray(), self.predictions.toArray(),
                                 np.array([float(value)]))[0])

    def to_sklearn(self) -> Any:
        """scikit-learn's IsotonicRegression with the same fitted function (clipped outside
        the boundaries, as Spark's), fitted on the boundary points."""
        from sklearn.isotonic import IsotonicRegression as SkIsotonic
        est = SkIsotonic(increasing=bool(self.getOrDefault("isotonic")), out_of_bounds="clip")
        return est.fit(self.boundaries.toArray(), self.predictions.toArray())

    def __repr__(self) -> str:
        return model_string(self, [("numFeatures", 1)])

    def _save_data(self) -> pa.Table:
        return pa.table({"boundaries": pa.array([self.boundaries.toArray().tolist()],
                                                pa.list_(pa.float64())),
                         "predictions": pa.array([self.predictions.toArray().tolist()],
                                                 pa.list_(pa.float64())),
                         "isotonic": [bool(self.getOrDefault("isotonic"))]})

    def _load_data(self, table: pa.Table) -> None:
        self.boundaries = DenseVector(table.column("boundaries")[0].as_py())
        self.predictions = DenseVector(table.column("predictions")[0].as_py())
