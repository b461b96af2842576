"""What clustering estimators share: the summary every fit has
(``pyspark.ml.clustering.ClusteringSummary``) and the output-schema check of the ones that
predict a cluster index. In its own module so each clustering estimator's module can build on
it without importing the others."""

from __future__ import annotations

from typing import Any

from ..sql import types as T
from ..sql.errors import IllegalArgumentException
from .base import require_absent, require_column
from .linalg import VectorUDT

__all__ = ["ClusteringSummary", "ClusterIndexSchema"]


class ClusterIndexSchema:
    """For params mixins with featuresCol, predictionCol and weightCol (KMeans,
    BisectingKMeans): the optional weight column, and the schema check and output column of a
    cluster-index prediction."""

    def _weight(self) -> str | None:
        return (self.getOrDefault("weightCol") or None) if self.isDefined("weightCol") else None

    def _output_schema(self, schema: T.StructType, fitting: bool) -> T.StructType:
        """Features must be a vector (or an array of numbers); weight numeric; the prediction
        column new. The prediction is an int, as in Spark."""
        feats = self.getFeaturesCol()
        dt = require_column(schema, feats, (), self, "a vector")
        if not (isinstance(dt, VectorUDT) or (isinstance(dt, T.ArrayType) and isinstance(
                dt.elementType, (T.DoubleType, T.FloatType)))):
            raise IllegalArgumentException(
                f"{type(self).__name__} ({self.uid}): column `{feats}` must be a vector or an "
                f"array<double>/array<float>, but it is {dt.simpleString()}")
        if fitting and self._weight():
            require_column(schema, self._weight(), (T.NumericType,), self, "numeric")
        require_absent(schema, self.getPredictionCol(), self)
        return T.StructType(schema.fields + [T.StructField(self.getPredictionCol(),
                                                           T.IntegerType(), False)])


class ClusteringSummary:
    """What a clustering fit produced: the predictions on its input, and per-cluster sizes."""

    def __init__(self, model: Any, dataset: Any, k: int, num_iter: int, sizes: list[int]):
        self._model, self._dataset = model, dataset
        self._k, self._num_iter, self._sizes = k, num_iter, sizes
        self._predictions = None

    @property
    def predictionCol(self) -> str:
        return self._model.getPredictionCol()

    @property
    def featuresCol(self) -> str:
        return self._model.getFeaturesCol()

    @property
    def predictions(self) -> Any:
        """The model's transform of the training input (a lazy DataFrame)."""
        if self._predictions is None:
            self._predictions = self._model.transform(self._dataset)
        return self._predictions

    @property
    def cluster(self) -> Any:
        return self.predictions.select(self.predictionCol)

    @property
    def k(self) -> int:
        """The requested number of clusters (the model may have fewer centers, when the input
        has fewer distinct points)."""
        return self._k

    @property
    def numIter(self) -> int:
        return self._num_iter

    @property
    def clusterSizes(self) -> list[int]:
        """Rows per cluster (unweighted), ``k`` entries."""
        return list(self._sizes)
