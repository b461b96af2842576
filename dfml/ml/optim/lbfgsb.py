"""L-BFGS-B as Spark runs it (Breeze 2.1's algorithm), for fits with bounds on parameters.

Spark switches to L-BFGS-B when a LogisticRegression has bounds on its coefficients or
intercepts, and for LinearRegression's huber loss (whose scale parameter must stay positive).
As with ``quasi_newton``, the point is to reach Spark's point after any number of iterations:
the same compact limited-memory representation (``theta``, ``W``, ``M`` from the last 10
curvature pairs, a pair kept only when it passes the curvature test), the same generalized
Cauchy point along the projected gradient path, the same subspace minimization over the free
variables, a strong-Wolfe search capped where the first bound is hit, and the same stopping
tests (the projected gradient step below 1e-5, then Breeze's default tests).
Reference: Byrd, Lu, Nocedal and Zhu (1995), "A limited memory algorithm for bound
constrained optimization".
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .quasi_newton import (FVAL_MEMORY, QuasiNewtonResult, Remembered, SearchFailed,
                           run_iterations, stop_reason, strong_wolfe)

__all__ = ["lbfgsb"]

_PAIRS = 10               # Spark's history size
_EPS = 2.2e-16
_PROJECTED_EPS = 1e-5
_NO_BREAKPOINT = 1.7976931348623157e308   # a coordinate with zero gradient never hits a bound


def _div(a: float, b: float) -> float:
    """IEEE division (inf or NaN on a zero divisor), as the JVM divides."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return float(np.float64(a) / np.float64(b))


@dataclass
class _Memory:
    theta: float
    W: np.ndarray         # n x 2k: [Y, theta * S]
    M: np.ndarray         # 2k x 2k, the middle matrix
    Y: np.ndarray         # n x k, oldest first
    S: np.ndarray


def _fresh(n: int) -> _Memory:
    return _Memory(1.0, np.zeros((n, 2 * _PAIRS)), np.zeros((2 * _PAIRS, 2 * _PAIRS)),
                   np.zeros((n, 0)), np.zeros((n, 0)))


def _remember(mem: _Memory, s: np.ndarray, y: np.ndarray) -> _Memory:
    Y = np.column_stack([mem.Y, y])[:, -_PAIRS:]
    S = np.column_stack([mem.S, s])[:, -_PAIRS:]
    if not _EPS * np.linalg.norm(y) < abs(float(s @ y)):
        return mem  # the pair fails the curvature test: nothing is kept
    theta = float(y @ y) / float(y @ s)
    A = S.T @ Y
    L = np.tril(A, -1)
    D = -np.diag(np.diag(A))
    middle = np.block([[D, L.T], [L, (S.T @ S) * theta]])
    return _Memory(theta, np.column_stack([Y, S * theta]), np.linalg.inv(middle), Y, S)


@dataclass
class _State:
    x: np.ndarray
    value: float
    grad: np.ndarray
    iter: int
    mem: _Memory
    recent: list = field(default_factory=lambda: [math.inf])
    failed: bool = False


class _Bounds:
    def __init__(self, lower: np.ndarray, upper: np.ndarray):
        self.lo, self.hi = lower, upper

    def clip(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(np.minimum(x, self.hi), self.lo)

    def cauchy_point(self, mem: _Memory, x: np.ndarray, g: np.ndarray) -> tuple:
        """First local minimizer of the quadratic model along the projected gradient path."""
        n = len(x)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            t = np.where(g < 0, (x - self.hi) / g, (x - self.lo) / g)
        t = np.where(g == 0, _NO_BREAKPOINT, t)
        d = np.where((g != 0) & (t != 0), -g, 0.0)
        xc = x.copy()
        W, M, theta = mem.W, mem.M, mem.theta
        p = W.T @ d
        c = np.zeros(M.shape[0])
        f1 = float(g @ d)
        f2 = -theta * f1 - float(p @ (M @ p))
        dt_min = -_div(f1, f2)
        old_t = 0.0
        order = np.argsort(t, kind="stable")
        nonzero = np.flatnonzero(t[order] != 0)
        if not len(nonzero):
            raise SearchFailed("every coordinate is at a bound")
        i = int(nonzero[0])
        b = order[i]
        min_t = t[b]
        delta_t = min_t - old_t
        while delta_t <= dt_min and i < n:
            xc[b] = self.hi[b] if d[b] > 0 else self.lo[b]
            zb = xc[b] - x[b]
            c = c + p * delta_t
            wb = W[b, :]
            gb = g[b]
            f1 += delta_t * f2 + gb * gb + theta * gb * zb - gb * float(wb @ (M @ c))
            f2 += -theta * gb * gb - 2.0 * (gb * float(wb @ (M @ p))) - gb * gb * float(wb @ (M @ wb))
            p = p + wb * gb
            d[b] = 0.0
            dt_min = -_div(f1, f2)
            old_t = min_t
            i += 1
            if i < n:
                b = order[i]
                min_t = t[b]
                delta_t = min_t - old_t
        dt_min = max(dt_min, 0.0)
        old_t += dt_min
        rest = order[i:]
        xc[rest] = x[rest] + old_t * d[rest]
        c = c + p * dt_min
        return xc, c

    def subspace_min(self, mem: _Memory, xc: np.ndarray, x: np.ndarray, c: np.ndarray,
                     g: np.ndarray) -> np.ndarray:
        """Minimize the model over the variables the Cauchy point left off their bounds."""
        inv_theta = 1.0 / mem.theta
        free = np.flatnonzero((xc != self.hi) & (xc != self.lo))
        W, M = mem.W, mem.M
        WZ = W[free, :].T
        r = (g + (xc - x) * mem.theta - W @ (M @ c))[free]
        v = M @ (WZ @ r)
        N = np.eye(M.shape[0]) - M @ ((WZ @ WZ.T) * inv_theta)
        v = np.linalg.solve(N, v)
        du = -(r * inv_theta + (WZ.T @ v) * (inv_theta * inv_theta))
        alpha = 1.0
        for k, j in enumerate(free):
            if du[k] > 0:
                alpha = min(alpha, _div(self.hi[j] - xc[j], du[k]))
            elif du[k] < 0:
                alpha = min(alpha, _div(self.lo[j] - xc[j], du[k]))
        out = xc.copy()
        out[free] = out[free] + du * alpha
        return out

    def projected_step_small(self, x: np.ndarray, g: np.ndarray) -> bool:
        v = x - g
        step = np.where(v <= self.lo, self.lo - x, np.where(self.hi <= v, self.hi - x, v - x))
        return float(np.max(np.abs(step))) < _PROJECTED_EPS if len(step) else True


def lbfgsb(fun: Callable[[np.ndarray], tuple[float, np.ndarray]], x0: np.ndarray,
           lower: np.ndarray, upper: np.ndarray, max_iter: int, tol: float) -> QuasiNewtonResult:
    """Minimize ``fun`` within ``lower <= x <= upper`` from the feasible ``x0``."""
    bounds = _Bounds(np.asarray(lower, np.float64), np.asarray(upper, np.float64))
    x0 = np.asarray(x0, dtype=np.float64)
    if np.any(x0 < bounds.lo) or np.any(x0 > bounds.hi):
        raise ValueError("the start point is not within the bounds")

    def evaluate_new(x: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = fun(x)
        return float(value), np.asarray(grad, dtype=np.float64)

    evaluate = Remembered(evaluate_new)  # the line search's start and its accepted step

    v, g = evaluate(x0)
    initial = v

    def converged(s: _State) -> str:
        if bounds.projected_step_small(s.x, s.grad):
            return "projected step converged"
        return stop_reason(s.iter, s.value, s.grad, s.recent, s.failed, initial, max_iter, tol)

    state, history, reason = run_iterations(
        _State(x0, v, g, 0, _fresh(len(x0))), lambda s: _iterate(s, evaluate, bounds),
        lambda s: dataclasses.replace(s, mem=_fresh(len(s.x))), converged, lambda s: s.value)
    return QuasiNewtonResult(state.x, history, state.iter, reason)


def _iterate(state: _State, evaluate: Callable, bounds: _Bounds) -> _State:
    xc, c = bounds.cauchy_point(state.mem, state.x, state.grad)
    xc = bounds.clip(xc)
    if state.iter == 0:
        direction = xc - state.x
    else:
        direction = bounds.clip(bounds.subspace_min(state.mem, xc, state.x, c, state.grad)) - state.x

    def phi(alpha: float) -> tuple[float, float]:
        value, grad = evaluate(bounds.clip(state.x + direction * alpha))
        return value, float(grad @ direction)

    moving = direction != 0
    limits = np.where(direction[moving] < 0, bounds.lo[moving], bounds.hi[moving])
    with np.errstate(over="ignore"):  # an unbounded coordinate's cap overflows to inf, as on the JVM
        cap = float(np.min((limits - state.x[moving]) / direction[moving])) \
            if moving.any() else math.inf
    step = strong_wolfe(phi, min(1.0, cap), max_zoom=64, max_iter=64, bound=cap)
    x = bounds.clip(state.x + direction * step)
    value, grad = evaluate(x)
    mem = _remember(state.mem, x - state.x, grad - state.grad)
    recent = (state.recent + [value])[-FVAL_MEMORY:]
    return _State(x, value, grad, state.iter + 1, mem, recent)
