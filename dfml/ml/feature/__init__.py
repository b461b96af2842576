"""Feature transformers and estimators (``pyspark.ml.feature``)."""

from .assembler import VectorAssembler
from .scalers import StandardScaler, StandardScalerModel

__all__ = ["VectorAssembler", "StandardScaler", "StandardScalerModel"]
