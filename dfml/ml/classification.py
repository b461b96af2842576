"""LogisticRegression (binomial and multinomial) and its model and training summaries.

The fit is Spark's problem: minimize the weighted mean log loss plus
``regParam * (elasticNetParam * L1 + (1 - elasticNetParam) / 2 * L2)`` of the coefficients of
the standardized features (or of the raw ones with ``standardization=False``), the intercepts
unpenalized. The input is read once into blocks kept on the workers (``optim.TrainingBlocks``);
each L-BFGS step sums per-block losses and gradients where the blocks live."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
from scipy.special import expit, softmax

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from .base import Estimator, Model, require_absent
from .linalg import DenseMatrix, DenseVector, SparseMatrix, SparseVector, Vector, VectorUDT, \
    compressed_matrix, compressed_vector, dense_to_arrow, to_matrix, \
    vectors_to_arrow
from ._linear import (COMMON_RANGES, HoldsSummary, TrainsOnBlocks, check_ranges, classifier_columns,
                      require_training_columns, valid_rows, with_null_rows)
from ._bounds import HasBounds, scaled_bounds
from .optim import TrainingBlocks, minimize_bounded, minimize_penalized
from .optim import kernels as K
from .optim.scaling import ScaledSpace, combine_moments
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import (HasAggregationDepth, HasElasticNetParam, HasFeaturesCol, HasFitIntercept,
                           HasLabelCol, HasMaxBlockSizeInMB, HasMaxIter, HasPredictionCol,
                           HasProbabilityCol, HasRawPredictionCol, HasRegParam, HasStandardization,
                           HasThreshold, HasThresholds, HasTol, HasWeightCol)
from .classification_nb import NaiveBayes, NaiveBayesModel  # noqa: E402,F401  (Spark's module)
from .svc import LinearSVC, LinearSVCModel  # noqa: E402,F401  (Spark's module)
from .onevsrest import OneVsRest, OneVsRestModel  # noqa: E402,F401  (Spark's module)
from .fm import FMClassifier, FMClassificationModel  # noqa: E402,F401  (Spark's module)
from .mlp import (MultilayerPerceptronClassifier,  # noqa: E402,F401  (Spark's module)
                  MultilayerPerceptronClassificationModel)

# tree models (XGBoost-trained) live in trees.py; exported here as in pyspark.ml
from .trees import (GBTClassifier, GBTClassificationModel,  # noqa: F401
                    RandomForestClassifier, RandomForestClassificationModel,
                    DecisionTreeClassifier, DecisionTreeClassificationModel)

__all__ = ["LogisticRegression", "LogisticRegressionModel", "LogisticRegressionSummary",
           "LogisticRegressionTrainingSummary", "BinaryLogisticRegressionSummary",
           "BinaryLogisticRegressionTrainingSummary", "NaiveBayes", "NaiveBayesModel",
           "GBTClassifier", "GBTClassificationModel", "RandomForestClassifier",
           "RandomForestClassificationModel", "DecisionTreeClassifier",
           "DecisionTreeClassificationModel", "LinearSVC", "LinearSVCModel", "OneVsRest",
           "OneVsRestModel", "FMClassifier", "FMClassificationModel",
           "MultilayerPerceptronClassifier", "MultilayerPerceptronClassificationModel"]


class _LogisticRegressionParams(HasFeaturesCol, HasLabelCol, HasPredictionCol, HasProbabilityCol,
                                HasRawPredictionCol, HasMaxIter, HasRegParam, HasElasticNetParam,
                                HasTol, HasFitIntercept, HasStandardization, HasWeightCol,
                                HasThreshold, HasThresholds, HasAggregationDepth,
                                HasMaxBlockSizeInMB, HasBounds):
    family = Param(Params._dummy(), "family",
                   "label distribution: auto (binomial for two classes, else multinomial), "
                   "binomial or multinomial", TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(maxIter=100, regParam=0.0, elasticNetParam=0.0, tol=1e-6, threshold=0.5,
                         family="auto", featuresCol="features")

    # Spark keeps threshold and a two-class thresholds consistent; setting one clears the other
    def setThreshold(self, value: float) -> Any:
        if self.isSet("thresholds"):
            self.clear(self.thresholds)
        return self._set(threshold=value)

    def setThresholds(self, value: list) -> Any:
        if self.isSet("threshold"):
            self.clear(self.threshold)
        return self._set(thresholds=value)

    def getThreshold(self) -> float:
        if self.isSet("thresholds"):
            ts = self.getOrDefault("thresholds")
            if len(ts) != 2:
                raise IllegalArgumentException(
                    f"getThreshold: thresholds has {len(ts)} values; a single threshold only "
                    f"exists for two classes")
            return 1.0 / (1.0 + ts[0] / ts[1]) if ts[1] else 1.0
        return self.getOrDefault("threshold")

    def _check_params(self) -> None:
        name = f"{type(self).__name__} ({self.uid})"
        check_ranges(self, COMMON_RANGES + [("threshold", lambda v: 0 <= v <= 1, "in [0, 1]")])
        if self.getOrDefault("family").lower() not in ("auto", "binomial", "multinomial"):
            raise IllegalArgumentException(f"{name}: family must be auto, binomial or multinomial, "
                                           f"got {self.getOrDefault('family')!r}")
        if self.isSet("thresholds"):
            ts = self.getOrDefault("thresholds")
            if any(t < 0 for t in ts) or sum(1 for t in ts if t == 0) > 1:
                raise IllegalArgumentException(f"{name}: thresholds must be >= 0 with at most one "
                                               f"0, got {ts}")
        self._check_bound_params()

    def _output_schema(self, schema: T.StructType, fitting: bool) -> T.StructType:
        require_training_columns(self, schema, fitting)
        fields = list(schema.fields)
        for p, dt in (("rawPredictionCol", VectorUDT()), ("probabilityCol", VectorUDT()),
                      ("predictionCol", T.DoubleType())):
            name = self.getOrDefault(p)
            if name:
                require_absent(schema, name, self)
                fields.append(T.StructField(name, dt, True))
        return T.StructType(fields)


class LogisticRegression(TrainsOnBlocks, Estimator, _LogisticRegressionParams):
    """Logistic regression for two classes (binomial) or more (multinomial, softmax)."""

    @keyword_only
    def __init__(self, *, featuresCol: str = "features", labelCol: str = "label",
                 predictionCol: str = "prediction", maxIter: int = 100, regParam: float = 0.0,
                 elasticNetParam: float = 0.0, tol: float = 1e-6, fitIntercept: bool = True,
                 threshold: float = 0.5, thresholds: list | None = None,
                 probabilityCol: str = "probability", rawPredictionCol: str = "rawPrediction",
                 standardization: bool = True, weightCol: str | None = None,
                 aggregationDepth: int = 2, family: str = "auto",
                 lowerBoundsOnCoefficients: Any = None, upperBoundsOnCoefficients: Any = None,
                 lowerBoundsOnIntercepts: Any = None, upperBoundsOnIntercepts: Any = None,
                 maxBlockSizeInMB: float = 0.0):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, featuresCol: str = "features", labelCol: str = "label",
                  predictionCol: str = "prediction", maxIter: int = 100, regParam: float = 0.0,
                  elasticNetParam: float = 0.0, tol: float = 1e-6, fitIntercept: bool = True,
                  threshold: float = 0.5, thresholds: list | None = None,
                  probabilityCol: str = "probability", rawPredictionCol: str = "rawPrediction",
                  standardization: bool = True, weightCol: str | None = None,
                  aggregationDepth: int = 2, family: str = "auto",
                  lowerBoundsOnCoefficients: Any = None, upperBoundsOnCoefficients: Any = None,
                  lowerBoundsOnIntercepts: Any = None, upperBoundsOnIntercepts: Any = None,
                  maxBlockSizeInMB: float = 0.0) -> "LogisticRegression":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        self._check_params()

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=True)

    def _fit_blocks(self, blocks: TrainingBlocks, dataset: Any) -> "LogisticRegressionModel":
        """Train on blocks already in worker memory (released when done); ``dataset`` is the
        input the summary's predictions come from."""
        with blocks:
            model, history = self._train(blocks)
        model = self._copyValues(model)
        model._summary = _training_summary(model, dataset, history)
        return model

    # ----------------------------------------------------------------- training
    def _train(self, blocks: TrainingBlocks) -> tuple["LogisticRegressionModel", list[float]]:
        hists = blocks.map(K.label_histogram)
        moments = blocks.feature_moments or combine_moments(blocks.map(K.feature_moments))
        if moments is None or not hists:
            raise SparkException(f"LogisticRegression ({self.uid}): the input has no rows with "
                                 f"positive weight to fit on")
        num_classes = max(len(h) for h, _ in hists)
        class_w = np.zeros(num_classes)
        for h, _ in hists:
            class_w[:len(h)] += h
        if self.isSet("thresholds") and len(self.getOrDefault("thresholds")) != max(num_classes, 2):
            raise IllegalArgumentException(
                f"LogisticRegression ({self.uid}): thresholds has "
                f"{len(self.getOrDefault('thresholds'))} values but the label has "
                f"{max(num_classes, 2)} classes")
        family = self.getOrDefault("family").lower()
        if family == "binomial" and num_classes > 2:
            raise IllegalArgumentException(
                f"LogisticRegression ({self.uid}): family binomial needs labels 0 and 1, but the "
                f"label has {num_classes} classes; use family multinomial")
        multinomial = family == "multinomial" or (family == "auto" and num_classes > 2)
        num_classes = max(num_classes, 2)
        class_w = np.pad(class_w, (0, num_classes - len(class_w)))
        d = len(moments.mean)
        k = num_classes if multinomial else 1
        fit_intercept = self.getFitIntercept()

        degenerate = _single_class_model(class_w, fit_intercept, multinomial, d)
        if degenerate is not None:
            B, b0 = degenerate
            return self._model(B, b0, num_classes, multinomial), [0.0]

        std_full = moments.std(sample=True)
        # only the active features (std > 0) move: an inactive one's scaled coefficient has a
        # zero gradient, no penalty and a zero start, so it stays 0 (Spark's coefficient for
        # it), and the optimizer runs on the others alone with the very same iterates
        act = np.flatnonzero(std_full > 0)
        if len(act) < d:  # the full-width blocks are dropped once the narrow ones are built
            full, blocks = blocks, blocks.select_columns(act)
            full.release()
        std, mean = std_full[act], moments.mean[act]
        d_full, d = d, len(act)
        bounded = self._bounded()
        space = ScaledSpace(std, mean, fit_intercept,
                            center=not bounded or self._intercepts_free())
        reg, alpha = self.getRegParam(), self.getElasticNetParam()
        pen = np.where(space.active, 1.0, 0.0) if self.getStandardization() else \
            np.where(space.active, 1.0 / np.where(space.active, std, 1.0), 0.0)
        l1 = np.tile(reg * alpha * pen, k)
        l2 = np.tile(reg * (1.0 - alpha) * pen ** 2 if not self.getStandardization()
                     else reg * (1.0 - alpha) * pen, k)
        n_int = k if fit_intercept else 0
        l1 = np.concatenate([l1, np.zeros(n_int)])
        l2 = np.concatenate([l2, np.zeros(n_int)])
        W = moments.W

        x0 = np.zeros(k * d + n_int)
        if fit_intercept:
            p = class_w / class_w.sum()
            if multinomial:  # Spark's start: log(1 + class weight), centered
                logc = np.log1p(class_w)
                x0[k * d:] = logc - logc.mean()
            else:
                x0[k * d] = math.log(p[1] / p[0])

        def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
            gamma = x[:k * d].reshape(k, d)
            c = x[k * d:] if fit_intercept else np.zeros(k)
            beta, b0 = space.to_original(gamma, c)
            if multinomial:
                loss, g_beta, g_b0 = blocks.map_sum(K.multinomial_loss, beta, b0)
            else:
                loss, g_beta, g_b0 = blocks.map_sum(K.binomial_loss, beta[0], float(b0[0]))
                g_beta, g_b0 = g_beta.reshape(1, -1), np.array([g_b0])
            g_gamma, g_c = space.grad_to_scaled(g_beta / W, np.asarray(g_b0) / W)
            g = np.concatenate([g_gamma.reshape(-1), g_c if fit_intercept else []])
            return loss / W, g

        if bounded:
            lower, upper = scaled_bounds(self, k, d_full, std_full, fit_intercept)
            keep = np.concatenate([(np.arange(k)[:, None] * d_full + act).reshape(-1),
                                   k * d_full + np.arange(n_int)])
            lower, upper = lower[keep], upper[keep]
            x0 = np.clip(x0, lower, upper)
            result = minimize_bounded(fun, x0, l2, lower, upper, self.getMaxIter(),
                                      self.getTol())
        else:
            result = minimize_penalized(fun, x0, l1, l2, self.getMaxIter(), self.getTol())
        gamma = result.x[:k * d].reshape(k, d)
        c = result.x[k * d:] if fit_intercept else np.zeros(k)
        B_act, b0 = space.to_original(gamma, c)
        B = np.zeros((k, d_full))
        B[:, act] = B_act
        if multinomial and not bounded:  # Spark leaves a bound-constrained fit as it is
            if reg == 0.0:  # without a penalty only differences between classes are identified
                B = B - B.mean(axis=0, keepdims=True)
            if fit_intercept:
                b0 = b0 - b0.mean()
        return self._model(B, np.asarray(b0, float), num_classes, multinomial), \
            result.objective_history

    def _model(self, B: np.ndarray, b0: np.ndarray, num_classes: int,
               multinomial: bool) -> "LogisticRegressionModel":
        k, d = B.shape
        # Spark's forms: the coefficient matrix and intercepts compressed (sparse when that
        # stores smaller, e.g. after an L1 fit), which is what a program prints
        return LogisticRegressionModel(compressed_matrix(B, row_major=True), compressed_vector(b0),
                                       num_classes,
                                       multinomial)


def _nonzero(row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    idx = np.flatnonzero(row)
    return idx, row[idx]


def _single_class_model(class_w: np.ndarray, fit_intercept: bool, multinomial: bool,
                        d: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Spark's answer when every row has the same label: zero coefficients and an infinite
    intercept towards that label (with an intercept); None when the labels differ."""
    present = np.flatnonzero(class_w > 0)
    if len(present) != 1 or not fit_intercept:
        return None
    label = int(present[0])
    if multinomial:
        b0 = np.full(len(class_w), -np.inf)
        b0[label] = np.inf
        return np.zeros((len(class_w), d)), b0
    return np.zeros((1, d)), np.array([np.inf if label == 1 else -np.inf])


# ----------------------------------------------------------------------- model

class _Scores:
    """Per-partition kernel: one output column of the model from the features column."""

    def __init__(self, B: np.ndarray, b0: np.ndarray, multinomial: bool, what: str,
                 threshold: float | None, thresholds: np.ndarray | None):
        self.B, self.b0, self.multinomial, self.what = B, b0, multinomial, what
        self.threshold, self.thresholds = threshold, thresholds

    def __call__(self, features: Any) -> pa.Array:
        arr, mask = valid_rows(features)  # null vectors give null outputs
        X = to_matrix(arr, size=self.B.shape[1])
        raw = raw_scores(X, self.B, self.b0, self.multinomial)
        out = with_null_rows(predictions_from_raw(raw, self.multinomial, self.what, self.threshold,
                                       self.thresholds), mask)
        if self.what == "prediction":
            return pa.array(out, type=pa.float64(), mask=mask)
        return dense_to_arrow(out, mask)


def raw_scores(X: Any, B: np.ndarray, b0: np.ndarray, multinomial: bool) -> np.ndarray:
    """Spark's rawPrediction: margins per class, or (-m, m) for a binomial model."""
    M = np.asarray(X @ B.T) + b0
    return M if multinomial else np.hstack([-M, M])


def predictions_from_raw(raw: np.ndarray, multinomial: bool, what: str, threshold: float | None,
              thresholds: np.ndarray | None) -> np.ndarray:
    if what == "raw":
        return raw
    prob = softmax(raw, axis=1) if multinomial else np.hstack([expit(raw[:, :1]), expit(raw[:, 1:])])
    if what == "probability":
        return prob
    if thresholds is not None:
        with np.errstate(divide="ignore"):
            scaled = np.where(thresholds > 0, prob / np.where(thresholds > 0, thresholds, 1.0),
                              np.inf)
        return np.argmax(scaled, axis=1).astype(np.float64)
    if not multinomial:
        t = threshold
        cut = -np.inf if t == 0 else (np.inf if t == 1 else math.log(t / (1 - t)))
        return (raw[:, 1] > cut).astype(np.float64)
    return np.argmax(raw, axis=1).astype(np.float64)


class LogisticRegressionModel(HoldsSummary, Model, _LogisticRegressionParams):
    """A fitted logistic regression: coefficients per class and intercepts."""

    def __init__(self, coefficientMatrix: DenseMatrix | None = None,
                 interceptVector: DenseVector | None = None, numClasses: int = 2,
                 isMultinomial: bool = False):
        super().__init__()
        self.coefficientMatrix = coefficientMatrix
        self.interceptVector = interceptVector
        self.numClasses = numClasses
        self.isMultinomial = isMultinomial
        self._summary = None

    def _init_loaded(self) -> None:
        self.coefficientMatrix = self.interceptVector = None
        self.numClasses, self.isMultinomial, self._summary = 2, False, None

    @property
    def numFeatures(self) -> int:
        return self.coefficientMatrix.numCols

    @property
    def coefficients(self) -> DenseVector:
        if self.isMultinomial:
            raise SparkException("Multinomial models contain a matrix of coefficients, use "
                                 "coefficientMatrix instead.")
        m = self.coefficientMatrix
        if isinstance(m, SparseMatrix) and m.isTransposed:
            return SparseVector(m.numCols, m.rowIndices, m.values)
        if isinstance(m, SparseMatrix):
            return SparseVector(m.numCols, *_nonzero(m.toArray()[0]))
        return DenseVector(m.toArray()[0])

    @property
    def intercept(self) -> float:
        if self.isMultinomial:
            raise SparkException("Multinomial models contain a vector of intercepts, use "
                                 "interceptVector instead.")
        return float(self.interceptVector.toArray()[0])

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=False)

    def _kernel(self, what: str) -> _Scores:
        ts = np.asarray(self.getOrDefault("thresholds"), float) if self.isSet("thresholds") else None
        thr = None if ts is not None else self.getOrDefault("threshold")
        return _Scores(self.coefficientMatrix.toArray(), self.interceptVector.toArray(),
                       self.isMultinomial, what, thr, ts)

    def _transform(self, dataset: Any) -> Any:
        return classifier_columns(self, dataset, self._kernel)

    # single rows, as Spark's model offers them
    def _one(self, vector: Vector, what: str) -> np.ndarray:
        x = np.asarray(vector.toArray(), float).reshape(1, -1)
        k = self._kernel(what)
        raw = raw_scores(x, k.B, k.b0, k.multinomial)
        return predictions_from_raw(raw, k.multinomial, what, k.threshold, k.thresholds)[0]

    def predictRaw(self, value: Vector) -> DenseVector:
        return DenseVector(self._one(value, "raw"))

    def predictProbability(self, value: Vector) -> DenseVector:
        return DenseVector(self._one(value, "probability"))

    def predict(self, value: Vector) -> float:
        return float(self._one(value, "prediction"))

    def evaluate(self, dataset: Any) -> "LogisticRegressionSummary":
        """Metrics of the model on ``dataset`` (a lazy summary over its predictions)."""
        self.transformSchema(dataset.schema)
        cls = BinaryLogisticRegressionSummary if not self.isMultinomial and self.numClasses == 2 \
            else LogisticRegressionSummary
        return cls(self, dataset)

    def __repr__(self) -> str:
        return (f"LogisticRegressionModel: uid={self.uid}, numClasses={self.numClasses}, "
                f"numFeatures={self.numFeatures}")

    # persistence
    def _save_data(self) -> pa.Table:
        B = self.coefficientMatrix
        return pa.table({"numClasses": [self.numClasses], "numFeatures": [B.numCols],
                         "isMultinomial": [self.isMultinomial],
                         "coefficientRows": [B.numRows],
                         "coefficientMatrix": vectors_to_arrow([DenseVector(B.toArray().reshape(-1))]),
                         "interceptVector": vectors_to_arrow([self.interceptVector])})

    def _load_data(self, table: pa.Table) -> None:
        row = {c: table.column(c)[0].as_py() for c in ("numClasses", "numFeatures",
                                                        "isMultinomial", "coefficientRows")}
        udt = VectorUDT()
        flat = udt.deserialize(table.column("coefficientMatrix")[0].as_py()).toArray()
        k, d = int(row["coefficientRows"]), int(row["numFeatures"])
        if len(flat) != k * d:
            raise ValueError(f"LogisticRegressionModel data: {len(flat)} coefficients for a "
                             f"{k}x{d} matrix")
        self.coefficientMatrix = compressed_matrix(flat.reshape(k, d), row_major=True)
        self.interceptVector = udt.deserialize(table.column("interceptVector")[0].as_py())
        self.numClasses = int(row["numClasses"])
        self.isMultinomial = bool(row["isMultinomial"])


# ----------------------------------------------------------------------- summaries

class LogisticRegressionSummary:
    """Metrics of a model on a data set, computed from its predictions when first asked for
    (each metric is one pass over the predictions, as an evaluator's)."""

    def __init__(self, model: LogisticRegressionModel, dataset: Any):
        self._model = model
        self._dataset = dataset
        self._predictions = None
        self._cache: dict[str, Any] = {}

    @property
    def predictions(self) -> Any:
        if self._predictions is None:
            m = self._model
            if not m.getOrDefault("probabilityCol") or not m.getOrDefault("predictionCol"):
                m = m.copy({m.probabilityCol: m.getOrDefault("probabilityCol") or "probability",
                            m.predictionCol: m.getOrDefault("predictionCol") or "prediction"})
            self._predictions = m.transform(self._dataset)
        return self._predictions

    @property
    def probabilityCol(self) -> str:
        return self._model.getOrDefault("probabilityCol") or "probability"

    @property
    def predictionCol(self) -> str:
        return self._model.getOrDefault("predictionCol") or "prediction"

    @property
    def labelCol(self) -> str:
        return self._model.getLabelCol()

    @property
    def featuresCol(self) -> str:
        return self._model.getFeaturesCol()

    @property
    def weightCol(self) -> str | None:
        m = self._model
        return m.getOrDefault("weightCol") if m.isDefined("weightCol") else None

    def _multiclass(self, metric: str, **extra: Any) -> float:
        key = metric + repr(sorted(extra.items()))
        if key not in self._cache:
            from .evaluation import MulticlassClassificationEvaluator
            ev = MulticlassClassificationEvaluator(metricName=metric, labelCol=self.labelCol,
                                                   predictionCol=self.predictionCol,
                                                   probabilityCol=self.probabilityCol, **extra)
            if self.weightCol:
                ev.setWeightCol(self.weightCol)
            self._cache[key] = ev.evaluate(self.predictions)
        return self._cache[key]

    @property
    def accuracy(self) -> float:
        return self._multiclass("accuracy")

    @property
    def weightedPrecision(self) -> float:
        return self._multiclass("weightedPrecision")

    @property
    def weightedRecall(self) -> float:
        return self._multiclass("weightedRecall")

    def weightedFMeasure(self, beta: float = 1.0) -> float:
        """A method, as Spark's (``beta`` weighs recall against precision)."""
        return self._multiclass("weightedFMeasure", beta=float(beta))

    @property
    def weightedTruePositiveRate(self) -> float:
        return self._multiclass("weightedTruePositiveRate")

    @property
    def weightedFalsePositiveRate(self) -> float:
        return self._multiclass("weightedFalsePositiveRate")

    def _by_label(self, metric: str, **extra: Any) -> list[float]:
        return [self._multiclass(metric, metricLabel=float(c), **extra)
                for c in range(self._model.numClasses)]

    @property
    def labels(self) -> list[float]:
        return [float(c) for c in range(self._model.numClasses)]

    @property
    def precisionByLabel(self) -> list[float]:
        return self._by_label("precisionByLabel")

    @property
    def recallByLabel(self) -> list[float]:
        return self._by_label("recallByLabel")

    @property
    def truePositiveRateByLabel(self) -> list[float]:
        return self._by_label("truePositiveRateByLabel")

    @property
    def falsePositiveRateByLabel(self) -> list[float]:
        return self._by_label("falsePositiveRateByLabel")

    def fMeasureByLabel(self, beta: float = 1.0) -> list[float]:
        """A method, as Spark's."""
        return self._by_label("fMeasureByLabel", beta=float(beta))


class BinaryLogisticRegressionSummary(LogisticRegressionSummary):
    """Adds the binary metrics: area under the ROC and precision-recall curves."""

    def _binary(self, metric: str) -> float:
        if metric not in self._cache:
            from .evaluation import BinaryClassificationEvaluator
            ev = BinaryClassificationEvaluator(metricName=metric, labelCol=self.labelCol,
                                               rawPredictionCol=self.probabilityCol)
            if self.weightCol:
                ev.setWeightCol(self.weightCol)
            self._cache[metric] = ev.evaluate(self.predictions)
        return self._cache[metric]

    @property
    def areaUnderROC(self) -> float:
        return self._binary("areaUnderROC")

    @property
    def scoreCol(self) -> str:
        return self.probabilityCol

    # The curves Spark's summary gives, from one pass over the predictions (scores binned
    # into at most 100 groups, as Spark's summary does) and kept for the other curves.
    def _curves(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if "curves" not in self._cache:
            from .evaluation import score_curves
            self._cache["curves"] = score_curves(self.predictions, self.probabilityCol,
                                                 self.labelCol, self.weightCol, 100)
        return self._cache["curves"]

    def _rates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        thresholds, tp, fp = self._curves()
        p = tp[-1] if len(tp) else 0.0
        n = fp[-1] if len(fp) else 0.0
        recall = tp / p if p else np.zeros_like(tp)
        fpr = fp / n if n else np.zeros_like(fp)
        called = tp + fp
        with np.errstate(divide="ignore", invalid="ignore"):
            precision = np.where(called == 0, 1.0, tp / np.where(called == 0, 1.0, called))
        return thresholds, recall, fpr, precision

    def _curve_frame(self, rows: list[tuple], names: tuple[str, str]) -> Any:
        schema = f"`{names[0]}` double, `{names[1]}` double"
        return self.predictions.sparkSession.createDataFrame(
            [(float(a), float(b)) for a, b in rows], schema)

    @property
    def roc(self) -> Any:
        """(FPR, TPR) from (0, 0) to (1, 1), one point per (binned) threshold."""
        _, recall, fpr, _ = self._rates()
        pts = [(0.0, 0.0)] + list(zip(fpr, recall)) + [(1.0, 1.0)]
        return self._curve_frame(pts, ("FPR", "TPR"))

    @property
    def pr(self) -> Any:
        """(recall, precision), starting at recall 0 with the first threshold's precision."""
        _, recall, _, precision = self._rates()
        first = precision[0] if len(precision) else 1.0
        return self._curve_frame([(0.0, first)] + list(zip(recall, precision)),
                           ("recall", "precision"))

    @property
    def fMeasureByThreshold(self) -> Any:
        thresholds, recall, _, precision = self._rates()
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(precision + recall == 0, 0.0,
                         2.0 * precision * recall / (precision + recall))
        return self._curve_frame(list(zip(thresholds, f)), ("threshold", "F-Measure"))

    @property
    def precisionByThreshold(self) -> Any:
        thresholds, _, _, precision = self._rates()
        return self._curve_frame(list(zip(thresholds, precision)), ("threshold", "precision"))

    @property
    def recallByThreshold(self) -> Any:
        thresholds, recall, _, _ = self._rates()
        return self._curve_frame(list(zip(thresholds, recall)), ("threshold", "recall"))

    @property
    def areaUnderPR(self) -> float:
        return self._binary("areaUnderPR")


class LogisticRegressionTrainingSummary(LogisticRegressionSummary):
    """The summary of the training data, plus how the optimizer went."""

    def __init__(self, model: LogisticRegressionModel, dataset: Any, history: list[float]):
        super().__init__(model, dataset)
        self.objectiveHistory = list(history)

    @property
    def totalIterations(self) -> int:
        return max(len(self.objectiveHistory) - 1, 0)


class BinaryLogisticRegressionTrainingSummary(BinaryLogisticRegressionSummary,
                                              LogisticRegressionTrainingSummary):
    pass


def _training_summary(model: LogisticRegressionModel, dataset: Any,
                      history: list[float]) -> LogisticRegressionTrainingSummary:
    if not model.isMultinomial and model.numClasses == 2:
        return BinaryLogisticRegressionTrainingSummary(model, dataset, history)
    return LogisticRegressionTrainingSummary(model, dataset, history)
