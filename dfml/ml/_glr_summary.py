"""GeneralizedLinearRegression's summaries: the figures Spark reports about a fitted model.

A training summary receives its figures from the fit (summed over the training blocks before
they were released); a summary of another data set (``model.evaluate``) computes them with one
read of that data set, the first time one is asked for. Standard errors exist only for the
training summary and only when the last least-squares solve had an inverse, as in Spark.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from ..sql import types as T
from ._glr_family import UnsupportedOperation, family_and_link

__all__ = ["GeneralizedLinearRegressionSummary", "GeneralizedLinearRegressionTrainingSummary"]

RESIDUAL_TYPES = ("deviance", "pearson", "working", "response")


class GeneralizedLinearRegressionSummary:
    """Deviance, dispersion, AIC and residuals of a model on a data set."""

    def __init__(self, model: Any, dataset: Any, figures: dict | None = None):
        self._model = model
        self._dataset = dataset
        self._figures = figures
        self._predictions = None

    # ------------------------------------------------------------ plumbing
    def _fig(self, name: str) -> Any:
        if self._figures is None:
            self._figures = _evaluate(self._model, self._dataset)
        return self._figures[name]

    @property
    def predictions(self) -> Any:
        if self._predictions is None:
            self._predictions = self._model.transform(self._dataset)
        return self._predictions

    @property
    def predictionCol(self) -> str:
        return self._model.getPredictionCol()

    # ------------------------------------------------------------ figures
    @property
    def numInstances(self) -> int:
        return self._fig("numInstances")

    @property
    def rank(self) -> int:
        return self._fig("rank")

    @property
    def degreesOfFreedom(self) -> int:
        return self._fig("degreesOfFreedom")

    @property
    def residualDegreeOfFreedom(self) -> int:
        return self._fig("degreesOfFreedom")

    @property
    def residualDegreeOfFreedomNull(self) -> int:
        return self._fig("residualDegreeOfFreedomNull")

    @property
    def deviance(self) -> float:
        return float(self._fig("deviance"))

    @property
    def nullDeviance(self) -> float:
        return float(self._fig("nullDeviance"))

    @property
    def dispersion(self) -> float:
        """1 for binomial and poisson; otherwise Pearson's chi-square over the residual
        degrees of freedom."""
        if self._model.getOrDefault("family").lower() in ("binomial", "poisson"):
            return 1.0
        return float(self._fig("pearson") / self._fig("degreesOfFreedom"))

    @property
    def aic(self) -> float:
        aic = self._fig("aic")
        if aic is None:
            raise UnsupportedOperation("No AIC available for the tweedie family")
        return float(aic)

    def residuals(self, residualsType: str = "deviance") -> Any:
        """A one-column DataFrame of the residuals: deviance (default), pearson, working or
        response."""
        from ..sql import functions as F
        from .base import partition_column
        if residualsType not in RESIDUAL_TYPES:
            from ..sql.errors import IllegalArgumentException
            raise IllegalArgumentException(
                f"residualsType must be one of {', '.join(RESIDUAL_TYPES)}, got "
                f"{residualsType!r}")
        m = self._model
        family, link = family_and_link(m)
        weight = m._opt_col("weightCol")
        ins = [F.col(m.getLabelCol()).cast("double"), F.col(m.getPredictionCol()),
               F.col(weight).cast("double") if weight else F.lit(1.0)]
        name = f"{residualsType}Residuals"
        col = partition_column(f"GeneralizedLinearRegression.{name}", ins,
                               _Residuals(family, link, residualsType), T.DoubleType())
        return self.predictions.select(col.alias(name))


class _Residuals:
    def __init__(self, family: Any, link: Any, kind: str):
        self.family, self.link, self.kind = family, link, kind

    def __call__(self, y: Any, mu: Any, w: Any) -> pa.Array:
        from .glr import as_floats
        y, mu = as_floats(y), as_floats(mu)
        w = as_floats(w, len(y))
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind == "response":
                r = y - mu
            elif self.kind == "working":
                r = (y - mu) * self.link.deriv(mu)
            elif self.kind == "pearson":
                r = (y - mu) * np.sqrt(w) / np.sqrt(self.family.variance(mu))
            else:
                r = np.sign(y - mu) * np.sqrt(self.family.deviance(y, mu, w))
        return pa.array(r, type=pa.float64())


class GeneralizedLinearRegressionTrainingSummary(GeneralizedLinearRegressionSummary):
    """The training summary: the figures above plus the iteration count and, when the final
    least-squares system was invertible, the coefficients' standard errors, t- and p-values
    (intercept last)."""

    def __init__(self, model: Any, dataset: Any, figures: dict, diag_inv: np.ndarray,
                 iterations: int):
        super().__init__(model, dataset, figures)
        self._diag = np.asarray(diag_inv, dtype=float)
        self.numIterations = int(iterations)
        self.solver = "irls"

    def _normal(self) -> np.ndarray:
        if len(self._diag) == 1 and self._diag[0] == 0.0:
            raise UnsupportedOperation("No Std. Error of coefficients available for this "
                                       "GeneralizedLinearRegressionModel")
        return self._diag

    @property
    def coefficientStandardErrors(self) -> list[float]:
        return [float(v) for v in np.sqrt(self._normal() * self.dispersion)]

    @property
    def tValues(self) -> list[float]:
        se = np.asarray(self.coefficientStandardErrors)
        m = self._model
        est = np.concatenate([m.coefficients.toArray(),
                              [m.intercept] if m.getFitIntercept() else []])
        return [float(v) for v in est / se]

    @property
    def pValues(self) -> list[float]:
        """Two-sided, from the normal distribution for binomial and poisson (known
        dispersion), else from Student's t on the residual degrees of freedom; written as
        ``2 (1 - cdf)`` as Spark does, so very small ones round to 0 the same way."""
        from scipy.stats import norm, t as student_t
        t = np.abs(np.asarray(self.tValues))
        if self._model.getOrDefault("family").lower() in ("binomial", "poisson"):
            cdf = norm.cdf(t)
        else:
            cdf = student_t.cdf(t, self.degreesOfFreedom)
        return [float(v) for v in 2.0 * (1.0 - cdf)]

    def __repr__(self) -> str:
        from ._glr_text import summary_text
        return summary_text(self)


def _evaluate(model: Any, dataset: Any) -> dict:
    """The figures of ``model`` on ``dataset`` (one read, plus an intercept-only fit when the
    null model has an offset to respect)."""
    from ._glr_irls import build_blocks, irls, summary_sums
    from .glr import summary_figures
    family, link = family_and_link(model)
    weight, offset = model._opt_col("weightCol"), model._opt_col("offsetCol")
    if offset and offset not in dataset.columns:
        offset = None
    stage = f"GeneralizedLinearRegressionModel ({model.uid})"
    beta, b0 = model.coefficients.toArray(), float(model.intercept)
    with build_blocks(dataset, model.getFeaturesCol(), model.getLabelCol(), weight, offset,
                      stage) as blocks:
        null_b0 = 0.0
        if model.getFitIntercept():
            gaussian_identity = family.name == "gaussian" and link.name == "identity"
            if offset is None or gaussian_identity:
                s = blocks.map_sum(_label_sums)
                null_b0 = float(link.link(np.array(s[0] / s[1])))
            else:
                null_b0 = irls(blocks, family, link, len(beta), True,
                               float(model.getRegParam()), model.getMaxIter(), model.getTol(),
                               use_features=False)["b0"]
        sums = blocks.map_sum(summary_sums, family, link, beta, b0, null_b0)
    return summary_figures(sums, family, len(beta), model.getFitIntercept())


def _label_sums(b: Any) -> Any:
    if b.n == 0:
        return None
    return float(b.w @ (b.y - b.o)), float(b.w.sum())

