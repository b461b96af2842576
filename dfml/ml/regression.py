"""LinearRegression (least squares with an elastic-net penalty), its model and summaries.

Spark's problem, in original units: minimize ``1/(2 W) sum_i w_i (y_i - x_i . beta - b)^2 +
regParam / delta * ((1 - alpha) / 2 * sum_j (s_j beta_j)^2 + alpha * sum_j |s_j beta_j|)``,
with ``delta`` the label's standard deviation and ``s_j`` the feature's (1 with
``standardization=False``). Two solvers, as Spark's:

- ``normal`` (``auto`` picks it up to 4096 features): one pass sums the weighted Gram matrix of
  ``[x, y, 1]`` on the workers; the fit is then a small dense solve on the client (Cholesky
  without L1, the penalized minimizer on the quadratic with L1). Spark uses population standard
  deviations here, so dfml does too. Standard errors, t- and p-values come from the same Gram.
- ``l-bfgs``: the input is kept as blocks on the workers and each step sums per-block losses and
  gradients there, with sample standard deviations, as Spark's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from .base import Estimator, Model, partition_column, require_absent
from .linalg import DenseVector, Vector, VectorUDT, compressed_vector, to_matrix, vectors_to_arrow
from ._linear import (COMMON_RANGES, HoldsSummary, TrainsOnBlocks, check_ranges,
                      require_training_columns, valid_rows, with_null_rows)
from .optim import TrainingBlocks, minimize_penalized
from ._huber import fit_huber as _fit_huber
from .optim import kernels as K
from .optim.scaling import Moments, ScaledSpace, combine_moments
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import (HasAggregationDepth, HasElasticNetParam, HasFeaturesCol, HasFitIntercept,
                           HasLabelCol, HasMaxBlockSizeInMB, HasMaxIter, HasPredictionCol,
                           HasRegParam, HasSolver, HasStandardization, HasTol, HasWeightCol)

# tree models (XGBoost-trained) live in trees.py; exported here as in pyspark.ml
from .trees import (GBTRegressor, GBTRegressionModel,  # noqa: F401
                    RandomForestRegressor, RandomForestRegressionModel,
                    DecisionTreeRegressor, DecisionTreeRegressionModel)
from .glr import (GeneralizedLinearRegression, GeneralizedLinearRegressionModel,  # noqa: F401
                  GeneralizedLinearRegressionSummary, GeneralizedLinearRegressionTrainingSummary)
from .isotonic import IsotonicRegression, IsotonicRegressionModel  # noqa: F401
from .aft import AFTSurvivalRegression, AFTSurvivalRegressionModel  # noqa: F401
from .fm import FMRegressor, FMRegressionModel  # noqa: F401

__all__ = ["LinearRegression", "LinearRegressionModel", "LinearRegressionSummary",
           "LinearRegressionTrainingSummary",
           "GBTRegressor", "GBTRegressionModel", "RandomForestRegressor",
           "RandomForestRegressionModel", "DecisionTreeRegressor", "DecisionTreeRegressionModel",
           "GeneralizedLinearRegression", "GeneralizedLinearRegressionModel",
           "GeneralizedLinearRegressionSummary", "GeneralizedLinearRegressionTrainingSummary",
           "IsotonicRegression", "IsotonicRegressionModel", "AFTSurvivalRegression",
           "AFTSurvivalRegressionModel", "FMRegressor", "FMRegressionModel"]

MAX_NORMAL_FEATURES = 4096  # Spark's limit for the normal-equation solver


class _LinearRegressionParams(HasFeaturesCol, HasLabelCol, HasPredictionCol, HasMaxIter,
                              HasRegParam, HasElasticNetParam, HasTol, HasFitIntercept,
                              HasStandardization, HasWeightCol, HasSolver, HasAggregationDepth,
                              HasMaxBlockSizeInMB):
    loss = Param(Params._dummy(), "loss", "The loss function to be optimized. Supported "
                 "options: squaredError, huber.", TC.toString)
    epsilon = Param(Params._dummy(), "epsilon", "huber loss shape parameter (> 1.0)", TC.toFloat)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(maxIter=100, regParam=0.0, elasticNetParam=0.0, tol=1e-6,
                         solver="auto", loss="squaredError", epsilon=1.35, featuresCol="features")

    def _check_params(self) -> None:
        name = f"{type(self).__name__} ({self.uid})"
        check_ranges(self, COMMON_RANGES + [("epsilon", lambda v: v > 1, "> 1.0")])
        if self.getSolver().lower() not in ("auto", "normal", "l-bfgs"):
            raise IllegalArgumentException(f"{name}: solver must be auto, normal or l-bfgs, got "
                                           f"{self.getSolver()!r}")
        if self.getOrDefault("loss") not in ("squaredError", "huber"):
            raise IllegalArgumentException(f"{name}: loss must be squaredError or huber, got "
                                           f"{self.getOrDefault('loss')!r}")

    def _output_schema(self, schema: T.StructType, fitting: bool) -> T.StructType:
        require_training_columns(self, schema, fitting)
        name = self.getPredictionCol()
        require_absent(schema, name, self)
        return T.StructType(schema.fields + [T.StructField(name, T.DoubleType(), True)])


class LinearRegression(TrainsOnBlocks, Estimator, _LinearRegressionParams):
    """Least-squares linear regression with optional L1/L2 (elastic-net) regularization."""

    @keyword_only
    def __init__(self, *, featuresCol: str = "features", labelCol: str = "label",
                 predictionCol: str = "prediction", maxIter: int = 100, regParam: float = 0.0,
                 elasticNetParam: float = 0.0, tol: float = 1e-6, fitIntercept: bool = True,
                 standardization: bool = True, solver: str = "auto", weightCol: str | None = None,
                 aggregationDepth: int = 2, loss: str = "squaredError", epsilon: float = 1.35,
                 maxBlockSizeInMB: float = 0.0):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, featuresCol: str = "features", labelCol: str = "label",
                  predictionCol: str = "prediction", maxIter: int = 100, regParam: float = 0.0,
                  elasticNetParam: float = 0.0, tol: float = 1e-6, fitIntercept: bool = True,
                  standardization: bool = True, solver: str = "auto",
                  weightCol: str | None = None, aggregationDepth: int = 2,
                  loss: str = "squaredError", epsilon: float = 1.35,
                  maxBlockSizeInMB: float = 0.0) -> "LinearRegression":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        self._check_params()
        if self.getOrDefault("loss") == "huber":  # Spark's checks when fitting with huber
            if self.getSolver().lower() == "normal":
                raise IllegalArgumentException(
                    "requirement failed: LinearRegression with huber loss doesn't support normal "
                    "solver, please change solver to auto or l-bfgs.")
            if self.getElasticNetParam() != 0.0:
                raise IllegalArgumentException(
                    f"requirement failed: LinearRegression with huber loss only supports L2 "
                    f"regularization, but got elasticNetParam = {self.getElasticNetParam()}.")

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=True)

    def _fit_blocks(self, blocks: TrainingBlocks, dataset: Any) -> "LinearRegressionModel":
        """Train on blocks already in worker memory (released when done)."""
        with blocks:
            fx = blocks.feature_moments or combine_moments(blocks.map(K.feature_moments))
            fy = combine_moments(blocks.map(K.label_moments))
            if fx is None:
                raise SparkException(f"LinearRegression ({self.uid}): the input has no rows with "
                                     f"positive weight to fit on")
            d = len(fx.mean)
            solver = self.getSolver().lower()
            huber = self.getOrDefault("loss") == "huber"
            normal = not huber and (solver == "normal" or
                                    (solver == "auto" and d <= MAX_NORMAL_FEATURES))
            scale = 1.0
            if huber:
                fit = _fit_huber(self, blocks, fx, fy)
                scale = fit[-1] if len(fit) == 5 else 1.0
                fit = fit[:4]
            else:
                fit = self._fit_normal(blocks, fx, fy) if normal else self._fit_lbfgs(blocks, fx, fy)
            beta, b0, history, diag_inv = fit
            sums = blocks.map_sum(K.regression_residuals, beta, b0, float(fy.mean[0]))
        model = self._copyValues(LinearRegressionModel(compressed_vector(beta), float(b0)))
        model.scale = float(scale)
        model._summary = LinearRegressionTrainingSummary(
            model, dataset, history, _metrics(sums, fx.n, d, self.getFitIntercept()), diag_inv)
        return model

    # ----------------------------------------------------------------- solvers
    def _penalties(self, std: np.ndarray, active: np.ndarray, delta: float) -> tuple:
        """Per-feature (L1, L2) weights on the scaled coefficients."""
        lam = self.getRegParam() / delta
        alpha = self.getElasticNetParam()
        if self.getStandardization():
            pen = active.astype(float)
        else:
            pen = np.where(active, 1.0 / np.where(active, std, 1.0), 0.0)
        return lam * alpha * pen, lam * (1 - alpha) * pen ** 2

    def _label_scale(self, fy: Moments, d: int, sample: bool) -> tuple[float, Any]:
        """``(delta, None)``: the label's standard deviation (sample or population, as the
        solver's Spark counterpart uses), or ``|mean|`` when that is zero; or ``(0, fit)`` for a
        constant label with an intercept (or an all-zero label), where Spark answers without
        optimizing: zero coefficients and the mean as intercept."""
        raw = float(fy.std(sample=sample)[0])
        y_mean = float(fy.mean[0])
        if raw == 0 and (self.getFitIntercept() or y_mean == 0.0):
            return 0.0, (np.zeros(d), y_mean if self.getFitIntercept() else 0.0, [0.0], None)
        if raw == 0 and self.getRegParam() > 0 and self.getStandardization():
            raise IllegalArgumentException(
                f"LinearRegression ({self.uid}): the label's standard deviation is zero, so a "
                f"model with a standardized label cannot be regularized")
        return (raw if raw > 0 else abs(y_mean)), None

    def _fit_lbfgs(self, blocks: TrainingBlocks, fx: Moments, fy: Moments) -> tuple:
        d = len(fx.mean)
        std = fx.std(sample=True)
        delta, const = self._label_scale(fy, d, sample=True)
        if const is not None:
            return const
        fit_intercept = self.getFitIntercept()
        space = ScaledSpace(std, fx.mean, fit_intercept, label_scale=delta,
                            label_offset=float(fy.mean[0]))
        l1, l2 = self._penalties(std, space.active, delta)
        n_int = 1 if fit_intercept else 0
        l1, l2 = np.concatenate([l1, np.zeros(n_int)]), np.concatenate([l2, np.zeros(n_int)])
        W = fx.W

        def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
            gamma = x[:d].reshape(1, d)
            c = x[d:] if fit_intercept else np.zeros(1)
            beta, b0 = space.to_original(gamma, c)
            loss, g_beta, g_b0 = blocks.map_sum(K.squared_loss, beta[0], float(b0[0]), delta)
            g_gamma, g_c = space.grad_to_scaled(g_beta.reshape(1, -1) / W, np.array([g_b0]) / W)
            return loss / W, np.concatenate([g_gamma.reshape(-1), g_c if fit_intercept else []])

        x0 = np.zeros(d + n_int)
        result = minimize_penalized(fun, x0, l1, l2, self.getMaxIter(), self.getTol())
        gamma = result.x[:d].reshape(1, d)
        c = result.x[d:] if fit_intercept else np.zeros(1)
        beta, b0 = space.to_original(gamma, c)
        return beta[0], float(b0[0]), result.objective_history, None

    def _fit_normal(self, blocks: TrainingBlocks, fx: Moments, fy: Moments) -> tuple:
        d = len(fx.mean)
        fit_intercept = self.getFitIntercept()
        delta, const = self._label_scale(fy, d, sample=False)
        if const is not None:
            return const
        G, _ = blocks.map_sum(K.gram)
        W = G[-1, -1]
        xs, ys, xx, xy = G[:d, -1], G[d, -1], G[:d, :d], G[:d, d]
        std = fx.std(sample=False)
        active = std > 0
        if fit_intercept:  # centered second moments (per unit weight)
            mx, my = xs / W, ys / W
            C = xx / W - np.outer(mx, mx)
            c = xy / W - mx * my
        else:
            mx, my = np.zeros(d), 0.0
            C, c = xx / W, xy / W
        l1, l2 = self._penalties(std, active, delta)
        # scaled coefficients gamma_j = beta_j * std_j / delta on the active features
        a = np.flatnonzero(active)
        Sa = std[a]
        Ct = C[np.ix_(a, a)] / np.outer(Sa, Sa)
        ct = c[a] / (Sa * delta)
        history = [0.0]
        if np.any(l1[a] > 0):
            def fun(g: np.ndarray) -> tuple[float, np.ndarray]:
                Cg = Ct @ g
                return 0.5 * float(g @ Cg) - float(g @ ct), Cg - ct
            res = minimize_penalized(fun, np.zeros(len(a)), l1[a], l2[a], self.getMaxIter(),
                                     self.getTol())
            gamma, history, can_invert = res.x, res.objective_history, False
        else:
            A = Ct + np.diag(l2[a])
            try:
                gamma = np.linalg.solve(A, ct)
            except np.linalg.LinAlgError:
                gamma = np.linalg.lstsq(A, ct, rcond=None)[0]
            can_invert = True
        beta = np.zeros(d)
        beta[a] = gamma * delta / Sa
        b0 = float(my - beta @ mx) if fit_intercept else 0.0
        diag_inv = None
        if can_invert:
            # (A^T W A + penalty)^-1 of the uncentered design [x, 1], in original units
            H = np.empty((d + 1, d + 1))
            H[:d, :d], H[:d, d], H[d, :d], H[d, d] = xx, xs, xs, W
            # the L2 term adds W * l2_j * std_j^2 to the Hessian of beta_j (l2 is on gamma_j)
            H[:d, :d] += np.diag(W * l2 * np.where(active, std, 0.0) ** 2)
            idx = np.concatenate([a, [d]]) if fit_intercept else a
            try:
                inv_diag = np.diag(np.linalg.inv(H[np.ix_(idx, idx)]))
                diag_inv = np.full(d + (1 if fit_intercept else 0), np.nan)  # NaN: constant
                diag_inv[idx] = inv_diag   # features; the intercept, if any, is slot d
            except np.linalg.LinAlgError:
                diag_inv = None
        return beta, b0, history, diag_inv


def _metrics(sums: tuple, n: int, d: int, fit_intercept: bool) -> dict:
    W, rows, sse, sae, m2y, ssr, syy, W2 = sums
    # Spark's total sum of squares: the weighted sample variance times (weight sum - 1), which
    # is the plain sum of squared deviations when every weight is 1
    sst = m2y * (W - 1.0) / (W - W2 / W) if W - W2 / W > 0 else 0.0
    mse = sse / W
    total = sst if fit_intercept else syy  # Spark's summary: throughOrigin without intercept
    r2 = 1.0 - sse / total if total else float("nan")
    k = 1 if fit_intercept else 0
    dof = rows - d - k
    r2adj = 1.0 - (1.0 - r2) * (rows - k) / (rows - d - k) if dof > 0 else float("nan")
    return {"numInstances": int(rows), "meanSquaredError": mse, "rootMeanSquaredError": math.sqrt(mse),
            "meanAbsoluteError": sae / W, "explainedVariance": ssr / W, "r2": r2, "r2adj": r2adj,
            "degreesOfFreedom": int(dof), "rss": sse}


# ----------------------------------------------------------------------- model

class _Predict:
    def __init__(self, beta: np.ndarray, b0: float):
        self.beta, self.b0 = beta, b0

    def __call__(self, features: Any) -> pa.Array:
        arr, mask = valid_rows(features)  # null vectors give null predictions
        out = with_null_rows(np.asarray(to_matrix(arr, size=len(self.beta)) @ self.beta)
                             .reshape(-1) + self.b0, mask)
        return pa.array(out, type=pa.float64(), mask=mask)


class LinearRegressionModel(HoldsSummary, Model, _LinearRegressionParams):
    """A fitted linear regression: ``coefficients`` and ``intercept``."""

    def __init__(self, coefficients: DenseVector | None = None, intercept: float = 0.0):
        super().__init__()
        self.coefficients = coefficients
        self.intercept = intercept
        self.scale = 1.0  # Spark's huber scale; 1.0 for squared error
        self._summary = None

    def _init_loaded(self) -> None:
        self.coefficients, self.intercept, self.scale, self._summary = None, 0.0, 1.0, None

    @property
    def numFeatures(self) -> int:
        return len(self.coefficients)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=False)

    def _transform(self, dataset: Any) -> Any:
        kernel = _Predict(self.coefficients.toArray(), float(self.intercept))
        col = partition_column("LinearRegressionModel.prediction", [self.getFeaturesCol()], kernel,
                               T.DoubleType())
        return dataset.withColumn(self.getPredictionCol(), col)

    def predict(self, value: Vector) -> float:
        return float(np.asarray(value.toArray()) @ self.coefficients.toArray() + self.intercept)

    def evaluate(self, dataset: Any) -> "LinearRegressionSummary":
        self.transformSchema(dataset.schema)
        return LinearRegressionSummary(self, dataset)

    def __repr__(self) -> str:
        return f"LinearRegressionModel: uid={self.uid}, numFeatures={self.numFeatures}"

    def _save_data(self) -> pa.Table:
        return pa.table({"intercept": [float(self.intercept)],
                         "coefficients": vectors_to_arrow([self.coefficients]),
                         "scale": [float(self.scale)]})

    def _load_data(self, table: pa.Table) -> None:
        self.intercept = float(table.column("intercept")[0].as_py())
        self.coefficients = compressed_vector(
            VectorUDT().deserialize(table.column("coefficients")[0].as_py()).toArray())
        self.scale = float(table.column("scale")[0].as_py())


# ----------------------------------------------------------------------- summaries

class LinearRegressionSummary:
    """Regression metrics of a model on a data set (computed when first asked for)."""

    def __init__(self, model: LinearRegressionModel, dataset: Any, metrics: dict | None = None):
        self._model = model
        self._dataset = dataset
        self._metrics = metrics
        self._predictions = None

    @property
    def predictions(self) -> Any:
        if self._predictions is None:
            self._predictions = self._model.transform(self._dataset)
        return self._predictions

    @property
    def predictionCol(self) -> str:
        return self._model.getPredictionCol()

    @property
    def labelCol(self) -> str:
        return self._model.getLabelCol()

    @property
    def featuresCol(self) -> str:
        return self._model.getFeaturesCol()

    @property
    def residuals(self) -> Any:
        from ..sql import functions as F
        return self.predictions.select(
            (F.col(self.labelCol) - F.col(self.predictionCol)).alias("residuals"))

    @property
    def devianceResiduals(self) -> list[float]:
        """[min, max] of the residuals scaled by the square root of each row's weight."""
        from ..sql import functions as F
        m = self._model
        weight = m.getOrDefault("weightCol") if m.isDefined("weightCol") else None
        scale = F.sqrt(F.col(weight)) if weight else F.lit(1.0)
        r = (F.col(self.labelCol) - F.col(self.predictionCol)) * scale
        row = self.predictions.select(r.alias("r")).agg(F.min("r"), F.max("r")).first()
        return [float(row[0]), float(row[1])]

    def _m(self, name: str) -> Any:
        if self._metrics is None:
            m = self._model
            weight = m.getOrDefault("weightCol") if m.isDefined("weightCol") else None
            with TrainingBlocks(self._dataset, m.getFeaturesCol(), m.getLabelCol(),
                                weight or None, f"LinearRegressionModel ({m.uid})") as blocks:
                fy = combine_moments(blocks.map(K.label_moments))
                sums = blocks.map_sum(K.regression_residuals, m.coefficients.toArray(),
                                      float(m.intercept), float(fy.mean[0]))
            self._metrics = _metrics(sums, fy.n, m.numFeatures, m.getFitIntercept())
        return self._metrics[name]

    @property
    def numInstances(self) -> int:
        return self._m("numInstances")

    @property
    def degreesOfFreedom(self) -> int:
        return self._m("degreesOfFreedom")

    @property
    def meanSquaredError(self) -> float:
        return self._m("meanSquaredError")

    @property
    def rootMeanSquaredError(self) -> float:
        return self._m("rootMeanSquaredError")

    @property
    def meanAbsoluteError(self) -> float:
        return self._m("meanAbsoluteError")

    @property
    def explainedVariance(self) -> float:
        return self._m("explainedVariance")

    @property
    def r2(self) -> float:
        return self._m("r2")

    @property
    def r2adj(self) -> float:
        return self._m("r2adj")


class LinearRegressionTrainingSummary(LinearRegressionSummary):
    """The training summary: metrics on the training data (computed during the fit, from the
    blocks already in memory) plus the optimizer's history and, for the normal solver without
    L1, the coefficients' standard errors, t-values and p-values (intercept last)."""

    def __init__(self, model: LinearRegressionModel, dataset: Any, history: list[float],
                 metrics: dict, diag_inv: np.ndarray | None):
        super().__init__(model, dataset, metrics)
        self.objectiveHistory = list(history)
        self._diag_inv = diag_inv

    @property
    def totalIterations(self) -> int:
        return max(len(self.objectiveHistory) - 1, 0)

    def _need_normal(self) -> np.ndarray:
        if self._diag_inv is None:
            raise RuntimeError("No Std. Error of coefficients available for this "
                               "LinearRegressionModel: they need the normal solver without an "
                               "L1 penalty")
        return self._diag_inv

    @property
    def coefficientStandardErrors(self) -> list[float]:
        diag = self._need_normal()
        sigma2 = self._metrics["rss"] / self._metrics["degreesOfFreedom"]
        return [float(v) for v in np.sqrt(diag * sigma2)]

    @property
    def tValues(self) -> list[float]:
        se = np.asarray(self.coefficientStandardErrors)
        m = self._model
        est = np.concatenate([m.coefficients.toArray(), [m.intercept] if m.getFitIntercept() else []])
        return [float(v) for v in est / se]

    @property
    def pValues(self) -> list[float]:
        from scipy.stats import t as student_t
        t = np.asarray(self.tValues)
        return [float(v) for v in 2.0 * student_t.sf(np.abs(t), self.degreesOfFreedom)]
