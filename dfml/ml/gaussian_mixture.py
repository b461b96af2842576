"""GaussianMixture, its model and its training summary (``pyspark.ml.clustering``).

The fit reads its input once into blocks kept on the workers (as KMeans does), draws Spark's
random start from them, then runs EM: one tree-merged pass over the blocks per iteration,
until ``maxIter`` iterations or until the log-likelihood changes by no more than ``tol``.
The numerics and Spark's rules are in ``_gmm``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from ._gmm import Gaussian, em_step, init_mixture, posteriors
from ._kmeans import block_sizes, features_matrix, point_blocks, tree_sum
from ._linear import HoldsSummary, check_ranges
from .base import Estimator, Model, model_string, partition_column, require_absent, \
    require_column
from ._cluster_summary import ClusteringSummary
from .linalg import DenseMatrix, DenseVector, MatrixUDT, Vector, VectorUDT, dense_to_arrow, \
    vectors_to_arrow
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import (HasAggregationDepth, HasFeaturesCol, HasMaxIter, HasPredictionCol,
                           HasProbabilityCol, HasSeed, HasTol, HasWeightCol)

__all__ = ["GaussianMixture", "GaussianMixtureModel", "GaussianMixtureSummary",
           "MultivariateGaussian"]

# Spark keeps the packed covariance's size within an int: d < sqrt(Int.MaxValue)
MAX_NUM_FEATURES = 46340


class MultivariateGaussian:
    """A (mean, cov) pair, as ``pyspark.ml.stat.MultivariateGaussian``."""

    def __init__(self, mean: Vector, cov: Any):
        self.mean, self.cov = mean, cov


class _GaussianMixtureParams(HasMaxIter, HasFeaturesCol, HasSeed, HasPredictionCol,
                             HasProbabilityCol, HasTol, HasAggregationDepth, HasWeightCol):
    k = Param(Params._dummy(), "k",
              "Number of independent Gaussians in the mixture model. Must be > 1.", TC.toInt)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(k=2, tol=0.01, maxIter=100, aggregationDepth=2)

    def getK(self) -> int:
        return self.getOrDefault("k")

    _RANGES = [("k", lambda v: v > 1, "> 1"), ("maxIter", lambda v: v >= 0, ">= 0"),
               ("tol", lambda v: v >= 0, ">= 0"),
               ("aggregationDepth", lambda v: v >= 2, ">= 2")]

    def _weight(self) -> str | None:
        return (self.getOrDefault("weightCol") or None) if self.isDefined("weightCol") else None

    def _output_schema(self, schema: T.StructType, fitting: bool) -> T.StructType:
        """Features a vector (or an array of numbers); weight numeric; the outputs new: the
        prediction an int, the probability a vector."""
        feats = self.getFeaturesCol()
        dt = require_column(schema, feats, (), self, "a vector")
        if not (isinstance(dt, VectorUDT) or (isinstance(dt, T.ArrayType) and isinstance(
                dt.elementType, (T.DoubleType, T.FloatType)))):
            raise IllegalArgumentException(
                f"{type(self).__name__} ({self.uid}): column `{feats}` must be a vector or an "
                f"array<double>/array<float>, but it is {dt.simpleString()}")
        if fitting and self._weight():
            require_column(schema, self._weight(), (T.NumericType,), self, "numeric")
        fields = list(schema.fields)
        for col, typ in ((self.getPredictionCol(), T.IntegerType()),
                         (self.getProbabilityCol(), VectorUDT())):
            if col:
                require_absent(schema, col, self)
                fields.append(T.StructField(col, typ, True))
        return T.StructType(fields)


class GaussianMixture(Estimator, _GaussianMixtureParams):
    """A mixture of ``k`` multivariate Gaussians fitted by expectation-maximization (Spark's
    random start, per-block sufficient statistics, optional row weights)."""

    @keyword_only
    def __init__(self, *, featuresCol: str = "features", predictionCol: str = "prediction",
                 k: int = 2, probabilityCol: str = "probability", tol: float = 0.01,
                 maxIter: int = 100, seed: int | None = None, aggregationDepth: int = 2,
                 weightCol: str | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, featuresCol: str = "features", predictionCol: str = "prediction",
                  k: int = 2, probabilityCol: str = "probability", tol: float = 0.01,
                  maxIter: int = 100, seed: int | None = None, aggregationDepth: int = 2,
                  weightCol: str | None = None) -> "GaussianMixture":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        check_ranges(self, self._RANGES)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=True)

    def _fit(self, dataset: Any) -> "GaussianMixtureModel":
        stage = f"GaussianMixture ({self.uid})"
        with point_blocks(dataset, self.getFeaturesCol(), self._weight(), False, stage) as blocks:
            if sum(block_sizes(blocks)) == 0:
                raise SparkException(f"{stage}: the input has no rows to fit on")
            weights, means, covs = init_mixture(blocks, self.getK(), self.getSeed())
            if means.shape[1] >= MAX_NUM_FEATURES:
                raise IllegalArgumentException(
                    f"{stage}: GaussianMixture cannot handle more than {MAX_NUM_FEATURES} "
                    f"features because the size of the covariance matrix is quadratic in the "
                    f"number of features (column `{self.getFeaturesCol()}` has "
                    f"{means.shape[1]})")
            # Spark's loop: the first comparison is against the lowest double, so it always runs
            ll, prev, it = -np.finfo(np.float64).max, 0.0, 0
            while it < self.getMaxIter() and abs(ll - prev) > self.getTol():
                new_ll, weights, means, covs = em_step(blocks, weights, means, covs)
                prev, ll = ll, new_ll
                it += 1
            model = self._copyValues(GaussianMixtureModel(weights, means, covs))
            counts = tree_sum(blocks, _counts, weights, model._gaussians())
        sizes = [0] * self.getK() if counts is None else [int(c) for c in counts[0]]
        model._summary = GaussianMixtureSummary(model, dataset, self.getK(), it, float(ll), sizes)
        return model


def _counts(block: Any, weights: np.ndarray, gaussians: list) -> tuple | None:
    """Rows per predicted component of a block (Spark's clusterSizes)."""
    if block.n == 0:
        return None
    X = block.X.toarray() if hasattr(block.X, "toarray") else block.X
    idx = np.argmax(posteriors(X, weights, gaussians), axis=1)
    return (np.bincount(idx, minlength=len(gaussians)).astype(np.int64),)


class _Posterior:
    """Per-partition kernel: each row's component probabilities, or the most probable one."""

    def __init__(self, model: "GaussianMixtureModel", what: str):
        self.weights, self.gaussians = model._weights, model._gaussians()
        self.what, self.col = what, model.getFeaturesCol()
        self.stage = f"GaussianMixtureModel ({model.uid})"

    def __call__(self, features: Any) -> pa.Array:
        X = features_matrix(features, self.col, self.stage)
        X = X.toarray() if hasattr(X, "toarray") else X
        d = len(self.gaussians[0].mean)
        if X.shape[0] and X.shape[1] != d:
            raise SparkException(f"{self.stage}: column `{self.col}` holds vectors of size "
                                 f"{X.shape[1]}, but the model has {d} features")
        P = posteriors(X, self.weights, self.gaussians) if X.shape[0] else np.zeros((0, d))
        if self.what == "prediction":
            return pa.array(np.argmax(P, axis=1).astype(np.int32), type=pa.int32())
        return dense_to_arrow(P)


class GaussianMixtureModel(HoldsSummary, Model, _GaussianMixtureParams):
    """A fitted mixture: ``weights`` and one Gaussian (mean, covariance) per component."""

    def __init__(self, weights: Any = None, means: Any = None, covs: Any = None):
        super().__init__()
        self._weights = np.asarray(weights if weights is not None else [], dtype=np.float64)
        self._means = [np.asarray(m, dtype=np.float64) for m in (means if means is not None
                                                                 else [])]
        self._covs = [np.asarray(c, dtype=np.float64) for c in (covs if covs is not None
                                                                else [])]
        self._summary = None

    def _init_loaded(self) -> None:
        self._weights, self._means, self._covs, self._summary = np.zeros(0), [], [], None

    def _gaussians(self) -> list[Gaussian]:
        return [Gaussian(m, c) for m, c in zip(self._means, self._covs)]

    def setFeaturesCol(self, value: str) -> "GaussianMixtureModel":
        return self._set(featuresCol=value)

    def setPredictionCol(self, value: str) -> "GaussianMixtureModel":
        return self._set(predictionCol=value)

    def setProbabilityCol(self, value: str) -> "GaussianMixtureModel":
        return self._set(probabilityCol=value)

    @property
    def numFeatures(self) -> int:
        return len(self._means[0]) if self._means else 0

    @property
    def weights(self) -> list[float]:
        """Each component's mixing weight (they sum to 1)."""
        return [float(w) for w in self._weights]

    def _cov_matrix(self, c: np.ndarray) -> DenseMatrix:
        d = c.shape[0]
        return DenseMatrix(d, d, c.reshape(-1, order="F"), False)

    @property
    def gaussians(self) -> list[MultivariateGaussian]:
        return [MultivariateGaussian(DenseVector(m), self._cov_matrix(c))
                for m, c in zip(self._means, self._covs)]

    @property
    def gaussiansDF(self) -> Any:
        """One row per component: ``mean`` (vector) and ``cov`` (matrix)."""
        from ..sql import SparkSession
        session = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
        schema = T.StructType([T.StructField("mean", VectorUDT(), True),
                               T.StructField("cov", MatrixUDT(), True)])
        return session.createDataFrame([(g.mean, g.cov) for g in self.gaussians], schema)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=False)

    def _transform(self, dataset: Any) -> Any:
        # Spark adds the probability first, then the prediction
        outs = {}
        for param, what, dt in (("probabilityCol", "probability", VectorUDT()),
                                ("predictionCol", "prediction", T.IntegerType())):
            col = self.getOrDefault(param)
            if col:
                outs[col] = partition_column(f"GaussianMixtureModel.{what}",
                                             [self.getFeaturesCol()], _Posterior(self, what), dt)
        return dataset.withColumns(outs) if outs else dataset

    def _one(self, value: Vector) -> np.ndarray:
        x = np.asarray(value.toArray() if hasattr(value, "toArray") else value,
                       dtype=np.float64).reshape(1, -1)
        if x.shape[1] != self.numFeatures:
            raise IllegalArgumentException(f"GaussianMixtureModel ({self.uid}): the vector has "
                                           f"size {x.shape[1]}, the model {self.numFeatures} "
                                           f"features")
        return posteriors(x, self._weights, self._gaussians())[0]

    def predict(self, value: Vector) -> int:
        return int(np.argmax(self._one(value)))

    def predictProbability(self, value: Vector) -> DenseVector:
        return DenseVector(self._one(value))

    def __repr__(self) -> str:
        return model_string(self, [("k", len(self._weights)), ("numFeatures", self.numFeatures)])

    __str__ = __repr__

    # persistence: one row (weights, mus, sigmas), as Spark writes it
    def _save_data(self) -> pa.Table:
        udt = MatrixUDT()
        mtype = T.to_arrow(udt.sqlType())
        mus = vectors_to_arrow([DenseVector(m) for m in self._means])
        sigmas = pa.array([udt.serialize(self._cov_matrix(c)) for c in self._covs], type=mtype)
        return pa.table({
            "weights": pa.array([self._weights.tolist()], type=pa.list_(pa.float64())),
            "mus": pa.array([mus.to_pylist()], type=pa.list_(mus.type)),
            "sigmas": pa.array([sigmas.to_pylist()], type=pa.list_(mtype))})

    def _load_data(self, table: pa.Table) -> None:
        weights = table.column("weights")[0].as_py()
        mus = table.column("mus")[0].as_py()
        sigmas = table.column("sigmas")[0].as_py()
        if not len(weights) == len(mus) == len(sigmas):
            raise ValueError(f"GaussianMixtureModel data: {len(weights)} weights, {len(mus)} "
                             f"means and {len(sigmas)} covariances (they must match)")
        vudt, mudt = VectorUDT(), MatrixUDT()
        self._weights = np.asarray(weights, dtype=np.float64)
        self._means = [np.asarray(vudt.deserialize(m).toArray(), dtype=np.float64) for m in mus]
        self._covs = [np.asarray(mudt.deserialize(s).toArray(), dtype=np.float64)
                      for s in sigmas]


class GaussianMixtureSummary(ClusteringSummary):
    """ClusteringSummary plus the probability column and the fit's final log-likelihood (the
    one of the last E-step, computed with the mixture that step started from, as Spark)."""

    def __init__(self, model: Any, dataset: Any, k: int, num_iter: int, log_likelihood: float,
                 sizes: list[int]):
        super().__init__(model, dataset, k, num_iter, sizes)
        self._ll = log_likelihood

    @property
    def probabilityCol(self) -> str:
        return self._model.getProbabilityCol()

    @property
    def probability(self) -> Any:
        return self.predictions.select(self.probabilityCol)

    @property
    def logLikelihood(self) -> float:
        return self._ll
