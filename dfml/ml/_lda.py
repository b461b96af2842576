"""The numerics of LDA's online variational Bayes (Hoffman, Blei and Bach), as Spark's online
optimizer runs it, on blocks of term-count rows kept on the workers.

Each iteration samples a fraction ``subsamplingRate`` of each block's documents (seeded per
iteration and block), fits every sampled document's topic proportions with the current topics
(the E-step below), and returns the block's sufficient statistics (k x vocabulary), the sum
of the documents' expected log proportions, and how many non-empty documents it used; the
client merges them and takes one step of size ``(learningOffset + t) ** -learningDecay``
toward the minibatch's estimate, and (``optimizeDocConcentration``) one Newton step of the
document concentration.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import digamma, gammaln, polygamma

from .optim.blocks import Block

__all__ = ["doc_terms", "dirichlet_expectation", "infer_doc", "minibatch_stats", "update_alpha",
           "bound", "GAMMA_SHAPE"]

GAMMA_SHAPE = 100.0
_MAX_INNER = 1000  # E-step rounds per document (Spark has no cap; it converges long before)


def dirichlet_expectation(a: np.ndarray) -> np.ndarray:
    """E[log x] for x ~ Dirichlet(a), row by row."""
    if a.ndim == 1:
        return digamma(a) - digamma(a.sum())
    return digamma(a) - digamma(a.sum(axis=1))[:, None]


def infer_doc(ids: np.ndarray, cts: np.ndarray, exp_elog_beta: np.ndarray, alpha: np.ndarray,
              rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(gamma, expElogtheta, cts / phiNorm) of one document: its variational Dirichlet
    parameters, iterated from a random start until their mean change is below 1e-3."""
    k = exp_elog_beta.shape[0]
    gamma = rng.gamma(GAMMA_SHAPE, 1.0 / GAMMA_SHAPE, size=k)
    theta = np.exp(dirichlet_expectation(gamma))
    beta_d = exp_elog_beta[:, ids]  # k x n_d
    phi_norm = theta @ beta_d + 1e-100
    for _ in range(_MAX_INNER):
        last = gamma
        gamma = theta * (beta_d @ (cts / phi_norm)) + alpha
        theta = np.exp(dirichlet_expectation(gamma))
        phi_norm = theta @ beta_d + 1e-100
        if np.abs(gamma - last).sum() / k < 1e-3:
            break
    return gamma, theta, cts / phi_norm


def doc_terms(X: Any, i: int) -> tuple[np.ndarray, np.ndarray]:
    if hasattr(X, "indptr"):
        lo, hi = X.indptr[i], X.indptr[i + 1]
        ids, cts = X.indices[lo:hi], X.data[lo:hi]
    else:
        ids = np.flatnonzero(X[i])
        cts = X[i][ids]
    keep = cts != 0
    return ids[keep].astype(np.int64), cts[keep].astype(np.float64)


def minibatch_stats(block: Block, exp_elog_beta: np.ndarray, alpha: np.ndarray, fraction: float,
                    seed: int) -> tuple | None:
    """A block's share of one iteration: (sstats k x V, sum of E[log theta], docs used)."""
    if block.n == 0:
        return None
    rng = np.random.default_rng(seed & 0xFFFFFFFFFFFFFFFF)
    picked = np.flatnonzero(rng.random(block.n) < fraction)
    k, V = exp_elog_beta.shape
    sstats, logphat, used = np.zeros((k, V)), np.zeros(k), 0
    for i in picked:
        ids, cts = doc_terms(block.X, int(i))
        if not len(ids):
            continue
        gamma, theta, ratio = infer_doc(ids, cts, exp_elog_beta, alpha, rng)
        sstats[:, ids] += np.outer(theta, ratio)
        logphat += dirichlet_expectation(gamma)
        used += 1
    return sstats, logphat, used


def update_alpha(alpha: np.ndarray, logphat: np.ndarray, n: int, rho: float) -> np.ndarray:
    """One damped Newton step of the document concentration (kept if it stays positive)."""
    gradf = n * (-digamma(alpha) + digamma(alpha.sum()) + logphat)
    c = n * float(polygamma(1, alpha.sum()))
    q = -n * polygamma(1, alpha)
    b = (gradf / q).sum() / (1.0 / c + (1.0 / q).sum())
    step = -(gradf - b) / q
    return alpha + rho * step if np.all(rho * step + alpha > 0) else alpha


def doc_bounds(block: Block, lam: np.ndarray, alpha: np.ndarray, seed: int) -> tuple | None:
    """A block's part of the variational bound: (sum over documents, tokens)."""
    if block.n == 0:
        return None
    rng = np.random.default_rng(seed & 0xFFFFFFFFFFFFFFFF)
    elog_beta = dirichlet_expectation(lam)
    exp_elog_beta = np.exp(elog_beta)
    total, tokens = 0.0, 0.0
    for i in range(block.n):
        ids, cts = doc_terms(block.X, i)
        tokens += cts.sum()
        if not len(ids):
            continue
        gamma, _, _ = infer_doc(ids, cts, exp_elog_beta, alpha, rng)
        elog_theta = dirichlet_expectation(gamma)
        m = elog_theta[:, None] + elog_beta[:, ids]
        mx = m.max(axis=0)
        total += float(cts @ (mx + np.log(np.exp(m - mx).sum(axis=0))))
        total += float(((alpha - gamma) * elog_theta).sum())
        total += float((gammaln(gamma) - gammaln(alpha)).sum())
        total += float(gammaln(alpha.sum()) - gammaln(gamma.sum()))
    return total, tokens


def topics_bound(lam: np.ndarray, eta: float) -> float:
    """The topics' part of the bound (the prior on the topic-term distributions)."""
    V = lam.shape[1]
    elog_beta = dirichlet_expectation(lam)
    return float(((eta - lam) * elog_beta).sum() + (gammaln(lam) - gammaln(eta)).sum()
                 + (gammaln(eta * V) - gammaln(lam.sum(axis=1))).sum())


def bound(parts: Any, lam: np.ndarray, eta: float) -> tuple[float, float]:
    """(log-likelihood bound, tokens) from merged ``doc_bounds`` parts."""
    docs, tokens = parts if parts is not None else (0.0, 0.0)
    return docs + topics_bound(lam, eta), tokens
