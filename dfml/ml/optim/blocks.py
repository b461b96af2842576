"""Training input held in worker memory as one numpy block per partition.

An iterative fit (logistic or linear regression) reads its input once: each partition becomes
a ``Block`` (features as a numpy array or a scipy CSR matrix, labels, weights) that stays on
the worker that built it, as a future. Each optimizer step sends the current parameters to
every block and sums the small results (a loss and a gradient) on the client; the rows never
leave the cluster.

The blocks are built from one frame holding features, label and weight together (see the
DESIGN traps: separate X and y collections can come out of dask's optimizer with different
partitionings).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from ...sql import _engine
from ...sql.errors import SparkException
from ..linalg import as_struct_array, to_matrix

__all__ = ["Block", "TrainingBlocks", "make_block", "aggregate_and_block"]


@dataclass
class Block:
    """One partition's rows as arrays: ``X`` (n x d, dense or CSR), ``y`` (n), ``w`` (n or None)."""

    X: Any
    y: np.ndarray
    w: np.ndarray | None

    @property
    def n(self) -> int:
        return len(self.y)

    def weights(self) -> np.ndarray:
        return np.ones(self.n) if self.w is None else self.w


def make_block(part: pd.DataFrame, features: str, label: str, weight: str | None,
               stage: str) -> Block:
    """A partition as a Block; rows with a null feature vector or label are an error, as in
    Spark, named with the stage and the column."""
    arr = as_struct_array(part[features])
    if arr.null_count:
        raise SparkException(f"{stage}: column `{features}` holds a null vector; drop or impute "
                             f"those rows before fitting")
    X = to_matrix(arr)
    y = pd.to_numeric(part[label]).to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isnan(y).any():
        raise SparkException(f"{stage}: label column `{label}` holds null or NaN values")
    w = None
    if weight:
        w = pd.to_numeric(part[weight]).to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(w) | (w < 0)
        if bad.any():
            raise SparkException(f"{stage}: weight column `{weight}` must hold finite values "
                                 f">= 0, found {float(w[bad][0])!r}")
    return Block(X, y, w)


class TrainingBlocks:
    """The persisted blocks of one fit; ``map_sum`` runs a kernel on every block where it lives.

    Building them is the fit's only read of its input: one graph, counted by the session like
    any action."""

    def __init__(self, dataset: Any, features: str, label: str, weight: str | None, stage: str,
                 futures: list | None = None):
        session = _engine.session_of(dataset)
        self._client = _engine.client_of(session)
        # per-feature moments of the blocks when known without a pass (set by a pipeline that
        # derived them from the stage that produced the features); unweighted rows only
        self.feature_moments: Any = None
        if futures is not None:  # built by ``aggregate_and_block`` in another stage's pass
            self.futures = futures
            return
        parts = _engine.partitions(dataset, [features, label] + ([weight] if weight else []))
        self.futures = _engine.submit(session, _block_tasks(parts, features, label, weight, stage))

    def transform(self, kernel: Callable[[Block], Block]) -> "TrainingBlocks":
        """Replace every block by ``kernel(block)`` where it lives (a fitted row-wise stage
        applied in memory, instead of a new read of the input); the old blocks are dropped."""
        # the old blocks are released by dropping their futures (cancelling them would take the
        # new tasks' inputs away): dask frees each once its replacement is computed
        self.futures = self._client.map(kernel, self.futures, pure=False)
        return self

    def select_columns(self, columns: np.ndarray) -> "TrainingBlocks":
        """New blocks holding only ``columns`` of each block's features (built where the blocks
        live; these blocks are left as they are, since a OneVsRest fit shares them).

        A fit whose inactive features (zero standard deviation) cannot move from a zero
        coefficient runs in the space of the active ones: on hashed text only a small fraction
        of the 2^18 columns is ever non-zero, and every step then moves short vectors."""
        import copy
        out = copy.copy(self)
        out.feature_moments = None
        # the columns ride in a callable, as ``transform``'s kernels do (a large array passed
        # as a keyword to ``client.map`` becomes a task named after the keyword, which the
        # scheduler could not place in the text benchmark)
        out.futures = self._client.map(_ColumnSelector(columns), self.futures, pure=False)
        return out

    def map(self, kernel: Callable[..., Any], *args: Any) -> list[Any]:
        """``kernel(block, *args)`` on every block; the non-None results."""
        n = len(self.futures)
        futs = self._client.map(kernel, self.futures, *[[a] * n for a in args], pure=False)
        from ...sql.graph_lock import GRAPH_LOCK
        with GRAPH_LOCK.released():  # parallel tuning candidates iterate meanwhile
            return [r for r in self._client.gather(futs) if r is not None]

    def map_sum(self, kernel: Callable[..., Any], *args: Any) -> Any:
        """The elementwise sum of ``kernel(block, *args)`` (tuples of numbers/arrays) over blocks."""
        results = self.map(kernel, *args)
        if not results:
            return None
        total = list(results[0]) if isinstance(results[0], tuple) else results[0]
        for r in results[1:]:
            if isinstance(r, tuple):
                total = [a + b for a, b in zip(total, r)]
            else:
                total = total + r
        return tuple(total) if isinstance(results[0], tuple) else total

    def release(self) -> None:
        """Drop the blocks from worker memory, by releasing the futures (not cancelling them:
        a cancel also cancels the keys they share with a graph submitted next, and dask names
        identical expressions identically, so the next transform of the same input would find
        its inputs "lost")."""
        self.futures = []

    def __enter__(self) -> "TrainingBlocks":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()


class _ColumnSelector:
    """A block with only ``columns`` of its features (CSR stays CSR, in the same row order)."""

    def __init__(self, columns: np.ndarray):
        self.columns = np.asarray(columns, dtype=np.int64)

    def __call__(self, block: Block) -> Block:
        X = block.X
        if hasattr(X, "tocsr"):
            X = X.tocsr()[:, self.columns]
            X.sort_indices()
        else:
            X = np.ascontiguousarray(np.asarray(X)[:, self.columns])
        return Block(X, block.y, block.w)


def _block_tasks(parts: list, features: str, label: str, weight: str | None,
                 stage: str) -> list:
    from dask import delayed
    build = delayed(make_block, pure=True)
    return [build(p, features, label, weight, stage) for p in parts]


def _partition_states(part: pd.DataFrame, aggs: list) -> list:
    return [a.chunk(part[a.columns]) for a in aggs]


def _merge_states(aggs: list, *states: list) -> list:
    return [a.combine([s[i] for s in states]) for i, a in enumerate(aggs)]


def aggregate_and_block(dataset: Any, aggs: list, features: str, label: str, weight: str | None,
                        stage: str) -> tuple[list, TrainingBlocks]:
    """One pass over ``dataset`` that both runs ``aggs`` (returning their finished values) and
    builds training blocks of (features, label, weight), kept on the workers.

    This is how a pipeline saves a read: when an iterative estimator's input is a fitted
    row-wise stage (StandardScaler) of columns this pass reads anyway, the blocks are built
    here and the stage is applied to them in memory once it is fitted."""
    from dask import delayed
    session = _engine.session_of(dataset)
    parts = _engine.partitions(dataset, [c for a in aggs for c in a.columns] + [features, label]
                        + ([weight] if weight else []))
    chunk = delayed(_partition_states, pure=True)
    merge = delayed(_merge_states, pure=True)
    level = [chunk(p, aggs) for p in parts]
    while level:  # a combine tree, 8 partials a node (as run_aggregations), at least one node
        level = [merge(aggs, *level[i:i + 8]) for i in range(0, len(level), 8)]
        if len(level) == 1:
            break
    futures = _engine.submit(session, level + _block_tasks(parts, features, label, weight, stage))
    merged, blocks = (futures[0], futures[1:]) if level else (None, futures)
    del futures
    from ...sql.graph_lock import GRAPH_LOCK
    with GRAPH_LOCK.released():
        states = merged.result() if merged is not None else [a.combine([]) for a in aggs]
    del merged  # released, not cancelled (see TrainingBlocks.release)
    results = [a.finish(s) for a, s in zip(aggs, states)]
    return results, TrainingBlocks(dataset, features, label, weight, stage, futures=blocks)
