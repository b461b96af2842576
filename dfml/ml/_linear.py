"""What LogisticRegression and LinearRegression share: param range checks, the training
columns' validation, training on blocks, the summary a fitted model carries, and null rows in
their prediction kernels."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pyarrow as pa

from ..sql import types as T
from ..sql.errors import IllegalArgumentException
from .base import partition_column, require_column
from .linalg import VectorUDT, as_struct_array
from .optim import TrainingBlocks

__all__ = ["COMMON_RANGES", "check_ranges", "require_training_columns", "TrainsOnBlocks",
           "HoldsSummary", "valid_rows", "with_null_rows"]

# (param, test, what it must be) for the params both linear estimators have
COMMON_RANGES: list[tuple[str, Callable[[Any], bool], str]] = [
    ("maxIter", lambda v: v >= 0, ">= 0"), ("regParam", lambda v: v >= 0, ">= 0"),
    ("elasticNetParam", lambda v: 0 <= v <= 1, "in [0, 1]"), ("tol", lambda v: v >= 0, ">= 0"),
    ("aggregationDepth", lambda v: v >= 2, ">= 2")]


def check_ranges(stage: Any, checks: list[tuple[str, Callable[[Any], bool], str]]) -> None:
    """A named IllegalArgumentException for the first defined param outside its range."""
    for p, ok, what in checks:
        if stage.hasParam(p) and stage.isDefined(p) and not ok(stage.getOrDefault(p)):
            raise IllegalArgumentException(f"{type(stage).__name__} ({stage.uid}): {p} must be "
                                           f"{what}, got {stage.getOrDefault(p)!r}")


def require_training_columns(stage: Any, schema: T.StructType, fitting: bool) -> None:
    """Features must be a vector column; when fitting, label and weight numeric."""
    require_column(schema, stage.getFeaturesCol(), (VectorUDT,), stage, "a vector")
    if fitting:
        require_column(schema, stage.getLabelCol(), (T.NumericType,), stage, "numeric")
        if stage.isDefined("weightCol") and stage.getOrDefault("weightCol"):
            require_column(schema, stage.getOrDefault("weightCol"), (T.NumericType,), stage,
                           "numeric")


class TrainsOnBlocks:
    """An estimator whose fit reads its input once into TrainingBlocks (``_fit_blocks``)."""

    def _block_inputs(self) -> tuple[str, str, str | None]:
        weight = self.getOrDefault("weightCol") if self.isDefined("weightCol") else None
        return self.getFeaturesCol(), self.getLabelCol(), weight or None

    def _fit(self, dataset: Any) -> Any:
        blocks = TrainingBlocks(dataset, *self._block_inputs(),
                                f"{type(self).__name__} ({self.uid})")
        return self._fit_blocks(blocks, dataset)


class HoldsSummary:
    """A model with the training summary of the fit that made it (none once loaded)."""

    _summary: Any = None

    @property
    def hasSummary(self) -> bool:
        return self._summary is not None

    @property
    def summary(self) -> Any:
        if self._summary is None:
            raise RuntimeError(f"No training summary available for this {type(self).__name__} "
                               f"(a loaded model has none)")
        return self._summary

    def copy(self, extra: dict | None = None) -> Any:
        that = super().copy(extra)
        that._summary = self._summary
        return that


def valid_rows(features: Any) -> tuple[pa.StructArray, np.ndarray | None]:
    """A vector chunk without its null rows, and the null mask (None when there are none)."""
    arr = as_struct_array(features)
    if not arr.null_count:
        return arr, None
    mask = np.asarray(arr.is_null().to_numpy(zero_copy_only=False))
    return arr.filter(arr.is_valid()), mask


def with_null_rows(out: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """Rows computed for the valid rows, spread back to full length (zeros where null)."""
    if mask is None:
        return out
    full = np.zeros((len(mask),) + out.shape[1:])
    full[~mask] = out
    return full


def classifier_columns(model: Any, dataset: Any, kernel_for: Callable[[str], Any],
                       inputs: list[str] | None = None) -> Any:
    """``dataset`` with a classification model's rawPrediction, probability and prediction
    columns (those whose param names a column), each a per-partition kernel from
    ``kernel_for(what)`` over ``inputs`` (default: the features column); Spark's error first
    when ``thresholds`` does not fit the classes."""
    name = type(model).__name__
    if model.isSet("thresholds") and len(model.getOrDefault("thresholds")) != model.numClasses:
        raise IllegalArgumentException(
            f"{name} ({model.uid}): thresholds has "
            f"{len(model.getOrDefault('thresholds'))} values for {model.numClasses} classes")
    feats = model.getFeaturesCol()
    outs = {}
    for p, what, dt in (("rawPredictionCol", "raw", VectorUDT()),
                        ("probabilityCol", "probability", VectorUDT()),
                        ("predictionCol", "prediction", T.DoubleType())):
        col = model.getOrDefault(p)
        if col:
            outs[col] = partition_column(f"{name}.{what}", inputs or [feats], kernel_for(what),
                                         dt)
    return dataset.withColumns(outs) if outs else dataset
