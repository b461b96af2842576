"""L-BFGS and OWL-QN as Spark runs them (Breeze 2.1's algorithms and Spark's settings).

Spark fits its linear models with Breeze's quasi-Newton minimizers: L-BFGS (history 10, a
strong-Wolfe line search by cubic interpolation) without an L1 penalty, OWL-QN (orthant-wise
steps, a backtracking line search) with one. A converged fit does not depend on the optimizer,
but programs often stop early (``maxIter=10``), and then the point reached, the number of
iterations and the recorded objective are the algorithm's. To give Spark's numbers there too,
this module follows the same iteration step by step: the same two-loop recursion and initial
scaling, the same line-search trial points and acceptance tests, the same convergence rules
(maximum iterations; objective unchanged relative to the first over the last 20 values;
gradient norm below ``tol`` times the objective; a second consecutive failed search), and the
same recovery from a failed search (history reset once). Every objective evaluation is one
``fun`` call, which in dfml is a sum over the training blocks on the workers.

The written code is dfml's own; the behaviour it reproduces is Breeze's, documented in
Nocedal & Wright (line search, L-BFGS) and Andrew & Gao 2007 (OWL-QN).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

__all__ = ["QuasiNewtonResult", "quasi_newton", "strong_wolfe", "SearchFailed", "stop_reason",
           "run_iterations", "Remembered"]

Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]

_HISTORY = 10            # Spark's history size for both minimizers
FVAL_MEMORY = 20        # objective values the function-value test looks back over


class Remembered:
    """``fun`` with its last few results kept, keyed by the exact bytes of ``x``.

    The iteration asks for the same point more than once: the line search starts from the
    current state (already evaluated) and the step it accepts is evaluated again to make the
    next state. Breeze avoids those repeats by caching (Spark wraps its cost functions in a
    ``CachedDiffFunction``); here each repeat would be a pass over every training block, about
    two of every three evaluations of an L-BFGS fit. ``fun`` is deterministic, so a remembered
    result is the one a new call would give and the iterates do not change."""

    def __init__(self, fun: Callable[[np.ndarray], Any], size: int = 3):
        self.fun = fun
        self.size = size
        self.calls = 0  # evaluations actually run (tests count them)
        self._kept: list[tuple[bytes, Any]] = []

    def __call__(self, x: np.ndarray) -> Any:
        key = np.ascontiguousarray(x, dtype=np.float64).tobytes()
        for k, result in self._kept:
            if k == key:
                return result
        result = self.fun(x)
        self.calls += 1
        self._kept = [(key, result)] + self._kept[:self.size - 1]
        return result


class SearchFailed(Exception):
    """A step that could not be taken (Breeze's FirstOrderException family)."""


@dataclass
class QuasiNewtonResult:
    x: np.ndarray
    objective_history: list[float] = field(default_factory=list)  # one value per state
    iterations: int = 0
    reason: str = ""


@dataclass
class _State:
    x: np.ndarray
    value: float            # smooth objective
    grad: np.ndarray
    adj_value: float        # plus the L1 term (OWL-QN); equal to value for L-BFGS
    adj_grad: np.ndarray    # pseudo-gradient (OWL-QN)
    iter: int
    steps: list = field(default_factory=list)        # s_k, newest first
    grad_deltas: list = field(default_factory=list)  # y_k, newest first
    recent: list = field(default_factory=lambda: [math.inf])  # last adjusted values
    failed: bool = False


def _two_loop(state: _State, grad: np.ndarray) -> np.ndarray:
    """Direction -H g from the stored pairs (the inverse-Hessian approximation)."""
    steps, deltas = state.steps, state.grad_deltas
    if steps:
        sy = float(steps[0] @ deltas[0])
        yy = float(deltas[0] @ deltas[0])
        if sy < 0 or math.isnan(sy):
            raise SearchFailed("curvature pair with s.y < 0")
        if sy == 0 or yy == 0:  # a piecewise-linear loss (hinge) can leave the gradient as is
            raise SearchFailed("curvature pair with s.y = 0")
        scale = sy / yy
    else:
        scale = 1.0
    d = np.array(grad, dtype=np.float64, copy=True)
    alphas, rhos = [], []
    for s, y in zip(steps, deltas):
        rho = float(s @ y)
        a = float(s @ d) / rho
        if math.isnan(a):
            raise SearchFailed("NaN in the quasi-Newton history")
        d -= a * y
        alphas.append(a)
        rhos.append(rho)
    d *= scale
    for i in range(len(steps) - 1, -1, -1):
        beta = float(deltas[i] @ d) / rhos[i]
        d += (alphas[i] - beta) * steps[i]
    return -d


# ---------------------------------------------------------------- line searches
def _cubic_step(lo: tuple, hi: tuple) -> float:
    """Minimizer of the cubic through two (t, f, f') brackets, kept 10% inside the interval."""
    (t1, f1, d1), (t2, f2, d2) = lo, hi
    a = d1 + d2 - 3.0 * (f1 - f2) / (t1 - t2)
    disc = a * a - d1 * d2
    b = math.sqrt(disc) if disc >= 0 else math.nan
    t = t2 - (t2 - t1) * (d2 + b - a) / (d2 - d1 + 2.0 * b)
    low, high = t1 + 0.1 * (t2 - t1), t1 + 0.9 * (t2 - t1)
    if t < low:
        return low
    if t > high:
        return high
    return t


def strong_wolfe(phi: Callable[[float], tuple[float, float]], init: float,
                 max_zoom: int = 10, max_iter: int = 10, bound: float = math.inf) -> float:
    """Step length satisfying the strong Wolfe conditions (c1 = 1e-4, c2 = 0.9), or ``bound``
    when the step reaches it with sufficient decrease."""
    c1, c2 = 1e-4, 0.9

    def at(t: float) -> tuple[float, float, float]:
        f, d = phi(t)
        return (t, f, d)

    low = at(0.0)
    f0, d0 = low[1], low[2]
    if d0 > 0:
        raise SearchFailed("line search along a non-descent direction")

    def zoom(lo: tuple, hi: tuple) -> float:
        for _ in range(max_zoom):
            t = _cubic_step(hi, lo) if lo[0] > hi[0] else _cubic_step(lo, hi)
            c = at(t)
            if c[1] > f0 + c1 * c[0] * d0 or c[1] >= lo[1]:
                hi = c
            else:
                if abs(c[2]) <= c2 * abs(d0):
                    return c[0]
                if c[2] * (hi[0] - lo[0]) >= 0:
                    hi = lo
                lo = c
        raise SearchFailed("line search zoom failed")

    t = init
    for i in range(max_iter):
        c = at(t)
        if math.isinf(c[1]) or math.isnan(c[1]):
            t /= 2.0
            continue
        if c[1] > f0 + c1 * t * d0 or (c[1] >= low[1] and i > 0):
            return zoom(low, c)
        if abs(c[2]) <= c2 * abs(d0):
            return c[0]
        if c[2] >= 0:
            return zoom(c, low)
        low = c
        if t == bound:
            return bound
        t = min(t * 1.5, bound)
    raise SearchFailed("line search failed")


def _backtracking(phi: Callable[[float], tuple[float, float]], init: float, start_value: float,
                  shrink: float, max_iter: int = 20) -> float:
    """OWL-QN's search: shrink on too little decrease or too steep an upward slope, grow (x2.1)
    on too steep a downward one. As Breeze's, the first test compares ``start_value`` (the
    smooth objective at the current point) with the Armijo bound."""
    c_armijo, c_wolfe, grow = 1e-4, 0.9, 2.1
    f0, d0 = phi(0.0)
    alpha, value, slope = init, start_value, phi(init)[1]
    taken = 0
    while True:
        chosen = alpha
        if value > f0 + alpha * d0 * c_armijo:
            factor = shrink
        elif slope < c_wolfe * d0:
            factor = grow
        elif slope > -c_wolfe * d0:
            factor = shrink
        else:
            return chosen
        new_alpha = alpha * factor
        if taken >= max_iter:
            raise SearchFailed("backtracking line search failed")
        if new_alpha < 1e-10:
            raise SearchFailed("step size underflow")
        if new_alpha > 1e10:
            raise SearchFailed("step size overflow")
        value, slope = phi(new_alpha)
        alpha, taken = new_alpha, taken + 1
        if taken >= max_iter:
            return chosen


# ---------------------------------------------------------------- OWL-QN pieces
def _pseudo(x: np.ndarray, grad: np.ndarray, value: float, l1: np.ndarray) -> tuple:
    """Objective plus the L1 term, and its pseudo-gradient (the minimum-norm subgradient)."""
    on = l1 != 0.0
    if not on.any():
        return value, grad
    adj = np.array(grad, dtype=np.float64, copy=True)
    total = value + float(np.abs(l1[on] * x[on]).sum())
    nz = on & (x != 0.0)
    adj[nz] = grad[nz] + np.sign(x[nz]) * l1[nz]
    zero = on & (x == 0.0)
    up, down = grad[zero] + l1[zero], grad[zero] - l1[zero]
    adj[zero] = np.where(down > 0, down, np.where(up < 0, up, 0.0))
    return total, adj


def _orthant_step(state: _State, direction: np.ndarray, step: float) -> np.ndarray:
    stepped = state.x + direction * step
    orthant = np.where(state.x != 0, np.sign(state.x), np.sign(-state.adj_grad))
    return np.where(np.sign(stepped) == np.sign(orthant), stepped, 0.0)


# ---------------------------------------------------------------- the minimizer
def quasi_newton(fun: Objective, x0: np.ndarray, l1: np.ndarray | None, max_iter: int,
                 tol: float, owlqn: bool | None = None) -> QuasiNewtonResult:
    """Minimize ``fun(x) + sum_i l1_i |x_i|`` from ``x0``: L-BFGS when ``l1`` is all zero,
    else OWL-QN. Returns the last point, the objective at every state (the start included,
    as Spark records it) and the number of iterations taken."""
    x0 = np.asarray(x0, dtype=np.float64)
    l1 = np.zeros_like(x0) if l1 is None else np.asarray(l1, dtype=np.float64)
    # OWL-QN can be asked for without an L1 term (Spark's LinearSVC always uses it)
    owlqn = bool((l1 != 0).any()) if owlqn is None else owlqn

    def evaluate_new(x: np.ndarray) -> tuple[float, np.ndarray, float, np.ndarray]:
        value, grad = fun(x)
        value, grad = float(value), np.asarray(grad, dtype=np.float64)
        adj_value, adj_grad = _pseudo(x, grad, value, l1) if owlqn else (value, grad)
        return value, grad, adj_value, adj_grad

    evaluate = Remembered(evaluate_new)

    v, g, av, ag = evaluate(x0)
    initial = av

    def converged(s: _State) -> str:
        return stop_reason(s.iter, s.adj_value, s.adj_grad, s.recent, s.failed, initial,
                           max_iter, tol)

    state, history, reason = run_iterations(
        _State(x0, v, g, av, ag, 0), lambda s: _iterate(s, evaluate, owlqn),
        lambda s: dataclasses.replace(s, steps=[], grad_deltas=[]), converged,
        lambda s: s.adj_value)
    return QuasiNewtonResult(state.x, history, state.iter, reason)


def run_iterations(state: Any, step: Callable, reset: Callable, converged: Callable[..., str],
                   value_of: Callable) -> tuple[Any, list[float], str]:
    """Breeze's outer loop, shared by the minimizers: take steps until a stop test holds;
    after a failed step start the history afresh once, after a second in a row stop. Every
    state, the start and a reset one included, adds its objective to the history, as Spark
    records it. Returns the last state, the history and why it stopped."""
    history = [value_of(state)]
    failed_once = False
    reason = converged(state)
    while not reason:
        try:
            state = step(state)
            failed_once = False
        except SearchFailed:
            if not failed_once:
                failed_once = True
                state = reset(state)
            else:
                state.failed = True
        history.append(value_of(state))
        reason = converged(state)
    return state, history, reason


def stop_reason(iteration: int, value: float, grad: np.ndarray, recent: list[float],
                failed: bool, initial: float, max_iter: int, tol: float) -> str:
    """Breeze's default convergence test, in its order ("" while not converged)."""
    if max_iter >= 0 and iteration >= max_iter:
        return "max iterations reached"
    if len(recent) >= 2 and abs(value - max(recent)) <= tol * abs(initial):
        return "function values converged"
    if np.linalg.norm(grad) <= max(tol * abs(value), 1e-8):
        return "gradient converged"
    if failed:
        return "line search failed"
    return ""


def _iterate(state: _State, evaluate: Callable, owlqn: bool) -> _State:
    """One step: direction, line search, move, and the updated history."""
    if owlqn:
        direction = _two_loop(state, state.adj_grad)
        direction = np.where(direction * state.adj_grad < 0, direction, 0.0)

        def phi(alpha: float) -> tuple[float, float]:
            _, _, adj_value, adj_grad = evaluate(_orthant_step(state, direction, alpha))
            return adj_value, float(adj_grad @ direction)

        first = state.iter < 1
        step = _backtracking(phi, 0.5 / np.linalg.norm(state.grad) if first else 1.0,
                             state.value, 0.1 if first else 0.5)
        x = _orthant_step(state, direction, step)
    else:
        direction = _two_loop(state, state.grad)

        def phi(alpha: float) -> tuple[float, float]:
            value, grad, _, _ = evaluate(state.x + direction * alpha)
            return value, float(grad @ direction)

        step = strong_wolfe(phi, 1.0 / np.linalg.norm(direction) if state.iter == 0 else 1.0)
        if step * np.linalg.norm(state.grad) < 1e-10:
            raise SearchFailed("step size underflow")
        x = state.x + direction * step
    value, grad, adj_value, adj_grad = evaluate(x)
    steps = ([x - state.x] + state.steps)[:_HISTORY]
    deltas = ([grad - state.grad] + state.grad_deltas)[:_HISTORY]
    recent = (state.recent + [adj_value])[-FVAL_MEMORY:]
    return _State(x, value, grad, adj_value, adj_grad, state.iter + 1, steps, deltas, recent)
