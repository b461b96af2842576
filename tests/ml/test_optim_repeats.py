"""The quasi-Newton minimizers evaluate each distinct point once.

Every evaluation of an objective is a pass over the training blocks on the workers, and the
iteration asks for the same point again (the line search starts from the current state; the
accepted step becomes the next state). These tests count the passes and check that remembering
results leaves every iterate as it was."""

import numpy as np
import pytest

from dfml.ml.optim import lbfgsb as lbfgsb_module
from dfml.ml.optim import quasi_newton as qn_module
from dfml.ml.optim.lbfgsb import lbfgsb
from dfml.ml.optim.quasi_newton import Remembered, quasi_newton


def _logistic_problem(seed: int = 3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(400, 6))
    y = (X @ rng.normal(size=6) + rng.normal(size=400) > 0).astype(float)
    calls = []

    def fun(w: np.ndarray):
        calls.append(w.copy())
        m = X @ w
        loss = np.logaddexp(0.0, m) - y * m
        p = 1.0 / (1.0 + np.exp(-m))
        return float(loss.mean()) + 0.05 * float(w @ w), X.T @ (p - y) / len(y) + 0.1 * w

    return fun, calls


class _Forgetful:
    """Remembered without the memory: every request runs ``fun`` (the old behaviour)."""

    def __init__(self, fun, size=3):
        self.fun = fun

    def __call__(self, x):
        return self.fun(x)


@pytest.mark.parametrize("l1", [None, 0.01], ids=["lbfgs", "owlqn"])
def test_each_distinct_point_is_evaluated_once_and_the_iterates_do_not_change(monkeypatch, l1):
    x0 = np.zeros(6)
    l1v = None if l1 is None else np.full(6, l1)
    fun, calls = _logistic_problem()
    kept = quasi_newton(fun, x0, l1v, 30, 1e-9)
    kept_calls = [c.tobytes() for c in calls]
    monkeypatch.setattr(qn_module, "Remembered", _Forgetful)
    fun2, calls2 = _logistic_problem()
    plain = quasi_newton(fun2, x0, l1v, 30, 1e-9)
    assert np.array_equal(kept.x, plain.x)
    assert kept.objective_history == plain.objective_history
    assert kept.iterations == plain.iterations > 3
    assert len(kept_calls) == len(set(kept_calls))  # no point twice
    assert set(kept_calls) == {c.tobytes() for c in calls2}  # the same points, once each
    assert len(calls2) > len(kept_calls)


def test_bounded_minimizer_evaluates_each_point_once(monkeypatch):
    fun, calls = _logistic_problem(5)
    lo, hi = np.full(6, -0.2), np.full(6, 0.2)
    kept = lbfgsb(fun, np.zeros(6), lo, hi, 30, 1e-9)
    keys = [c.tobytes() for c in calls]
    monkeypatch.setattr(lbfgsb_module, "Remembered", _Forgetful)
    fun2, calls2 = _logistic_problem(5)
    plain = lbfgsb(fun2, np.zeros(6), lo, hi, 30, 1e-9)
    assert np.array_equal(kept.x, plain.x) and kept.iterations == plain.iterations > 2
    assert len(keys) == len(set(keys)) and len(calls2) > len(keys)


def test_remembered_keeps_the_last_few_results_by_exact_value():
    seen = []
    f = Remembered(lambda x: seen.append(x.copy()) or float(x.sum()), size=2)
    a, b, c = np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-16 * 4]), np.array([3.0, 0.0])
    assert f(a) == 3.0 and f(a.copy()) == 3.0 and f.calls == 1
    f(b)
    assert f.calls == 2  # a different float64 value is a new point
    f(c)
    f(a)  # pushed out by b and c
    assert f.calls == 4 and len(seen) == 4
