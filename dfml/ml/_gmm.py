"""The numerics of GaussianMixture: Spark's random start, one EM step as per-block sufficient
statistics, and the mixture's posterior probabilities.

The training rows stay on the workers as the blocks KMeans builds (``_kmeans.point_blocks``).
Each EM iteration sends the current weights and Gaussians to every block; a block returns its
log-likelihood and, per component, the summed responsibilities, responsibility-weighted sums
of the rows and of their outer products; those are merged in a tree on the cluster, so the
client only receives k means and k covariances' worth of numbers per iteration.

Spark's rules kept here:

- a Gaussian's density uses the pseudo-inverse of its covariance (eigenvalues at or below
  ``eps * max(eigenvalue) * d`` are dropped, from the inverse and from the log-determinant);
- each component's share of a row is ``EPS + weight * pdf`` (``EPS`` = machine epsilon), and
  the log-likelihood sums ``log`` of the row's total times the row weight;
- the new mean is the responsibility-weighted mean, the new covariance the weighted second
  moment minus the mean's outer product, the new weight the component's share of the total;
- the start: ``5 k`` rows drawn with replacement, component ``i`` taking the ``i``-th five; its
  mean is their weighted mean, its covariance diagonal with their (biased) weighted variances,
  its weight their weight's share.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ..sql.errors import IllegalArgumentException, SparkException
from ._kmeans import block_sizes, tree_sum
from .optim.blocks import Block, TrainingBlocks

__all__ = ["EPS", "Gaussian", "posteriors", "init_mixture", "em_step", "SAMPLES_PER_COMPONENT"]

EPS = float(np.finfo(np.float64).eps)
SAMPLES_PER_COMPONENT = 5
_CHUNK_ROWS = 4096  # rows densified at once from a sparse block


class Gaussian:
    """One component's mean and covariance with the constants its log-density needs."""

    def __init__(self, mean: np.ndarray, cov: np.ndarray):
        self.mean = np.asarray(mean, dtype=np.float64)
        self.cov = np.asarray(cov, dtype=np.float64)
        d, U = np.linalg.eigh(self.cov)
        tol = EPS * float(np.max(d)) * len(d) if len(d) else 0.0
        keep = d > tol
        if not keep.any():
            raise IllegalArgumentException("Covariance matrix has no non-zero singular values")
        self._root = (np.where(keep, 1.0 / np.sqrt(np.where(keep, d, 1.0)), 0.0)[:, None] * U.T)
        self._const = -0.5 * (len(self.mean) * np.log(2.0 * np.pi) + float(np.log(d[keep]).sum()))

    def logpdf(self, X: np.ndarray) -> np.ndarray:
        v = (X - self.mean) @ self._root.T
        return self._const - 0.5 * np.einsum("ij,ij->i", v, v)


def _dense_chunks(X: Any):
    if not sp.issparse(X):
        yield np.asarray(X, dtype=np.float64)
        return
    for i in range(0, X.shape[0], _CHUNK_ROWS):
        yield X[i:i + _CHUNK_ROWS].toarray()


def _shares(X: np.ndarray, weights: np.ndarray, gaussians: list[Gaussian]) -> np.ndarray:
    """``EPS + weight_i * pdf_i(x)`` for every row and component."""
    P = np.empty((X.shape[0], len(gaussians)))
    for j, g in enumerate(gaussians):
        P[:, j] = EPS + weights[j] * np.exp(g.logpdf(X))
    return P


def posteriors(X: np.ndarray, weights: np.ndarray, gaussians: list[Gaussian]) -> np.ndarray:
    """Each row's probability of each component (rows sum to 1)."""
    P = _shares(X, weights, gaussians)
    return P / P.sum(axis=1, keepdims=True)


def _expectation(block: Block, weights: np.ndarray, gaussians: list[Gaussian]) -> tuple | None:
    """One block's sufficient statistics: (log-likelihood, responsibilities per component,
    weighted row sums k x d, weighted outer-product sums k x d x d)."""
    if block.n == 0:
        return None
    k, d = len(gaussians), len(gaussians[0].mean)
    if block.X.shape[1] != d:
        raise SparkException(f"GaussianMixture: the features hold vectors of sizes "
                             f"{block.X.shape[1]} and {d}")
    w_all = block.weights()
    ll, resp, sums, outer = 0.0, np.zeros(k), np.zeros((k, d)), np.zeros((k, d, d))
    start = 0
    for X in _dense_chunks(block.X):
        w = w_all[start:start + X.shape[0]]
        start += X.shape[0]
        P = _shares(X, weights, gaussians)
        total = P.sum(axis=1)
        ll += float(np.dot(np.log(total), w))
        R = P / total[:, None] * w[:, None]
        resp += R.sum(axis=0)
        sums += R.T @ X
        for j in range(k):
            outer[j] += (X * R[:, j:j + 1]).T @ X
    return ll, resp, sums, outer


def em_step(blocks: TrainingBlocks, weights: np.ndarray, means: np.ndarray,
            covs: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """(log-likelihood under the given mixture, new weights, means, covariances): one pass
    over the blocks."""
    gaussians = [Gaussian(m, c) for m, c in zip(means, covs)]
    ll, resp, sums, outer = tree_sum(blocks, _expectation, np.asarray(weights), gaussians)
    new_means = sums / resp[:, None]
    new_covs = outer / resp[:, None, None] - np.einsum("ki,kj->kij", new_means, new_means)
    return ll, resp / resp.sum(), new_means, new_covs


def _rows_and_weights(block: Block, idx: list) -> tuple[np.ndarray, np.ndarray]:
    ix = np.asarray(idx, dtype=np.int64)
    X = block.X[ix]
    return (X.toarray() if sp.issparse(X) else np.asarray(X)), block.weights()[ix]


def _sample(blocks: TrainingBlocks, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` rows (and their weights) drawn uniformly with replacement, in draw order."""
    sizes = block_sizes(blocks)
    total = int(sum(sizes))
    picks = np.random.default_rng(int(seed) & 0xFFFFFFFFFFFFFFFF).integers(total, size=count)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    owner = np.searchsorted(starts, picks, side="right") - 1
    client = blocks._client
    futs, where = [], []
    for b in np.unique(owner):
        at = np.flatnonzero(owner == b)
        futs.append(client.submit(_rows_and_weights, blocks.futures[int(b)],
                                  (picks[at] - starts[b]).tolist(), pure=False))
        where.append(at)
    got = client.gather(futs)
    d = got[0][0].shape[1]
    X, w = np.empty((count, d)), np.empty(count)
    for at, (rows, ws) in zip(where, got):
        X[at], w[at] = rows, ws
    return X, w


def init_mixture(blocks: TrainingBlocks, k: int, seed: int) -> tuple[np.ndarray, np.ndarray,
                                                                      np.ndarray]:
    """Spark's random start (see the module docstring): (weights, means, covariances)."""
    X, w = _sample(blocks, k * SAMPLES_PER_COMPONENT, seed)
    d = X.shape[1]
    weights, means, covs = np.empty(k), np.empty((k, d)), np.zeros((k, d, d))
    for i in range(k):
        sl = slice(i * SAMPLES_PER_COMPONENT, (i + 1) * SAMPLES_PER_COMPONENT)
        xs, ws = X[sl], w[sl]
        local = ws.sum()
        weights[i] = local / w.sum()
        means[i] = ws @ xs / local
        covs[i][np.diag_indices(d)] = ws @ ((xs - means[i]) ** 2) / local
    return weights, means, covs
