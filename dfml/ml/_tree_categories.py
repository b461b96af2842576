"""Categorical features of the tree estimators, read from the features column's metadata as
Spark's trees read them.

A slot that a StringIndexer (through VectorAssembler) marks nominal, or a Binarizer marks
binary, is a categorical feature to Spark's trees: its values are category indices, and a
split sends a *set* of categories one way instead of cutting at a threshold. Treating the
indices as numbers would give a different model (an index order means nothing), so dfml hands
such slots to XGBoost as categorical features (``feature_types`` "c"), whose partition-based
splits order the categories by their gradient statistics, as Spark orders them by their mean
label, and so search the same family of splits.

Spark's checks come along, before any tree is grown: every categorical feature's category
count must fit in ``maxBins``, and every value must be a whole number in ``[0, count)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..sql.errors import IllegalArgumentException
from .attributes import slot_attributes

__all__ = ["categorical_arities", "check_max_bins", "check_category_values", "feature_types"]


def categorical_arities(field: Any) -> dict[int, int]:
    """{slot: number of categories} of a features vector column's categorical slots (nominal
    with its value count, binary as 2); empty when its metadata marks none."""
    slots = slot_attributes(field) or []
    out: dict[int, int] = {}
    for i, (kind, attr) in enumerate(slots):
        if kind == "binary":
            out[i] = 2
        elif kind == "nominal":
            if "vals" in attr:
                out[i] = len(attr["vals"])
            elif "num_vals" in attr:
                out[i] = int(attr["num_vals"])
            else:
                raise IllegalArgumentException(
                    f"Feature {i} is marked as Nominal (categorical), but it does not have the "
                    f"number of values specified.")
    return out


def check_max_bins(arities: dict[int, int], max_bins: int, rows: int) -> None:
    """Spark's requirement: each categorical feature's categories fit in the bins (``maxBins``,
    or the row count if smaller)."""
    if not arities:
        return
    bins = min(max_bins, rows)
    worst = max(arities, key=lambda i: arities[i])
    if arities[worst] > bins:
        raise IllegalArgumentException(
            f"requirement failed: DecisionTree requires maxBins (= {bins}) to be at least as "
            f"large as the number of values in each categorical feature, but categorical "
            f"feature {worst} has {arities[worst]} values. Consider removing this and other "
            f"categorical features with a large number of values, or add more training "
            f"examples.")


class _BadCategory:
    """Per block: (slot, value) of the first categorical value that is not a whole number in
    ``[0, count)``, or None. Only this pair comes back, not the rows."""

    __name__ = "category_check"

    def __init__(self, arities: dict[int, int]):
        self.arities = arities

    def __call__(self, block: Any) -> tuple[int, float] | None:
        if block.n == 0:
            return None
        X = block.X
        for i, k in sorted(self.arities.items()):
            col = X[:, i]
            col = np.asarray(col.toarray()).reshape(-1) if hasattr(col, "toarray") \
                else np.asarray(col, dtype=float).reshape(-1)
            bad = (col < 0) | (col >= k) | (col != np.floor(col)) | np.isnan(col)
            if bad.any():
                return i, float(col[np.argmax(bad)])
        return None


def check_category_values(blocks: Any, arities: dict[int, int]) -> None:
    """Fail, as Spark does, on a categorical value outside its categories (one small task per
    block over the persisted training blocks). The text is Spark's, down to its unclosed
    brace, so a search for Spark's message finds this one too."""
    if not arities:
        return
    for found in blocks.map(_BadCategory(arities)):
        if found is not None:
            i, v = found
            raise IllegalArgumentException(
                f"DecisionTree given invalid data: Feature {i} is categorical with values in "
                f"{{0,...,{arities[i] - 1}, but a data point gives it value {v}.")


def feature_types(arities: dict[int, int], d: int) -> list[str] | None:
    """XGBoost's ``feature_types`` ("q" numeric, "c" categorical), None when all numeric."""
    if not arities:
        return None
    return ["c" if i in arities else "q" for i in range(d)]
