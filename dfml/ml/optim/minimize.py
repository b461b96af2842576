"""Minimize a smooth loss plus an elastic-net penalty, as Spark's linear models do.

The objective is ``f(x) + 1/2 sum_j l2_j x_j^2 + sum_j l1_j |x_j|``. The L2 part joins the
smooth loss; the minimizer is Spark's: L-BFGS without an L1 term, OWL-QN with one
(``quasi_newton``), so that a fit stopped by ``maxIter`` lands where Spark's does, with
Spark's iteration count and objective history, and L1 zeros are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .lbfgsb import lbfgsb
from .quasi_newton import quasi_newton

__all__ = ["MinimizeResult", "minimize_penalized", "minimize_bounded"]


@dataclass
class MinimizeResult:
    x: np.ndarray
    objective_history: list[float] = field(default_factory=list)
    iterations: int = 0
    converged: bool = True
    message: str = ""


def minimize_penalized(fun: Callable[[np.ndarray], tuple[float, np.ndarray]], x0: np.ndarray,
                       l1: np.ndarray, l2: np.ndarray, max_iter: int, tol: float,
                       owlqn: bool | None = None) -> MinimizeResult:
    """Minimize ``fun`` (returning value and gradient) plus the penalty; see the module doc.
    ``max_iter`` and ``tol`` are Spark's ``maxIter`` and ``tol``."""
    l1 = np.asarray(l1, dtype=np.float64)
    l2 = np.asarray(l2, dtype=np.float64)

    def smooth(x: np.ndarray) -> tuple[float, np.ndarray]:
        f, g = fun(x)
        return float(f) + 0.5 * float(l2 @ (x * x)), np.asarray(g, dtype=np.float64) + l2 * x

    res = quasi_newton(smooth, np.asarray(x0, dtype=np.float64), l1, int(max_iter), float(tol),
                       owlqn)
    return MinimizeResult(res.x, res.objective_history, res.iterations,
                          res.reason != "max iterations reached", res.reason)


def minimize_bounded(fun: Callable[[np.ndarray], tuple[float, np.ndarray]], x0: np.ndarray,
                     l2: np.ndarray, lower: np.ndarray, upper: np.ndarray, max_iter: int,
                     tol: float) -> MinimizeResult:
    """Minimize ``fun`` plus the L2 penalty within bounds, with Spark's L-BFGS-B."""
    l2 = np.asarray(l2, dtype=np.float64)

    def smooth(x: np.ndarray) -> tuple[float, np.ndarray]:
        f, g = fun(x)
        return float(f) + 0.5 * float(l2 @ (x * x)), np.asarray(g, dtype=np.float64) + l2 * x

    res = lbfgsb(smooth, np.asarray(x0, dtype=np.float64), lower, upper, int(max_iter),
                 float(tol))
    return MinimizeResult(res.x, res.objective_history, res.iterations,
                          res.reason != "max iterations reached", res.reason)
