"""The error distributions and link functions of GeneralizedLinearRegression, as numpy kernels.

Each family knows how to start IRLS from a label (``initialize``), its variance function, how to
keep a fitted mean inside its domain (``project``), its unit deviance and its AIC; each link maps
means to linear predictors and back, with its derivative. They run per block on the workers, so
all of them take and return whole arrays. The numbers follow Spark's definitions (the same
starting means, the same clamping constants), because IRLS after a fixed number of iterations,
the null deviance and the AIC all depend on those details, not only on the fixed point.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.special import gammaln, ndtr, ndtri

from ..sql.errors import IllegalArgumentException, SparkException

__all__ = ["Family", "Link", "family_and_link", "SUPPORTED_LINKS"]

_EPS = 1e-16   # how close a fitted mean may come to the edge of its domain
_DELTA = 0.1   # the start (and deviance floor) Spark uses for zero counts

# the links each named family accepts through ``link`` (tweedie takes ``linkPower`` instead)
SUPPORTED_LINKS = {
    "gaussian": ("identity", "log", "inverse"),
    "binomial": ("logit", "probit", "cloglog"),
    "poisson": ("log", "identity", "sqrt"),
    "gamma": ("inverse", "identity", "log"),
}
DEFAULT_LINKS = {"gaussian": "identity", "binomial": "logit", "poisson": "log", "gamma": "inverse"}


class Link:
    """A link function ``eta = g(mu)``, its inverse and its derivative ``g'(mu)``."""

    def __init__(self, name: str, power: float | None = None):
        self.name = name
        self.power = power

    def link(self, mu: np.ndarray) -> np.ndarray:
        n, p = self.name, self.power
        if n == "identity":
            return mu
        if n == "log":
            return np.log(mu)
        if n == "inverse":
            return 1.0 / mu
        if n == "logit":
            return np.log(mu / (1.0 - mu))
        if n == "probit":
            return ndtri(mu)
        if n == "cloglog":
            return np.log(-np.log(1.0 - mu))
        if n == "sqrt":
            return np.sqrt(mu)
        return np.power(mu, p)

    def deriv(self, mu: np.ndarray) -> np.ndarray:
        n, p = self.name, self.power
        if n == "identity":
            return np.ones_like(mu)
        if n == "log":
            return 1.0 / mu
        if n == "inverse":
            return -1.0 / (mu * mu)
        if n == "logit":
            return 1.0 / (mu * (1.0 - mu))
        if n == "probit":
            z = ndtri(mu)
            return 1.0 / (np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi))
        if n == "cloglog":
            return 1.0 / ((mu - 1.0) * np.log(1.0 - mu))
        if n == "sqrt":
            return 1.0 / (2.0 * np.sqrt(mu))
        return p * np.power(mu, p - 1.0)

    def unlink(self, eta: np.ndarray) -> np.ndarray:
        n, p = self.name, self.power
        if n == "identity":
            return eta
        if n == "log":
            return np.exp(eta)
        if n == "inverse":
            return 1.0 / eta
        if n == "logit":
            return 1.0 / (1.0 + np.exp(-eta))
        if n == "probit":
            return ndtr(eta)
        if n == "cloglog":
            return 1.0 - np.exp(-np.exp(eta))
        if n == "sqrt":
            return eta * eta
        return np.power(eta, 1.0 / p)


def _power_link(p: float) -> Link:
    """Spark maps the powers with a named link to that link (0 is the log link)."""
    named = {0.0: "log", 1.0: "identity", -1.0: "inverse", 0.5: "sqrt"}
    return Link(named[p]) if p in named else Link("power", p)


class Family:
    """An exponential-dispersion family; ``name`` is Spark's (tweedie powers 0, 1 and 2 are the
    gaussian, poisson and gamma families, as in Spark)."""

    def __init__(self, name: str, variance_power: float = 0.0):
        self.name = name
        self.p = variance_power

    # ---------------------------------------------------------------- IRLS pieces
    def initialize(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        """The starting mean of each row; a label outside the family's support is an error."""
        n = self.name
        if n == "binomial":
            _require(np.all((y >= 0.0) & (y <= 1.0)), y, (y < 0.0) | (y > 1.0),
                     "The response variable of Binomial family should be in range (0, 1)")
            return (w * y + 0.5) / (w + 1.0)
        if n == "poisson":
            _require(np.all(y >= 0.0), y, y < 0.0,
                     "The response variable of Poisson family should be non-negative")
            return np.maximum(y, _DELTA)
        if n == "gamma":
            _require(np.all(y > 0.0), y, y <= 0.0,
                     "The response variable of Gamma family should be positive")
            return y
        if n == "tweedie":
            if 1.0 <= self.p < 2.0:
                _require(np.all(y >= 0.0), y, y < 0.0, "The response variable of the specified "
                         "Tweedie distribution should be non-negative")
            elif self.p >= 2.0:
                _require(np.all(y > 0.0), y, y <= 0.0, "The response variable of the specified "
                         "Tweedie distribution should be positive")
            return np.where(y == 0.0, _DELTA, y)
        return y

    def variance(self, mu: np.ndarray) -> np.ndarray:
        n = self.name
        if n == "gaussian":
            return np.ones_like(mu)
        if n == "binomial":
            return mu * (1.0 - mu)
        if n == "poisson":
            return mu
        if n == "gamma":
            return mu * mu
        return np.power(mu, self.p)

    def project(self, mu: np.ndarray) -> np.ndarray:
        if self.name == "gaussian":
            return np.clip(mu, -np.finfo(float).max, np.finfo(float).max)
        if self.name == "binomial":
            return np.clip(mu, _EPS, 1.0 - _EPS)
        out = np.where(mu < _EPS, _EPS, mu)
        return np.where(np.isposinf(out), np.finfo(float).max, out)

    # ---------------------------------------------------------------- summary pieces
    def deviance(self, y: np.ndarray, mu: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Each row's weighted unit deviance."""
        n = self.name
        with np.errstate(divide="ignore", invalid="ignore"):
            if n == "gaussian":
                return w * (y - mu) ** 2
            if n == "binomial":
                return 2.0 * w * (_ylogy(y, mu) + _ylogy(1.0 - y, 1.0 - mu))
            if n == "poisson":
                return 2.0 * w * (_ylogy(y, mu) - (y - mu))
            if n == "gamma":
                return -2.0 * w * (np.log(y / mu) - (y - mu) / mu)
            p = self.p
            y1 = np.maximum(y, _DELTA) if 1.0 <= p < 2.0 else y
            return 2.0 * w * (y * _yp(y1, mu, 1.0 - p) - _yp(y, mu, 2.0 - p))

    def aic_terms(self, y: np.ndarray, mu: np.ndarray, w: np.ndarray, disp: float) -> float:
        """The family's per-row part of the AIC, summed (see ``aic``). ``disp`` is the
        deviance over the weight sum (gamma's dispersion estimate)."""
        n = self.name
        if n == "gaussian":
            return float(np.log(w).sum())
        if n == "binomial":
            # Spark rounds half up (Scala's math.round), numpy's round would go to even
            k = np.floor(w + 0.5).astype(np.int64)
            succ = np.floor(y * w + 0.5).astype(np.int64)
            keep = k != 0
            k, succ, p = k[keep], succ[keep], mu[keep]
            lp = (gammaln(k + 1.0) - gammaln(succ + 1.0) - gammaln(k - succ + 1.0)
                  + succ * np.log(p) + (k - succ) * np.log1p(-p))
            return float(-2.0 * lp.sum())
        if n == "poisson":
            k = np.trunc(y)
            lp = -mu + k * np.log(mu) - gammaln(k + 1.0)
            return float(-2.0 * (w * lp).sum())
        if n == "gamma":
            shape, scale = 1.0 / disp, mu * disp
            lp = (shape - 1.0) * np.log(y) - y / scale - gammaln(shape) - shape * np.log(scale)
            return float(-2.0 * (w * lp).sum())
        raise UnsupportedOperation("No AIC available for the tweedie family")

    def aic(self, terms: float, deviance: float, num_instances: float) -> float:
        """The AIC without the ``2 * rank`` the summary adds."""
        if self.name == "gaussian":
            return (num_instances * (math.log(deviance / num_instances * 2.0 * math.pi) + 1.0)
                    + 2.0 - terms)
        if self.name == "gamma":
            return terms + 2.0
        return terms


class UnsupportedOperation(SparkException):
    """A summary figure Spark does not define for the model's family."""


def _ylogy(y: np.ndarray, mu: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y == 0.0, 0.0, y * np.log(y / mu))


def _yp(y: np.ndarray, mu: np.ndarray, p: float) -> np.ndarray:
    if p == 0.0:
        return np.log(y / mu)
    return (np.power(y, p) - np.power(mu, p)) / p


def _require(ok: bool, y: np.ndarray, bad: np.ndarray, what: str) -> None:
    if not ok:
        raise SparkException(f"requirement failed: {what}, but got {float(y[bad][0])!r}")


def family_and_link(stage: Any) -> tuple[Family, Link]:
    """The family and link a GeneralizedLinearRegression's params name, checked as Spark does."""
    name = f"{type(stage).__name__} ({stage.uid})"
    fam = stage.getOrDefault("family").lower()
    if fam not in ("gaussian", "binomial", "poisson", "gamma", "tweedie"):
        raise IllegalArgumentException(f"{name}: family must be one of gaussian, binomial, "
                                       f"poisson, gamma, tweedie, got {fam!r}")
    if fam == "tweedie":
        vp = float(stage.getOrDefault("variancePower"))
        if not (vp == 0.0 or vp >= 1.0):
            raise IllegalArgumentException(f"{name}: variancePower must be 0 or >= 1, got {vp}")
        family = {0.0: Family("gaussian"), 1.0: Family("poisson"),
                  2.0: Family("gamma")}.get(vp, Family("tweedie", vp))
        lp = (float(stage.getOrDefault("linkPower")) if stage.isDefined("linkPower")
              else 1.0 - vp)
        return family, _power_link(lp)
    family = Family(fam)
    if stage.isDefined("link") and stage.getOrDefault("link"):
        link = stage.getOrDefault("link").lower()
        if link not in SUPPORTED_LINKS[fam]:
            raise IllegalArgumentException(
                f"{name}: Generalized Linear Regression with {fam} family does not support "
                f"{link} link function (supported: {', '.join(SUPPORTED_LINKS[fam])})")
    else:
        link = DEFAULT_LINKS[fam]
    return family, Link(link)
