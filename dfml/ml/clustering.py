"""KMeans, its model and its training summary (``pyspark.ml.clustering``).

The fit reads its input once into blocks kept on the workers (``point_blocks``), picks
its initial centers there (k-means|| or random rows), then runs Lloyd iterations whose
per-block partials are merged on the cluster; the client only ever holds centers, costs and
counts. See ``_kmeans`` for the rules, which are Spark's."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from ._kmeans import (block_sizes, closest, cluster_counts, features_matrix, init_parallel,
                      init_random, lloyd, point_blocks, unit_rows)
from ._cluster_summary import ClusterIndexSchema, ClusteringSummary
from ._linear import HoldsSummary
from .base import Estimator, Model, model_string, partition_column
from .linalg import DenseVector, Vector, VectorUDT, vectors_to_arrow
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import (HasFeaturesCol, HasMaxBlockSizeInMB, HasMaxIter, HasPredictionCol,
                           HasSeed, HasSolver, HasTol, HasWeightCol)

__all__ = ["KMeans", "KMeansModel", "KMeansSummary", "ClusteringSummary", "GaussianMixture",
           "GaussianMixtureModel", "GaussianMixtureSummary", "BisectingKMeans",
           "BisectingKMeansModel", "BisectingKMeansSummary",
           "PowerIterationClustering", "LDA", "LDAModel", "LocalLDAModel"]


class _KMeansParams(ClusterIndexSchema, HasFeaturesCol, HasPredictionCol, HasMaxIter, HasTol,
                    HasSeed, HasWeightCol, HasSolver, HasMaxBlockSizeInMB):
    k = Param(Params._dummy(), "k", "number of clusters to find (> 1)", TC.toInt)
    initMode = Param(Params._dummy(), "initMode",
                     "how the first centers are chosen: 'random' rows, or 'k-means||' (a "
                     "parallel k-means++)", TC.toString)
    initSteps = Param(Params._dummy(), "initSteps", "rounds of k-means|| sampling (> 0)",
                      TC.toInt)
    distanceMeasure = Param(Params._dummy(), "distanceMeasure",
                            "'euclidean' or 'cosine'", TC.toString)
    intermediateStorageLevel = Param(Params._dummy(), "intermediateStorageLevel",
                                     "storage level of the cached training input (kept for "
                                     "Spark compatibility; dfml holds it in worker memory)",
                                     TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(k=2, maxIter=20, initMode="k-means||", initSteps=2, tol=1e-4,
                         distanceMeasure="euclidean", solver="auto",
                         intermediateStorageLevel="MEMORY_AND_DISK")

    # (param, valid?) checked before any work, with Spark's message for a bad value
    _CHECKS = (("k", lambda v: v > 1), ("maxIter", lambda v: v >= 0), ("tol", lambda v: v >= 0),
               ("initSteps", lambda v: v > 0),
               ("initMode", lambda v: v in ("random", "k-means||")),
               ("distanceMeasure", lambda v: v in ("euclidean", "cosine")),
               ("solver", lambda v: v in ("auto", "row", "block")),
               ("maxBlockSizeInMB", lambda v: v >= 0),
               ("intermediateStorageLevel", lambda v: v != "NONE"))

    def _check_params(self) -> None:
        for name, ok in self._CHECKS:
            if self.isDefined(name) and not ok(self.getOrDefault(name)):
                raise IllegalArgumentException(f"{self.uid} parameter {name} given invalid value "
                                               f"{self.getOrDefault(name)}.")


class KMeans(Estimator, _KMeansParams):
    """Clusters vectors around ``k`` centers (Lloyd's algorithm from k-means|| or random
    starting centers), with optional row weights and euclidean or cosine distance."""

    @keyword_only
    def __init__(self, *, featuresCol: str = "features", predictionCol: str = "prediction",
                 k: int = 2, initMode: str = "k-means||", initSteps: int = 2, tol: float = 1e-4,
                 maxIter: int = 20, seed: int | None = None, distanceMeasure: str = "euclidean",
                 weightCol: str | None = None, solver: str = "auto",
                 maxBlockSizeInMB: float = 0.0):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, featuresCol: str = "features", predictionCol: str = "prediction",
                  k: int = 2, initMode: str = "k-means||", initSteps: int = 2, tol: float = 1e-4,
                  maxIter: int = 20, seed: int | None = None, distanceMeasure: str = "euclidean",
                  weightCol: str | None = None, solver: str = "auto",
                  maxBlockSizeInMB: float = 0.0) -> "KMeans":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        self._check_params()

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=True)

    def _fit(self, dataset: Any) -> "KMeansModel":
        cosine = self.getDistanceMeasure() == "cosine"
        stage = f"KMeans ({self.uid})"
        with point_blocks(dataset, self.getFeaturesCol(), self._weight(), cosine,
                                  stage) as blocks:
            if sum(block_sizes(blocks)) == 0:
                raise SparkException(f"{stage}: the input has no rows to fit on")
            k, seed = self.getK(), self.getSeed()
            if self.getInitMode() == "random":
                start = init_random(blocks, k, seed)
            else:
                start = init_parallel(blocks, k, self.getInitSteps(), seed, cosine)
            centers, cost, iters = lloyd(blocks, start, self.getMaxIter(),
                                                 self.getTol(), cosine)
            sizes = cluster_counts(blocks, centers, cosine)
        model = self._copyValues(KMeansModel([c for c in centers]))
        model._summary = KMeansSummary(model, dataset, k, iters, cost,
                                       [int(s) for s in sizes] + [0] * (k - len(sizes)))
        return model


class _Predict:
    """Per-partition kernel: the index of each row's closest center, an int32 column."""

    def __init__(self, centers: np.ndarray, cosine: bool, col: str):
        self.centers, self.cosine, self.col = centers, cosine, col

    def __call__(self, features: Any) -> pa.Array:
        stage = "KMeansModel"
        X = features_matrix(features, self.col, stage)
        if X.shape[0] and X.shape[1] != self.centers.shape[1]:
            raise SparkException(f"{stage}: column `{self.col}` holds vectors of size "
                                 f"{X.shape[1]}, but the model has {self.centers.shape[1]} "
                                 f"features")
        if self.cosine and X.shape[0]:
            X = unit_rows(X, self.col, stage)
        idx, _ = closest(X, self.centers, self.cosine)
        return pa.array(idx.astype(np.int32), type=pa.int32())


class KMeansModel(HoldsSummary, Model, _KMeansParams):
    """Fitted KMeans: the cluster centers; ``transform`` adds each row's closest center."""

    def __init__(self, clusterCenters: list | None = None):
        super().__init__()
        self._centers = [np.asarray(c, dtype=np.float64) for c in (clusterCenters or [])]
        self._summary = None

    def _init_loaded(self) -> None:
        self._centers, self._summary = [], None

    def clusterCenters(self) -> list[np.ndarray]:
        """The centers as numpy arrays, as PySpark returns them."""
        return [c.copy() for c in self._centers]

    @property
    def numFeatures(self) -> int:
        return len(self._centers[0]) if self._centers else 0

    def _matrix(self) -> np.ndarray:
        C = np.vstack(self._centers)
        if self.getDistanceMeasure() == "cosine":
            norms = np.linalg.norm(C, axis=1, keepdims=True)
            C = C / np.where(norms > 0, norms, 1.0)
        return C

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=False)

    def _transform(self, dataset: Any) -> Any:
        kernel = _Predict(self._matrix(), self.getDistanceMeasure() == "cosine",
                          self.getFeaturesCol())
        column = partition_column("KMeansModel.predict", [self.getFeaturesCol()], kernel,
                                  T.IntegerType(), nullable=False)
        return dataset.withColumn(self.getPredictionCol(), column)

    def predict(self, value: Vector) -> int:
        """The index of the center closest to one vector."""
        x = np.asarray(value.toArray() if hasattr(value, "toArray") else value,
                       dtype=np.float64).reshape(1, -1)
        if x.shape[1] != self.numFeatures:
            raise IllegalArgumentException(f"KMeansModel ({self.uid}): the vector has size "
                                           f"{x.shape[1]}, the model {self.numFeatures} features")
        cosine = self.getDistanceMeasure() == "cosine"
        if cosine:
            x = unit_rows(x, "value", f"KMeansModel ({self.uid})")
        return int(closest(x, self._matrix(), cosine)[0][0])

    def __repr__(self) -> str:
        return model_string(self, [("k", len(self._centers)),
                                   ("distanceMeasure", self.getDistanceMeasure()),
                                   ("numFeatures", self.numFeatures)])

    __str__ = __repr__

    # persistence: one row per center, (clusterIdx, clusterCenter), as Spark writes them
    def _save_data(self) -> pa.Table:
        return pa.table({"clusterIdx": pa.array(range(len(self._centers)), type=pa.int32()),
                         "clusterCenter": vectors_to_arrow([DenseVector(c)
                                                            for c in self._centers])})

    def _load_data(self, table: pa.Table) -> None:
        udt = VectorUDT()
        rows = sorted(zip(table.column("clusterIdx").to_pylist(),
                          table.column("clusterCenter").to_pylist()), key=lambda r: r[0])
        if [i for i, _ in rows] != list(range(len(rows))):
            raise ValueError(f"KMeansModel data: cluster indices {[i for i, _ in rows]} are not "
                             f"0..{len(rows) - 1}")
        self._centers = [np.asarray(udt.deserialize(c).toArray(), dtype=np.float64)
                         for _, c in rows]


class KMeansSummary(ClusteringSummary):
    """ClusteringSummary plus ``trainingCost``: the weighted sum of each row's cost (squared
    distance, or cosine distance) to its center in the last iteration."""

    def __init__(self, model: Any, dataset: Any, k: int, num_iter: int, cost: float,
                 sizes: list[int]):
        super().__init__(model, dataset, k, num_iter, sizes)
        self._cost = cost

    @property
    def trainingCost(self) -> float:
        return self._cost


# the other clustering estimators live in their own modules (they build on ClusteringSummary)
from .gaussian_mixture import (GaussianMixture, GaussianMixtureModel,  # noqa: E402
                               GaussianMixtureSummary)
from .bisecting_kmeans import (BisectingKMeans, BisectingKMeansModel,  # noqa: E402
                               BisectingKMeansSummary)
from .power_iteration import PowerIterationClustering  # noqa: E402
from .lda import LDA, LDAModel, LocalLDAModel  # noqa: E402
