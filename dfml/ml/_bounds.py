"""Bounds on LogisticRegression's coefficients and intercepts (Spark's bound-constrained fit).

Setting any of the four bound params switches Spark's fit to L-BFGS-B: bounds are given in
original units and applied to the coefficients of the standardized features (so each
coefficient bound is multiplied by its feature's standard deviation), the start point is
clipped into them, features are centered only when the intercepts are unbounded, and a
multinomial fit's coefficients and intercepts are not re-centered afterwards.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..sql.errors import IllegalArgumentException
from .param import Param, Params, TypeConverters as TC

__all__ = ["HasBounds", "scaled_bounds"]

_NAMES = ("lowerBoundsOnCoefficients", "upperBoundsOnCoefficients", "lowerBoundsOnIntercepts",
          "upperBoundsOnIntercepts")


class HasBounds(Params):
    """The four bound params of LogisticRegression and its model."""

    lowerBoundsOnCoefficients = Param(
        Params._dummy(), "lowerBoundsOnCoefficients",
        "lower bounds on coefficients for a bound-constrained fit: a matrix of shape (1, number "
        "of features) for binomial, (number of classes, number of features) for multinomial",
        TC.toMatrix)
    upperBoundsOnCoefficients = Param(
        Params._dummy(), "upperBoundsOnCoefficients",
        "upper bounds on coefficients for a bound-constrained fit, shaped as the lower bounds",
        TC.toMatrix)
    lowerBoundsOnIntercepts = Param(
        Params._dummy(), "lowerBoundsOnIntercepts",
        "lower bounds on intercepts for a bound-constrained fit: a vector of size 1 for "
        "binomial, the number of classes for multinomial", TC.toVector)
    upperBoundsOnIntercepts = Param(
        Params._dummy(), "upperBoundsOnIntercepts",
        "upper bounds on intercepts for a bound-constrained fit, sized as the lower bounds",
        TC.toVector)

    def _bounded(self) -> bool:
        return any(self.isSet(n) for n in _NAMES)

    def _check_bound_params(self) -> None:
        """What can be checked before any data is read."""
        if not self._bounded():
            return
        if self.getElasticNetParam() != 0.0 and self.getRegParam() != 0.0:
            raise IllegalArgumentException(
                f"requirement failed: Fitting under bound constrained optimization only supports "
                f"L2 regularization, but got elasticNetParam = {self.getElasticNetParam()}.")
        if not self.getFitIntercept() and (self.isSet("lowerBoundsOnIntercepts")
                                           or self.isSet("upperBoundsOnIntercepts")):
            raise IllegalArgumentException(
                "requirement failed: Please don't set bounds on intercepts if fitting without "
                "intercept.")

    def _intercepts_free(self) -> bool:
        """Spark centers the features only when no intercept bound is finite."""
        lo = self.getOrDefault("lowerBoundsOnIntercepts") if self.isSet(
            "lowerBoundsOnIntercepts") else None
        hi = self.getOrDefault("upperBoundsOnIntercepts") if self.isSet(
            "upperBoundsOnIntercepts") else None
        return (lo is None or all(np.isneginf(lo.toArray()))) and \
            (hi is None or all(np.isposinf(hi.toArray())))


def _matrix(stage: Any, name: str, k: int, d: int, fill: float) -> np.ndarray:
    if not stage.isSet(name):
        return np.full((k, d), fill)
    m = stage.getOrDefault(name)
    if (m.numRows, m.numCols) != (k, d):
        label = name[0].upper() + name[1:]
        raise IllegalArgumentException(
            f"requirement failed: The shape of {label} must be compatible with (1, number of "
            f"features) for binomial regression, or (number of classes, number of features) for "
            f"multinomial regression, but found: ({m.numRows}, {m.numCols}).")
    return np.asarray(m.toArray(), dtype=np.float64)


def _vector(stage: Any, name: str, k: int, fill: float) -> np.ndarray:
    if not stage.isSet(name):
        return np.full(k, fill)
    v = np.asarray(stage.getOrDefault(name).toArray(), dtype=np.float64)
    if len(v) != k:
        raise IllegalArgumentException(
            f"requirement failed: The size of {name} must be equal to 1 for binomial regression, "
            f"or the number of classes for multinomial regression, but found: {len(v)}.")
    return v


def scaled_bounds(stage: Any, k: int, d: int, std: np.ndarray,
                  fit_intercept: bool) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds on dfml's optimization vector (k x d scaled coefficients, class
    by class, then k intercepts), checked as Spark checks them."""
    lo_c = _matrix(stage, "lowerBoundsOnCoefficients", k, d, -np.inf)
    hi_c = _matrix(stage, "upperBoundsOnCoefficients", k, d, np.inf)
    if np.any(lo_c > hi_c):
        raise IllegalArgumentException(
            f"requirement failed: LowerBoundsOnCoefficients should always be less than or equal "
            f"to upperBoundsOnCoefficients, but found: lowerBoundsOnCoefficients = "
            f"{lo_c.tolist()}, upperBoundsOnCoefficients = {hi_c.tolist()}.")
    parts_lo, parts_hi = [(lo_c * std).reshape(-1)], [(hi_c * std).reshape(-1)]
    if fit_intercept:
        lo_i = _vector(stage, "lowerBoundsOnIntercepts", k, -np.inf)
        hi_i = _vector(stage, "upperBoundsOnIntercepts", k, np.inf)
        if np.any(lo_i > hi_i):
            raise IllegalArgumentException(
                f"requirement failed: LowerBoundsOnIntercepts should always be less than or "
                f"equal to upperBoundsOnIntercepts, but found: lowerBoundsOnIntercepts = "
                f"{lo_i.tolist()}, upperBoundsOnIntercepts = {hi_i.tolist()}.")
        parts_lo.append(lo_i)
        parts_hi.append(hi_i)
    return np.concatenate(parts_lo), np.concatenate(parts_hi)
