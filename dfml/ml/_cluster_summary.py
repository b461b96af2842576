"""What every clustering fit's summary has (``pyspark.ml.clustering.ClusteringSummary``); in
its own module so each clustering estimator's module can build on it without importing the
others."""

from __future__ import annotations

from typing import Any

__all__ = ["ClusteringSummary"]


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
