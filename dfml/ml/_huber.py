"""LinearRegression with Spark's huber loss: a robust fit that estimates its own scale.

Spark minimizes, over coefficients ``beta``, intercept ``b`` and scale ``sigma > 0``,
``1/W sum_i w_i * 1/2 (sigma + sigma H((y_i - x_i . beta - b) / sigma)) + regParam/2 |beta|^2``
with ``H`` quadratic within ``epsilon`` and linear beyond it (Owen's concomitant scale form), so
``model.scale`` is the fitted ``sigma``. To land on Spark's point after any ``maxIter``, dfml
optimizes in Spark's parameter space: coefficients of features divided by their sample
standard deviation and (with an intercept) centered on their scaled mean, the intercept moved
accordingly, ``sigma`` last; every parameter starts at 1.0; the optimizer is L-BFGS-B with
only ``sigma`` bounded below (by the smallest positive double). Unlike squared error, the label
is not scaled and the L2 weight is ``regParam`` itself. The loss per block runs on the workers
in the original units (``kernels.huber_loss``); only the parameter mapping is done here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .optim import TrainingBlocks, minimize_bounded
from .optim import kernels as K
from .optim.scaling import Moments

__all__ = ["fit_huber"]

_MAX = np.finfo(np.float64).max
_MIN_POSITIVE = 5e-324


def fit_huber(est: Any, blocks: TrainingBlocks, fx: Moments, fy: Moments) -> tuple:
    """``(beta, intercept, objective history, None, sigma)`` of a huber fit (Spark's
    constant-label shortcut first: ``(beta, intercept, history, None)`` without a scale)."""
    d = len(fx.mean)
    _, const = est._label_scale(fy, d, sample=True)
    if const is not None:
        return const
    std = fx.std(sample=True)
    active = std > 0
    inv_std = np.where(active, 1.0 / np.where(active, std, 1.0), 0.0)
    fit_intercept = est.getFitIntercept()
    # the aggregator centers scaled features only when there is an intercept to absorb it
    scaled_mean = inv_std * fx.mean if fit_intercept else np.zeros(d)
    _, l2 = est._penalties(std, active, 1.0)
    n_int = 1 if fit_intercept else 0
    l2 = np.concatenate([l2, np.zeros(n_int + 1)])
    epsilon = float(est.getOrDefault("epsilon"))
    W = fx.W

    def to_original(x: np.ndarray) -> tuple[np.ndarray, float]:
        c = x[:d]
        b0 = float(x[d]) - float(c @ scaled_mean) if fit_intercept else 0.0
        return c * inv_std, b0

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        beta, b0 = to_original(x)
        loss, g_beta, g_b0, g_sigma = blocks.map_sum(K.huber_loss, beta, b0, float(x[-1]),
                                                     epsilon)
        g_c = (np.asarray(g_beta).reshape(-1) * inv_std - g_b0 * scaled_mean) / W
        grad = np.concatenate([g_c, [g_b0 / W] if fit_intercept else [], [g_sigma / W]])
        return loss / W, grad

    x0 = np.ones(d + n_int + 1)
    if fit_intercept:  # Spark's start is 1.0 everywhere in the uncentered problem
        x0[d] += float(x0[:d] @ scaled_mean)
    lower = np.full(len(x0), -_MAX)
    lower[-1] = _MIN_POSITIVE
    upper = np.full(len(x0), _MAX)
    result = minimize_bounded(fun, x0, l2, lower, upper, est.getMaxIter(), est.getTol())
    beta, b0 = to_original(result.x)
    return beta, b0, result.objective_history, None, float(result.x[-1])
