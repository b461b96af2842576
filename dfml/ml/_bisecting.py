"""The numerics of BisectingKMeans: Spark's divisive algorithm over blocks kept on the workers.

Clusters are numbered as nodes of a binary tree (the root 1, the children of ``i`` are ``2i``
and ``2i + 1``). Each block keeps, on its worker, the node every row currently sits in. Level
by level (Spark's rules):

- a cluster can be split if it holds at least ``minDivisibleClusterSize`` rows' weight (a
  fraction of the total when below 1) and its cost exceeds ``eps * weight``; when more could be
  split than leaves are still needed, the heaviest are;
- a split starts from the parent's center moved by ``+-1e-4 * |center| * noise`` (noise drawn
  from ``java.util.Random(seed)``, so the same seed gives Spark's starting points), then runs
  ``maxIter`` rounds: each row of a split cluster goes to its closer child (the left one on a
  tie), and the children are summarized (weight, center, cost) from those rows;
- clusters not split at a level stay leaves for good; the finished tree's leaves, numbered
  left to right, are the model's clusters, and a row is predicted by walking down the tree to
  the closer child at each node.

For cosine distance the rows are unit length (``point_blocks`` scales them), so a center is
the normalized mean and a cost ``1 - cos``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .java_random import JavaRandom
from .optim.blocks import Block, TrainingBlocks

__all__ = ["Node", "bisect", "predict_leaves", "leaves"]

EPS = float(np.finfo(np.float64).eps)
_LEVEL_LIMIT = 63  # node numbers stay within an int64


class Node:
    """A tree node: its number, weight, center and cost; children once split."""

    def __init__(self, index: int, size: float, center: np.ndarray, cost: float):
        self.index, self.size, self.center, self.cost = index, size, center, cost
        self.children: list["Node"] = []
        self.leaf = -1  # leaf number, for leaves

    def to_row(self, height: float) -> dict:
        return {"index": self.index, "size": self.size, "center": self.center.tolist(),
                "cost": self.cost, "height": height,
                "children": [c.index for c in self.children]}


def _costs(X: Any, C: np.ndarray, cosine: bool) -> np.ndarray:
    """rows x centers: squared distance, or ``1 - cos`` (rows and centers unit length)."""
    dots = np.asarray(X @ C.T)
    if cosine:
        return 1.0 - dots
    sq = np.asarray(X.multiply(X).sum(axis=1)).reshape(-1) if hasattr(X, "multiply") \
        else np.einsum("ij,ij->i", X, X)
    return np.maximum(sq[:, None] - 2.0 * dots + (C * C).sum(axis=1)[None, :], 0.0)


def _start(block: Block) -> np.ndarray:
    return np.ones(block.n, dtype=np.int64)


def _reassign(block: Block, assign: np.ndarray, parents: np.ndarray,
              centers: dict, cosine: bool) -> np.ndarray:
    """Rows of a split cluster move to its closer existing child (left on a tie)."""
    out = assign.copy()
    for p in parents:
        rows = np.flatnonzero(assign == p)
        kids = [c for c in (2 * p, 2 * p + 1) if c in centers]
        if not len(rows) or not kids:
            continue
        cost = _costs(block.X[rows], np.vstack([centers[c] for c in kids]), cosine)
        out[rows] = np.asarray(kids, dtype=np.int64)[np.argmin(cost, axis=1)]
    return out


def _stats(block: Block, assign: np.ndarray, ids: np.ndarray) -> tuple | None:
    """Per cluster in ``ids``: (weight, weighted row sum, weighted squared norm sum)."""
    if block.n == 0:
        return None
    w = block.weights()
    pos = np.searchsorted(ids, assign)
    hit = (pos < len(ids)) & (ids[np.minimum(pos, len(ids) - 1)] == assign)
    pos, wh = pos[hit], w[hit]
    X = block.X[np.flatnonzero(hit)]
    sq = np.asarray(X.multiply(X).sum(axis=1)).reshape(-1) if hasattr(X, "multiply") \
        else np.einsum("ij,ij->i", X, X)
    import scipy.sparse as sp
    M = sp.csr_matrix((wh, (pos, np.arange(len(pos)))), shape=(len(ids), len(pos)))
    sums = M @ X
    sums = sums.toarray() if hasattr(sums, "toarray") else np.asarray(sums)
    return (np.bincount(pos, weights=wh, minlength=len(ids)), sums,
            np.bincount(pos, weights=wh * sq, minlength=len(ids)))


def _summaries(blocks: TrainingBlocks, assigns: list, ids: list[int], d: int,
               cosine: bool) -> dict[int, Node]:
    """Node per cluster in ``ids`` that holds any weight, from one tree-merged pass."""
    arr = np.asarray(sorted(ids), dtype=np.int64)
    client = blocks._client
    parts = client.map(_stats, blocks.futures, assigns, [arr] * len(assigns), pure=False)
    res = _merge(client, parts)
    out = {}
    if res is None:
        return out
    W, S, Q = res
    for i, idx in enumerate(arr.tolist()):
        if W[i] <= 0:
            continue
        center = S[i] / W[i]
        if cosine:
            norm = np.linalg.norm(center)
            center = center / norm if norm > 0 else center
            cost = max(W[i] - float(center @ S[i]), 0.0)
        else:
            norm = float(np.sqrt(center @ center))  # squared through the norm, as Spark
            cost = max(Q[i] - W[i] * norm * norm, 0.0)
        out[idx] = Node(idx, float(W[i]), center, cost)
    return out


def _add(*parts: Any) -> Any:
    """Elementwise sum of per-block tuples, skipping blocks with no rows."""
    parts = [p for p in parts if p is not None]
    return tuple(sum(xs) for xs in zip(*parts)) if parts else None


def _merge(client: Any, parts: list) -> Any:
    """Partials merged eight at a task on the cluster; the root's result."""
    while len(parts) > 1:
        parts = [client.submit(_add, *parts[i:i + 8], pure=False)
                 for i in range(0, len(parts), 8)]
    return parts[0].result() if parts else None


def _split(center: np.ndarray, rng: JavaRandom, cosine: bool) -> tuple[np.ndarray, np.ndarray]:
    level = 1e-4 * float(np.linalg.norm(center))
    noise = np.array([rng.nextDouble() for _ in range(len(center))])
    left, right = center - level * noise, center + level * noise
    if cosine:
        left, right = left / np.linalg.norm(left), right / np.linalg.norm(right)
    return left, right


def bisect(blocks: TrainingBlocks, k: int, max_iter: int, seed: int, min_size: float,
           cosine: bool, d: int) -> Node:
    """The cluster tree of Spark's divisive k-means (see the module docstring); its root."""
    client = blocks._client
    assigns = client.map(_start, blocks.futures, pure=False)
    active = _summaries(blocks, assigns, [1], d, cosine)
    root = active[1]
    smallest = np.ceil(min_size) if min_size >= 1.0 else np.ceil(min_size * root.size)
    rng = JavaRandom(seed)
    nodes, needed, level = dict(active), k - 1, 1
    while active and needed > 0 and level < _LEVEL_LIMIT:
        divisible = [n for _, n in sorted(active.items())
                     if n.size >= smallest and n.cost > EPS * n.size]
        if len(divisible) > needed:
            divisible = sorted(divisible, key=lambda n: -n.size)[:needed]
        if not divisible:
            break
        parents = np.asarray([n.index for n in divisible], dtype=np.int64)
        centers: dict[int, np.ndarray] = {}
        for n in divisible:
            centers[2 * n.index], centers[2 * n.index + 1] = _split(n.center, rng, cosine)
        children: dict[int, Node] = {}
        for _ in range(max(1, max_iter)):
            trial = client.map(_reassign, blocks.futures, assigns,
                               *[[a] * len(assigns) for a in (parents, centers, cosine)],
                               pure=False)
            children = _summaries(blocks, trial, list(centers), d, cosine)
            centers = {i: n.center for i, n in children.items()}
        assigns = client.map(_reassign, blocks.futures, assigns,
                             *[[a] * len(assigns) for a in (parents, centers, cosine)],
                             pure=False)
        for i, n in children.items():
            nodes[i // 2].children.append(n)
            nodes[i] = n
        active = children
        needed -= len(divisible)
        level += 1
    del assigns
    for n in nodes.values():
        if len(n.children) != 2:  # one child only (the other got no rows): not a split
            n.children = []
        n.children.sort(key=lambda c: c.index)
    for i, leaf in enumerate(leaves(root)):
        leaf.leaf = i
    return root


def leaves(root: Node) -> list[Node]:
    """The leaves, left to right."""
    if not root.children:
        return [root]
    return [leaf for c in root.children for leaf in leaves(c)]


def predict_leaves(X: Any, root: Node, cosine: bool) -> tuple[np.ndarray, np.ndarray]:
    """(leaf number, cost to that leaf's center) per row, walking down to the closer child."""
    n = X.shape[0]
    out, cost = np.zeros(n, dtype=np.int64), np.zeros(n)

    def walk(node: Node, rows: np.ndarray) -> None:
        if not len(rows):
            return
        if not node.children:
            out[rows] = node.leaf
            cost[rows] = _costs(X[rows], node.center[None, :], cosine)[:, 0]
            return
        c = _costs(X[rows], np.vstack([ch.center for ch in node.children]), cosine)
        pick = np.argmin(c, axis=1)
        for j, ch in enumerate(node.children):
            walk(ch, rows[pick == j])
    walk(root, np.arange(n))
    return out, cost
