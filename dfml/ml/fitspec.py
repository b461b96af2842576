"""``FitSpec``: what a pipeline stage declares about its fit, from the input schema alone.

``Pipeline`` plans its whole schedule from these before it reads anything (so ``explain()``
works before a fit, and a stage is never scheduled before the stage that writes its input),
then executes it. A stage's spec says which columns it reads and writes, what kind of fit it
has (none, a set of aggregations that can share a pass with other stages', an iterative
trainer that needs its own pass, or a fit from upstream models with no pass at all), the
aggregations themselves, the (features, label, weight) columns an iterative trainer trains on,
and whether its transform may drop rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..sql import types as T

__all__ = ["FitSpec", "TRANSFORM", "AGGREGATION", "ITERATIVE", "STATIC", "column_params",
           "OUTPUT_PARAMS"]

TRANSFORM, AGGREGATION, ITERATIVE, STATIC = "transform", "aggregation", "iterative", "static"

# Column params that name what a stage writes; every other ``...Col``/``...Cols`` param names
# something it reads (inputCol, featuresCol, labelCol, weightCol, userCol, ratingCol, ...).
OUTPUT_PARAMS = ("outputCol", "outputCols", "predictionCol", "probabilityCol", "rawPredictionCol",
                 "varianceCol", "leafCol")


@dataclass(frozen=True)
class FitSpec:
    """A stage's declaration (see the module docstring)."""

    reads: tuple[str, ...]
    writes: tuple[str, ...]
    kind: str = TRANSFORM
    aggregations: tuple[Any, ...] = ()
    block_inputs: tuple[str, str, str | None] | None = None
    drops_rows: bool = False


def column_params(stage: Any, schema: T.StructType) -> tuple[list[str], list[str]]:
    """(columns read, columns written) named by the stage's column params: a param ending in
    ``Col``/``Cols`` reads its columns (those in ``schema``) unless it is an output param."""
    reads: list[str] = []
    writes: list[str] = []
    for p in stage.params:
        name = p.name
        if not (name.endswith("Col") or name.endswith("Cols")) or not stage.isDefined(name):
            continue
        value = stage.getOrDefault(name)
        values = [value] if isinstance(value, str) else list(value or [])
        if name in OUTPUT_PARAMS:
            writes += values
        else:
            reads += [v for v in values if v in schema.names]
    return list(dict.fromkeys(reads)), list(dict.fromkeys(writes))
