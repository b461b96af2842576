"""OneVsRest's binary fits: one per class, ``parallelism`` at a time on the cluster.

Each class gets a copy of the base classifier reading a 0/1 label column (``mc2b$<i>``, Spark's
name). A classifier that trains on blocks gets them without a new read of the input: the
blocks of (features, label, weight) are built once, and each class's blocks are made from
them on the workers by replacing the label with "label == i". Any other classifier is fitted
on the persisted input (features, label and weight only), so ``k`` fits still read the
source once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..sql import functions as F
from ..sql.errors import SparkException
from .optim import Block, TrainingBlocks

__all__ = ["fit_binary_models", "binary_label"]


def binary_label(i: int) -> str:
    """The column holding class ``i``'s 0/1 label while its classifier trains (Spark's name)."""
    return f"mc2b${i}"


class _Relabel:
    """A block whose label is 1 where the original label is class ``i``, else 0."""

    def __init__(self, i: int):
        self.i = float(i)

    def __call__(self, b: Block) -> Block:
        return Block(b.X, (b.y == self.i).astype(np.float64), b.w)


def _max_label(b: Block) -> float | None:
    return float(b.y.max()) if b.n else None


def _binary_setup(owner: Any, clf: Any, dataset: Any, i: int,
                  weight: str | None) -> tuple[Any, Any]:
    """(class ``i``'s classifier, the input with its 0/1 label column)."""
    col = binary_label(i)
    extra = {clf.getParam("labelCol"): col, clf.getParam("featuresCol"): owner.getFeaturesCol(),
             clf.getParam("predictionCol"): owner.getPredictionCol()}
    if weight:
        extra[clf.getParam("weightCol")] = weight
    label = F.col(owner.getLabelCol())
    df = dataset.withColumn(col, F.when(label == F.lit(float(i)), F.lit(1.0)).otherwise(F.lit(0.0)))
    return clf.copy(extra), df


def _num_classes(k: float | None, owner: Any) -> int:
    if k is None:
        raise SparkException(f"OneVsRest ({owner.uid}): the input has no rows to fit on")
    n = int(k) + 1
    if n < 1:
        raise SparkException(f"OneVsRest ({owner.uid}): labels in column "
                             f"`{owner.getLabelCol()}` must be class indices 0, 1, ..., got a "
                             f"largest label of {k}")
    return n


def fit_binary_models(owner: Any, clf: Any, dataset: Any, weight: str | None,
                      num_classes: int | None) -> list:
    """The fitted binary model of every class, in class order (``num_classes`` from the label's
    metadata when it has any, else the largest label plus one, as Spark counts them)."""
    from ._linear import TrainsOnBlocks
    from ._tuning_run import run_all
    feats, label = owner.getFeaturesCol(), owner.getLabelCol()
    cols = [label, feats] + ([weight] if weight else [])
    parallelism = owner.getOrDefault("parallelism")
    stage = f"OneVsRest ({owner.uid})"
    if isinstance(clf, TrainsOnBlocks):
        base = dataset.select(*cols)
        blocks = TrainingBlocks(base, feats, label, weight, stage)
        with blocks:
            k = num_classes or _num_classes(max(blocks.map(_max_label), default=None), owner)

            def task(i: int) -> Any:
                est, df = _binary_setup(owner, clf, base, i, weight)
                est._validate_params()
                est.transformSchema(df.schema)
                futures = blocks._client.map(_Relabel(i), blocks.futures, pure=False)
                sub = TrainingBlocks(df, feats, binary_label(i), weight, stage, futures=futures)
                return est._fit_blocks(sub, df)._set_parent(est)
            return run_all(task, k, parallelism)
    base = dataset.select(*cols).cache()
    try:
        if num_classes is None:
            top = base.agg(F.max(F.col(label).cast("double"))).collect()[0][0]
            num_classes = _num_classes(top, owner)

        def fit_one(i: int) -> Any:
            est, df = _binary_setup(owner, clf, base, i, weight)
            return est.fit(df)
        return run_all(fit_one, num_classes, parallelism)
    finally:
        base.unpersist()
