"""dfml.ml: Spark-style ML pipelines (``pyspark.ml``'s API) whose fits run on Dask."""

from .base import Estimator, Model, PipelineStage, Transformer
from .pipeline import Pipeline, PipelineModel

__all__ = ["Estimator", "Model", "Pipeline", "PipelineModel", "PipelineStage", "Transformer"]
