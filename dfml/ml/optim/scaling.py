"""Moments of the training blocks and the scaled parameter space the linear fits optimize in.

Spark fits its linear models on standardized features (each divided by its standard deviation,
not centered: centering would densify sparse data) and applies the penalty to the coefficients
of those scaled features. dfml optimizes over the same scaled coefficients ``gamma``, so the
penalty and hence the optimum are Spark's, but it evaluates losses in original units (the
kernels never scale a block): ``ScaledSpace`` maps ``gamma`` to original-space coefficients
before each call and maps gradients back. With an intercept it also centers, through the
intercept alone, which leaves the optimum unchanged and makes the problem far better
conditioned for L-BFGS."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..stats import chan_merge, fold_partials

__all__ = ["Moments", "combine_moments", "ScaledSpace"]


@dataclass
class Moments:
    """Weighted moments per column: weight sum, squared-weight sum, rows, mean, M2."""

    W: float
    W2: float
    n: int
    mean: np.ndarray
    m2: np.ndarray

    def variance(self, sample: bool = True) -> np.ndarray:
        """Sample variance with Spark's weighted correction (M2 / (W - sum w^2 / W)), or the
        population variance (M2 / W)."""
        denom = (self.W - self.W2 / self.W) if sample else self.W
        if denom <= 0:
            return np.zeros_like(self.m2)
        return np.maximum(self.m2 / denom, 0.0)

    def std(self, sample: bool = True) -> np.ndarray:
        return np.sqrt(self.variance(sample))


def _merge(a: Moments, b: Moments) -> Moments:
    W, mean, m2 = chan_merge(a.W, a.mean, a.m2, b.W, b.mean, b.m2)
    return Moments(W, a.W2 + b.W2, a.n + b.n, mean, m2)


def combine_moments(parts: list) -> Moments | None:
    """Pairwise (Chan) combination of per-block moments, accurate whatever the means."""
    return fold_partials([Moments(W, W2, n, np.asarray(mean, float), np.asarray(m2, float))
                          for W, W2, n, mean, m2 in parts], _merge)


class ScaledSpace:
    """Maps scaled parameters (``gamma``: k x d, ``c``: k) to original units and back.

    Original coefficients are ``beta_j = label_scale * gamma_j / std_j`` (0 for a constant
    feature) and intercepts ``label_offset + label_scale * c - beta . center``, where ``center``
    is the feature mean when the model has an intercept (else 0)."""

    def __init__(self, std: np.ndarray, mean: np.ndarray, fit_intercept: bool,
                 label_scale: float = 1.0, label_offset: float = 0.0, center: bool = True):
        std = np.asarray(std, float)
        self.active = std > 0
        self.s = np.where(self.active, label_scale / np.where(self.active, std, 1.0), 0.0)
        # centering through the intercept (Spark's "fitWithMean"); off when intercepts are bounded
        self.center = np.asarray(mean, float) if fit_intercept and center else np.zeros_like(std)
        self.fit_intercept = fit_intercept
        self.label_scale = label_scale
        self.label_offset = label_offset if fit_intercept else 0.0

    def to_original(self, gamma: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        beta = gamma * self.s
        b0 = self.label_offset + self.label_scale * c - beta @ self.center \
            if self.fit_intercept else np.zeros(gamma.shape[0])
        return beta, b0

    def grad_to_scaled(self, g_beta: np.ndarray, g_b0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g_gamma = self.s * (g_beta - np.outer(g_b0, self.center))
        return g_gamma, self.label_scale * g_b0
