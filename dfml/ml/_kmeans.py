"""The numerics of KMeans: points held as blocks on the workers, Lloyd iterations and the
k-means|| / random initializations, all as per-block kernels.

Nothing but centers, costs and counts leaves the workers: each Lloyd iteration sends the
current centers to every block, each block returns its per-cluster weighted sums, weight
totals and cost, and those partials are merged in a tree of tasks on the cluster (eight a node)
so the client receives one merged partial. The rules follow Spark's:

- a point goes to its closest center, the lowest index on a tie;
- euclidean: the cost is the squared distance and a new center is the weighted mean;
  cosine: points are scaled to unit length once, the cost is ``1 - cos`` and a new center is
  the weighted mean of the unit points scaled to unit length;
- a cluster that gets no points keeps its center;
- iterations stop after ``maxIter`` or once no center moved more than ``tol`` (euclidean
  distance, or cosine distance for cosine);
- the reported cost is the one of the last iteration's assignment (to the centers it started
  from), which is what Spark reports as ``trainingCost``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp

from ..sql import _engine
from ..sql.errors import SparkException
from .linalg import as_struct_array, to_matrix
from .optim.blocks import Block, TrainingBlocks

__all__ = ["point_blocks", "features_matrix", "unit_rows", "row_weights", "closest", "lloyd",
           "init_random", "init_parallel", "cluster_counts", "block_sizes"]

_FANIN = 8  # partials merged per task of the tree reduction
_CHUNK_CELLS = 1 << 22  # rows x centers x features computed at once by the dense distance


# ----------------------------------------------------------------------------- input

def features_matrix(values: Any, col: str, stage: str) -> Any:
    """A partition's feature column (vectors, or arrays of numbers as Spark also accepts) as
    a dense or CSR matrix; a null row is an error naming the stage and the column."""
    arr = _engine.arrow_array(values) if not isinstance(values, pa.Array) else values
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
        if arr.null_count:
            raise SparkException(f"{stage}: column `{col}` holds a null array")
        lengths = set(np.asarray(arr.value_lengths().to_numpy(zero_copy_only=False)).tolist())
        if len(lengths) > 1:
            raise SparkException(f"{stage}: column `{col}` holds arrays of different lengths "
                                 f"{sorted(lengths)}")
        flat = np.asarray(arr.flatten().to_numpy(zero_copy_only=False), dtype=np.float64)
        return flat.reshape(len(arr), lengths.pop() if lengths else 0)
    arr = as_struct_array(arr)
    if arr.null_count:
        raise SparkException(f"{stage}: column `{col}` holds a null vector (Vectors MUST NOT be "
                             f"Null); drop or impute those rows first")
    return to_matrix(arr)


def unit_rows(X: Any, col: str, stage: str) -> Any:
    """Rows scaled to length 1 (cosine works on directions); a zero row is an error."""
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).reshape(-1)) if sp.issparse(X) \
        else np.linalg.norm(X, axis=1)
    if (norms == 0).any():
        raise SparkException(f"{stage}: column `{col}` holds a zero-length vector, and cosine "
                             f"distance is not defined for zero-length vectors")
    return sp.csr_matrix(X.multiply(1.0 / norms.reshape(-1, 1))) if sp.issparse(X) \
        else X / norms.reshape(-1, 1)


def row_weights(values: Any) -> np.ndarray:
    """A weight column as float64, with Spark's checks (no null, NaN, negative or infinite
    weight)."""
    arr = _engine.arrow_array(values)
    w = np.asarray(arr.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    if arr.null_count or np.isnan(w).any():
        raise SparkException("Weights MUST NOT be Null or NaN")
    bad = (w < 0) | np.isposinf(w)
    if bad.any():
        raise SparkException(f"Weights MUST NOT be Negative or Infinity, but got "
                             f"{float(w[bad][0])!r}")
    return w


def require_finite(X: Any, col: str, stage: str) -> None:
    """Spark refuses NaN and infinite feature values; the first such row is named, printed
    as the JVM prints a vector."""
    from ..sql.formatting import format_double
    values = X.data if sp.issparse(X) else X
    if np.isfinite(values).all():
        return
    if sp.issparse(X):
        first = int(np.flatnonzero(~np.isfinite(X.data))[0])
        i = int(np.searchsorted(X.indptr, first, side="right") - 1)
        row = X.getrow(i)
        shown = (f"({X.shape[1]},[{','.join(str(j) for j in row.indices)}],"
                 f"[{','.join(format_double(float(v)) for v in row.data)}])")
    else:
        i = int(np.flatnonzero(~np.isfinite(X).all(axis=1))[0])
        shown = f"[{','.join(format_double(float(v)) for v in X[i])}]"
    raise SparkException(f"{stage}: column `{col}`: Vector values MUST NOT be NaN or Infinity, "
                         f"but got {shown}")


def make_points(part: pd.DataFrame, features: str, weight: str | None, cosine: bool,
                stage: str) -> Block:
    """A partition as a Block of points (``y`` unused) with their weights, checked as Spark
    checks them."""
    X = features_matrix(part[features], features, stage)
    require_finite(X, features, stage)
    if cosine and X.shape[0]:
        X = unit_rows(X, features, stage)
    w = row_weights(part[weight]) if weight else None
    return Block(X, np.zeros(X.shape[0]), w)


def point_blocks(dataset: Any, features: str, weight: str | None, cosine: bool,
                 stage: str) -> TrainingBlocks:
    """The fit's only read of its input: one graph building a Block per partition, kept on
    the worker that built it."""
    from dask import delayed
    session = _engine.session_of(dataset)
    parts = _engine.partitions(dataset, [features] + ([weight] if weight else []))
    build = delayed(make_points, pure=True)
    futures = _engine.submit(session, [build(p, features, weight, cosine, stage) for p in parts])
    return TrainingBlocks(dataset, features, "", weight, stage, futures=futures)


# ----------------------------------------------------------------------------- kernels

def closest(X: Any, C: np.ndarray, cosine: bool) -> tuple[np.ndarray, np.ndarray]:
    """(index of the closest center, its cost) per row; the lowest index wins a tie. For
    cosine, rows and centers are unit length already."""
    n = X.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if cosine:
        D = 1.0 - np.asarray(X @ C.T)
    elif sp.issparse(X):
        sq = np.asarray(X.multiply(X).sum(axis=1)).reshape(-1, 1)
        D = np.maximum(sq - 2.0 * np.asarray(X @ C.T) + (C * C).sum(axis=1), 0.0)
    else:
        X = np.asarray(X, dtype=np.float64)
        step = _DENSE_ROWS
        if n <= step:
            return _closest_dense(X, C)
        pieces = [_closest_dense(X[i:i + step], C) for i in range(0, n, step)]
        return np.concatenate([p[0] for p in pieces]), np.concatenate([p[1] for p in pieces])
    idx = np.argmin(D, axis=1)
    return idx, D[np.arange(n), idx]


def _closest_dense(X: np.ndarray, C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``closest`` for dense rows under the squared euclidean distance, as exact as taking
    differences and about ten times faster. The norm expansion |x|^2 - 2 x.c + |c|^2 (one
    matrix product) ranks the centers; its rounding error is below ``_RANK_TOLERANCE`` times
    |x|^2 + |c|^2, so a row whose two best centers are further apart than that has its
    winner, and only rows with a near tie (and so the lowest-index rule to apply exactly) are
    ranked again by differences. The cost is the expansion's value where that is accurate to
    1e-8 relative and the exact squared difference where it is not: a point equal to its
    center costs 0, not a rounding residue."""
    sq = np.einsum("id,id->i", X, X)
    cn = np.einsum("kd,kd->k", C, C)
    # centers x rows: numpy reduces over the first axis of a C-ordered array several times
    # faster than over the last, short one. Built in place: the same values as
    # (|c|^2 - 2 C X^T) + |x|^2 (scaling by -2 is exact), without two fresh matrix-sized
    # temporaries, which cost more than the product itself (2.2 -> 0.6 ms per 16k rows, k=20)
    D = C @ X.T
    D *= -2.0
    D += cn[:, None]
    D += sq[None, :]
    best = D.min(axis=0)
    idx = np.zeros(len(X), dtype=np.int64)
    for j in range(C.shape[0] - 1, 0, -1):  # downwards: the lowest index of equals is kept
        idx[D[j] == best] = j
    idx[D[0] == best] = 0
    if C.shape[0] > 1:
        D[idx, np.arange(len(X))] = np.inf
        gap = D.min(axis=0) - best
        near = np.flatnonzero(gap <= _RANK_TOLERANCE * (sq + cn.max()))
        if len(near):
            idx[near] = np.argmin(_differences(X[near], C), axis=1)
    best = np.maximum(best, 0.0)
    # where the distance is tiny beside the norms the expansion has cancelled most of its
    # digits: those rows (a point at or next to its center) take the exact difference
    close = np.flatnonzero(best <= _EXACT_BELOW * (sq + cn[idx]))
    if len(close):
        diff = X[close] - C[idx[close]]
        best[close] = np.einsum("id,id->i", diff, diff)
    return idx, best


def _differences(X: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Squared euclidean distances of every row to every center by differences, in chunks."""
    step = max(1, _CHUNK_CELLS // max(1, C.shape[0] * C.shape[1]))
    D = np.empty((X.shape[0], C.shape[0]))
    for i in range(0, X.shape[0], step):
        diff = X[i:i + step, None, :] - C[None, :, :]
        D[i:i + step] = np.einsum("ikd,ikd->ik", diff, diff)
    return D


# rows ranked at once: the centers x rows matrices stay in cache (a block of a million rows
# made 160 MB temporaries and ran at a third of the speed)
_DENSE_ROWS = 16384
# far above the expansion's rounding error (a few float64 epsilons of |x|^2 + |c|^2)
_RANK_TOLERANCE = 1e-9
# a cost this small beside |x|^2 + |c|^2 is recomputed by differences: above it the
# expansion's relative error is below 1e-8
_EXACT_BELOW = 1e-7


def _partial(block: Block, C: np.ndarray, cosine: bool) -> tuple | None:
    """One block's share of a Lloyd step: weighted sums per cluster, weight per cluster and
    the weighted cost of the assignment."""
    if block.n == 0:
        return None
    if block.X.shape[1] != C.shape[1]:
        raise SparkException(f"KMeans: the features hold vectors of sizes {block.X.shape[1]} "
                             f"and {C.shape[1]}")
    idx, cost = closest(block.X, C, cosine)
    w = block.weights()
    k = C.shape[0]
    assign = sp.csr_matrix((w, (idx, np.arange(block.n))), shape=(k, block.n))
    sums = assign @ block.X
    sums = sums.toarray() if sp.issparse(sums) else np.asarray(sums)
    return sums, np.bincount(idx, weights=w, minlength=k), float(np.dot(w, cost))


def _counts(block: Block, C: np.ndarray, cosine: bool) -> tuple | None:
    """Rows per cluster (unweighted, as Spark's clusterSizes) of a block."""
    if block.n == 0:
        return None
    idx, _ = closest(block.X, C, cosine)
    return (np.bincount(idx, minlength=C.shape[0]).astype(np.int64),)


def _add(*parts: Any) -> Any:
    """Elementwise sum of tuples of arrays/numbers, skipping blocks that had no rows."""
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    total = list(parts[0])
    for p in parts[1:]:
        total = [a + b for a, b in zip(total, p)]
    return tuple(total)


def tree_sum(blocks: TrainingBlocks, kernel: Any, *args: Any) -> Any:
    """``kernel(block, *args)`` on every block where it lives, merged by a tree of ``_add``
    tasks on the cluster; only the root's result comes back to the client."""
    client = blocks._client
    n = len(blocks.futures)
    if n == 0:
        return None
    level = client.map(kernel, blocks.futures, *[[a] * n for a in args], pure=False)
    while len(level) > 1:
        level = [client.submit(_add, *level[i:i + _FANIN], pure=False)
                 for i in range(0, len(level), _FANIN)]
    return level[0].result()


# ----------------------------------------------------------------------------- Lloyd

def _centroid(total: np.ndarray, weight: float, cosine: bool) -> np.ndarray:
    c = total / weight
    if cosine:
        norm = np.linalg.norm(c)
        c = c / norm if norm > 0 else c
    return c


def _moved(old: np.ndarray, new: np.ndarray, cosine: bool) -> float:
    if cosine:
        denom = np.linalg.norm(old) * np.linalg.norm(new)
        return 1.0 - float(np.dot(old, new)) / denom if denom > 0 else 0.0
    return float(np.linalg.norm(old - new))


def lloyd(blocks: TrainingBlocks, C: np.ndarray, max_iter: int, tol: float,
          cosine: bool) -> tuple[np.ndarray, float, int]:
    """(centers, cost of the last assignment, iterations) of Lloyd's algorithm from ``C``."""
    C = np.array(C, dtype=np.float64)
    cost, it, converged = 0.0, 0, False
    while it < max_iter and not converged:
        sums, weights, cost = tree_sum(blocks, _partial, C, cosine)
        converged = True
        for j in range(C.shape[0]):
            if weights[j] > 0:
                new = _centroid(sums[j], weights[j], cosine)
                if converged and _moved(C[j], new, cosine) > tol:
                    converged = False
                C[j] = new
        it += 1
    return C, float(cost), it


def cluster_counts(blocks: TrainingBlocks, C: np.ndarray, cosine: bool) -> np.ndarray:
    res = tree_sum(blocks, _counts, C, cosine)
    return np.zeros(C.shape[0], dtype=np.int64) if res is None else res[0]


# ----------------------------------------------------------------------------- init

def _rows(block: Block, idx: list) -> np.ndarray:
    X = block.X[np.asarray(idx, dtype=np.int64)]
    return X.toarray() if sp.issparse(X) else np.asarray(X)


def block_sizes(blocks: TrainingBlocks) -> list[int]:
    client = blocks._client
    return client.gather(client.map(lambda b: b.n, blocks.futures, pure=False))


def _take(blocks: TrainingBlocks, sizes: list[int], picks: np.ndarray) -> np.ndarray:
    """The rows at global positions ``picks`` (in the blocks' order), fetched from their blocks."""
    client = blocks._client
    starts = np.concatenate([[0], np.cumsum(sizes)])
    futs = []
    for b in range(len(sizes)):
        local = [int(p - starts[b]) for p in picks if starts[b] <= p < starts[b + 1]]
        if local:
            futs.append(client.submit(_rows, blocks.futures[b], local, pure=False))
    return np.vstack(client.gather(futs))


def _distinct(rows: np.ndarray) -> np.ndarray:
    """Distinct rows in first-seen order (Spark drops repeated initial centers)."""
    _, first = np.unique(rows, axis=0, return_index=True)
    return rows[np.sort(first)]


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(int(seed) & 0xFFFFFFFFFFFFFFFF)


def init_random(blocks: TrainingBlocks, k: int, seed: int) -> np.ndarray:
    """``k`` rows picked uniformly without replacement, repeats dropped (fewer than ``k``
    centers when the input has fewer distinct rows, as in Spark)."""
    sizes = block_sizes(blocks)
    total = int(sum(sizes))
    picks = np.sort(_rng(seed).choice(total, size=min(k, total), replace=False))
    return _distinct(_take(blocks, sizes, picks))


def _min_cost(block: Block, prev: np.ndarray | None, C: np.ndarray, cosine: bool) -> np.ndarray:
    if block.n and block.X.shape[1] != C.shape[1]:
        raise SparkException(f"KMeans: the features hold vectors of sizes {block.X.shape[1]} "
                             f"and {C.shape[1]}")
    _, c = closest(block.X, C, cosine)
    return c if prev is None else np.minimum(prev, c)


def _weighted_cost(block: Block, costs: np.ndarray) -> tuple:
    return (float(np.dot(block.weights(), costs)),)


def _sample(block: Block, costs: np.ndarray, total: float, k: int, seed: int) -> np.ndarray:
    """Rows kept with probability ``2k * weight * cost / total`` (k-means|| oversampling)."""
    rng = _rng(seed)
    keep = rng.random(block.n) < 2.0 * k * block.weights() * costs / total
    return _rows(block, np.flatnonzero(keep).tolist())


def _candidate_weights(block: Block, C: np.ndarray, cosine: bool) -> tuple | None:
    if block.n == 0:
        return None
    idx, _ = closest(block.X, C, cosine)
    return (np.bincount(idx, weights=block.weights(), minlength=C.shape[0]),)


def init_parallel(blocks: TrainingBlocks, k: int, steps: int, seed: int,
                  cosine: bool) -> np.ndarray:
    """k-means||: a first row picked uniformly, then ``steps`` rounds each keeping about 2k
    rows with probability proportional to their cost; the candidates, weighted by the rows
    closest to each, are reduced to ``k`` centers by weighted k-means++ and a local Lloyd.
    Each block's costs stay on its worker between rounds."""
    client = blocks._client
    rng = _rng(seed)
    sizes = block_sizes(blocks)
    total = int(sum(sizes))
    centers = _take(blocks, sizes, np.array([rng.integers(total)]))
    new = centers
    costs = [None] * len(blocks.futures)
    for step in range(steps):
        costs = [client.submit(_min_cost, b, c, new, cosine, pure=False)
                 for b, c in zip(blocks.futures, costs)]
        sum_cost = sum(r[0] for r in client.gather(
            [client.submit(_weighted_cost, b, c, pure=False)
             for b, c in zip(blocks.futures, costs)]))
        if sum_cost <= 0:
            break
        chosen = client.gather([client.submit(_sample, b, c, sum_cost, k,
                                              (int(seed) ^ (step << 16) ^ (i << 32)),
                                              pure=False)
                                for i, (b, c) in enumerate(zip(blocks.futures, costs))])
        new = np.vstack([c for c in chosen if len(c)] or [np.zeros((0, centers.shape[1]))])
        if not len(new):
            break
        centers = np.vstack([centers, new])
    del costs
    candidates = _distinct(centers)
    if len(candidates) <= k:
        return candidates
    weights = tree_sum(blocks, _candidate_weights, candidates, cosine)[0]
    return local_kmeans(candidates, weights, k, rng, cosine)


def local_kmeans(points: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator,
                 cosine: bool, max_iter: int = 30, greedy: bool = True) -> np.ndarray:
    """Weighted k-means++ seeding then Lloyd on a small local set (the k-means|| candidates);
    a cluster left empty is reseeded with a random candidate.

    ``greedy`` seeding draws ``2 + ln k`` candidates per step and keeps the one that lowers the
    weighted cost most (scikit-learn's default). Plain k-means++, as Spark's local step runs it,
    often spends two centers on one well separated cluster of the oversampled candidates and
    misses another: on 20 separated blobs it found all 20 in about 9 of 20 seeds, greedy in 20
    of 20. Spark's own starting points cannot be reproduced anyway (its XORShift streams over
    its partitions), so the better seeding changes no parity; ``greedy=False`` keeps the plain
    draw where a caller needs it."""
    def pick(p: np.ndarray, n: int = 1) -> np.ndarray:
        total = p.sum()
        if total <= 0:
            return rng.integers(len(p), size=n)
        return np.minimum(np.searchsorted(np.cumsum(p), rng.random(n) * total, side="right"),
                          len(p) - 1)
    trials = 2 + int(np.log(k)) if greedy else 1
    C = [points[int(pick(weights)[0])]]
    cost = closest(points, np.array(C), cosine)[1]
    while len(C) < k:
        best = None
        for j in pick(weights * cost, trials):
            trial = np.minimum(cost, closest(points, points[int(j)][None, :], cosine)[1])
            score = float(weights @ trial)
            if best is None or score < best[0]:
                best = (score, int(j), trial)
        C.append(points[best[1]])
        cost = best[2]
    C = np.array(C)
    for _ in range(max_iter):
        idx, _ = closest(points, C, cosine)
        moved = False
        for j in range(k):
            mask = idx == j
            if weights[mask].sum() > 0:
                c = _centroid(weights[mask] @ points[mask], weights[mask].sum(), cosine)
            else:
                c = points[int(rng.integers(len(points)))]
            moved |= not np.array_equal(c, C[j])
            C[j] = c
        if not moved:
            break
    return C
