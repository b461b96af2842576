"""How the validators run: cutting folds, materializing them, and fitting the candidates.

Folds. With ``foldCol`` one pass counts the rows of each fold number before anything is
fitted, so a number outside ``[0, numFolds)`` (or null) and an empty training or validation
set fail up front with Spark's messages, not halfway through the candidates. Without it a
seeded ``rand`` column cuts ``numFolds`` equal ranges, as PySpark does (bounds ``i * (1 / n)``,
its float arithmetic); ``rand`` draws Spark's values, so the folds hold Spark's rows when the
partitions hold the same rows.

Materializing. Each fold's training and validation sets are persisted once, used by every
candidate, and released before the next fold, so the input is read once per fold and the
cluster holds one fold at a time.

Sharing a Pipeline's prefix. The candidates of a grid differ only in the params the grid
varies. When the estimator is a Pipeline, the stages before the first stage owning a varying
param fit identically for every candidate, so that prefix is fitted once per fold, its output
(training and validation) persisted, and only the remaining stages are fitted per candidate;
each candidate's model is the prefix's fitted stages followed by its own.

Parallelism. ``parallelism`` candidates run at once, each in a thread submitting its own
graphs to the session's shared dask client (as Spark runs them in a thread pool).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd

from ..sql import functions as F
from ..sql import types as T
from ..sql.errors import SparkException
from .base import Aggregation, require_column, run_aggregations

__all__ = ["k_folds", "train_validation", "evaluate_candidates", "split_point", "run_all"]


# ------------------------------------------------------------------------------ folds
class _FoldCounts:
    """Per-partition row count of each fold number (None for nulls)."""

    def __init__(self, column: str):
        self.column = column

    def __call__(self, part: Any) -> dict:
        counts = part[self.column].value_counts(dropna=False)
        return {(None if pd.isna(k) else int(k)): int(v) for k, v in counts.items()}


def _merge_counts(states: list[dict]) -> dict:
    out: dict = {}
    for s in states:
        for k, v in s.items():
            out[k] = out.get(k, 0) + v
    return out


def _check_folds(dataset: Any, n: int, fold_col: str, owner: Any) -> None:
    """One pass over ``fold_col``: Spark's errors for a fold number out of range and for an
    empty training or validation set."""
    require_column(dataset.schema, fold_col, (T.IntegralType,), owner, "an integer type")
    agg = Aggregation([fold_col], _FoldCounts(fold_col), _merge_counts)
    counts = run_aggregations(dataset, [agg])[0] or {}
    bad = sorted((k for k in counts if k is None or not 0 <= k < n),
                 key=lambda k: (k is not None, k if k is not None else 0))
    if bad:
        got = "null" if bad[0] is None else bad[0]
        raise SparkException(f"[USER_RAISED_EXCEPTION] Fold number must be in range "
                             f"[0, {n}), but got {got} (foldCol `{fold_col}` of "
                             f"{type(owner).__name__} {owner.uid})")
    total = sum(counts.values())
    for i in range(n):
        if total - counts.get(i, 0) == 0:
            raise ValueError(f"The training data at fold {i} is empty.")
        if counts.get(i, 0) == 0:
            raise ValueError(f"The validation data at fold {i} is empty.")


def k_folds(dataset: Any, n: int, fold_col: str, seed: int, owner: Any) -> list[tuple[Any, Any]]:
    """``n`` (training, validation) pairs, lazy: by ``fold_col`` if set, else at random."""
    if fold_col:
        _check_folds(dataset, n, fold_col, owner)
        col = F.col(fold_col)
        return [(dataset.filter(col != F.lit(i)), dataset.filter(col == F.lit(i)))
                for i in range(n)]
    rand_col = f"{owner.uid}_rand"
    names = dataset.columns
    df = dataset.select("*", F.rand(seed).alias(rand_col))
    out = []
    width = 1.0 / n
    for i in range(n):  # PySpark's bounds, i * width (not i / n, which rounds differently)
        inside = (F.col(rand_col) >= i * width) & (F.col(rand_col) < (i + 1) * width)
        out.append((df.filter(~inside).select(*names), df.filter(inside).select(*names)))
    return out


def train_validation(dataset: Any, ratio: float, seed: int, owner: Any) -> tuple[Any, Any]:
    """(training, validation), lazy: rows whose seeded ``rand`` is below ``ratio`` train."""
    rand_col = f"{owner.uid}_rand"
    names = dataset.columns
    df = dataset.select("*", F.rand(seed).alias(rand_col))
    held_out = F.col(rand_col) >= ratio
    return df.filter(~held_out).select(*names), df.filter(held_out).select(*names)


# ------------------------------------------------------------------------------ planning
def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # values whose == is elementwise (arrays)
        return a is b


def _varying(maps: list[dict]) -> set[tuple[str, str]]:
    """(owner uid, name) of every param whose value is not the same in every map."""
    out = set()
    for m in maps:
        for p, v in m.items():
            if any(p not in other or not _same(other[p], v) for other in maps):
                out.add((p.parent, p.name))
    return out


def _owned_uids(stage: Any) -> set[str]:
    from .pipeline import Pipeline
    uids = {stage.uid}
    if isinstance(stage, Pipeline):
        for s in stage.getStages():
            uids |= _owned_uids(s)
    return uids


def split_point(est: Any, maps: list[dict]) -> int:
    """How many leading stages of ``est`` fit the same for every map (0 unless ``est`` is a
    Pipeline and none of the varying params is the pipeline's own)."""
    from .pipeline import Pipeline
    if not isinstance(est, Pipeline):
        return 0
    stages = est.getStages()
    owners = [_owned_uids(s) for s in stages]
    varying = {uid for uid, _ in _varying(maps)}
    if est.uid in varying:
        return 0
    for i, uids in enumerate(owners):
        if varying & uids:
            return i
    return len(stages)


def _common(maps: list[dict]) -> dict:
    """The (param, value) pairs every map shares."""
    return {p: v for p, v in maps[0].items()
            if all(p in m and _same(m[p], v) for m in maps[1:])}


# ------------------------------------------------------------------------------ running
def run_all(task: Any, n: int, parallelism: int) -> list:
    """``task(j)`` for j in 0..n-1, ``parallelism`` at a time, results in index order."""
    workers = max(1, min(parallelism, n))
    if workers == 1:
        return [task(j) for j in range(n)]
    from ..sql.graph_lock import GRAPH_LOCK

    def locked(j: int) -> Any:  # graphs are built one thread at a time; waits overlap
        with GRAPH_LOCK:
            return task(j)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dfml-tuning") as pool:
        return list(pool.map(locked, range(n)))


def evaluate_candidates(est: Any, maps: list[dict], eva: Any, train: Any, validation: Any,
                        parallelism: int, collect: bool) -> tuple[list[float], list | None]:
    """(metric of each map, fitted model of each map if ``collect``): each map fitted on
    ``train`` and scored on ``validation``; both are persisted here and released at the end."""
    from .pipeline import Pipeline, PipelineModel
    held = [train.cache(), validation.cache()]
    try:
        k = split_point(est, maps)
        if k == 0:
            def task(j: int) -> tuple[float, Any]:
                model = est.fit(train, maps[j])
                return float(eva.evaluate(model.transform(validation, maps[j]))), model
        else:
            stages = est.getStages()
            prefix = Pipeline(stages=stages[:k]).fit(train, _common(maps))
            tr, va = prefix.transform(train).cache(), prefix.transform(validation).cache()
            held += [tr, va]
            suffix = Pipeline(stages=stages[k:])

            def task(j: int) -> tuple[float, Any]:
                rest = suffix.fit(tr, maps[j])
                metric = float(eva.evaluate(rest.transform(va, maps[j])))
                model = PipelineModel(list(prefix.stages) + list(rest.stages))
                model.parent = est
                return metric, model
        results = run_all(task, len(maps), parallelism)
    finally:
        for df in held:
            df.unpersist()
    return [m for m, _ in results], ([s for _, s in results] if collect else None)
