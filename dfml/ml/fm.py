"""FMClassifier and FMRegressor: factorization machines trained by mini-batch gradient steps,
as Spark's.

A row's raw score is ``b + x . w + sum_{i<j} <v_i, v_j> x_i x_j``, the pairwise term computed
in ``O(d k)`` as ``1/2 sum_f ((x . V_f)^2 - (x^2) . (V_f^2))``. The regressor predicts the raw
score (squared error); the classifier its sigmoid (log loss, labels 0/1). Parameters are laid
out as Spark's: the factors (d x k, row-major), then the linear weights (if ``fitLinear``),
then the intercept (if ``fitIntercept``); the factors start as ``N(0, initStd)`` draws from
``seed``, the rest at 0.

Training follows Spark's mini-batch gradient descent: each iteration samples
``miniBatchFraction`` of the rows on the workers (every row at 1.0), sums the gradient there,
divides by the batch size on the client and updates with ``adamW`` (Adam with weight decay
``regParam``) or ``gd`` (steps of ``stepSize / sqrt(iteration)`` with an L2 shrink), stopping
after ``maxIter`` iterations or when a step moves the weights by less than ``tol`` relative to
their norm. The rows stay in blocks on the workers; only the parameters and a gradient move.
The factors start from ``java.util.Random``'s Gaussian draws with the stage's seed, as Spark's
do, so a seeded fit starts where Spark's does and, with every row in each batch, takes the same
steps (equal to rounding).
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pyarrow as pa
import scipy.sparse as sp
from scipy.special import expit, log_expit

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from ._linear import HoldsSummary, TrainsOnBlocks, check_ranges, require_training_columns, \
    valid_rows, with_null_rows
from .base import Estimator, Model, model_string, partition_column, require_absent
from .java_random import JavaRandom
from .linalg import DenseMatrix, DenseVector, VectorUDT, dense_to_arrow, to_matrix, \
    vectors_to_arrow
from .optim import Block, TrainingBlocks
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import (HasFeaturesCol, HasFitIntercept, HasLabelCol, HasMaxIter,
                           HasPredictionCol, HasProbabilityCol, HasRawPredictionCol, HasRegParam,
                           HasSeed, HasSolver, HasThresholds, HasTol, HasWeightCol)

__all__ = ["FMClassifier", "FMClassificationModel", "FMRegressor", "FMRegressionModel"]


class _FMParams(HasFeaturesCol, HasLabelCol, HasPredictionCol, HasMaxIter, HasTol,
                HasFitIntercept, HasRegParam, HasSeed, HasSolver, HasWeightCol):
    factorSize = Param(Params._dummy(), "factorSize", "dimensionality of the factor vectors, "
                       "which are used to get pairwise interactions between variables", TC.toInt)
    fitLinear = Param(Params._dummy(), "fitLinear", "whether to fit linear term (aka 1-way "
                      "term)", TC.toBoolean)
    miniBatchFraction = Param(Params._dummy(), "miniBatchFraction", "fraction of the input "
                              "data set that should be used for one iteration of gradient "
                              "descent", TC.toFloat)
    initStd = Param(Params._dummy(), "initStd", "standard deviation of initial coefficients",
                    TC.toFloat)
    stepSize = Param(Params._dummy(), "stepSize", "step size to be used for each iteration of "
                     "optimization (> 0)", TC.toFloat)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(factorSize=8, fitIntercept=True, fitLinear=True, regParam=0.0,
                         miniBatchFraction=1.0, initStd=0.01, maxIter=100, stepSize=1.0,
                         tol=1e-6, solver="adamW")

    def _check(self) -> None:
        check_ranges(self, [("factorSize", lambda v: v > 0, "> 0"),
                            ("regParam", lambda v: v >= 0, ">= 0"),
                            ("miniBatchFraction", lambda v: 0 < v <= 1, "in (0, 1]"),
                            ("initStd", lambda v: v >= 0, ">= 0"),
                            ("maxIter", lambda v: v >= 0, ">= 0"),
                            ("stepSize", lambda v: v > 0, "> 0"), ("tol", lambda v: v >= 0, ">= 0")])
        if self.getSolver() not in ("adamW", "gd"):
            raise IllegalArgumentException(f"{type(self).__name__} ({self.uid}): solver must be "
                                           f"adamW or gd, got {self.getSolver()!r}")


# --------------------------------------------------------------------------- numerics
def _split(p: np.ndarray, d: int, k: int, fit_linear: bool,
           fit_intercept: bool) -> tuple[np.ndarray, np.ndarray, float]:
    V = p[:d * k].reshape(d, k)
    w = p[d * k:d * k + d] if fit_linear else np.zeros(d)
    b = float(p[-1]) if fit_intercept else 0.0
    return V, w, b


def raw_score(X: Any, V: np.ndarray, w: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray,
                                                                          Any]:
    """(raw score per row, X V, X squared) of a dense or CSR block."""
    XV = np.asarray(X @ V)
    X2 = X.multiply(X) if sp.issparse(X) else X * X
    pair = 0.5 * (np.sum(XV * XV, axis=1) - np.asarray(X2 @ (V * V)).sum(axis=1))
    return np.asarray(X @ w).reshape(-1) + b + pair, XV, X2


class _Gradient:
    """Per-block kernel: (gradient sum, loss sum, batch rows) over this iteration's sample."""

    def __init__(self, d: int, k: int, fit_linear: bool, fit_intercept: bool, logistic: bool,
                 fraction: float, seed: int):
        self.d, self.k, self.fit_linear, self.fit_intercept = d, k, fit_linear, fit_intercept
        self.logistic, self.fraction, self.seed = logistic, fraction, seed

    def __call__(self, blk: Block, p: np.ndarray, it: int) -> Any:
        X, y = blk.X, blk.y
        if self.fraction < 1.0 and blk.n:
            # a block's draw depends on the seed, the iteration and the block's own rows
            tag = zlib.crc32(np.ascontiguousarray(y[:16]).tobytes()) + blk.n
            keep = np.random.default_rng([self.seed & 0xFFFFFFFF, it, tag]).random(blk.n) \
                < self.fraction
            X, y = X[keep], y[keep]
        if len(y) == 0:
            return None
        V, w, b = _split(p, self.d, self.k, self.fit_linear, self.fit_intercept)
        raw, XV, X2 = raw_score(X, V, w, b)
        if self.logistic:
            mult = expit(raw) - y
            loss = float(np.sum(-y * log_expit(raw) - (1 - y) * log_expit(-raw)))
        else:
            mult = 2.0 * (raw - y)
            loss = float(np.sum((raw - y) ** 2))
        gV = np.asarray(X.T @ (XV * mult[:, None])) - V * np.asarray(X2.T @ mult).reshape(-1, 1)
        parts = [gV.reshape(-1)]
        if self.fit_linear:
            parts.append(np.asarray(X.T @ mult).reshape(-1))
        if self.fit_intercept:
            parts.append([mult.sum()])
        return np.concatenate(parts), loss, len(y)


class _AdamW:
    """Adam steps with decoupled weight decay ``regParam`` (Spark's adamW solver)."""

    def __init__(self, size: int):
        self.m, self.v = np.zeros(size), np.zeros(size)
        self.b1t = self.b2t = 1.0

    def __call__(self, w: np.ndarray, g: np.ndarray, step: float, it: int, reg: float):
        if step <= 0:
            return w
        # (1 - beta) as Spark computes it, so the moments round as its do
        self.m = 0.9 * self.m + (1 - 0.9) * g
        self.v = 0.999 * self.v + (1 - 0.999) * (g * g)
        self.b1t *= 0.9
        self.b2t *= 0.999
        m_hat, v_hat = self.m / (1 - self.b1t), self.v / (1 - self.b2t)
        # the decay is not scaled by the step: Spark subtracts regParam * w as it is
        return w - (step * m_hat / (np.sqrt(v_hat) + 1e-8) + reg * w)


def _gd(w: np.ndarray, g: np.ndarray, step: float, it: int, reg: float) -> np.ndarray:
    """A gradient step of ``step / sqrt(it)`` with an L2 shrink (Spark's gd solver)."""
    s = step / np.sqrt(it)
    return w * (1.0 - s * reg) - s * g


def train_fm(est: Any, blocks: TrainingBlocks, logistic: bool) -> tuple[Any, list[float]]:
    """The fitted (factors, linear, intercept) and the loss of each iteration."""
    stage = f"{type(est).__name__} ({est.uid})"
    d = max((r for r in blocks.map(_width)), default=None)
    if d is None:
        raise SparkException(f"{stage}: the input has no rows to fit on")
    if logistic:
        bad = [v for v in blocks.map(_bad_binary_label) if v is not None]
        if bad:
            raise IllegalArgumentException(f"{stage}: FMClassifier supports binary labels 0 and "
                                           f"1 only; column `{est.getLabelCol()}` holds {bad[0]!r}")
    k, fit_linear, fit_intercept = est.getOrDefault("factorSize"), est.getOrDefault(
        "fitLinear"), est.getFitIntercept()
    rnd = JavaRandom(est.getSeed())
    init_std = est.getOrDefault("initStd")
    p = np.concatenate([np.array([rnd.nextGaussian() * init_std for _ in range(d * k)]),
                        np.zeros(d if fit_linear else 0), np.zeros(1 if fit_intercept else 0)])
    grad = _Gradient(d, k, fit_linear, fit_intercept, logistic,
                     est.getOrDefault("miniBatchFraction"), est.getSeed())
    update = _AdamW(len(p)) if est.getSolver() == "adamW" else _gd
    step, reg, tol = est.getOrDefault("stepSize"), est.getRegParam(), est.getTol()
    history: list[float] = []
    for it in range(1, est.getMaxIter() + 1):
        total = blocks.map_sum(grad, p, it)
        if total is None:  # an empty sample: Spark skips the step
            continue
        g, loss, n = total
        # Spark's history adds the L2 value of the weights the step started from
        history.append(loss / n + 0.5 * reg * float(p @ p))
        new = update(p, g / n, step, it, reg)
        moved = np.linalg.norm(new - p)
        p = new
        # Spark compares two consecutive steps' weights: the first step is never the last
        if it > 1 and moved < tol * max(np.linalg.norm(p), 1.0):
            break
    else:
        # when the steps run out (not on convergence) Spark's history ends with the objective
        # at the weights it returns: one more pass
        total = blocks.map_sum(grad, p, est.getMaxIter() + 1)
        if total is not None and history:
            history.append(total[1] / total[2] + 0.5 * reg * float(p @ p))
    return _split(p, d, k, fit_linear, fit_intercept), history


def _width(b: Block) -> int | None:
    return b.X.shape[1] if b.n else None


def _bad_binary_label(b: Block) -> float | None:
    bad = (b.y != 0) & (b.y != 1)
    return float(b.y[bad][0]) if bad.any() else None


# --------------------------------------------------------------------------- estimators
class _FMEstimator(TrainsOnBlocks, Estimator):
    _logistic = False

    def _validate_params(self) -> None:
        self._check()

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=True)

    def _block_inputs(self) -> tuple[str, str, str | None]:
        return self.getFeaturesCol(), self.getLabelCol(), None  # Spark's FM ignores weightCol

    def _fit_blocks(self, blocks: TrainingBlocks, dataset: Any) -> Any:
        with blocks:
            (V, w, b), history = train_fm(self, blocks, self._logistic)
        d, k = V.shape
        model = self._model_class(b, DenseVector(w), DenseMatrix(d, k, V.reshape(-1), True))
        model = self._copyValues(model)
        model.objectiveHistory = history
        if self._logistic:
            from ._fm_summary import FMClassificationTrainingSummary
            model._summary = FMClassificationTrainingSummary(model, dataset, history)
        return model


class _FMModel(Model):
    def __init__(self, intercept: float = 0.0, linear: DenseVector | None = None,
                 factors: DenseMatrix | None = None):
        super().__init__()
        self.intercept, self.linear, self.factors = intercept, linear, factors
        self.objectiveHistory: list[float] = []

    def _init_loaded(self) -> None:
        self.intercept, self.linear, self.factors, self.objectiveHistory = 0.0, None, None, []

    @property
    def numFeatures(self) -> int:
        return len(self.linear)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=False)

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, float]:
        return self.factors.toArray(), self.linear.toArray(), float(self.intercept)

    def _raw_one(self, value: Any) -> float:
        x = np.asarray(value.toArray(), float).reshape(1, -1)
        return float(raw_score(x, *self._arrays())[0][0])

    def _save_data(self) -> pa.Table:
        V = self.factors.toArray()
        return pa.table({"intercept": [float(self.intercept)],
                         "linear": vectors_to_arrow([self.linear]),
                         "factors": vectors_to_arrow([DenseVector(V.reshape(-1))]),
                         "numFeatures": [V.shape[0]], "factorSize": [V.shape[1]]})

    def _load_data(self, table: pa.Table) -> None:
        udt = VectorUDT()
        d, k = int(table.column("numFeatures")[0].as_py()), int(table.column("factorSize")[0].as_py())
        flat = udt.deserialize(table.column("factors")[0].as_py()).toArray()
        if len(flat) != d * k:
            raise ValueError(f"{type(self).__name__} data: {len(flat)} factor values for {d}x{k}")
        self.intercept = float(table.column("intercept")[0].as_py())
        self.linear = DenseVector(udt.deserialize(table.column("linear")[0].as_py()).toArray())
        self.factors = DenseMatrix(d, k, flat, True)

    def __repr__(self) -> str:
        facts = [("numClasses", 2)] if self._logistic_model else []
        return model_string(self, facts + [("numFeatures", self.numFeatures),
                                           ("factorSize", self.factors.numCols),
                                           ("fitLinear", bool(self.getOrDefault("fitLinear")))])


class _Kernel:
    """Per-partition kernel of an FM model's output column."""

    def __init__(self, V: np.ndarray, w: np.ndarray, b: float, what: str,
                 thresholds: np.ndarray | None = None):
        self.V, self.w, self.b, self.what, self.thresholds = V, w, b, what, thresholds

    def __call__(self, features: Any) -> pa.Array:
        arr, mask = valid_rows(features)
        raw = raw_score(to_matrix(arr, size=len(self.w)), self.V, self.w, self.b)[0]
        if self.what == "regression":
            return pa.array(with_null_rows(raw, mask), type=pa.float64(), mask=mask)
        p = expit(raw)
        if self.what == "raw":
            return dense_to_arrow(with_null_rows(np.column_stack([-raw, raw]), mask), mask)
        prob = np.column_stack([1 - p, p])
        if self.what == "probability":
            return dense_to_arrow(with_null_rows(prob, mask), mask)
        t = self.thresholds
        if t is None:
            pred = (p > 0.5).astype(float)
        else:
            with np.errstate(divide="ignore"):
                pred = np.argmax(np.where(t > 0, prob / np.where(t > 0, t, 1), np.inf),
                                 axis=1).astype(float)
        return pa.array(with_null_rows(pred, mask), type=pa.float64(), mask=mask)


# --------------------------------------------------------------------------- regressor
class _FMRegressorParams(_FMParams):
    def _output_schema(self, schema: T.StructType, fitting: bool) -> T.StructType:
        require_training_columns(self, schema, fitting)
        require_absent(schema, self.getPredictionCol(), self)
        return T.StructType(schema.fields + [T.StructField(self.getPredictionCol(),
                                                           T.DoubleType(), True)])


class FMRegressor(_FMEstimator, _FMRegressorParams):
    """Factorization machine regression (squared error)."""

    @keyword_only
    def __init__(self, *, featuresCol: str = "features", labelCol: str = "label",
                 predictionCol: str = "prediction", factorSize: int = 8,
                 fitIntercept: bool = True, fitLinear: bool = True, regParam: float = 0.0,
                 miniBatchFraction: float = 1.0, initStd: float = 0.01, maxIter: int = 100,
                 stepSize: float = 1.0, tol: float = 1e-6, solver: str = "adamW",
                 seed: int | None = None):
        super().__init__()
        self._set(**{k: v for k, v in self._input_kwargs.items() if v is not None})

    @keyword_only
    def setParams(self, *, featuresCol: str = "features", labelCol: str = "label",
                  predictionCol: str = "prediction", factorSize: int = 8,
                  fitIntercept: bool = True, fitLinear: bool = True, regParam: float = 0.0,
                  miniBatchFraction: float = 1.0, initStd: float = 0.01, maxIter: int = 100,
                  stepSize: float = 1.0, tol: float = 1e-6, solver: str = "adamW",
                  seed: int | None = None) -> "FMRegressor":
        return self._set(**{k: v for k, v in self._input_kwargs.items() if v is not None})

    @property
    def _model_class(self) -> type:
        return FMRegressionModel


class FMRegressionModel(_FMModel, _FMRegressorParams):
    """A fitted FM regressor: ``intercept``, ``linear`` (d) and ``factors`` (d x factorSize)."""

    _logistic_model = False

    def _transform(self, dataset: Any) -> Any:
        col = partition_column("FMRegressionModel.prediction", [self.getFeaturesCol()],
                               _Kernel(*self._arrays(), "regression"), T.DoubleType())
        return dataset.withColumn(self.getPredictionCol(), col)

    def predict(self, value: Any) -> float:
        return self._raw_one(value)


# --------------------------------------------------------------------------- classifier
class _FMClassifierParams(_FMParams, HasProbabilityCol, HasRawPredictionCol, HasThresholds):
    def _output_schema(self, schema: T.StructType, fitting: bool) -> T.StructType:
        require_training_columns(self, schema, fitting)
        fields = list(schema.fields)
        for p, dt in (("rawPredictionCol", VectorUDT()), ("probabilityCol", VectorUDT()),
                      ("predictionCol", T.DoubleType())):
            col = self.getOrDefault(p)
            if col:
                require_absent(schema, col, self)
                fields.append(T.StructField(col, dt, True))
        return T.StructType(fields)


class FMClassifier(_FMEstimator, _FMClassifierParams):
    """Factorization machine binary classification (log loss, labels 0 and 1)."""

    _logistic = True

    @keyword_only
    def __init__(self, *, featuresCol: str = "features", labelCol: str = "label",
                 predictionCol: str = "prediction", probabilityCol: str = "probability",
                 rawPredictionCol: str = "rawPrediction", factorSize: int = 8,
                 fitIntercept: bool = True, fitLinear: bool = True, regParam: float = 0.0,
                 miniBatchFraction: float = 1.0, initStd: float = 0.01, maxIter: int = 100,
                 stepSize: float = 1.0, tol: float = 1e-6, solver: str = "adamW",
                 thresholds: list | None = None, seed: int | None = None):
        super().__init__()
        self._set(**{k: v for k, v in self._input_kwargs.items() if v is not None})

    @keyword_only
    def setParams(self, *, featuresCol: str = "features", labelCol: str = "label",
                  predictionCol: str = "prediction", probabilityCol: str = "probability",
                  rawPredictionCol: str = "rawPrediction", factorSize: int = 8,
                  fitIntercept: bool = True, fitLinear: bool = True, regParam: float = 0.0,
                  miniBatchFraction: float = 1.0, initStd: float = 0.01, maxIter: int = 100,
                  stepSize: float = 1.0, tol: float = 1e-6, solver: str = "adamW",
                  thresholds: list | None = None, seed: int | None = None) -> "FMClassifier":
        return self._set(**{k: v for k, v in self._input_kwargs.items() if v is not None})

    @property
    def _model_class(self) -> type:
        return FMClassificationModel


class FMClassificationModel(HoldsSummary, _FMModel, _FMClassifierParams):
    """A fitted FM classifier; rawPrediction is ``[-r, r]`` and probability
    ``[1 - sigmoid(r), sigmoid(r)]`` for the raw score ``r``."""

    _logistic_model = True

    @property
    def numClasses(self) -> int:
        return 2

    def _transform(self, dataset: Any) -> Any:
        ts = np.asarray(self.getOrDefault("thresholds"), float) if self.isSet("thresholds") \
            else None
        outs = {}
        for p, what, dt in (("rawPredictionCol", "raw", VectorUDT()),
                            ("probabilityCol", "probability", VectorUDT()),
                            ("predictionCol", "prediction", T.DoubleType())):
            col = self.getOrDefault(p)
            if col:
                outs[col] = partition_column(f"FMClassificationModel.{what}",
                                             [self.getFeaturesCol()],
                                             _Kernel(*self._arrays(), what, ts), dt)
        return dataset.withColumns(outs) if outs else dataset

    def summary(self) -> Any:  # a method in PySpark's FM model, not a property
        """The training summary: metrics on the training data and the objective history."""
        return HoldsSummary.summary.fget(self)

    def evaluate(self, dataset: Any) -> Any:
        """Metrics of the model on ``dataset`` (computed from its predictions when asked)."""
        self.transformSchema(dataset.schema)
        from ._fm_summary import FMClassificationSummary
        return FMClassificationSummary(self, dataset)

    def predictRaw(self, value: Any) -> DenseVector:
        r = self._raw_one(value)
        return DenseVector([-r, r])

    def predictProbability(self, value: Any) -> DenseVector:
        p = float(expit(self._raw_one(value)))
        return DenseVector([1 - p, p])

    def predict(self, value: Any) -> float:
        return 1.0 if expit(self._raw_one(value)) > 0.5 else 0.0
