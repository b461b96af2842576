"""AFTSurvivalRegression: the accelerated failure time model with Weibull lifetimes, as Spark's.

A row's log lifetime is ``x . beta + b + sigma * e`` with ``e`` the standard extreme-value
(Gumbel minimum) distribution; censored rows (``censor = 0``) only say the lifetime is at least
the label. The fit minimizes the mean negative log-likelihood, per row
``delta * log(sigma) - delta * eps + exp(eps)`` with ``eps = (log t - x . beta - b) / sigma``
and ``delta`` the censor value, over ``(beta, b, log sigma)`` by L-BFGS, on the coefficients of
standardized features (centered through the intercept, which changes the path and not the
optimum), as Spark does.

Training reads the input once into blocks on the workers, like the linear models; the censor
column travels in the blocks' weight slot (each kernel reads it as ``delta``, never as a
weight), so the per-step sums never move rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from ._linear import COMMON_RANGES, TrainsOnBlocks, check_ranges, valid_rows, with_null_rows
from .base import Estimator, Model, model_string, partition_column, require_absent, \
    require_column
from .linalg import DenseVector, VectorUDT, compressed_vector, dense_to_arrow, to_matrix, \
    vectors_to_arrow
from .optim import Block, TrainingBlocks, minimize_penalized
from .optim import kernels as K
from .optim.scaling import ScaledSpace, combine_moments
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import (HasAggregationDepth, HasFeaturesCol, HasFitIntercept, HasLabelCol,
                           HasMaxBlockSizeInMB, HasMaxIter, HasPredictionCol, HasTol)

__all__ = ["AFTSurvivalRegression", "AFTSurvivalRegressionModel"]

_QUANTILES = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99]


class _AFTParams(HasFeaturesCol, HasLabelCol, HasPredictionCol, HasMaxIter, HasTol,
                 HasFitIntercept, HasAggregationDepth, HasMaxBlockSizeInMB):
    censorCol = Param(Params._dummy(), "censorCol", "censor column name: 1 means the event "
                      "occurred (uncensored), 0 that the lifetime is censored", TC.toString)
    quantileProbabilities = Param(Params._dummy(), "quantileProbabilities",
                                  "quantile probabilities array, each in (0, 1)",
                                  TC.toListFloat)
    quantilesCol = Param(Params._dummy(), "quantilesCol", "quantiles column name: the "
                         "quantiles of the predicted lifetime at quantileProbabilities",
                         TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(censorCol="censor", quantileProbabilities=list(_QUANTILES),
                         maxIter=100, tol=1e-6, fitIntercept=True, aggregationDepth=2,
                         maxBlockSizeInMB=0.0)

    def _quantiles_col(self) -> str | None:
        return (self.getOrDefault("quantilesCol") or None) if self.isDefined("quantilesCol") \
            else None

    def _check(self) -> None:
        check_ranges(self, COMMON_RANGES + [("maxBlockSizeInMB", lambda v: v >= 0, ">= 0")])
        qs = self.getOrDefault("quantileProbabilities")
        if not qs or any(not 0.0 < q < 1.0 for q in qs):
            raise IllegalArgumentException(
                f"{type(self).__name__} ({self.uid}): quantileProbabilities must be a non-empty "
                f"list of values in (0, 1), got {qs}")

    def _output_schema(self, schema: T.StructType, fitting: bool) -> T.StructType:
        require_column(schema, self.getFeaturesCol(), (VectorUDT,), self, "a vector")
        if fitting:
            require_column(schema, self.getLabelCol(), (T.NumericType,), self, "numeric")
            require_column(schema, self.getOrDefault("censorCol"), (T.NumericType,), self,
                           "numeric")
        fields = list(schema.fields)
        for col, dt in ((self.getPredictionCol(), T.DoubleType()),
                        (self._quantiles_col(), VectorUDT())):
            if col:
                require_absent(schema, col, self)
                fields.append(T.StructField(col, dt, True))
        return T.StructType(fields)


def _check_block(b: Block) -> Any:
    """Spark's checks of a row: label (lifetime) > 0 and censor 0 or 1; the row count."""
    if b.n == 0:
        return None
    if (b.y <= 0).any():
        raise SparkException(f"AFTSurvivalRegression: the label (lifetime) must be > 0, found "
                             f"{float(b.y[b.y <= 0][0])!r}")
    c = b.weights()
    if ((c != 0.0) & (c != 1.0)).any():
        raise SparkException(f"AFTSurvivalRegression: the censor must be 1.0 or 0.0, found "
                             f"{float(c[(c != 0.0) & (c != 1.0)][0])!r}")
    return b.n


def _moments(b: Block) -> Any:
    """Unweighted feature moments (the weight slot holds the censor, not a weight)."""
    return K.feature_moments(Block(b.X, b.y, None))


def aft_loss(b: Block, beta: np.ndarray, b0: float, log_sigma: float) -> Any:
    """Summed negative log-likelihood of a block; (loss, d/d beta, d/d b0, d/d log sigma)."""
    if b.n == 0:
        return None
    sigma = np.exp(log_sigma)
    delta = b.weights()
    eps = (np.log(b.y) - (np.asarray(b.X @ beta).reshape(-1) + b0)) / sigma
    ee = np.exp(eps)
    loss = float(np.sum(delta * log_sigma - delta * eps + ee))
    r = (delta - ee) / sigma  # d loss / d margin
    g_sigma = float(np.sum(delta + (delta - ee) * eps))
    return loss, np.asarray(b.X.T @ r).reshape(-1), float(r.sum()), g_sigma


class AFTSurvivalRegression(TrainsOnBlocks, Estimator, _AFTParams):
    """Accelerated failure time regression (Weibull) for right-censored lifetimes."""

    @keyword_only
    def __init__(self, *, featuresCol: str = "features", labelCol: str = "label",
                 predictionCol: str = "prediction", fitIntercept: bool = True,
                 maxIter: int = 100, tol: float = 1e-6, censorCol: str = "censor",
                 quantileProbabilities: list | None = None, quantilesCol: str | None = None,
                 aggregationDepth: int = 2, maxBlockSizeInMB: float = 0.0):
        super().__init__()
        kwargs = {k: v for k, v in self._input_kwargs.items()
                  if not (k == "quantileProbabilities" and v is None)}
        self._set(**kwargs)

    @keyword_only
    def setParams(self, *, featuresCol: str = "features", labelCol: str = "label",
                  predictionCol: str = "prediction", fitIntercept: bool = True,
                  maxIter: int = 100, tol: float = 1e-6, censorCol: str = "censor",
                  quantileProbabilities: list | None = None, quantilesCol: str | None = None,
                  aggregationDepth: int = 2,
                  maxBlockSizeInMB: float = 0.0) -> "AFTSurvivalRegression":
        kwargs = {k: v for k, v in self._input_kwargs.items()
                  if not (k == "quantileProbabilities" and v is None)}
        return self._set(**kwargs)

    def _validate_params(self) -> None:
        self._check()

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=True)

    def _block_inputs(self) -> tuple[str, str, str | None]:
        return self.getFeaturesCol(), self.getLabelCol(), self.getOrDefault("censorCol")

    def _fit_blocks(self, blocks: TrainingBlocks, dataset: Any) -> "AFTSurvivalRegressionModel":
        stage = f"AFTSurvivalRegression ({self.uid})"
        with blocks:
            if not sum(blocks.map(_check_block)):
                raise SparkException(f"{stage}: the input has no rows to fit on")
            moments = combine_moments(blocks.map(_moments))
            d = len(moments.mean)
            fit_intercept = self.getFitIntercept()
            space = ScaledSpace(moments.std(sample=True), moments.mean, fit_intercept)
            n = float(moments.W)

            def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
                beta, b0 = space.to_original(x[:d].reshape(1, d),
                                             x[d:d + 1] if fit_intercept else np.zeros(1))
                loss, g_beta, g_b0, g_s = blocks.map_sum(aft_loss, beta[0], float(b0[0]),
                                                         float(x[-1]))
                g_gamma, g_c = space.grad_to_scaled(g_beta.reshape(1, -1) / n,
                                                    np.array([g_b0]) / n)
                return loss / n, np.concatenate([g_gamma.reshape(-1),
                                                 g_c if fit_intercept else [], [g_s / n]])

            size = d + (1 if fit_intercept else 0) + 1
            res = minimize_penalized(fun, np.zeros(size), np.zeros(size), np.zeros(size),
                                     self.getMaxIter(), self.getTol())
            beta, b0 = space.to_original(res.x[:d].reshape(1, d),
                                         res.x[d:d + 1] if fit_intercept else np.zeros(1))
        model = AFTSurvivalRegressionModel(compressed_vector(beta[0]), float(b0[0]),
                                           float(np.exp(res.x[-1])))
        return self._copyValues(model)


class _Predict:
    """Per-partition kernel: the predicted lifetime exp(x . beta + b), or its quantiles."""

    def __init__(self, beta: np.ndarray, b0: float, scale: float, probs: list | None):
        self.beta, self.b0, self.scale, self.probs = beta, b0, scale, probs

    def __call__(self, features: Any) -> pa.Array:
        arr, mask = valid_rows(features)
        lam = np.exp(np.asarray(to_matrix(arr, size=len(self.beta)) @ self.beta).reshape(-1)
                     + self.b0)
        if self.probs is None:
            return pa.array(with_null_rows(lam, mask), type=pa.float64(), mask=mask)
        return dense_to_arrow(with_null_rows(np.outer(lam, _quantile_factors(self.probs,
                                                                             self.scale)), mask),
                              mask)


def _quantile_factors(probs: list, scale: float) -> np.ndarray:
    """(-log(1 - p)) ** scale per probability: the Weibull quantiles relative to exp(margin)."""
    return np.exp(np.log(-np.log1p(-np.asarray(probs, dtype=np.float64))) * scale)


class AFTSurvivalRegressionModel(Model, _AFTParams):
    """A fitted AFT model: ``coefficients``, ``intercept`` and the Weibull ``scale``."""

    def __init__(self, coefficients: DenseVector | None = None, intercept: float = 0.0,
                 scale: float = 1.0):
        super().__init__()
        self.coefficients, self.intercept, self.scale = coefficients, intercept, scale

    def _init_loaded(self) -> None:
        self.coefficients, self.intercept, self.scale = None, 0.0, 1.0

    @property
    def numFeatures(self) -> int:
        return len(self.coefficients)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=False)

    def _transform(self, dataset: Any) -> Any:
        beta, b0 = self.coefficients.toArray(), float(self.intercept)
        outs = {}
        if self.getPredictionCol():
            outs[self.getPredictionCol()] = partition_column(
                "AFTSurvivalRegressionModel.prediction", [self.getFeaturesCol()],
                _Predict(beta, b0, self.scale, None), T.DoubleType())
        if self._quantiles_col():
            outs[self._quantiles_col()] = partition_column(
                "AFTSurvivalRegressionModel.quantiles", [self.getFeaturesCol()],
                _Predict(beta, b0, self.scale, list(self.getOrDefault("quantileProbabilities"))),
                VectorUDT())
        return dataset.withColumns(outs) if outs else dataset

    def predict(self, features: Any) -> float:
        return float(np.exp(np.asarray(features.toArray()) @ self.coefficients.toArray()
                            + self.intercept))

    def predictQuantiles(self, features: Any) -> DenseVector:
        return DenseVector(self.predict(features) * _quantile_factors(
            self.getOrDefault("quantileProbabilities"), self.scale))

    def __repr__(self) -> str:
        return model_string(self, [("numFeatures", self.numFeatures)])

    def _save_data(self) -> pa.Table:
        return pa.table({"coefficients": vectors_to_arrow([self.coefficients]),
                         "intercept": [float(self.intercept)], "scale": [float(self.scale)]})

    def _load_data(self, table: pa.Table) -> None:
        self.intercept = float(table.column("intercept")[0].as_py())
        self.scale = float(table.column("scale")[0].as_py())
        self.coefficients = compressed_vector(
            VectorUDT().deserialize(table.column("coefficients")[0].as_py()).toArray())
