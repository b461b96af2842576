"""LinearSVC: a linear support vector machine trained on the hinge loss, as Spark's.

Training follows LogisticRegression's shape: the input is read once into blocks on the workers,
each optimizer step sums per-block hinge losses and subgradients there (in original units), and
the optimizer works on coefficients of standardized features (centered through the intercept)
so the L2 penalty is Spark's. Spark drives the hinge loss with OWL-QN even without an L1 term
(its line search and orthant steps differ from plain L-BFGS), so dfml does too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from ._linear import (COMMON_RANGES, TrainsOnBlocks, check_ranges, require_training_columns,
                      valid_rows, with_null_rows)
from .base import Estimator, Model, model_string, partition_column, require_absent
from .linalg import DenseVector, VectorUDT, compressed_vector, to_matrix, vectors_to_arrow
from .optim import TrainingBlocks, minimize_penalized
from .optim import kernels as K
from .optim.scaling import ScaledSpace, combine_moments
from .param import keyword_only
from .param.shared import (HasAggregationDepth, HasFeaturesCol, HasFitIntercept, HasLabelCol,
                           HasMaxBlockSizeInMB, HasMaxIter, HasPredictionCol,
                           HasRawPredictionCol, HasRegParam, HasStandardization, HasThreshold,
                           HasTol, HasWeightCol)

__all__ = ["LinearSVC", "LinearSVCModel"]


class _LinearSVCParams(HasFeaturesCol, HasLabelCol, HasPredictionCol, HasRawPredictionCol,
                       HasMaxIter, HasRegParam, HasTol, HasFitIntercept, HasStandardization,
                       HasWeightCol, HasThreshold, HasAggregationDepth, HasMaxBlockSizeInMB):
    def __init__(self) -> None:
        super().__init__()
        self._setDefault(maxIter=100, regParam=0.0, tol=1e-6, fitIntercept=True,
                         standardization=True, threshold=0.0, aggregationDepth=2,
                         maxBlockSizeInMB=0.0, rawPredictionCol="rawPrediction")

    def _output_schema(self, schema: T.StructType, fitting: bool) -> T.StructType:
        require_training_columns(self, schema, fitting)
        fields = list(schema.fields)
        for p, dt in (("rawPredictionCol", VectorUDT()), ("predictionCol", T.DoubleType())):
            col = self.getOrDefault(p)
            if col:
                require_absent(schema, col, self)
                fields.append(T.StructField(col, dt, True))
        return T.StructType(fields)


def hinge_loss(b: Any, beta: np.ndarray, b0: float) -> Any:
    """Weighted hinge loss of labels 0/1 (as -1/+1) and its subgradient (beta, intercept)."""
    if b.n == 0:
        return None
    m = np.asarray(b.X @ beta).reshape(-1) + b0
    s = 2.0 * b.y - 1.0
    w = b.weights()
    viol = (s * m) < 1.0
    loss = float(w[viol] @ (1.0 - s[viol] * m[viol]))
    r = np.where(viol, -w * s, 0.0)
    return loss, np.asarray(b.X.T @ r).reshape(-1), float(r.sum())


class LinearSVC(TrainsOnBlocks, Estimator, _LinearSVCParams):
    """Binary linear SVM (hinge loss, L2 penalty) trained with OWL-QN, as Spark's."""

    @keyword_only
    def __init__(self, *, featuresCol: str = "features", labelCol: str = "label",
                 predictionCol: str = "prediction", maxIter: int = 100, regParam: float = 0.0,
                 tol: float = 1e-6, rawPredictionCol: str = "rawPrediction",
                 fitIntercept: bool = True, standardization: bool = True,
                 threshold: float = 0.0, weightCol: str | None = None,
                 aggregationDepth: int = 2, maxBlockSizeInMB: float = 0.0):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, featuresCol: str = "features", labelCol: str = "label",
                  predictionCol: str = "prediction", maxIter: int = 100, regParam: float = 0.0,
                  tol: float = 1e-6, rawPredictionCol: str = "rawPrediction",
                  fitIntercept: bool = True, standardization: bool = True,
                  threshold: float = 0.0, weightCol: str | None = None,
                  aggregationDepth: int = 2, maxBlockSizeInMB: float = 0.0) -> "LinearSVC":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        check_ranges(self, COMMON_RANGES)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=True)

    def _fit_blocks(self, blocks: TrainingBlocks, dataset: Any) -> "LinearSVCModel":
        stage = f"LinearSVC ({self.uid})"
        with blocks:
            hists = blocks.map(K.label_histogram)
            moments = blocks.feature_moments or combine_moments(blocks.map(K.feature_moments))
            if moments is None or not hists:
                raise SparkException(f"{stage}: the input has no rows with positive weight")
            classes = max(len(h) for h, _ in hists)
            if classes > 2:
                raise IllegalArgumentException(
                    f"{stage}: LinearSVC only supports binary classification (labels 0 and 1); "
                    f"column `{self.getLabelCol()}` has {classes} classes")
            d = len(moments.mean)
            fit_intercept = self.getFitIntercept()
            std = moments.std(sample=True)
            space = ScaledSpace(std, moments.mean, fit_intercept)
            pen = np.where(space.active, 1.0, 0.0) if self.getStandardization() else \
                np.where(space.active, 1.0 / np.where(space.active, std, 1.0) ** 2, 0.0)
            n_int = 1 if fit_intercept else 0
            l2 = np.concatenate([self.getRegParam() * pen, np.zeros(n_int)])
            W = moments.W

            def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
                gamma = x[:d].reshape(1, d)
                c = x[d:] if fit_intercept else np.zeros(1)
                beta, b0 = space.to_original(gamma, c)
                loss, g_beta, g_b0 = blocks.map_sum(hinge_loss, beta[0], float(b0[0]))
                g_gamma, g_c = space.grad_to_scaled(g_beta.reshape(1, -1) / W,
                                                    np.array([g_b0]) / W)
                return loss / W, np.concatenate([g_gamma.reshape(-1),
                                                 g_c if fit_intercept else []])

            res = minimize_penalized(fun, np.zeros(d + n_int), np.zeros(d + n_int), l2,
                                     self.getMaxIter(), self.getTol(), owlqn=True)
            gamma = res.x[:d].reshape(1, d)
            c = res.x[d:] if fit_intercept else np.zeros(1)
            beta, b0 = space.to_original(gamma, c)
        model = self._copyValues(LinearSVCModel(compressed_vector(beta[0]), float(b0[0])))
        model.objectiveHistory = list(res.objective_history)
        return model


class _Kernel:
    def __init__(self, beta: np.ndarray, b0: float, threshold: float, what: str):
        self.beta, self.b0, self.threshold, self.what = beta, b0, threshold, what

    def __call__(self, features: Any) -> pa.Array:
        arr, mask = valid_rows(features)
        m = np.asarray(to_matrix(arr, size=len(self.beta)) @ self.beta).reshape(-1) + self.b0
        if self.what == "prediction":
            out = with_null_rows((m > self.threshold).astype(float), mask)
            return pa.array(out, type=pa.float64(), mask=mask)
        raw = with_null_rows(np.stack([-m, m], axis=1), mask)
        return vectors_to_arrow([None if mask is not None and mask[i] else DenseVector(r)
                                 for i, r in enumerate(raw)])


class LinearSVCModel(Model, _LinearSVCParams):
    """A fitted LinearSVC: ``coefficients``, ``intercept``; rawPrediction is ``[-m, m]`` for
    the margin ``m`` and the prediction is 1 where ``m > threshold``."""

    def __init__(self, coefficients: DenseVector | None = None, intercept: float = 0.0):
        super().__init__()
        self.coefficients = coefficients
        self.intercept = intercept
        self.objectiveHistory: list[float] = []

    def _init_loaded(self) -> None:
        self.coefficients, self.intercept, self.objectiveHistory = None, 0.0, []

    @property
    def numFeatures(self) -> int:
        return len(self.coefficients)

    @property
    def numClasses(self) -> int:
        return 2

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=False)

    def _transform(self, dataset: Any) -> Any:
        beta, b0 = self.coefficients.toArray(), float(self.intercept)
        outs = {}
        for p, what, dt in (("rawPredictionCol", "raw", VectorUDT()),
                            ("predictionCol", "prediction", T.DoubleType())):
            col = self.getOrDefault(p)
            if col:
                outs[col] = partition_column(f"LinearSVCModel.{what}", [self.getFeaturesCol()],
                                             _Kernel(beta, b0, float(self.getThreshold()), what),
                                             dt)
        return dataset.withColumns(outs) if outs else dataset

    def predict(self, value: Any) -> float:
        m = float(np.asarray(value.toArray()) @ self.coefficients.toArray() + self.intercept)
        return 1.0 if m > self.getThreshold() else 0.0

    def predictRaw(self, value: Any) -> DenseVector:
        m = float(np.asarray(value.toArray()) @ self.coefficients.toArray() + self.intercept)
        return DenseVector([-m, m])

    def to_sklearn(self) -> Any:
        """scikit-learn's LinearSVC with these coefficients (its decision function is the
        margin; its predictions match for threshold 0)."""
        from sklearn.svm import LinearSVC as SkSVC
        est = SkSVC(fit_intercept=self.getFitIntercept())
        est.coef_ = self.coefficients.toArray().reshape(1, -1).copy()
        est.intercept_ = np.array([float(self.intercept)])
        est.classes_ = np.array([0.0, 1.0])
        est.n_features_in_ = self.numFeatures
        return est

    def __repr__(self) -> str:
        return model_string(self, [("numClasses", 2), ("numFeatures", self.numFeatures)])

    def _save_data(self) -> pa.Table:
        return pa.table({"coefficients": vectors_to_arrow([self.coefficients]),
                         "intercept": [float(self.intercept)]})

    def _load_data(self, table: pa.Table) -> None:
        self.intercept = float(table.column("intercept")[0].as_py())
        self.coefficients = compressed_vector(
            VectorUDT().deserialize(table.column("coefficients")[0].as_py()).toArray())
