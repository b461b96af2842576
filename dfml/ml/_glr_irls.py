"""How GeneralizedLinearRegression trains: iteratively reweighted least squares on worker blocks.

The input is read once into blocks (features, label, weight, offset) kept on the workers. Each
IRLS iteration sends the current coefficients to every block, which computes its working
response and working weights and returns the weighted Gram matrix of ``[x, z, 1]``; the client
sums the small matrices and solves a ridge system. So an iteration is one aggregation pass and
no row leaves its worker.

The least-squares step is Spark's weighted least squares: the first solve (from the family's
starting means) standardizes features and the working label before applying the L2 penalty,
later solves do not, which in original units is a ridge penalty of ``regParam * var_j / sd_z``
per feature for the first and plain ``regParam`` for the rest. Constant features get a zero
coefficient; a constant working label short-cuts to ``(0, mean)`` as in Spark.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..sql import _engine
from ..sql.errors import IllegalArgumentException, SparkException
from ._glr_family import Family, Link
from .optim.blocks import TrainingBlocks, make_block

__all__ = ["OffsetBlock", "build_blocks", "irls", "wls", "summary_sums"]


@dataclass
class OffsetBlock:
    """One partition's training rows with their offsets (zeros without an offset column)."""

    X: Any
    y: np.ndarray
    w: np.ndarray
    o: np.ndarray

    @property
    def n(self) -> int:
        return len(self.y)


def _make_offset_block(part: pd.DataFrame, features: str, label: str, weight: str | None,
                       offset: str | None, stage: str) -> OffsetBlock:
    b = make_block(part, features, label, weight, stage)
    o = np.zeros(b.n)
    if offset:
        o = pd.to_numeric(part[offset]).to_numpy(dtype=np.float64, na_value=np.nan)
        if not np.isfinite(o).all():
            raise SparkException(f"{stage}: offset column `{offset}` holds null, NaN or infinite "
                                 f"values")
    return OffsetBlock(b.X, b.y, b.weights(), o)


def build_blocks(dataset: Any, features: str, label: str, weight: str | None,
                 offset: str | None, stage: str) -> TrainingBlocks:
    """The fit's single read of its input: one OffsetBlock per partition, on the workers."""
    from dask import delayed
    session = _engine.session_of(dataset)
    cols = [features, label] + [c for c in (weight, offset) if c]
    parts = _engine.partitions(dataset, list(dict.fromkeys(cols)))
    build = delayed(_make_offset_block, pure=True)
    futures = _engine.submit(session, [build(p, features, label, weight, offset, stage)
                                       for p in parts])
    return TrainingBlocks(dataset, features, label, weight, stage, futures=futures)


# ------------------------------------------------------------------ per-block kernels

def _gram(X: Any, z: np.ndarray, w: np.ndarray) -> np.ndarray:
    n = len(z)
    if sp.issparse(X):
        Z = sp.hstack([X, sp.csr_matrix(z.reshape(-1, 1)), sp.csr_matrix(np.ones((n, 1)))],
                      format="csr")
        return np.asarray((Z.T @ Z.multiply(w.reshape(-1, 1))).toarray())
    Z = np.hstack([X, z.reshape(-1, 1), np.ones((n, 1))])
    return Z.T @ (Z * w.reshape(-1, 1))


def _features(b: OffsetBlock, use_features: bool) -> Any:
    return b.X if use_features else np.zeros((b.n, 0))


def start_gram(b: OffsetBlock, family: Family, link: Link, use_features: bool) -> Any:
    """Gram of the first least-squares problem (label: the link of the family's starting
    mean minus the offset), plus the weighted label-minus-offset sum for the null model."""
    if b.n == 0:
        return None
    mu = family.initialize(b.y, b.w)
    z = link.link(mu) - b.o
    return _gram(_features(b, use_features), z, b.w), float(b.w @ (b.y - b.o))


def step_gram(b: OffsetBlock, family: Family, link: Link, beta: np.ndarray, b0: float,
              use_features: bool) -> Any:
    """Gram of one IRLS step: working response and weights at the current coefficients."""
    if b.n == 0:
        return None
    X = _features(b, use_features)
    eta = np.asarray(X @ beta).reshape(-1) + b0 + b.o
    mu = family.project(link.unlink(eta))
    d = link.deriv(mu)
    z = eta - b.o + (b.y - mu) * d
    w = b.w / (d * d * family.variance(mu))
    return (_gram(X, z, w),)


def gaussian_gram(b: OffsetBlock) -> Any:
    """Gram of the one least-squares problem of a gaussian identity model: label - offset."""
    if b.n == 0:
        return None
    return _gram(b.X, b.y - b.o, b.w), float(b.w @ (b.y - b.o))


def summary_sums(b: OffsetBlock, family: Family, link: Link, beta: np.ndarray, b0: float,
                 null_b0: float) -> Any:
    """Everything the training summary needs in one pass: rows, weight, deviance, null
    deviance, Pearson chi-square and the AIC's sums (gamma's AIC needs the dispersion, known
    only after the pass, so its pieces are summed separately)."""
    if b.n == 0:
        return None
    y, w = b.y, b.w
    eta = np.asarray(b.X @ beta).reshape(-1) + b0 + b.o
    mu = family.project(link.unlink(eta))
    dev = float(family.deviance(y, mu, w).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        null_dev = float(family.deviance(y, link.unlink(null_b0 + b.o), w).sum())
        pearson = float(((y - mu) ** 2 * w / family.variance(mu)).sum())
        if family.name == "gaussian":
            aic = (float(np.log(w).sum()), 0.0, 0.0)
        elif family.name in ("binomial", "poisson"):
            aic = (family.aic_terms(y, mu, w, 1.0), 0.0, 0.0)
        elif family.name == "gamma":
            aic = (float(w @ np.log(y)), float(w @ (y / mu)), float(w @ np.log(mu)))
        else:
            aic = (0.0, 0.0, 0.0)
    return (float(b.n), float(w.sum()), dev, null_dev, pearson) + aic


# ------------------------------------------------------------------ the solver

def wls(G: np.ndarray, d: int, fit_intercept: bool, reg: float,
        standardize: bool) -> tuple[np.ndarray, float, np.ndarray]:
    """Spark's weighted least squares from the Gram of ``[x, z, 1]``: ``(beta, intercept,
    diagInvAtWA)``; ``diagInvAtWA`` is ``[0.0]`` when Spark has none (constant label, or a
    singular system), which the summary reads as 'no standard errors'."""
    W = G[-1, -1]
    xs, zs = G[:d, -1], G[d, -1]
    xx, xz, zz = G[:d, :d], G[:d, d], G[d, d]
    mx, mz = xs / W, zs / W
    sx = np.sqrt(np.maximum(np.diag(xx) / W - mx * mx, 0.0))
    sz = float(np.sqrt(max(zz / W - mz * mz, 0.0)))
    if sz == 0.0:
        if fit_intercept or mz == 0.0:
            return np.zeros(d), (mz if fit_intercept else 0.0), np.array([0.0])
        if reg > 0.0 and standardize:
            raise IllegalArgumentException(
                "requirement failed: The standard deviation of the label is zero. Model cannot "
                "be regularized when labels are standardized.")
    b_std = sz if sz > 0.0 else abs(mz)
    active = sx > 0.0
    a = np.flatnonzero(active)
    lam = reg * sx ** 2 / b_std if standardize else np.full(d, reg)
    lam = np.where(active, lam, 0.0)
    if fit_intercept:
        A = xx[np.ix_(a, a)] / W - np.outer(mx[a], mx[a])
        rhs = xz[a] / W - mx[a] * mz
    else:
        A = xx[np.ix_(a, a)] / W
        rhs = xz[a] / W
    A = A + np.diag(lam[a])
    beta = np.zeros(d)
    try:
        beta[a] = np.linalg.solve(A, rhs)
    except np.linalg.LinAlgError:
        beta[a] = np.linalg.lstsq(A, rhs, rcond=None)[0]
    b0 = float(mz - beta @ mx) if fit_intercept else 0.0
    # the diagonal of (A^T W A + penalty)^-1 over [x, 1], in original units
    k = d + (1 if fit_intercept else 0)
    H = np.empty((d + 1, d + 1))
    H[:d, :d], H[:d, d], H[d, :d], H[d, d] = xx + np.diag(W * lam), xs, xs, W
    idx = np.arange(k)
    if not active.all():
        return beta, b0, np.array([0.0])
    try:
        diag = np.diag(np.linalg.inv(H[np.ix_(idx, idx)]))
    except np.linalg.LinAlgError:
        diag = np.array([0.0])
    return beta, b0, diag


def irls(blocks: TrainingBlocks, family: Family, link: Link, d: int, fit_intercept: bool,
         reg: float, max_iter: int, tol: float, use_features: bool = True) -> dict:
    """Spark's IRLS: a standardized start from the family's initial means, then up to
    ``max_iter`` reweighted solves until no coefficient (nor the intercept) moves by ``tol``.
    Returns the coefficients, intercept, diagInvAtWA, iterations and the weighted sums of
    label - offset and weight (for the null model)."""
    d = d if use_features else 0
    G, wy = blocks.map_sum(start_gram, family, link, use_features)
    W0 = float(G[-1, -1])
    beta, b0, diag = wls(G, d, fit_intercept, reg, standardize=True)
    it, converged = 0, False
    while it < max_iter and not converged:
        (G,) = blocks.map_sum(step_gram, family, link, beta, b0, use_features)
        nb, nb0, diag = wls(G, d, fit_intercept, reg, standardize=False)
        moved = max(float(np.abs(nb - beta).max(initial=0.0)), abs(nb0 - b0))
        converged = moved < tol
        beta, b0 = nb, nb0
        it += 1
    return {"beta": beta, "b0": b0, "diag": diag, "iterations": it,
            "wy": wy, "W": W0}
