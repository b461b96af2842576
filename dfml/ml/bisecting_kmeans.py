"""BisectingKMeans, its model and its training summary (``pyspark.ml.clustering``).

The fit reads its input once into blocks kept on the workers (as KMeans does) and grows the
cluster tree there, one level of splits at a time (see ``_bisecting`` for Spark's rules). The
model keeps the whole tree: a row is predicted by walking down it, which is how Spark assigns
rows, and can differ from the nearest leaf center."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from ..sql import types as T
from ..sql.errors import IllegalArgumentException, SparkException
from ._bisecting import Node, bisect, leaves, predict_leaves
from ._cluster_summary import ClusterIndexSchema, ClusteringSummary
from ._kmeans import block_sizes, features_matrix, point_blocks, require_finite, unit_rows
from ._linear import HoldsSummary, check_ranges
from .base import Estimator, Model, model_string, partition_column, require_column
from .linalg import Vector
from .param import Param, Params, TypeConverters as TC, keyword_only
from .param.shared import (HasFeaturesCol, HasMaxIter, HasPredictionCol, HasSeed,
                           HasWeightCol)

__all__ = ["BisectingKMeans", "BisectingKMeansModel", "BisectingKMeansSummary"]


class _BisectingKMeansParams(ClusterIndexSchema, HasMaxIter, HasFeaturesCol, HasSeed,
                             HasPredictionCol, HasWeightCol):
    k = Param(Params._dummy(), "k", "The desired number of leaf clusters. Must be > 1.",
              TC.toInt)
    minDivisibleClusterSize = Param(
        Params._dummy(), "minDivisibleClusterSize",
        "The minimum number of points (if >= 1.0) or the minimum proportion of points (if < "
        "1.0) of a divisible cluster.", TC.toFloat)
    distanceMeasure = Param(Params._dummy(), "distanceMeasure",
                            "'euclidean' or 'cosine'", TC.toString)

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(k=4, maxIter=20, minDivisibleClusterSize=1.0,
                         distanceMeasure="euclidean")

    def getK(self) -> int:
        return self.getOrDefault("k")

    def getMinDivisibleClusterSize(self) -> float:
        return self.getOrDefault("minDivisibleClusterSize")

    def getDistanceMeasure(self) -> str:
        return self.getOrDefault("distanceMeasure")

    _RANGES = [("k", lambda v: v > 1, "> 1"), ("maxIter", lambda v: v >= 0, ">= 0"),
               ("minDivisibleClusterSize", lambda v: v > 0, "> 0"),
               ("distanceMeasure", lambda v: v in ("euclidean", "cosine"),
                "'euclidean' or 'cosine'")]


class BisectingKMeans(Estimator, _BisectingKMeansParams):
    """Divisive hierarchical k-means: starting from one cluster, split clusters in two (a
    k-means with k=2 on their rows) level by level until ``k`` leaves or nothing divisible."""

    @keyword_only
    def __init__(self, *, featuresCol: str = "features", predictionCol: str = "prediction",
                 maxIter: int = 20, seed: int | None = None, k: int = 4,
                 minDivisibleClusterSize: float = 1.0, distanceMeasure: str = "euclidean",
                 weightCol: str | None = None):
        super().__init__()
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(self, *, featuresCol: str = "features", predictionCol: str = "prediction",
                  maxIter: int = 20, seed: int | None = None, k: int = 4,
                  minDivisibleClusterSize: float = 1.0, distanceMeasure: str = "euclidean",
                  weightCol: str | None = None) -> "BisectingKMeans":
        return self._set(**self._input_kwargs)

    def _validate_params(self) -> None:
        check_ranges(self, self._RANGES)

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=True)

    def _fit(self, dataset: Any) -> "BisectingKMeansModel":
        stage = f"BisectingKMeans ({self.uid})"
        cosine = self.getDistanceMeasure() == "cosine"
        with point_blocks(dataset, self.getFeaturesCol(), self._weight(), cosine,
                          stage) as blocks:
            if sum(block_sizes(blocks)) == 0:
                raise SparkException(f"{stage}: the input has no rows to fit on")
            root = bisect(blocks, self.getK(), self.getMaxIter(), self.getSeed(),
                          self.getMinDivisibleClusterSize(), cosine, 0)
        model = self._copyValues(BisectingKMeansModel(root))
        cost = float(sum(leaf.cost for leaf in leaves(root)))
        model._summary = BisectingKMeansSummary(model, dataset, self.getK(), self.getMaxIter(),
                                                cost)
        return model


class _Predict:
    """Per-partition kernel: each row's leaf (int32), or its cost to that leaf's center."""

    def __init__(self, model: "BisectingKMeansModel", what: str):
        self.root, self.what, self.col = model._root, what, model.getFeaturesCol()
        self.cosine = model.getDistanceMeasure() == "cosine"
        self.stage = f"BisectingKMeansModel ({model.uid})"
        self.d = model.numFeatures

    def compute(self, features: Any) -> tuple[np.ndarray, np.ndarray]:
        X = features_matrix(features, self.col, self.stage)
        if X.shape[0] and X.shape[1] != self.d:
            raise SparkException(f"{self.stage}: column `{self.col}` holds vectors of size "
                                 f"{X.shape[1]}, but the model has {self.d} features")
        if self.cosine and X.shape[0]:
            X = unit_rows(X, self.col, self.stage)
        return predict_leaves(X, self.root, self.cosine)

    def __call__(self, features: Any) -> pa.Array:
        idx, _ = self.compute(features)
        return pa.array(idx.astype(np.int32), type=pa.int32())


def _cost_partial(part: Any, kernel: _Predict, weight: str | None) -> float:
    X = features_matrix(part[kernel.col], kernel.col, kernel.stage)
    require_finite(X, kernel.col, kernel.stage)
    _, cost = kernel.compute(part[kernel.col])
    from ._kmeans import row_weights
    w = row_weights(part[weight]) if weight else np.ones(len(cost))
    return float(np.dot(w, cost))


class BisectingKMeansModel(HoldsSummary, Model, _BisectingKMeansParams):
    """A fitted BisectingKMeans: the cluster tree; its leaves are the clusters."""

    def __init__(self, root: Node | None = None):
        super().__init__()
        self._root = root
        self._summary = None

    def _init_loaded(self) -> None:
        self._root, self._summary = None, None

    def setFeaturesCol(self, value: str) -> "BisectingKMeansModel":
        return self._set(featuresCol=value)

    def setPredictionCol(self, value: str) -> "BisectingKMeansModel":
        return self._set(predictionCol=value)

    def clusterCenters(self) -> list[np.ndarray]:
        """The leaves' centers, left to right (numpy arrays, as PySpark returns them)."""
        return [leaf.center.copy() for leaf in leaves(self._root)]

    @property
    def numFeatures(self) -> int:
        return len(self._root.center) if self._root is not None else 0

    def transformSchema(self, schema: T.StructType) -> T.StructType:
        return self._output_schema(schema, fitting=False)

    def _transform(self, dataset: Any) -> Any:
        column = partition_column("BisectingKMeansModel.predict", [self.getFeaturesCol()],
                                  _Predict(self, "prediction"), T.IntegerType(), nullable=False)
        return dataset.withColumn(self.getPredictionCol(), column)

    def predict(self, value: Vector) -> int:
        x = np.asarray(value.toArray() if hasattr(value, "toArray") else value,
                       dtype=np.float64).reshape(1, -1)
        if x.shape[1] != self.numFeatures:
            raise IllegalArgumentException(f"BisectingKMeansModel ({self.uid}): the vector has "
                                           f"size {x.shape[1]}, the model {self.numFeatures} "
                                           f"features")
        cosine = self.getDistanceMeasure() == "cosine"
        if cosine:
            x = unit_rows(x, "value", f"BisectingKMeansModel ({self.uid})")
        return int(predict_leaves(x, self._root, cosine)[0][0])

    def computeCost(self, dataset: Any) -> float:
        """Sum of each row's cost (squared distance, or cosine distance) to its cluster's
        center, with the cluster found by walking the tree (deprecated in Spark, kept)."""
        from ..sql import _engine
        from dask import delayed
        feats = self.getFeaturesCol()
        require_column(dataset.schema, feats, (), self, "a vector")
        kernel = _Predict(self, "cost")
        parts = _engine.partitions(dataset, [feats])
        futs = _engine.submit(_engine.session_of(dataset),
                              [delayed(_cost_partial, pure=True)(p, kernel, None) for p in parts])
        return float(sum(f.result() for f in futs))

    def __repr__(self) -> str:
        return model_string(self, [("k", len(leaves(self._root)) if self._root else 0),
                                   ("distanceMeasure", self.getDistanceMeasure()),
                                   ("numFeatures", self.numFeatures)])

    __str__ = __repr__

    # persistence: one row per tree node (index, size, center, norm, cost, height, children),
    # the node table Spark's model data holds
    def _save_data(self) -> pa.Table:
        rows: list[dict] = []

        def add(node: Node, height: float) -> None:
            row = node.to_row(height)
            row["norm"] = float(np.linalg.norm(node.center))
            rows.append(row)
            for c in node.children:
                add(c, height)
        add(self._root, 0.0)
        return pa.table({
            "index": pa.array([r["index"] for r in rows], pa.int64()),
            "size": pa.array([r["size"] for r in rows], pa.float64()),
            "center": pa.array([r["center"] for r in rows], pa.list_(pa.float64())),
            "norm": pa.array([r["norm"] for r in rows], pa.float64()),
            "cost": pa.array([r["cost"] for r in rows], pa.float64()),
            "height": pa.array([r["height"] for r in rows], pa.float64()),
            "children": pa.array([r["children"] for r in rows], pa.list_(pa.int64()))})

    def _load_data(self, table: pa.Table) -> None:
        rows = table.to_pylist()
        nodes = {r["index"]: Node(r["index"], r["size"], np.asarray(r["center"], np.float64),
                                  r["cost"]) for r in rows}
        for r in rows:
            missing = [c for c in r["children"] if c not in nodes]
            if missing:
                raise ValueError(f"BisectingKMeansModel data: node {r['index']} names missing "
                                 f"children {missing}")
            nodes[r["index"]].children = [nodes[c] for c in sorted(r["children"])]
        if 1 not in nodes:
            raise ValueError("BisectingKMeansModel data: no root node (index 1)")
        self._root = nodes[1]
        for i, leaf in enumerate(leaves(self._root)):
            leaf.leaf = i


class BisectingKMeansSummary(ClusteringSummary):
    """ClusteringSummary plus ``trainingCost``: the sum of the leaves' costs at the fit."""

    def __init__(self, model: Any, dataset: Any, k: int, num_iter: int, cost: float):
        super().__init__(model, dataset, k, num_iter, None)
        self._cost = cost

    @property
    def clusterSizes(self) -> list[int]:
        """Rows per cluster, counted from the predictions (as Spark)."""
        if self._sizes is None:
            n = self._k
            counts = {r[0]: r[1] for r in self.predictions.groupBy(self.predictionCol).count()
                      .collect()}
            self._sizes = [int(counts.get(i, 0)) for i in range(n)]
        return list(self._sizes)

    @property
    def trainingCost(self) -> float:
        return self._cost
